import type { StorageBackend, StorageFailureReason, StorageOperation } from "../errors.js";
import { CareLedgerError, StorageError } from "../errors.js";

/** The `code` of a Node system error (ENOENT, ENOSPC, ...), if the value carries one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return undefined;
}

/** Passes CareLedger errors through; wraps anything else, keeping it only as `cause`. */
export function toStorageError(
  backend: StorageBackend,
  operation: StorageOperation,
  error: unknown,
  reason: StorageFailureReason = "io",
): CareLedgerError {
  if (error instanceof CareLedgerError) {
    return error;
  }
  return new StorageError(backend, operation, reason, errorCode(error), { cause: error });
}
