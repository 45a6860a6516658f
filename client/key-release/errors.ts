import { CareLedgerError } from "../errors.js";

/**
 * Why one custodian gave no usable share: the error code it answered with (see
 * `ReleaseErrorCode`), or what went wrong on the requester's side.
 */
export type CustodianFailure =
  "access-denied" | "unreachable" | "timeout" | "not-configured" | "invalid-answer" | "wrong-share" | (string & {});

/** What one custodian did with a release request. Addresses are fields, never message text. */
export interface CustodianOutcome {
  readonly custodian: string;
  readonly outcome: "released" | "denied" | "failed";
  /** The custodian's error code or the local failure; absent when released. */
  readonly reason?: CustodianFailure;
}

/**
 * The chain said no: at least n - t + 1 custodians refused with "access denied" (so t shares can
 * never come together), or every custodian that answered refused.
 */
export class KeyReleaseDeniedError extends CareLedgerError {
  override readonly code = "KEY_RELEASE_DENIED" as const;

  constructor(
    readonly denied: number,
    readonly answered: number,
    readonly outcomes: readonly CustodianOutcome[] = [],
  ) {
    super(`key release denied: ${denied} of ${answered} answering custodians refused access`);
  }
}

/**
 * Fewer than `needed` valid shares arrived: custodians were down, timed out, or answered with
 * shares that do not match the bundle's digests. Nothing about the key was learnt.
 */
export class KeyReleaseUnavailableError extends CareLedgerError {
  override readonly code = "KEY_RELEASE_UNAVAILABLE" as const;

  constructor(
    readonly needed: number,
    readonly valid: number,
    readonly denied: number,
    readonly failed: number,
    readonly outcomes: readonly CustodianOutcome[] = [],
  ) {
    super(`key release unavailable: ${valid} valid shares of ${needed} needed (${denied} denied, ${failed} failed)`);
  }
}
