import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

import { parse, type CsvError, type Info } from "csv-parse";

import type { FileError, FileErrorKind } from "./file-error.js";
import {
  COUNT_COLUMN_NAMES,
  detectHeaderShape,
  listNamedBy,
  normaliseColumnName,
  printableHeaderCell,
  type HeaderShape,
} from "./header-shape.js";
import { LineGuard } from "./line-guard.js";
import { normaliseRecord, parseTotal } from "./normalise-record.js";
import type { IngestIssue, WaitingList, WaitingListRow } from "./waiting-list-row.js";

/** Real lines are under 300 bytes; 64 KiB leaves room for any honest variant and bounds memory for hostile ones. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b] as const;

export interface ReadFileOptions {
  readonly maxLineBytes?: number;
  /** Bytes read from disk (compressed bytes for .gz), for progress reporting. */
  readonly onBytes?: (bytes: number) => void;
}

/** Header cells kept in a FileError; a garbage "header" can have thousands. */
const MAX_HEADER_CELLS_KEPT = 40;

/** What reading one file produced, in file order. */
export type FileEvent =
  | { readonly type: "shape"; readonly shape: HeaderShape }
  /** One data record: its rows for the model (several for a wide file) and its Total. */
  | {
      readonly type: "record";
      readonly line: number;
      readonly rows: readonly WaitingListRow[];
      readonly total: number;
    }
  | { readonly type: "issue"; readonly issue: IngestIssue }
  /** Last event of a file that could not be used: the file-level error with what was left out. */
  | { readonly type: "file-error"; readonly error: FileError }
  /** Last event of a readable file: lines that were empty or held only empty fields. */
  | { readonly type: "blank-lines"; readonly count: number };

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: Info;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Receives what reading a file finds; throwing from it stops the file (used by --strict). */
export type FileEventHandler = (event: FileEvent) => void;

/** A file that cannot be used is still read to the end, to count what it holds: the rows and patients left out. */
interface Refusal {
  readonly kind: FileErrorKind;
  readonly reason: string;
  readonly header: readonly string[];
  /** Index of the count column (Total or another name of it), when the header has one. */
  readonly countIndex: number | undefined;
  rows: number;
  patients: number;
  /** False once a row's count could not be read: the patients left out are then unknown. */
  patientsKnown: boolean;
}

const LIST_LABEL: Readonly<Record<WaitingList, string>> = {
  outpatient: "outpatient",
  inpatient_daycase: "inpatient/day case",
};

function countIndexOf(header: readonly string[]): number | undefined {
  const index = header.findIndex((cell) => COUNT_COLUMN_NAMES.has(normaliseColumnName(cell)));
  return index === -1 ? undefined : index;
}

/**
 * Streams one .csv or .csv.gz file (gzip is recognised by its magic bytes, whatever the name) and hands its shape,
 * its normalised records and the problems found to `onEvent`, in file order, never holding more than a few chunks
 * and one line in memory. A file whose header matches no known shape (or whose name and columns name different
 * lists) gives one "unknown-header" (or "list-conflict") issue, no record, and a "file-error" event counting the
 * data rows and, where a count column can be found, the patients it holds. A file that cannot be read or
 * decompressed gives an "unreadable-file" issue and file error after the records read before the failure.
 * Records are handed over synchronously from a stream sink: a callback per record is much cheaper than an async
 * iterator.
 */
