import { AbiCoder, ZeroHash, keccak256, toBeHex, zeroPadValue } from "ethers";

import { ConsentScope, type Purpose, type RecordType } from "../care-types.js";

/** What a grant covers, as the SDK takes it. */
export type GrantScope =
  /** One record, by commitment (also opens a sensitive record). */
  | { readonly record: string }
  /** Every non-sensitive record of one type. */
  | { readonly recordType: RecordType }
  /** Every non-sensitive record of the patient. */
  | "all";

/** The contract's (scope, scopeValue) pair of a GrantScope. */
export function encodeGrantScope(scope: GrantScope): { scope: ConsentScope; scopeValue: string } {
  if (scope === "all") return { scope: ConsentScope.AllRecords, scopeValue: ZeroHash };
  if ("record" in scope) return { scope: ConsentScope.Record, scopeValue: scope.record.toLowerCase() };
  return { scope: ConsentScope.RecordType, scopeValue: zeroPadValue(toBeHex(scope.recordType), 32) };
}

/** The grant id the contract assigns: `keccak256(abi.encode(grantee, scope, scopeValue, purpose))`. */
export function grantIdOf(grantee: string, scope: ConsentScope, scopeValue: string, purpose: Purpose): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["address", "uint8", "bytes32", "uint8"], [grantee, scope, scopeValue, purpose]),
  );
}
