import { niceScale } from "./nice-scale.js";
import { COLORS, el, frame, legend, text, textWidth, tooltip, truncate, type ChartSvg } from "./svg.js";

export interface BarSeries {
  readonly label: string;
  readonly color: string;
  /** One value per category. */
  readonly values: readonly number[];
}

export interface BarChartOptions {
  readonly name: string;
  readonly title: string;
  readonly subtitle: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  /** Axis title for the values, with the unit. */
  readonly valueAxisLabel: string;
  readonly categoryAxisLabel: string;
  readonly formatTick: (value: number) => string;
  readonly formatValue: (value: number) => string;
}

const LABEL_FONT = 12;
const MAX_LABEL_CHARS = 34;

function maxValue(series: readonly BarSeries[]): number {
  let max = 0;
  for (const s of series) for (const v of s.values) if (v > max) max = v;
  return max;
}

/** Categories down the left, grouped bars to the right: for long names (cost per specialty). */
export function horizontalBarChart(options: BarChartOptions): ChartSvg {
  const labels = options.categories.map((c) => truncate(c, MAX_LABEL_CHARS));
  const labelWidth = Math.min(Math.max(...labels.map((l) => textWidth(l, LABEL_FONT)), 40) + 14, 260);
  const width = 960;
  const top = 84;
  const groupHeight = 10 + options.series.length * 11;
  const plotHeight = options.categories.length * groupHeight;
  const left = 16 + labelWidth;
  const right = 110;
  const plotWidth = width - left - right;
  const height = top + plotHeight + 58;
  const scale = niceScale(maxValue(options.series));
  const x = (v: number): number => left + (v / scale.max) * plotWidth;

  let body = legend(
    left,
    66,
    options.series.map((s) => ({ label: s.label, color: s.color })),
  );
  for (const tick of scale.ticks) {
    body += el("line", {
      x1: x(tick),
      y1: top,
      x2: x(tick),
      y2: top + plotHeight,
      stroke: COLORS.grid,
      "stroke-width": 1,
    });
    body += text(x(tick), top + plotHeight + 16, options.formatTick(tick), {
      "text-anchor": "middle",
      "font-size": 11,
      fill: COLORS.muted,
    });
  }
  options.categories.forEach((_, i) => {
    const groupTop = top + i * groupHeight;
    body += text(left - 8, groupTop + groupHeight / 2 + 4, labels[i], {
      "text-anchor": "end",
      "font-size": LABEL_FONT,
    });
    options.series.forEach((s, j) => {
      const value = s.values[i] ?? 0;
      const barTop = groupTop + 5 + j * 11;
      body += el(
        "rect",
        { x: left, y: barTop, width: Math.max(x(value) - left, value > 0 ? 1 : 0), height: 10, fill: s.color },
        tooltip(`${labels[i]}: ${s.label} ${options.formatValue(value)}`),
      );
      body += text(x(value) + 4, barTop + 9, options.formatValue(value), { "font-size": 10, fill: COLORS.muted });
    });
  });
  body += el("line", { x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: COLORS.axis, "stroke-width": 1 });
  body += el("line", {
    x1: left,
    y1: top + plotHeight,
    x2: left + plotWidth,
    y2: top + plotHeight,
    stroke: COLORS.axis,
    "stroke-width": 1,
  });
  body += text(left + plotWidth / 2, top + plotHeight + 40, options.valueAxisLabel, { "text-anchor": "middle" });
  body += text(16, top + plotHeight + 40, options.categoryAxisLabel, { "font-size": 11, fill: COLORS.muted });
  return frame(options.name, options.title, options.subtitle, width, height, body);
}

