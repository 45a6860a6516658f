import { stat } from "node:fs/promises";

import { ReplayError } from "../errors.js";
import { SILENT_PROGRESS, type ProgressSink } from "../progress/progress-meter.js";
import type { ShapeName } from "./header-shape.js";
import { readWaitingListFile } from "./read-file.js";
import type { IngestIssue, IngestIssueKind, SourceLevel, WaitingList, WaitingListRow } from "./waiting-list-row.js";

/** Issues kept in full for the report; beyond this only their count is kept, so garbage input cannot exhaust memory. */
export const MAX_KEPT_ISSUES = 1000;

export interface IngestOptions {
  /** Make the first malformed row or unusable file fatal. */
  readonly strict: boolean;
  readonly maxLineBytes?: number;
  readonly progress?: ProgressSink;
  /** Receives each good row with the index of its file in `files`. */
  readonly onRow: (row: WaitingListRow, fileIndex: number) => void;
  /** Receives every issue as found (the summary keeps only the first MAX_KEPT_ISSUES). */
  readonly onIssue?: (issue: IngestIssue) => void;
}

export interface FileSummary {
  readonly file: string;
  readonly bytes: number;
  readonly shape?: ShapeName;
  readonly list?: WaitingList;
  readonly level?: SourceLevel;
  readonly rows: number;
  /** Sum of Total over the file's good rows. */
  readonly patients: number;
  readonly blankLines: number;
  readonly issues: number;
  /** The file could not be used at all (unknown header, unreadable) or stopped early (decompression failed). */
  readonly unusable: boolean;
  readonly months: readonly string[];
}

export interface IngestSummary {
  readonly files: readonly FileSummary[];
  readonly rowsRead: number;
  /** Sum of Total over every good row of every file, before any overlap is removed. */
  readonly sumOfTotal: number;
  readonly blankLines: number;
  readonly issueCount: number;
  readonly issuesByKind: Readonly<Partial<Record<IngestIssueKind, number>>>;
  /** The first MAX_KEPT_ISSUES issues, in the order found. */
  readonly issues: readonly IngestIssue[];
  readonly seconds: number;
}

/** The one sentence --strict stops with. */
export function strictFailureMessage(issue: IngestIssue): string {
  const where = issue.line > 0 ? `${issue.file} line ${issue.line}` : issue.file;
  return `Stopped at ${where} (--strict): ${issue.reason}.`;
}

/**
 * Streams the given files one after the other, hands every good row to `onRow` and counts everything, so that the
 * report can reconcile its totals with what was read. Malformed rows and unusable files are reported and skipped,
 * or stop the run under `strict`.
 */
export async function ingestFiles(files: readonly string[], options: IngestOptions): Promise<IngestSummary> {
  const progress = options.progress ?? SILENT_PROGRESS;
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  progress.start(sizes.reduce((a, b) => a + b, 0));
  const startedAt = performance.now();

  const summaries: FileSummary[] = [];
  const kept: IngestIssue[] = [];
  const issuesByKind: Partial<Record<IngestIssueKind, number>> = {};
  let issueCount = 0;
  let rowsRead = 0;
  let sumOfTotal = 0;
  let blankLines = 0;

  const noteIssue = (issue: IngestIssue): void => {
    if (options.strict) throw new ReplayError(strictFailureMessage(issue));
    issueCount += 1;
    issuesByKind[issue.kind] = (issuesByKind[issue.kind] ?? 0) + 1;
    if (kept.length < MAX_KEPT_ISSUES) kept.push(issue);
    options.onIssue?.(issue);
  };

  try {
    for (let fileIndex = 0; fileIndex < files.length; fileIndex += 1) {
      const file = files[fileIndex];
      let shape: ShapeName | undefined;
      let list: WaitingList | undefined;
      let level: SourceLevel | undefined;
      let rows = 0;
      let patients = 0;
      let blanks = 0;
      let issues = 0;
      let unusable = false;
      const months = new Set<string>();
      await readWaitingListFile(
        file,
        (event) => {
          switch (event.type) {
            case "row":
              rows += 1;
              patients += event.row.total;
              rowsRead += 1;
              sumOfTotal += event.row.total;
              months.add(event.row.month);
              options.onRow(event.row, fileIndex);
              progress.rows(rowsRead, sumOfTotal);
              break;
            case "shape":
              shape = event.shape.name;
              list = event.shape.list;
              level = event.shape.level;
              break;
            case "blank-lines":
              blanks += event.count;
              break;
            case "issue":
              issues += 1;
              if (event.issue.kind === "unknown-header" || event.issue.kind === "unreadable-file") unusable = true;
              noteIssue(event.issue);
              break;
          }
        },
        { maxLineBytes: options.maxLineBytes, onBytes: (n) => progress.bytes(n) },
      );
      blankLines += blanks;
      summaries.push({
        file,
        bytes: sizes[fileIndex],
        shape,
        list,
        level,
        rows,
        patients,
        blankLines: blanks,
        issues,
        unusable,
        months: [...months].sort(),
      });
    }
  } finally {
    progress.finish();
  }
  return {
    files: summaries,
    rowsRead,
    sumOfTotal,
    blankLines,
    issueCount,
    issuesByKind,
    issues: kept,
    seconds: (performance.now() - startedAt) / 1000,
  };
}
