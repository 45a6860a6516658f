import type { LinearFit } from "../../model/linear-fit.js";
import { COLORS, COMPACT, renderChart, type ChartSvg } from "./render-svg.js";

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  readonly label: string;
}

export interface ScatterSeries {
  readonly label: string;
  readonly color: string;
  readonly marker: "circle" | "square";
  readonly points: readonly ScatterPoint[];
  /** Fitted line in the chart's units, drawn over the series' points. */
  readonly fit?: LinearFit;
}

export interface ScatterOptions {
  readonly name: string;
  readonly title: string;
  readonly subtitle: string;
  readonly series: readonly ScatterSeries[];
  readonly xAxisLabel: string;
  readonly yAxisLabel: string;
  /** Written before each y-axis label, e.g. "€". */
  readonly yTickPrefix: string;
  readonly formatX: (value: number) => string;
  readonly formatY: (value: number) => string;
  /** How many of the largest points (by x, first series) get their label written next to them. */
  readonly labelTop: number;
}

function fitLabel(series: ScatterSeries, fit: LinearFit): string {
  return `${series.label} fit, R² = ${fit.rSquared.toFixed(4)}`;
}

/** The fitted line from x = 0, or where it crosses y = 0 if later, to the series' largest x. */
function fitEnds(series: ScatterSeries, fit: LinearFit): object[] {
  const start = fit.slope > 0 && fit.intercept < 0 ? -fit.intercept / fit.slope : 0;
  const end = Math.max(...series.points.map((p) => p.x));
  if (!(end > start)) return [];
  const label = fitLabel(series, fit);
  return [start, end].map((x) => ({ x, y: fit.intercept + fit.slope * x, series: label }));
}

/** Points per series with their least-squares lines; the legend gives each line's R^2. */
export function scatterChart(options: ScatterOptions): Promise<ChartSvg> {
  // Each series and each fit is a legend entry in the series colour; Vega's "stroke" symbol is a short line.
  const entries = options.series.flatMap((s) => [
    { label: s.label, color: s.color, shape: s.marker },
    ...(s.fit === undefined ? [] : [{ label: fitLabel(s, s.fit), color: s.color, shape: "stroke" }]),
  ]);
  const domain = entries.map((e) => e.label);
  const points = options.series.flatMap((s) =>
    s.points.map((p) => ({
      ...p,
      series: s.label,
      description: `${p.label}: ${options.formatX(p.x)} patients, ${options.formatY(p.y)}`,
    })),
  );
  const fits = options.series.flatMap((s) => (s.fit === undefined ? [] : fitEnds(s, s.fit)));
  const labelled = [...(options.series[0]?.points ?? [])].sort((a, b) => b.x - a.x).slice(0, options.labelTop);
  return renderChart(options.name, {
    title: { text: options.title, subtitle: options.subtitle },
    width: 760,
    height: 410,
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xAxisLabel, axis: { formatType: COMPACT } },
      y: {
        field: "y",
        type: "quantitative",
        title: options.yAxisLabel,
        axis: { format: options.yTickPrefix, formatType: COMPACT },
      },
      color: {
        field: "series",
        type: "nominal",
        scale: { domain, range: entries.map((e) => e.color) },
        legend: { title: null },
      },
    },
    layer: [
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 50, opacity: 0.75, stroke: COLORS.background, strokeWidth: 0.5 },
        encoding: {
          shape: { field: "series", type: "nominal", scale: { domain, range: entries.map((e) => e.shape) } },
          description: { field: "description" },
        },
      },
      {
        data: { values: fits },
        mark: { type: "line", strokeDash: [6, 3], strokeWidth: 1.5, aria: false },
      },
      {
        data: { values: labelled },
        mark: { type: "text", align: "right", dx: -8, dy: -8, fontSize: 11, limit: 180, aria: false },
        encoding: { text: { field: "label" }, color: { value: COLORS.text } },
      },
    ],
  });
}
