import { basename } from "node:path";

import type { FileError } from "../ingest/file-error.js";
import type { ReplayResult } from "../replay-result.js";
import { formatInteger } from "./format.js";

function count(value: number | null, what: string): string {
  return value === null ? `an unknown number of ${what}` : `${formatInteger(value)} ${what}`;
}

/**
 * The one sentence that states what was left out with the skip flag, or undefined when every file was used. The
 * report's headline and the CLI's closing lines both use it, so they cannot disagree.
 */
export function notReadSentence(result: Pick<ReplayResult, "notRead">): string | undefined {
  const { files, rows, patients, flag } = result.notRead;
  if (files.length === 0) return undefined;
  return (
    `Not read (${flag}): ${files.length} ${files.length === 1 ? "file" : "files"}, ` +
    `${count(rows, "data rows")} and ${count(patients, "patients")}, which are in no total of this report.`
  );
}

/** One line per file left out: its name, why, and what it held. */
export function notReadFileLine(error: FileError): string {
  return (
    `${basename(error.file)}: ${error.reason}; ${count(error.rowsNotRead, "data rows")} and ` +
    `${count(error.patientsNotRead, "patients")} not read.`
  );
}
