import type { FileError } from "./ingest/file-error.js";
import type { IngestIssue } from "./ingest/waiting-list-row.js";
import type { ReplayMode } from "./replay-result.js";

/** What went wrong, stable across rewordings of the messages: callers and tests branch on it, never on the text. */
export type ReplayErrorCode =
  | "INVALID_SETTING"
  | "INVALID_SLICE"
  | "INVALID_GAS_TABLE"
  | "INVALID_INPUT_PATHS"
  | "NO_USABLE_ROWS"
  | "MODE_CONFLICT"
  | "TOTAL_TOO_LARGE"
  | "STRICT_STOP"
  | "UNUSABLE_FILES"
  // The executed runner's error (replay/chain/contracts-executed-runner.ts), listed here so it is a ReplayError too.
  | "EXECUTED_TRANSACTION_FAILED";

/**
 * An error the user can act on: its message is one plain sentence (input file, flag or data at fault), printed as
 * is by the CLI. Subclasses carry the facts as fields, so callers and tests never parse the message; messages name
 * files, flags and settings, never patient data. Anything else escaping the replay is a bug.
 */
export abstract class ReplayError extends Error {
  abstract readonly code: ReplayErrorCode;

  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The replay options a caller can get wrong; the CLI's flags fill them. */
export type ReplaySetting =
  "scenario" | "gasPriceGwei" | "ethEur" | "ethUsd" | "prescriptionShare" | "labShare" | "topSpecialties";

const SETTING_NAMES: Readonly<Record<ReplaySetting, string>> = {
  scenario: "scenario",
  gasPriceGwei: "gas price in gwei",
  ethEur: "ether price in euro",
  ethUsd: "ether price in US dollars",
  prescriptionShare: "prescription share",
  labShare: "lab share",
  topSpecialties: "number of specialties shown by name",
};

/** A setting outside what the model accepts. */
export class InvalidSettingError extends ReplayError {
  override readonly code = "INVALID_SETTING" as const;

  /**
   * @param setting the ReplayOptions field (or price override) at fault.
   * @param value what was given.
   * @param expected the values accepted: a list of names, or a description such as "a number between 0 and 1".
   */
  constructor(
    readonly setting: ReplaySetting,
    readonly value: string | number,
    readonly expected: string | readonly string[],
  ) {
    const name = SETTING_NAMES[setting];
    const given = typeof value === "string" ? JSON.stringify(value) : String(value);
    super(
      typeof expected === "string"
        ? `The ${name} must be ${expected}, got ${given}.`
        : `The ${name} ${given} is unknown; use ${expected.join(", ")}.`,
    );
  }
}

/** What is wrong with a slice (executed mode's selection of patients). */
export type SliceProblem =
  | "unknown-key"
  | "no-value"
  | "bad-month"
  | "unknown-list"
  | "empty"
  /** Well formed, but no cohort in the files given matches it. */
  | "matches-no-patients";

export class InvalidSliceError extends ReplayError {
  override readonly code = "INVALID_SLICE" as const;

  /**
   * @param key the slice key at fault, when one is.
   * @param value the text at fault: the key's value, or the whole slice when the problem concerns all of it.
   */
  constructor(
    readonly problem: SliceProblem,
    readonly key?: string,
    readonly value?: string,
  ) {
    super(sliceSentence(problem, key ?? "", value ?? ""));
  }
}

function sliceSentence(problem: SliceProblem, key: string, value: string): string {
  switch (problem) {
    case "unknown-key":
      return `The slice key ${JSON.stringify(key)} is unknown; use month, hospital, specialty or list.`;
    case "no-value":
      return `The slice key ${key} needs a value, as in ${key}=...`;
    case "bad-month":
      return `The slice month ${JSON.stringify(value)} is not of the form yyyy-mm.`;
    case "unknown-list":
      return `The slice list ${JSON.stringify(value)} is unknown; use outpatient or inpatient_daycase.`;
    case "empty":
      return "The slice is empty; give at least one of month, hospital, specialty or list.";
    case "matches-no-patients":
      return `The slice ${value} matches no patients in the files given.`;
  }
}

/** What is wrong with a gas table or the gas.json file it came from. */
export type GasTableProblem =
  | "unreadable"
  | "not-json"
  | "no-operations"
  | "not-an-object"
  | "bad-value"
  | "missing-operations"
  /** anchorBatch measured at one size, which cannot separate its fixed cost from its per-record cost. */
  | "one-batch-size"
  /** The batch sizes measured give a negative fixed or per-record cost. */
  | "batch-line-negative"
  /** The model relays consents by signature and the table has no grantConsentBySig. */
  | "no-consent-by-signature";

/** The explicit batch line; either it or two measured batch sizes must be present. */
const BATCH_LINE = ["anchorBatchFixed", "anchorBatchPerRecord"];

export class GasTableError extends ReplayError {
  override readonly code = "INVALID_GAS_TABLE" as const;

