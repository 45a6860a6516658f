import { Transform, type TransformCallback } from "node:stream";

import type { IngestIssueKind } from "./waiting-list-row.js";

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf] as const;
/** What a rejected line is replaced with: one field, so the parser's line numbers stay right. */
const PLACEHOLDER = Buffer.from("\u0000\n");

export interface RejectedLine {
  readonly kind: IngestIssueKind;
  readonly reason: string;
}

/**
 * Stands between the byte stream and csv-parse and guarantees one record per physical line.
 *
 * Why: csv-parse's max_record_size with skip_records_with_error drops the rest of the chunk after the oversized
 * record, and a quote left open makes it swallow every following line into one field. The archive never has a
 * field spanning lines, so a line longer than the limit, or whose double quotes are not valid RFC 4180 quoting
 * closed on that line, is replaced by a placeholder line and recorded here by line number; the reader reports it
 * as a skipped row and the lines after it parse normally. Lines that pass are valid RFC 4180, which csv-parse
 * reads the same way, so its quoting can never cross a line.
 */
export class LineGuard extends Transform {
  /** Rejected lines by 1-based line number. */
  readonly rejected = new Map<number, RejectedLine>();
  /** Lines with nothing but their line end; csv-parse skips them without a word, so they are counted here. */
  blankLines = 0;
  private line = 1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingQuotes = 0;
  private oversized = false;

  constructor(private readonly maxLineBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      this.appendSegment(chunk.subarray(start, end));
      if (newline === -1) break;
      this.finishLine(out);
      start = end;
    }
    if (out.length > 0) this.push(out.length === 1 ? out[0] : Buffer.concat(out));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingBytes > 0) {
      const out: Buffer[] = [];
      this.finishLine(out);
      this.push(Buffer.concat(out));
    }
    callback();
  }

  private appendSegment(segment: Buffer): void {
    this.pendingBytes += segment.length;
    let quote = segment.indexOf(QUOTE);
    while (quote !== -1) {
      this.pendingQuotes += 1;
      quote = segment.indexOf(QUOTE, quote + 1);
    }
    if (this.pendingBytes > this.maxLineBytes) {
      // Keep nothing of an oversized line: memory stays bounded whatever its length.
      this.oversized = true;
      this.pending = [];
    } else {
      this.pending.push(segment);
    }
  }

  private finishLine(out: Buffer[]): void {
    if (this.oversized) {
      this.rejected.set(this.line, {
        kind: "line-too-long",
        reason: `the line is ${this.pendingBytes} bytes long (at most ${this.maxLineBytes})`,
      });
      out.push(PLACEHOLDER);
    } else if (this.pendingQuotes > 0 && !quotesValid(Buffer.concat(this.pending), this.line === 1)) {
      this.rejected.set(this.line, {
        kind: "bad-quotes",
        reason: "the line's double quotes are not valid CSV quoting closed on the same line",
      });
      out.push(PLACEHOLDER);
    } else {
      if (this.pendingBytes <= 2 && isLineEnd(this.pending)) this.blankLines += 1;
      out.push(...this.pending);
    }
    this.line += 1;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingQuotes = 0;
    this.oversized = false;
  }
}

function isLineEnd(segments: readonly Buffer[]): boolean {
  for (const segment of segments) for (const byte of segment) if (byte !== 0x0d && byte !== NEWLINE) return false;
  return true;
}

enum QuoteState {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

/**
 * RFC 4180 quoting, checked on one line: a quote may only open a field, a quote inside a quoted field is doubled,
 * and the closing quote is followed by a comma or the line end.
 */
export function quotesValid(line: Buffer, firstLine: boolean): boolean {
  let start = 0;
  if (firstLine && line[0] === BOM[0] && line[1] === BOM[1] && line[2] === BOM[2]) start = 3;
  let end = line.length;
  if (end > start && line[end - 1] === NEWLINE) end -= 1;
  if (end > start && line[end - 1] === CR) end -= 1;
  let state = QuoteState.FieldStart;
  for (let i = start; i < end; i += 1) {
    const byte = line[i];
    switch (state) {
      case QuoteState.FieldStart:
        state = byte === QUOTE ? QuoteState.Quoted : byte === COMMA ? QuoteState.FieldStart : QuoteState.Unquoted;
        break;
      case QuoteState.Unquoted:
        if (byte === QUOTE) return false;
        if (byte === COMMA) state = QuoteState.FieldStart;
        break;
      case QuoteState.Quoted:
        if (byte === QUOTE) state = QuoteState.QuoteInQuoted;
        break;
      case QuoteState.QuoteInQuoted:
        if (byte === QUOTE) state = QuoteState.Quoted;
        else if (byte === COMMA) state = QuoteState.FieldStart;
        else return false;
        break;
    }
  }
  return state !== QuoteState.Quoted;
}