export async function readWaitingListFile(
  path: string,
  onEvent: FileEventHandler,
  options: ReadFileOptions = {},
): Promise<void> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let gzip: boolean;
  try {
    gzip = await isGzip(path);
  } catch (error) {
    const reason = `cannot be read (${errorMessage(error)})`;
    onEvent({ type: "issue", issue: { file: path, line: 0, kind: "unreadable-file", reason } });
    onEvent({
      type: "file-error",
      error: { file: path, kind: "unreadable-file", reason, rowsNotRead: null, patientsNotRead: null },
    });
    return;
  }

  const syntaxIssues: IngestIssue[] = [];
  let refusal: Refusal | undefined;
  const flushSyntaxIssues = (): void => {
    // Lines of a refused file are rows not read, not malformed rows.
    if (refusal !== undefined) {
      refusal.rows += syntaxIssues.length;
      if (syntaxIssues.length > 0) refusal.patientsKnown = false;
      syntaxIssues.length = 0;
      return;
    }
    while (syntaxIssues.length > 0) onEvent({ type: "issue", issue: syntaxIssues.shift() as IngestIssue });
  };
  const guard = new LineGuard(maxLineBytes);
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n"],
    // The guard already bounds lines; this is a second fence in characters.
    max_record_size: maxLineBytes + 1,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error !== undefined) {
        const line = typeof error.lines === "number" ? error.lines : 0;
        syntaxIssues.push({
          file: path,
          line,
          kind: "csv-syntax",
          reason: `the line is not valid CSV (${error.code})`,
        });
      }
    },
  });

  let shape: HeaderShape | undefined;
  let headerSeen = false;
  let emptyRecords = 0;
  const refuse = (kind: FileErrorKind, reason: string, header: readonly string[], line: number): void => {
    refusal = {
      kind,
      reason,
      header: header.slice(0, MAX_HEADER_CELLS_KEPT).map(printableHeaderCell),
      countIndex: countIndexOf(header),
      rows: 0,
      patients: 0,
      patientsKnown: true,
    };
    onEvent({
      type: "issue",
      issue: { file: path, line, kind: kind === "list-conflict" ? "list-conflict" : "unknown-header", reason },
    });
  };
  const handle = (item: ParsedRecord): void => {
    const line = item.info.lines;
    flushSyntaxIssues();
    const rejected = guard.rejected.get(line);
    if (!headerSeen) {
      headerSeen = true;
      const detected =
        rejected === undefined ? detectHeaderShape(item.record) : { ok: false as const, reason: rejected.reason };
      if (!detected.ok) {
        refuse(
          "unknown-header",
          `the header matches no known waiting-list shape: ${detected.reason}`,
          item.record,
          line,
        );
        return;
      }
      const named = listNamedBy(basename(path));
      if (named !== undefined && named !== detected.shape.list) {
        const says = detected.shape.list === "outpatient" ? "has no Case_Type column" : "has a Case_Type column";
        refuse(
          "list-conflict",
          `the file name says ${LIST_LABEL[named]} but its header ${says}, so it would be costed as ${LIST_LABEL[detected.shape.list]}`,
          item.record,
          line,
        );
        return;
      }
      shape = detected.shape;
      onEvent({ type: "shape", shape });
      return;
    }
    if (refusal !== undefined) {
      if (rejected === undefined && item.record.every((field) => field.trim() === "")) return;
      refusal.rows += 1;
      if (refusal.countIndex !== undefined && rejected === undefined) {
        const count = parseTotal(item.record[refusal.countIndex] ?? "");
        if (count === undefined) refusal.patientsKnown = false;
        else refusal.patients += count;
      } else refusal.patientsKnown = false;
      return;
    }
    if (shape === undefined) return;
    if (rejected !== undefined) {
      onEvent({ type: "issue", issue: { file: path, line, kind: rejected.kind, reason: rejected.reason } });
      return;
    }
    if (item.record.every((field) => field.trim() === "")) {
      emptyRecords += 1;
      return;
    }
    const result = normaliseRecord(item.record, shape, path, line);
    if (result.ok) onEvent({ type: "record", line, rows: result.rows, total: result.total });
    else onEvent({ type: "issue", issue: { file: path, line, kind: result.kind, reason: result.reason } });
  };

  let handlerError: unknown;
  const sink = new Writable({
    objectMode: true,
    // A deep buffer and writev let the parser hand over records in batches instead of one stream turn each.
    highWaterMark: 4096,
    writev(chunks: { chunk: ParsedRecord }[], callback) {
      try {
        for (const { chunk } of chunks) handle(chunk);
        callback();
      } catch (error) {
        handlerError = error;
        callback(error instanceof Error ? error : new Error(String(error)));
      }
    },
  });

  const source = createReadStream(path);
  if (options.onBytes !== undefined) {
    const onBytes = options.onBytes;
    source.on("data", (chunk: Buffer | string) => onBytes(chunk.length));
  }
  try {
    if (gzip) await pipeline(source, createGunzip(), guard, parser, sink);
    else await pipeline(source, guard, parser, sink);
  } catch (error) {
    if (handlerError !== undefined) throw handlerError;
    flushSyntaxIssues();
    const why = gzip ? "could not be decompressed" : "could not be read to the end";
    const reason = `${why} (${errorMessage(error)})`;
    onEvent({ type: "issue", issue: { file: path, line: 0, kind: "unreadable-file", reason } });
    onEvent({
      type: "file-error",
      error: {
        file: path,
        kind: "unreadable-file",
        header: refusal?.header,
        reason: refusal === undefined ? reason : `${refusal.reason}, and it ${reason}`,
        rowsNotRead: null,
        patientsNotRead: null,
      },
    });
    return;
  }
  flushSyntaxIssues();
  if (refusal !== undefined) {
    onEvent({
      type: "file-error",
      error: {
        file: path,
        kind: refusal.kind,
        header: refusal.header,
        reason: refusal.reason,
        rowsNotRead: refusal.rows,
        patientsNotRead:
          refusal.rows === 0 ? 0 : refusal.countIndex !== undefined && refusal.patientsKnown ? refusal.patients : null,
      },
    });
    return;
  }
  if (shape === undefined) {
    const reason = "the file is empty: it has no header line";
    onEvent({ type: "issue", issue: { file: path, line: 0, kind: "unknown-header", reason } });
    onEvent({
      type: "file-error",
      error: { file: path, kind: "unknown-header", reason, rowsNotRead: 0, patientsNotRead: 0 },
    });
    return;
  }
  onEvent({ type: "blank-lines", count: guard.blankLines + emptyRecords });
}
