import { stat } from "node:fs/promises";

import { StrictStopError } from "../errors.js";
import { SILENT_PROGRESS, type ProgressSink } from "../progress/progress-meter.js";
import type { FileError } from "./file-error.js";
import type { ShapeLayout, ShapeName } from "./header-shape.js";
import { readWaitingListFile } from "./read-file.js";
import {
  FILE_ISSUE_KINDS,
  type IngestIssue,
  type IngestIssueKind,
  type SourceLevel,
  type WaitingList,
  type WaitingListRow,
} from "./waiting-list-row.js";

/** Issues kept in full for the report; beyond this only their count is kept, so garbage input cannot exhaust memory. */
export const MAX_KEPT_ISSUES = 1000;

export interface IngestOptions {
  /** Make the first malformed row or unusable file fatal (a StrictStopError). */
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
  readonly layout?: ShapeLayout;
  readonly list?: WaitingList;
  readonly level?: SourceLevel;
  /** Data rows of the file read and used (a wide file's row holds several time bands). */
  readonly rows: number;
  /** Sum of Total over the file's good rows. */
  readonly patients: number;
  readonly blankLines: number;
  /** Malformed rows skipped, plus one when the file itself could not be used. */
  readonly issues: number;
  /** The file could not be used at all (unknown header, unreadable) or stopped early (decompression failed). */
  readonly unusable: boolean;
  /** Why, with what was left out, when `unusable`. */
  readonly error?: FileError;
  readonly months: readonly string[];
}

export interface IngestSummary {
  readonly files: readonly FileSummary[];
  /** Data rows read and used, over every file. */
  readonly rowsRead: number;
  /** Rows of the model: one per long-format row, one per non-zero time band of a wide-format row. */
  readonly cellsRead: number;
  /** Sum of Total over every good row of every file, before any overlap is removed. */
  readonly sumOfTotal: number;
  readonly blankLines: number;
  /** Every issue: the malformed rows plus one per unusable file. */
  readonly issueCount: number;
  /** Malformed rows skipped: rows only, never a whole file counted as one. */
  readonly malformedRows: number;
  /** The files that could not be used, with the rows and patients they hold that were not read. */
  readonly fileErrors: readonly FileError[];
  readonly issuesByKind: Readonly<Partial<Record<IngestIssueKind, number>>>;
  /** The first MAX_KEPT_ISSUES issues, in the order found. */
  readonly issues: readonly IngestIssue[];
  readonly seconds: number;
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
  let malformedRows = 0;
  const fileErrors: FileError[] = [];
  let rowsRead = 0;
  let cellsRead = 0;
  let sumOfTotal = 0;
  let blankLines = 0;

  const noteIssue = (issue: IngestIssue): void => {
    if (options.strict) throw new StrictStopError(issue);
    issueCount += 1;
    if (!FILE_ISSUE_KINDS.has(issue.kind)) malformedRows += 1;
    issuesByKind[issue.kind] = (issuesByKind[issue.kind] ?? 0) + 1;
    if (kept.length < MAX_KEPT_ISSUES) kept.push(issue);
    options.onIssue?.(issue);
  };

  try {
    for (let fileIndex = 0; fileIndex < files.length; fileIndex += 1) {
      const file = files[fileIndex];
      let shape: ShapeName | undefined;
      let layout: ShapeLayout | undefined;
      let error: FileError | undefined;
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
            case "record":
              rows += 1;
              patients += event.total;
              rowsRead += 1;
              sumOfTotal += event.total;
              for (const row of event.rows) {
                cellsRead += 1;
                months.add(row.month);
                options.onRow(row, fileIndex);
              }
              progress.rows(rowsRead, sumOfTotal);
              break;
            case "shape":
              shape = event.shape.name;
              layout = event.shape.layout;
              list = event.shape.list;
              level = event.shape.level;
              break;
            case "blank-lines":
              blanks += event.count;
              break;
            case "issue":
              issues += 1;
              if (FILE_ISSUE_KINDS.has(event.issue.kind)) unusable = true;
              noteIssue(event.issue);
              break;
            case "file-error":
              error = event.error;
              fileErrors.push(event.error);
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
        layout,
        list,
        level,
        rows,
        patients,
        blankLines: blanks,
        issues,
        unusable,
        error,
        months: [...months].sort(),
      });
    }
  } finally {
    progress.finish();
  }
  return {
    files: summaries,
    rowsRead,
    cellsRead,
    sumOfTotal,
    blankLines,
    issueCount,
    malformedRows,
    fileErrors,
    issuesByKind,
    issues: kept,
    seconds: (performance.now() - startedAt) / 1000,
  };
}
