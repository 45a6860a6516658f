import type { LinearFit } from "../../model/linear-fit.js";
import { niceScale } from "./nice-scale.js";
import { COLORS, el, frame, legend, text, tooltip, truncate, type ChartSvg, type LegendItem } from "./svg.js";

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
  /** Fitted line in the chart's units, drawn across the plot. */
  readonly fit?: LinearFit;
}

export interface ScatterOptions {
  readonly name: string;
  readonly title: string;
  readonly subtitle: string;
  readonly series: readonly ScatterSeries[];
  readonly xAxisLabel: string;
  readonly yAxisLabel: string;
  readonly formatX: (value: number) => string;
  readonly formatY: (value: number) => string;
  /** How many of the largest points (by x, first series) get their label written next to them. */
  readonly labelTop: number;
}

/** Points per series with their least-squares lines; the legend gives each line's R^2. */
export function scatterChart(options: ScatterOptions): ChartSvg {
  const width = 900;
  const height = 560;
  const left = 96;
  const top = 84;
  const right = 40;
  const bottom = 64;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const all = options.series.flatMap((s) => s.points);
  const xScale = niceScale(Math.max(...all.map((p) => p.x), 0));
  const yScale = niceScale(Math.max(...all.map((p) => p.y), 0));
  const x = (v: number): number => left + (v / xScale.max) * plotWidth;
  const y = (v: number): number => top + plotHeight - (v / yScale.max) * plotHeight;

  let body = "";
  for (const tick of xScale.ticks) {
    body += el("line", {
      x1: x(tick),
      y1: top,
      x2: x(tick),
      y2: top + plotHeight,
      stroke: COLORS.grid,
      "stroke-width": 1,
    });
    body += text(x(tick), top + plotHeight + 16, options.formatX(tick), {
      "text-anchor": "middle",
      "font-size": 11,
      fill: COLORS.muted,
    });
  }
  for (const tick of yScale.ticks) {
    body += el("line", {
      x1: left,
      y1: y(tick),
      x2: left + plotWidth,
      y2: y(tick),
      stroke: COLORS.grid,
      "stroke-width": 1,
    });
    body += text(left - 6, y(tick) + 4, options.formatY(tick), {
      "text-anchor": "end",
      "font-size": 11,
      fill: COLORS.muted,
    });
  }
  const items: LegendItem[] = [];
  for (const series of options.series) {
    for (const p of series.points) {
      const tip = tooltip(`${p.label}: ${options.formatX(p.x)} patients, ${options.formatY(p.y)}`);
      body +=
        series.marker === "circle"
          ? el(
              "circle",
              {
                cx: x(p.x),
                cy: y(p.y),
                r: 4,
                fill: series.color,
                "fill-opacity": 0.75,
                stroke: "#ffffff",
                "stroke-width": 0.5,
              },
              tip,
            )
          : el(
              "rect",
              {
                x: x(p.x) - 3.5,
                y: y(p.y) - 3.5,
                width: 7,
                height: 7,
                fill: series.color,
                "fill-opacity": 0.75,
                stroke: "#ffffff",
                "stroke-width": 0.5,
              },
              tip,
            );
    }
    items.push({ label: series.label, color: series.color, shape: series.marker });
    if (series.fit !== undefined) {
      const fit = series.fit;
      // Draw the line only where it lies inside the plot.
      const xEnd = Math.min(xScale.max, fit.slope > 0 ? (yScale.max - fit.intercept) / fit.slope : xScale.max);
      const xStart = Math.max(0, fit.slope > 0 && fit.intercept < 0 ? -fit.intercept / fit.slope : 0);
      if (xEnd > xStart) {
        body += el("line", {
          x1: x(xStart),
          y1: y(fit.intercept + fit.slope * xStart),
          x2: x(xEnd),
          y2: y(fit.intercept + fit.slope * xEnd),
          stroke: series.color,
          "stroke-width": 1.5,
          "stroke-dasharray": "6 3",
        });
      }
      items.push({ label: `${series.label} fit, R² = ${fit.rSquared.toFixed(4)}`, color: series.color, shape: "line" });
    }
  }
  const first = options.series[0];
  if (first !== undefined) {
    const largest = [...first.points].sort((a, b) => b.x - a.x).slice(0, options.labelTop);
    for (const p of largest) {
      body += text(x(p.x) - 8, y(p.y) - 8, truncate(p.label, 28), { "text-anchor": "end", "font-size": 11 });
    }
  }
  body += el("line", { x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: COLORS.axis, "stroke-width": 1 });
  body += el("line", {
    x1: left,
    y1: top + plotHeight,
    x2: left + plotWidth,
    y2: top + plotHeight,
    stroke: COLORS.axis,
    "stroke-width": 1,
  });
  body += text(left + plotWidth / 2, height - 20, options.xAxisLabel, { "text-anchor": "middle" });
  const midY = top + plotHeight / 2;
  body += text(18, midY, options.yAxisLabel, { "text-anchor": "middle", transform: `rotate(-90 18 ${midY})` });
  body += legend(left, 66, items);
  return frame(options.name, options.title, options.subtitle, width, height, body);
}
