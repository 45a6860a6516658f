import type { TopLevelSpec } from "vega-lite";

import { COLORS, COMPACT, renderChart, type ChartSvg } from "./render-svg.js";

type Encoding = NonNullable<Extract<TopLevelSpec, { mark: unknown }>["encoding"]>;

/** One coloured series: a bar in each category of a grouped chart, or a segment of each bar of a stacked one. */
export interface BarSeries {
  readonly label: string;
  readonly color: string;
  /** One value per category (grouped) or per bar (stacked). */
  readonly values: readonly number[];
}

/** The title and value axis every bar chart here has. */
interface ValueChartOptions {
  readonly name: string;
  readonly title: string;
  readonly subtitle: string;
  /** Axis title for the values, with the unit. */
  readonly valueAxisLabel: string;
  /** Written before each value-axis label, e.g. "€". */
  readonly tickPrefix: string;
  readonly formatValue: (value: number) => string;
}

export interface BarChartOptions extends ValueChartOptions {
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly categoryAxisLabel: string;
}

/** One row per bar, in the order given: Vega-Lite keeps data order where a scale's `sort` is null. */
function barRows(options: BarChartOptions): object[] {
  return options.categories.flatMap((category, i) =>
    options.series.map((s) => {
      const value = s.values[i] ?? 0;
      const label = options.formatValue(value);
      return { category, series: s.label, value, label, description: `${category}: ${s.label} ${label}` };
    }),
  );
}

function seriesColor(series: readonly BarSeries[]): Encoding["color"] {
  const scale = { domain: series.map((s) => s.label), range: series.map((s) => s.color) };
  return { field: "series", type: "nominal", scale, legend: { title: null } };
}

/** The bars' length: each value, its axis ticks compact ("€1.2M") with the unit before them. */
function valueAxis(options: ValueChartOptions) {
  const axis = { format: options.tickPrefix, formatType: COMPACT };
  return { field: "value", type: "quantitative", title: options.valueAxisLabel, axis } as const;
}

/** Categories down the left, grouped bars to the right: for long names (cost per specialty). */
export function horizontalBarChart(options: BarChartOptions): Promise<ChartSvg> {
  return renderChart(options.name, {
    title: { text: options.title, subtitle: options.subtitle },
    width: 560,
    height: { step: 8 + 11 * options.series.length },
    data: { values: barRows(options) },
    encoding: {
      y: {
        field: "category",
        type: "nominal",
        sort: null,
        title: options.categoryAxisLabel,
        // Room for about 34 characters; maxExtent would otherwise let the axis title overlap longer labels.
        axis: { labelLimit: 245, maxExtent: 260, labelFontSize: 12, labelColor: COLORS.text },
      },
      yOffset: { field: "series", sort: null },
      x: valueAxis(options),
      color: seriesColor(options.series),
    },
    layer: [
      { mark: "bar", encoding: { description: { field: "description" } } },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 10, aria: false },
        encoding: { text: { field: "label" }, color: { value: COLORS.muted } },
      },
    ],
  });
}

/** Categories along the bottom (rotated labels), grouped bars upwards: for many short labels (specialty codes). */
export function verticalBarChart(options: BarChartOptions): Promise<ChartSvg> {
  return renderChart(options.name, {
    title: { text: options.title, subtitle: options.subtitle },
    width: Math.max(options.categories.length * (6 + 7 * options.series.length), 480),
    height: 340,
    data: { values: barRows(options) },
    mark: "bar",
    encoding: {
      x: {
        field: "category",
        type: "nominal",
        sort: null,
        title: options.categoryAxisLabel,
        axis: { labelAngle: -90, labelFontSize: 10, labelColor: COLORS.text },
      },
      xOffset: { field: "series", sort: null },
      y: valueAxis(options),
      color: seriesColor(options.series),
      description: { field: "description" },
    },
  });
}

export interface StackedBarOptions extends ValueChartOptions {
  readonly bars: readonly string[];
  readonly segments: readonly BarSeries[];
}

/** A few wide bars, each a stack of segments, with the total above: what each design's cost is made of. */
export function stackedBarChart(options: StackedBarOptions): Promise<ChartSvg> {
  const segments = options.bars.flatMap((bar, i) =>
    options.segments
      .map((s, order) => ({ bar, series: s.label, order, value: s.values[i] ?? 0 }))
      .filter((row) => row.value > 0)
      .map((row) => ({ ...row, description: `${bar}: ${row.series} ${options.formatValue(row.value)}` })),
  );
  const totals = options.bars.map((bar, i) => {
    const total = options.segments.reduce((sum, s) => sum + (s.values[i] ?? 0), 0);
    return { bar, total, label: options.formatValue(total) };
  });
  return renderChart(options.name, {
    title: { text: options.title, subtitle: options.subtitle },
    width: 440,
    height: 340,
    encoding: {
      x: {
        field: "bar",
        type: "nominal",
        sort: [...options.bars],
        title: null,
        axis: { labelAngle: 0, labelFontSize: 12, labelColor: COLORS.text },
      },
    },
    layer: [
      {
        data: { values: segments },
        mark: { type: "bar", width: { band: 0.55 } },
        encoding: {
          y: { ...valueAxis(options), stack: "zero" },
          // Listed top segment first, the order in which the stacks read from the top.
          color: { ...seriesColor([...options.segments].reverse()), legend: { title: null, orient: "right" } },
          order: { field: "order" },
          description: { field: "description" },
        },
      },
      {
        data: { values: totals },
        mark: { type: "text", baseline: "bottom", dy: -6, fontSize: 11, aria: false },
        encoding: { y: { field: "total", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  });
}
