import type { ReplayResult } from "../replay-result.js";
import type { ChartSvg } from "./charts/render-svg.js";
import { escapeMarkdown } from "./format.js";
import { headline, reportSections, type ReportTable } from "./report-tables.js";

function markdownTable(t: ReportTable): string {
  const row = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdown).join(" | ")} |`;
  const rule = `|${t.numeric.map((n) => (n ? "---:" : "---")).join("|")}|`;
  return [row(t.headers), rule, ...t.rows.map(row)].join("\n");
}

/** summary.md: the headline, the charts (PNG) and every table of the report. */
export function summaryMarkdown(result: ReplayResult, charts: readonly ChartSvg[]): string {
  const out: string[] = [];
  out.push("# CareLedger gas-cost replay of the HSE/NTPF waiting lists", "");
  out.push(`Generated ${result.generatedAt}, ${result.mode} mode. ${escapeMarkdown(result.attribution)}`, "");
  for (const line of headline(result)) out.push(`- ${escapeMarkdown(line)}`);
  out.push("");
  out.push("## Charts", "");
  for (const chart of charts)
    out.push(`![${escapeMarkdown(chart.title)}](charts/${chart.name}.png)`, "", `[SVG](charts/${chart.name}.svg)`, "");
  for (const section of reportSections(result)) {
    out.push(`## ${escapeMarkdown(section.heading)}`, "");
    for (const paragraph of section.paragraphs) out.push(escapeMarkdown(paragraph), "");
    for (const t of section.tables) out.push(markdownTable(t), "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}
