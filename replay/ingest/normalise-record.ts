import type { CanonicalColumn, HeaderShape } from "./header-shape.js";
import type { IngestIssueKind, WaitingListRow } from "./waiting-list-row.js";

/**
 * The largest Total one cell may hold. Ireland has about 5 million people, so a bigger cell is corrupt data; the
 * bound also keeps every sum far below Number.MAX_SAFE_INTEGER.
 */
export const MAX_CELL_TOTAL = 10_000_000;

/** Longest text field kept; real names are under 80 characters, longer ones are garbage that would wreck charts. */
export const MAX_FIELD_CHARS = 200;

const MAX_HIPE_CODE_DIGITS = 6;

/** Why a record, or one of its fields, is skipped: the issue kind the report counts and the reason it shows. */
export interface Refusal {
  readonly ok: false;
  readonly kind: IngestIssueKind;
  readonly reason: string;
}

function refuse(kind: IngestIssueKind, reason: string): Refusal {
  return { ok: false, kind, reason };
}

/** One record of a file: the rows the model costs (one for a long file, one per non-zero band of a wide one). */
export type NormaliseResult =
  | {
      readonly ok: true;
      readonly rows: readonly WaitingListRow[];
      /** The record's Total: the sum of its rows' totals. */
      readonly total: number;
    }
  | Refusal;

const DAY_FIRST = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Parses 30/01/2020, 31-01-2018 or 2018-01-31 (optionally with a time of day) into yyyy-mm-dd. */
export function parseArchiveDate(text: string): string | undefined {
  const trimmed = text.trim();
  let day: number;
  let month: number;
  let year: number;
  const dayFirst = DAY_FIRST.exec(trimmed);
  if (dayFirst !== null) {
    day = Number(dayFirst[1]);
    month = Number(dayFirst[2]);
    year = Number(dayFirst[3]);
  } else {
    const iso = ISO.exec(trimmed);
    if (iso === null) return undefined;
    year = Number(iso[1]);
    month = Number(iso[2]);
    day = Number(iso[3]);
  }
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return undefined;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** HIPE codes come zero-padded ("0601") or plain (601). */
export function parseHipeCode(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_HIPE_CODE_DIGITS || !/^\d+$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

const PLAIN_COUNT = /^\d{1,9}$/;
/** Wide files print counts with thousands separators ("1,234"); CSV quoting keeps the comma inside the field. */
const GROUPED_COUNT = /^\d{1,3}(?:,\d{3}){1,2}$/;

/** A whole number of patients, plain ("1234") or with thousands separators ("1,234"), at most MAX_CELL_TOTAL. */
export function parseTotal(text: string): number | undefined {
  const trimmed = text.trim();
  let digits: string;
  if (PLAIN_COUNT.test(trimmed)) digits = trimmed;
  else if (GROUPED_COUNT.test(trimmed)) digits = trimmed.replace(/,/g, "");
  else return undefined;
  const value = Number(digits);
  return value <= MAX_CELL_TOTAL ? value : undefined;
}

/** A wide file's band cell: a count, or empty or "-" for no patients in that band. */
export function parseBandCount(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed === "-") return 0;
  return parseTotal(trimmed);
}

const NEEDS_CLEANING = /[^\x21-\x7e ]|^ | $| {2}/;

/** Control characters never belong in a name; whitespace runs are collapsed so "  0-3 Months" is "0-3 Months". */
// Zero-width characters and bidi embeddings, overrides and isolates have no place in these
// files; a row holding one could show a look-alike hospital or hide a digit, so it is skipped.
const INVISIBLE_FORMATTING = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]/;

