/** Which NTPF waiting list a row belongs to. */
export type WaitingList = "outpatient" | "inpatient_daycase";

export const WAITING_LISTS: readonly WaitingList[] = ["outpatient", "inpatient_daycase"];

/**
 * Whether a file names the hospital of each row. The by-specialty files drop the hospital columns, so their
 * rows cannot be placed in a hospital (and cannot be batched per hospital).
 */
export type SourceLevel = "hospital" | "specialty";

/** One normalised row of a waiting-list file: `total` patients in one cell of one monthly snapshot. */
export interface WaitingListRow {
  readonly sourceFile: string;
  /** 1-based physical line of the record in the (decompressed) file. */
  readonly line: number;
  readonly list: WaitingList;
  /** ISO yyyy-mm-dd. */
  readonly archiveDate: string;
  /** yyyy-mm; files of the two series use different days for the same month, so months are what we compare. */
  readonly month: string;
  readonly hospitalGroup?: string;
  /** HIPE hospital code, zero-padded to 4 digits when numeric ("0918"). */
  readonly hospitalCode?: string;
  readonly hospitalName?: string;
  /** HIPE specialty code as a number; 0 is "Small Volume Specialities". */
  readonly specialtyCode: number;
  readonly specialtyName: string;
  readonly caseType?: string;
  readonly adultChild: string;
  /** Absent in wide files, which split patients by adult/child only. */
  readonly ageProfile?: string;
  /** Trimmed, inner runs of spaces collapsed ("0-3 Months"); in wide files, the band column's header. */
  readonly timeBand: string;
  /** Non-negative integer number of patients. */
  readonly total: number;
}

/**
 * A row or file that could not be used, reported with where it was found. A file-level problem ("unknown-header",
 * "list-conflict", "unreadable-file") also comes as a FileError with what was left out; the other kinds are rows.
 */
export interface IngestIssue {
  readonly file: string;
  /** 1-based line; 0 when the problem concerns the whole file before any line was read. */
  readonly line: number;
  readonly kind: IngestIssueKind;
  /** A short plain-English reason, without the file and line. */
  readonly reason: string;
}

export type IngestIssueKind =
  | "bad-total"
  | "band-sum-mismatch"
  | "bad-date"
  | "bad-code"
  | "missing-columns"
  | "extra-columns"
  | "empty-field"
  | "field-too-long"
  | "line-too-long"
  | "bad-quotes"
  | "csv-syntax"
  | "unknown-header"
  | "list-conflict"
  | "unreadable-file"
  | "bad-encoding"
  | "hidden-characters";

/** Issue kinds that concern a whole file rather than one row. */
export const FILE_ISSUE_KINDS: ReadonlySet<IngestIssueKind> = new Set([
  "unknown-header",
  "list-conflict",
  "unreadable-file",
]);
