import { CareLedgerError, ContractRevertError, AccessDeniedError, DeploymentFileError } from "../client/index.js";
import { Purpose } from "../client/care-types.js";

/** A problem the CLI reports as one plain sentence; `exitCode` 2 for usage, 1 for everything else. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}

/** One plain sentence for any error, never payload content (the SDK's messages are privacy-safe). */
export function sentenceOf(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof ContractRevertError) {
    return `The ${error.contract} contract refused the transaction with ${error.errorName}.`;
  }
  if (error instanceof AccessDeniedError) {
    return `Access denied: ${error.accessor} may not read that record of ${error.patient} for ${Purpose[error.purpose] ?? "that purpose"}.`;
  }
  if (error instanceof CareLedgerError || error instanceof DeploymentFileError) return oneSentence(error.message);
  if (error instanceof Error && "code" in error && typeof error.code === "string") {
    if (error.code === "ECONNREFUSED" || error.code === "NETWORK_ERROR") {
      return "The node does not answer; start it with `npm run node` or pass --rpc.";
    }
  }
  return `Unexpected failure: ${oneSentence(error instanceof Error ? error.message : String(error))}`;
}

function oneSentence(text: string): string {
  const line = text.split("\n")[0]?.trim() ?? "";
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