  /**
   * @param source the gas file, or the provenance's source for a table measured otherwise.
   * @param operations the operation names at fault (the missing ones, the one with a bad value, the batch sizes).
   */
  constructor(
    readonly source: string,
    readonly problem: GasTableProblem,
    readonly operations: readonly string[] = [],
  ) {
    super(gasTableSentence(source, problem, operations));
  }
}

function gasTableSentence(source: string, problem: GasTableProblem, operations: readonly string[]): string {
  const file = `The gas file ${source}`;
  const operation = JSON.stringify(operations[0]);
  switch (problem) {
    case "unreadable":
      return `${file} cannot be read.`;
    case "not-json":
      return `${file} is not valid JSON.`;
    case "no-operations":
      return `${file} has no "operations" object.`;
    case "not-an-object":
      return `${file} gives operation ${operation} no {"gasUsed": ...} object.`;
    case "bad-value":
      return `${file} gives operation ${operation} a gasUsed that is not a non-negative number.`;
    case "missing-operations": {
      const batchMissing = BATCH_LINE.every((name) => operations.includes(name));
      const named = batchMissing
        ? [
            ...operations.filter((name) => !BATCH_LINE.includes(name)),
            `${BATCH_LINE.join(" and ")} (or anchorBatch measured at two batch sizes)`,
          ]
        : operations;
      return `${file} lacks ${named.join(", ")}.`;
    }
    case "one-batch-size":
      return `${file} measures anchorBatch at one batch size only (${operations[0]}); the batch cost line needs a second size (for example anchorBatch1) or both anchorBatchFixed and anchorBatchPerRecord.`;
    case "batch-line-negative":
      return `${file} has anchorBatch gas that does not fit fixed + per-record costs (${operations.join(", ")}).`;
    case "no-consent-by-signature":
      return "The gas table has no grantConsentBySig figure, which consents by signature need.";
  }
}

export type InputPathProblem = "none-given" | "not-found" | "no-csv-files";

/** The files and folders given cannot be turned into a list of waiting-list files. */
export class InputPathError extends ReplayError {
  override readonly code = "INVALID_INPUT_PATHS" as const;

  /** @param paths the paths at fault: the one that does not exist, or all of them when none holds a file. */
  constructor(
    readonly problem: InputPathProblem,
    readonly paths: readonly string[],
  ) {
    super(
      problem === "none-given"
        ? "No input given: name at least one waiting-list file or folder."
        : problem === "not-found"
          ? `Input ${JSON.stringify(paths[0])} does not exist.`
          : `No .csv or .csv.gz file found in ${paths.map((p) => JSON.stringify(p)).join(", ")}.`,
    );
  }
}

/** Every file was read and none held a row the model can use, so there is nothing to cost. */
export class NoUsableRowsError extends ReplayError {
  override readonly code = "NO_USABLE_ROWS" as const;

  /** @param files the files read. */
  constructor(readonly files: readonly string[]) {
    super("No usable waiting-list row was found in the files given.");
  }
}

export type ModeConflict =
  /** Executed mode without the runner that sends the transactions. */
  | "no-runner"
  /** Executed mode without a slice saying which patients to run. */
  | "no-slice"
  /** A slice given in modeled mode, where nothing would use it. */
  | "slice-without-executed";

/** The mode and the other options do not fit together. */
export class ModeConflictError extends ReplayError {
  override readonly code = "MODE_CONFLICT" as const;

  constructor(
    readonly mode: ReplayMode,
    readonly conflict: ModeConflict,
  ) {
    super(
      conflict === "no-runner"
        ? "Executed mode needs a contracts runner, and none was given."
        : conflict === "no-slice"
          ? "Executed mode needs --slice, for example --slice month=2020-01,hospital=0918,specialty=8003."
          : "A slice applies to executed mode only; add --mode executed or drop --slice.",
    );
  }
}

/** A design's total went past Number.MAX_SAFE_INTEGER, beyond which adding numbers loses units. */
export class TotalTooLargeError extends ReplayError {
  override readonly code = "TOTAL_TOO_LARGE" as const;

  constructor(
    readonly quantity: "gas" | "transactions",
    readonly total: number,
  ) {
    super(
      `The total ${quantity === "gas" ? "gas" : "number of transactions"} is too large to add up exactly; replay fewer files at a time.`,
    );
  }
}

/** --strict stopped the run at the first malformed row or unusable file. */
export class StrictStopError extends ReplayError {
  override readonly code = "STRICT_STOP" as const;

  constructor(readonly issue: IngestIssue) {
    const where = issue.line > 0 ? `${issue.file} line ${issue.line}` : issue.file;
    super(`Stopped at ${where} (--strict): ${issue.reason}.`);
  }
}

/** How many files a one-sentence message names before it says "and N more". */
const FILES_NAMED = 3;

/**
 * Files whose header matches no known shape, or that could not be read, stop the run unless the user asked to skip
 * them: costing the rest would report a patient total short by everything those files hold.
 */
export class UnusableFilesError extends ReplayError {
  override readonly code = "UNUSABLE_FILES" as const;
  /** Data rows the files hold that were not read; null when a file could not be read far enough to count them. */
  readonly rowsNotRead: number | null;
  /** Sum of their Total column where one could be found; null when any file's could not. */
  readonly patientsNotRead: number | null;

  /** @param skipFlag the flag that skips such files instead. */
  constructor(
    readonly files: readonly FileError[],
    readonly skipFlag: string,
  ) {
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
    this.rowsNotRead = rows;
    this.patientsNotRead = patients;
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
