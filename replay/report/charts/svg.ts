import { escapeXml } from "../format.js";

/**
 * The embedded DejaVu Sans comes first so PNGs (rendered by resvg with only that font) and browsers agree; a
 * browser without it falls back to a generic sans-serif.
 */
export const FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif";

export const COLORS = {
  text: "#1a1a1a",
  muted: "#555555",
  axis: "#333333",
  grid: "#e3e3e3",
  background: "#ffffff",
} as const;

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
export const SERIES_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"] as const;

type AttributeValue = string | number | undefined;

function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function attributes(attrs: Readonly<Record<string, AttributeValue>>): string {
  let out = "";
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === "number" ? num(value) : escapeXml(value)}"`;
  }
  return out;
}

/** An element; children are already-built markup. */
export function el(tag: string, attrs: Readonly<Record<string, AttributeValue>>, children?: string): string {
  return children === undefined ? `<${tag}${attributes(attrs)}/>` : `<${tag}${attributes(attrs)}>${children}</${tag}>`;
}

/** A hover tooltip for the element it is placed in. */
export function tooltip(content: string): string {
  return el("title", {}, escapeXml(content));
}

export function text(
  x: number,
  y: number,
  content: string,
  attrs: Readonly<Record<string, AttributeValue>> = {},
): string {
  return el("text", { x, y, "font-size": 12, fill: COLORS.text, ...attrs }, escapeXml(content));
}

/** Shortens a label to `max` characters, ending with an ellipsis. */
export function truncate(label: string, max: number): string {
  const chars = [...label];
  return chars.length <= max ? label : `${chars.slice(0, Math.max(max - 1, 1)).join("")}…`;
}

/** Rough width of text in DejaVu Sans, for laying out labels without measuring. */
export function textWidth(label: string, fontSize: number): number {
  return [...label].length * fontSize * 0.6;
}

export interface ChartSvg {
  /** File stem, e.g. "cost-per-specialty". */
  readonly name: string;
  readonly title: string;
  readonly width: number;
  readonly height: number;
  readonly svg: string;
}

/** Wraps chart content in an <svg> with a white background, an accessible title and the chart title on top. */
export function frame(
  name: string,
  title: string,
  subtitle: string,
  width: number,
  height: number,
  body: string,
): ChartSvg {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" role="img" font-family="${escapeXml(FONT_FAMILY)}">` +
    tooltip(title) +
    el("rect", { x: 0, y: 0, width, height, fill: COLORS.background }) +
    text(16, 26, title, { "font-size": 16, "font-weight": "bold" }) +
    text(16, 44, subtitle, { "font-size": 11, fill: COLORS.muted }) +
    body +
    `</svg>`;
  return { name, title, width, height, svg };
}

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly shape?: "box" | "circle" | "square" | "line";
}

/** A one-row legend starting at (x, y); returns markup. */
export function legend(x: number, y: number, items: readonly LegendItem[]): string {
  let out = "";
  let cursor = x;
  for (const item of items) {
    const shape = item.shape ?? "box";
    if (shape === "circle")
      out += el("circle", { cx: cursor + 6, cy: y - 4, r: 5, fill: item.color, "fill-opacity": 0.8 });
    else if (shape === "line")
      out += el("line", { x1: cursor, y1: y - 4, x2: cursor + 14, y2: y - 4, stroke: item.color, "stroke-width": 2 });
    else if (shape === "square")
      out += el("rect", { x: cursor + 1, y: y - 9, width: 10, height: 10, fill: item.color, "fill-opacity": 0.8 });
    else out += el("rect", { x: cursor, y: y - 10, width: 12, height: 12, fill: item.color });
    out += text(cursor + 18, y, item.label, { "font-size": 12 });
    cursor += 18 + textWidth(item.label, 12) + 20;
  }
  return out;
}