export function cleanText(text: string): string {
  // Almost every field is already clean printable ASCII; one test is much cheaper than two replaces per field.
  if (!NEEDS_CLEANING.test(text)) return text;
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function quote(text: string): string {
  const shown = text.length > 30 ? `${text.slice(0, 30)}...` : text;
  return JSON.stringify(shown);
}

/**
 * Turns one CSV record into the rows the model costs, or says why it cannot. A long file's record is one row; a wide
 * file's record gives one row per time-band column holding patients, and its Total must equal the sum of its bands.
 */
export function normaliseRecord(
  record: readonly string[],
  shape: HeaderShape,
  sourceFile: string,
  line: number,
): NormaliseResult {
  if (record.length < shape.width) {
    return refuse("missing-columns", `expected ${shape.width} columns, found ${record.length}`);
  }
  for (let i = shape.width; i < record.length; i += 1) {
    if (record[i].trim() !== "") {
      return refuse(
        "extra-columns",
        `expected ${shape.width} columns, found ${record.length} with a value in column ${i + 1}`,
      );
    }
  }

  const texts: Partial<Record<CanonicalColumn, string>> = {};
  for (const column of Object.keys(shape.columns) as CanonicalColumn[]) {
    const index = shape.columns[column];
    const checked = checkField(column, index === undefined ? "" : record[index]);
    if (!checked.ok) return checked;
    texts[column] = checked.text;
  }

  const rawTotal = texts.total ?? "";
  const total = parseTotal(rawTotal);
  if (total === undefined) {
    return refuse(
      "bad-total",
      `Total ${quote(rawTotal)} is not a whole number of patients between 0 and ${MAX_CELL_TOTAL}`,
    );
  }
  const rawDate = texts.archiveDate ?? "";
  const archiveDate = parseArchiveDate(rawDate);
  if (archiveDate === undefined) {
    return refuse("bad-date", `Archive_Date ${quote(rawDate)} is not a date like 30/01/2020 or 31-01-2018`);
  }
  const rawCode = texts.specialtyCode ?? "";
  const specialtyCode = parseHipeCode(rawCode);
  if (specialtyCode === undefined) {
    return refuse("bad-code", `specialty HIPE code ${quote(rawCode)} is not a number`);
  }

  let hospitalCode: string | undefined;
  if (texts.hospitalCode !== undefined) {
    hospitalCode = /^\d+$/.test(texts.hospitalCode) ? texts.hospitalCode.padStart(4, "0") : texts.hospitalCode;
  }
  const base = {
    sourceFile,
    line,
    list: shape.list,
    archiveDate,
    month: archiveDate.slice(0, 7),
    hospitalGroup: texts.hospitalGroup,
    hospitalCode,
    hospitalName: texts.hospitalName,
    specialtyCode,
    specialtyName: texts.specialtyName ?? "",
    caseType: texts.caseType,
    adultChild: texts.adultChild ?? "",
    ageProfile: texts.ageProfile,
  };
  if (shape.layout === "long") return { ok: true, rows: [{ ...base, timeBand: texts.timeBand ?? "", total }], total };

  const rows: WaitingListRow[] = [];
  let bandSum = 0;
  for (const column of shape.bands) {
    const raw = record[column.index];
    if (raw.length > MAX_FIELD_CHARS) {
      return refuse(
        "field-too-long",
        `band ${quote(column.band)} is ${raw.length} characters long (at most ${MAX_FIELD_CHARS})`,
      );
    }
    const count = parseBandCount(raw);
    if (count === undefined) {
      return refuse(
        "bad-total",
        `band ${quote(column.band)} holds ${quote(raw.trim())}, not a whole number of patients between 0 and ${MAX_CELL_TOTAL}`,
      );
    }
    bandSum += count;
    if (count > 0) rows.push({ ...base, timeBand: column.band, total: count });
  }
  if (bandSum !== total) {
    return refuse("band-sum-mismatch", `the time bands add up to ${bandSum} patients but Total says ${total}`);
  }
  return { ok: true, rows, total };
}

type FieldCheck = { readonly ok: true; readonly text: string } | Refusal;

/** Refuses fields that are too long, not UTF-8, hold invisible formatting or are empty; cleans the rest. */
function checkField(column: CanonicalColumn, raw: string): FieldCheck {
  if (raw.length > MAX_FIELD_CHARS) {
    return refuse("field-too-long", `${column} is ${raw.length} characters long (at most ${MAX_FIELD_CHARS})`);
  }
  // The decoder turns bytes that are not UTF-8 into U+FFFD; such a row's text cannot be trusted.
  if (raw.includes("\ufffd")) {
    return refuse("bad-encoding", `${column} holds bytes that are not valid UTF-8`);
  }
  if (INVISIBLE_FORMATTING.test(raw)) {
    return refuse("hidden-characters", `${column} holds invisible formatting characters`);
  }
  const cleaned = cleanText(raw);
  if (cleaned === "") return refuse("empty-field", `${column} is empty`);
  return { ok: true, text: cleaned };
}
