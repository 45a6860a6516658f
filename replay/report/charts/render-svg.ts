import * as vega from "vega";
import { compile, type Config, type TopLevelSpec } from "vega-lite";

import { escapeXml, formatCompact, xmlSafe } from "../format.js";

/**
 * The embedded DejaVu Sans comes first so PNGs (rendered by resvg with only that font) and browsers agree; a
 * browser without it falls back to a generic sans-serif.
 */
const FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif";

export const COLORS = {
  text: "#1a1a1a",
  muted: "#555555",
  axis: "#333333",
  grid: "#e3e3e3",
  background: "#ffffff",
} as const;

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
export const SERIES_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"] as const;

/**
 * Axis labels in the report's short style (1.5M, 250k), after the prefix given as `format`:
 * `axis: { format: "€", formatType: COMPACT }`. Vega picks the tick values, so the formatter has to run inside it.
 */
export const COMPACT = "careledgerCompact";
vega.expressionFunction(COMPACT, (value: number, prefix = "") => `${prefix}${formatCompact(value)}`);

interface TextItem {
  readonly fontSize?: number;
  readonly limit?: number;
}

/**
 * Vega sizes labels, legends and margins from text widths. It would measure them with node-canvas and whatever fonts
 * the machine has if node-canvas were installed, and otherwise guesses 0.8 em a character, far wider than DejaVu
 * Sans; about 0.6 em matches the font the PNGs are drawn with, and the layout depends on nothing but the data.
 */
const textMetrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } })
  .textMetrics;
textMetrics.width = (item, text) => {
  const width = [...String(text ?? "").trim()].length * (item.fontSize ?? 11) * 0.6;
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
};

// Every chart carries its data inline: nothing may be fetched, so a spec naming a URL fails instead.
const refuse = (uri: string): Promise<never> => Promise.reject(new Error(`charts load nothing, asked for ${uri}`));
const OFFLINE: vega.Loader = { load: refuse, sanitize: refuse, http: refuse, file: refuse };

const CONFIG: Config = {
  font: FONT_FAMILY,
  background: COLORS.background,
  padding: 16,
  customFormatTypes: true,
  view: { stroke: null },
  title: {
    anchor: "start",
    fontSize: 16,
    color: COLORS.text,
    subtitleFontSize: 11,
    subtitleColor: COLORS.muted,
    subtitlePadding: 6,
    offset: 14,
  },
  axis: {
    labelFontSize: 11,
    labelColor: COLORS.muted,
    titleFontSize: 12,
    titleFontWeight: "normal",
    titleColor: COLORS.text,
    domainColor: COLORS.axis,
    tickColor: COLORS.axis,
    gridColor: COLORS.grid,
  },
  legend: { labelFontSize: 12, labelColor: COLORS.text, labelLimit: 360, orient: "top" },
  text: { color: COLORS.text },
};

export interface ChartSvg {
  /** File stem, e.g. "cost-per-specialty". */
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

/** A chart: the Vega-Lite spec's title is the chart's title, its `subtitle` the line of small print below. */
export type ChartSpec = TopLevelSpec & { readonly title: { readonly text: string; readonly subtitle: string } };

/** Compiles a Vega-Lite spec and renders it to a standalone SVG in Node: no DOM, no canvas, no network. */
export async function renderChart(name: string, spec: ChartSpec): Promise<ChartSvg> {
  const view = new vega.View(vega.parse(compile({ ...spec, config: CONFIG }).spec), {
    renderer: "none",
    loader: OFFLINE,
  });
  // Clip and gradient ids count up across renders; starting them afresh makes equal data give equal bytes. The specs
  // neither clip nor use gradients, so no ids reach report.html, where the inline SVGs would share one id space.
  vega.resetSVGDefIds();
  const svg = await view.toSVG();
  view.finalize();
  const title = spec.title.text;
  // The <title> names the graphic for screen readers and shows as a tooltip; Vega only labels the marks inside.
  const named = svg.replace(/^<svg[^>]*>/, (open) => `${open}<title>${escapeXml(title)}</title>`);
  return { name, title, svg: xmlSafe(named) };
}
