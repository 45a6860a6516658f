import type { FileError } from "./ingest/file-error.js";
import type { IngestIssue } from "./ingest/waiting-list-row.js";

/**
 * An error the user can act on: its message is one plain sentence (input file, flag or data at fault), printed as
 * is by the CLI. Subclasses carry the facts as fields, so callers and tests never parse the message. Anything else
 * escaping the replay is a bug.
 */
export class ReplayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayError";
  }
}

/** --strict stopped the run at the first malformed row or unusable file. */
export class StrictStopError extends ReplayError {
  readonly issue: IngestIssue;

  constructor(issue: IngestIssue) {
    const where = issue.line > 0 ? `${issue.file} line ${issue.line}` : issue.file;
    super(`Stopped at ${where} (--strict): ${issue.reason}.`);
    this.name = "StrictStopError";
    this.issue = issue;
  }
}

/** How many files a one-sentence message names before it says "and N more". */
const FILES_NAMED = 3;

/**
 * Files whose header matches no known shape, or that could not be read, stop the run unless the user asked to skip
 * them: costing the rest would report a patient total short by everything those files hold.
 */
export class UnusableFilesError extends ReplayError {
  readonly files: readonly FileError[];
  /** Data rows the files hold that were not read; null when a file could not be read far enough to count them. */
  readonly rowsNotRead: number | null;
  /** Sum of their Total column where one could be found; null when any file's could not. */
  readonly patientsNotRead: number | null;
  /** The flag that skips such files instead. */
  readonly skipFlag: string;

  constructor(files: readonly FileError[], skipFlag: string) {
    const rows = sumKnown(files.map((f) => f.rowsNotRead));
    const patients = sumKnown(files.map((f) => f.patientsNotRead));
    const named = files
      .slice(0, FILES_NAMED)
      .map((f) => `${f.file} (${f.reason})`)
      .join("; ");
    const more = files.length > FILES_NAMED ? `; and ${files.length - FILES_NAMED} more` : "";
    const counted =
      rows === null ? "rows that could not be counted" : `${rows.toLocaleString("en-IE")} data rows not read`;
    super(
      `${files.length} ${files.length === 1 ? "file" : "files"} could not be used, ${counted}: ${named}${more}; ` +
        `fix or remove ${files.length === 1 ? "it" : "them"}, or pass ${skipFlag} to cost the other files and state what was left out.`,
    );
    this.name = "UnusableFilesError";
    this.files = files;
    this.rowsNotRead = rows;
    this.patientsNotRead = patients;
    this.skipFlag = skipFlag;
  }
}

/** The sum of the values, or null when any is unknown. */
export function sumKnown(values: readonly (number | null)[]): number | null {
  let sum = 0;
  for (const value of values) {
    if (value === null) return null;
    sum += value;
  }
  return sum;
}