/** Categories along the bottom (rotated labels), grouped bars upwards: for many short labels (specialty codes). */
export function verticalBarChart(options: BarChartOptions): ChartSvg {
  const labels = options.categories.map((c) => truncate(c, 12));
  const barWidth = 7;
  const groupWidth = options.series.length * barWidth + 6;
  const left = 86;
  const plotWidth = Math.max(options.categories.length * groupWidth, 480);
  const width = left + plotWidth + 24;
  const top = 84;
  const plotHeight = 340;
  const labelRoom = Math.max(...labels.map((l) => textWidth(l, 10)), 20) + 14;
  const height = top + plotHeight + labelRoom + 34;
  const scale = niceScale(maxValue(options.series));
  const y = (v: number): number => top + plotHeight - (v / scale.max) * plotHeight;

  let body = legend(
    left,
    66,
    options.series.map((s) => ({ label: s.label, color: s.color })),
  );
  for (const tick of scale.ticks) {
    body += el("line", {
      x1: left,
      y1: y(tick),
      x2: left + plotWidth,
      y2: y(tick),
      stroke: COLORS.grid,
      "stroke-width": 1,
    });
    body += text(left - 6, y(tick) + 4, options.formatTick(tick), {
      "text-anchor": "end",
      "font-size": 11,
      fill: COLORS.muted,
    });
  }
  options.categories.forEach((_, i) => {
    const groupLeft = left + i * groupWidth + 3;
    options.series.forEach((s, j) => {
      const value = s.values[i] ?? 0;
      const barLeft = groupLeft + j * barWidth;
      body += el(
        "rect",
        { x: barLeft, y: y(value), width: barWidth - 1, height: top + plotHeight - y(value), fill: s.color },
        tooltip(`${options.categories[i]}: ${s.label} ${options.formatValue(value)}`),
      );
    });
    const labelX = groupLeft + (groupWidth - 6) / 2 + 3;
    const labelY = top + plotHeight + 8;
    body += text(labelX, labelY, labels[i], {
      "text-anchor": "end",
      "font-size": 10,
      transform: `rotate(-90 ${labelX} ${labelY})`,
    });
  });
  body += el("line", { x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: COLORS.axis, "stroke-width": 1 });
  body += el("line", {
    x1: left,
    y1: top + plotHeight,
    x2: left + plotWidth,
    y2: top + plotHeight,
    stroke: COLORS.axis,
    "stroke-width": 1,
  });
  body += text(left + plotWidth / 2, height - 12, options.categoryAxisLabel, { "text-anchor": "middle" });
  const midY = top + plotHeight / 2;
  body += text(18, midY, options.valueAxisLabel, { "text-anchor": "middle", transform: `rotate(-90 18 ${midY})` });
  return frame(options.name, options.title, options.subtitle, width, height, body);
}

export interface StackSegment {
  readonly label: string;
  readonly color: string;
  /** One value per bar. */
  readonly values: readonly number[];
}

export interface StackedBarOptions {
  readonly name: string;
  readonly title: string;
  readonly subtitle: string;
  readonly bars: readonly string[];
  readonly segments: readonly StackSegment[];
  readonly valueAxisLabel: string;
  readonly formatTick: (value: number) => string;
  readonly formatValue: (value: number) => string;
}

/** A few wide bars, each a stack of segments, with the total above: what each design's cost is made of. */
export function stackedBarChart(options: StackedBarOptions): ChartSvg {
  const width = 760;
  const left = 96;
  const top = 84;
  const plotHeight = 340;
  const plotWidth = width - left - 220;
  const height = top + plotHeight + 60;
  const totals = options.bars.map((_, i) => options.segments.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const scale = niceScale(Math.max(...totals, 0));
  const y = (v: number): number => top + plotHeight - (v / scale.max) * plotHeight;
  const slot = plotWidth / options.bars.length;
  const barWidth = Math.min(120, slot * 0.6);

  let body = "";
  for (const tick of scale.ticks) {
    body += el("line", {
      x1: left,
      y1: y(tick),
      x2: left + plotWidth,
      y2: y(tick),
      stroke: COLORS.grid,
      "stroke-width": 1,
    });
    body += text(left - 6, y(tick) + 4, options.formatTick(tick), {
      "text-anchor": "end",
      "font-size": 11,
      fill: COLORS.muted,
    });
  }
  options.bars.forEach((bar, i) => {
    const barLeft = left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    for (const segment of options.segments) {
      const value = segment.values[i] ?? 0;
      if (value <= 0) continue;
      body += el(
        "rect",
        { x: barLeft, y: y(base + value), width: barWidth, height: y(base) - y(base + value), fill: segment.color },
        tooltip(`${bar}: ${segment.label} ${options.formatValue(value)}`),
      );
      base += value;
    }
    body += text(barLeft + barWidth / 2, y(totals[i]) - 6, options.formatValue(totals[i]), {
      "text-anchor": "middle",
      "font-size": 11,
    });
    body += text(barLeft + barWidth / 2, top + plotHeight + 18, bar, { "text-anchor": "middle" });
  });
  body += el("line", { x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: COLORS.axis, "stroke-width": 1 });
  body += el("line", {
    x1: left,
    y1: top + plotHeight,
    x2: left + plotWidth,
    y2: top + plotHeight,
    stroke: COLORS.axis,
    "stroke-width": 1,
  });
  const midY = top + plotHeight / 2;
  body += text(18, midY, options.valueAxisLabel, { "text-anchor": "middle", transform: `rotate(-90 18 ${midY})` });
  // Legend to the right, top segment first, matching the stacking order read from the top.
  const legendX = left + plotWidth + 24;
  [...options.segments].reverse().forEach((segment, i) => {
    const rowY = top + 14 + i * 22;
    body += el("rect", { x: legendX, y: rowY - 10, width: 12, height: 12, fill: segment.color });
    body += text(legendX + 18, rowY, segment.label);
  });
  return frame(options.name, options.title, options.subtitle, width, height, body);
}
