import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

import { parse, type CsvError, type Info } from "csv-parse";

import { detectHeaderShape, type HeaderShape } from "./header-shape.js";
import { LineGuard } from "./line-guard.js";
import { normaliseRecord } from "./normalise-record.js";
import type { IngestIssue, WaitingListRow } from "./waiting-list-row.js";

/** Real lines are under 300 bytes; 64 KiB leaves room for any honest variant and bounds memory for hostile ones. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b] as const;

export interface ReadFileOptions {
  readonly maxLineBytes?: number;
  /** Bytes read from disk (compressed bytes for .gz), for progress reporting. */
  readonly onBytes?: (bytes: number) => void;
}

/** What reading one file produced, in file order. */
export type FileEvent =
  | { readonly type: "shape"; readonly shape: HeaderShape }
  | { readonly type: "row"; readonly row: WaitingListRow }
  | { readonly type: "issue"; readonly issue: IngestIssue }
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

/** Thrown by the reader itself to stop a file whose header is unknown. */
const STOP_READING = new Error("stop reading");

/**
 * Streams one .csv or .csv.gz file (gzip is recognised by its magic bytes, whatever the name) and hands its shape,
 * its normalised rows and the problems found to `onEvent`, in file order, never holding more than a few chunks and
 * one line in memory. A file whose header matches no known shape gives one "unknown-header" issue and nothing else;
 * a file that cannot be read or decompressed gives an "unreadable-file" issue after the rows read before the failure.
 * Rows are handed over synchronously from a stream sink: a callback per row is much cheaper than an async iterator.
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
    onEvent({
      type: "issue",
      issue: { file: path, line: 0, kind: "unreadable-file", reason: `cannot be read (${errorMessage(error)})` },
    });
    return;
  }

  const syntaxIssues: IngestIssue[] = [];
  const flushSyntaxIssues = (): void => {
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
  let emptyRecords = 0;
  const handle = (item: ParsedRecord): void => {
    const line = item.info.lines;
    flushSyntaxIssues();
    const rejected = guard.rejected.get(line);
    if (shape === undefined) {
      const detected =
        rejected === undefined ? detectHeaderShape(item.record) : { ok: false as const, reason: rejected.reason };
      if (!detected.ok) {
        onEvent({
          type: "issue",
          issue: {
            file: path,
            line,
            kind: "unknown-header",
            reason: `the header matches no known waiting-list shape: ${detected.reason}`,
          },
        });
        // Nothing in a file of unknown shape can be trusted, so stop reading it.
        throw STOP_READING;
      }
      shape = detected.shape;
      onEvent({ type: "shape", shape });
      return;
    }
    if (rejected !== undefined) {
      onEvent({ type: "issue", issue: { file: path, line, kind: rejected.kind, reason: rejected.reason } });
      return;
    }
    if (item.record.every((field) => field.trim() === "")) {
      emptyRecords += 1;
      return;
    }
    const result = normaliseRecord(item.record, shape, path, line);
    if (result.ok) onEvent({ type: "row", row: result.row });
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
    if (handlerError === STOP_READING) return;
    if (handlerError !== undefined) throw handlerError;
    flushSyntaxIssues();
    const why = gzip ? "could not be decompressed" : "could not be read to the end";
    onEvent({
      type: "issue",
      issue: { file: path, line: 0, kind: "unreadable-file", reason: `${why} (${errorMessage(error)})` },
    });
    return;
  }
  flushSyntaxIssues();
  if (shape === undefined) {
    onEvent({
      type: "issue",
      issue: { file: path, line: 0, kind: "unknown-header", reason: "the file is empty: it has no header line" },
    });
    return;
  }
  onEvent({ type: "blank-lines", count: guard.blankLines + emptyRecords });
}
