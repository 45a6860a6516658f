import { CareLedgerError, KeyUnavailableError, NotFoundError, type CareLedgerErrorCode } from "../errors.js";
import type { ContractName } from "../deploy.js";
import type { Purpose } from "../care-types.js";

/**
 * The SDK's own typed errors. Same rule as client/errors.ts: messages and fields carry structural
 * facts only (contract and error names, addresses, commitments, hashes), never payload content or
 * key material. Addresses stay out of messages and live in fields.
 */

/** Codes of the SDK's errors, next to the shared ones in client/errors.ts. */
export type SdkErrorCode =
  | "CONTRACT_REVERT"
  | "ACCESS_DENIED"
  | "RECORD_NOT_FOUND"
  | "RECORD_ERASED"
  | "PUBLIC_KEY_NOT_REGISTERED"
  | "UNREGISTERED_ACCOUNT"
  | "TRANSACTION_FAILED"
  | "RPC_UNAVAILABLE";

/**
 * client/errors.ts closes `CareLedgerErrorCode` over the off-chain layer's codes; until that union
 * lists the SDK's codes too, this one widening keeps every SDK error a CareLedgerError (so
 * `isCareLedgerError` and `instanceof CareLedgerError` cover both layers).
 */
function sdkCode<C extends SdkErrorCode>(code: C): C & CareLedgerErrorCode {
  return code as unknown as C & CareLedgerErrorCode;
}

/** A decoded argument of a custom error: what ethers' ABI coder returns, made plain. */
export type RevertArgument = string | bigint | boolean | RevertArgument[];

/**
 * A CareLedger contract refused a call or a transaction. `errorName` and `args` are the decoded
 * custom error (OpenZeppelin's included), `Error(string)` or `Panic(uint256)`.
 */
export class ContractRevertError extends CareLedgerError {
  override readonly code = sdkCode("CONTRACT_REVERT");

  /**
   * @param contract which CareLedger contract declares the error (`unknown` when only the standard
   *   Error/Panic matched or the data matched nothing).
   * @param errorName the custom error's name, e.g. `ConsentGrantNotFound`.
   * @param args the error's arguments by position.
   * @param namedArgs the same arguments by parameter name.
   * @param selector the 4-byte selector of the revert data.
   * @param data the full revert data (ABI-encoded values only, no payload can be in it).
   * @param transactionHash set when a mined transaction reverted rather than a simulation.
   */
  constructor(
    readonly contract: ContractName | "unknown",
    readonly errorName: string,
    readonly args: readonly RevertArgument[],
    readonly namedArgs: Readonly<Record<string, RevertArgument>>,
    readonly selector: string,
    readonly data: string,
    readonly transactionHash?: string,
    options?: { cause?: unknown },
  ) {
    super(`${contract === "unknown" ? "contract" : contract} reverted with ${errorName}`, options);
  }
}

/** The chain's access rule refused `accessor` for `purpose` on this record. Nothing was fetched. */
export class AccessDeniedError extends CareLedgerError {
  override readonly code = sdkCode("ACCESS_DENIED");

  constructor(
    readonly accessor: string,
    readonly patient: string,
    readonly commitment: string,
    readonly purpose: Purpose,
  ) {
    super(`access denied to record ${commitment} for purpose ${purpose}`);
  }
}

/** Where a record could not be found: never anchored on-chain, or no manifest in the store. */
export type RecordLocation = "chain" | "store";

export class RecordNotFoundError extends CareLedgerError {
  override readonly code = sdkCode("RECORD_NOT_FOUND");

  constructor(
    readonly location: RecordLocation,
    readonly patient: string,
    readonly commitment: string,
  ) {
    super(`record ${commitment} is not known to the ${location === "chain" ? "chain" : "store"}`);
  }
}

/** The patient erased the record: its payload and keys are destroyed and no one can read it again. */
export class RecordErasedError extends CareLedgerError {
  override readonly code = sdkCode("RECORD_ERASED");

  constructor(
    readonly patient: string,
    readonly commitment: string,
  ) {
    super(`record ${commitment} was erased`);
  }
}

/** A reader the record key must be sealed to has published no encryption key on-chain. Nothing was written. */
export class PublicKeyNotRegisteredError extends CareLedgerError {
  override readonly code = sdkCode("PUBLIC_KEY_NOT_REGISTERED");

  constructor(readonly account: string) {
    super("an account the record must be shared with has published no encryption key");
  }
}

/**
 * The signing account is not an active provider of the kind the call needs (or not a provider at
 * all). Raised before anything is stored or sent.
 */
export class UnregisteredAccountError extends CareLedgerError {
  override readonly code = sdkCode("UNREGISTERED_ACCOUNT");

  /**
   * @param account the account that tried to act.
   * @param expected what it needed to be, e.g. "Doctor" or "any active provider".
   * @param actual what the directory says it is ("None" when unregistered or suspended).
   */
  constructor(
    readonly account: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the signer is not an active ${expected} (directory says ${actual})`);
  }
}

export type TransactionFailureReason = "no-receipt" | "reverted-without-data" | "fee-data-unavailable";

/** A transaction was sent but did not produce a usable receipt. */
export class TransactionFailedError extends CareLedgerError {
  override readonly code = sdkCode("TRANSACTION_FAILED");

  constructor(
    readonly reason: TransactionFailureReason,
    readonly transactionHash?: string,
    options?: { cause?: unknown },
  ) {
    super(`transaction failed (${reason})`, options);
  }
}

/** The JSON-RPC endpoint kept failing with transient errors after every retry. */
export class RpcUnavailableError extends CareLedgerError {
  override readonly code = sdkCode("RPC_UNAVAILABLE");

  constructor(
    readonly operation: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed after ${attempts} attempts on a transient RPC error`, options);
  }
}

/**
 * Whether a read failed because this account may not or cannot read the record (access refused,
 * erased, no key for it, content gone), as opposed to a fault (network, integrity, bug).
 */
export function isAccessRefusal(
  error: unknown,
): error is AccessDeniedError | RecordErasedError | RecordNotFoundError | KeyUnavailableError | NotFoundError {
  return (
    error instanceof AccessDeniedError ||
    error instanceof RecordErasedError ||
    error instanceof RecordNotFoundError ||
    error instanceof KeyUnavailableError ||
    error instanceof NotFoundError
  );
}
