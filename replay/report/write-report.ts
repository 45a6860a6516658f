import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import type { ReplayResult } from "../replay-result.js";
import { buildCharts } from "./report-charts.js";
import { renderPng } from "./render-png.js";
import { reportHtml } from "./report-html.js";
import { resultsCsv } from "./results-csv.js";
import { summaryMarkdown } from "./summary-markdown.js";

export interface ReportOptions {
  /** Specialties named in the cost-per-specialty chart before the rest is summed as "Other". */
  readonly topSpecialties: number;
}

/** Files written into the output folder, relative to it. */
export const REPORT_FILES = ["summary.md", "results.csv", "results.json", "report.html"] as const;

/** Writes summary.md, results.csv, results.json, report.html and charts/<name>.svg|png; returns the paths written. */
export async function writeReport(result: ReplayResult, outDir: string, options: ReportOptions): Promise<string[]> {
  const charts = await buildCharts(result, options.topSpecialties);
  const chartDir = join(outDir, "charts");
  await mkdir(chartDir, { recursive: true });
  const written: string[] = [];
  const write = async (path: string, content: string | Buffer): Promise<void> => {
    await writeFile(path, content);
    written.push(path);
  };
  for (const chart of charts) {
    await write(join(chartDir, `${chart.name}.svg`), chart.svg);
    await write(join(chartDir, `${chart.name}.png`), renderPng(chart.svg));
  }
  await write(join(outDir, "summary.md"), summaryMarkdown(result, charts));
  await write(join(outDir, "results.csv"), resultsCsv(result));
  await write(join(outDir, "results.json"), `${JSON.stringify(result, null, 2)}\n`);
  await write(join(outDir, "report.html"), reportHtml(result, charts));
  return written;
}
