import type { ReplayResult } from "../replay-result.js";
import type { ChartSvg } from "./charts/render-svg.js";
import { escapeXml } from "./format.js";
import { headline, reportSections, type ReportTable } from "./report-tables.js";

const STYLE = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #1a1a1a; background: #f6f6f4; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 64px; background: #ffffff; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 36px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p, li { line-height: 1.45; font-size: 0.95rem; }
.meta { color: #555555; font-size: 0.85rem; }
figure { margin: 24px 0; overflow-x: auto; }
figure svg { display: block; max-width: none; height: auto; }
figcaption { color: #555555; font-size: 0.85rem; margin-top: 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 12px 0; font-size: 0.85rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f0f0ee; }
td:first-child { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
`;

function htmlTable(t: ReportTable): string {
  const cell = (tag: "th" | "td", text: string, numeric: boolean): string =>
    `<${tag}${numeric ? ' class="num"' : ""}>${escapeXml(text)}</${tag}>`;
  const head = `<tr>${t.headers.map((h, i) => cell("th", h, t.numeric[i] ?? false)).join("")}</tr>`;
  const body = t.rows
    .map((r) => `<tr>${r.map((c, i) => cell("td", c, t.numeric[i] ?? false)).join("")}</tr>`)
    .join("\n");
  return `<div class="table-wrap"><table><thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** report.html: one self-contained page (inline CSS and SVG, no script, no external request). */
export function reportHtml(result: ReplayResult, charts: readonly ChartSvg[]): string {
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">`);
  parts.push(`<meta name="viewport" content="width=device-width, initial-scale=1">`);
  // No page may reach the network: the report is opened from disk, often offline.
  parts.push(
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
  );
  parts.push(`<title>CareLedger gas-cost replay</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<main>`);
  parts.push(`<h1>CareLedger gas-cost replay of the HSE/NTPF waiting lists</h1>`);
  parts.push(
    `<p class="meta">Generated ${escapeXml(result.generatedAt)}, ${escapeXml(result.mode)} mode. ${escapeXml(result.attribution)}</p>`,
  );
  parts.push(
    `<ul>${headline(result)
      .map((l) => `<li>${escapeXml(l)}</li>`)
      .join("\n")}</ul>`,
  );
  parts.push(`<h2>Charts</h2>`);
  for (const chart of charts) {
    parts.push(
      `<figure class="chart" data-chart="${escapeXml(chart.name)}">${chart.svg}<figcaption>${escapeXml(chart.title)}</figcaption></figure>`,
    );
  }
  for (const section of reportSections(result)) {
    parts.push(`<h2>${escapeXml(section.heading)}</h2>`);
    for (const paragraph of section.paragraphs) parts.push(`<p>${escapeXml(paragraph)}</p>`);
    for (const t of section.tables) parts.push(htmlTable(t));
  }
  parts.push(`</main>\n</body>\n</html>\n`);
  return parts.join("\n");
}
