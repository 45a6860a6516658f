import { isHexString } from "ethers";

import { RecordType } from "../care-types.js";
import { addressArgument } from "../address-argument.js";
import { InvalidArgumentError } from "../errors.js";
import { validateAndSerialize, validateResource } from "../fhir/index.js";
import type { GrantScope } from "./consent-scope.js";

/**
 * Checks of the SDK's public arguments, so that a bad value fails with InvalidArgumentError naming
 * the argument (never echoing the value) before anything is sealed, stored, resolved or sent —
 * rather than with whatever ethers or the node would throw later (or an ENS lookup).
 */

export { addressArgument };

/** Like `addressArgument`, undefined passes through. */
export function optionalAddressArgument(value: unknown, argument: string): string | undefined {
  return value === undefined ? undefined : addressArgument(value, argument);
}

/** A 32-byte value (commitment, grant id, code id, root), returned lower-case. */
export function bytes32Argument(value: unknown, argument: string): string {
  if (typeof value !== "string" || !isHexString(value, 32)) {
    throw new InvalidArgumentError(argument, "32 bytes of 0x-hex");
  }
  return value.toLowerCase();
}

/** A whole number in [min, 2^bits - 1] (the width of the contract's parameter). */
export function uintArgument(value: unknown, argument: string, bits: number, min = 0): number {
  const max = 2 ** bits - 1;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(argument, `a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A member of a numeric enum (optionally excluding some, such as `None`). */
export function enumArgument<E extends number>(
  value: unknown,
  argument: string,
  members: Readonly<Record<string, string | number>>,
  excluded: readonly number[] = [0],
): E {
  if (typeof value !== "number" || typeof members[value] !== "string" || excluded.includes(value)) {
    throw new InvalidArgumentError(argument, "a member of its CareLedger enum");
  }
  return value as E;
}

/** Like `enumArgument`, with `fallback` when the caller gives none. */
export function optionalEnum<E extends number>(
  value: unknown,
  argument: string,
  members: Readonly<Record<string, string | number>>,
  fallback: E,
  excluded: readonly number[] = [0],
): E {
  return value === undefined ? fallback : enumArgument<E>(value, argument, members, excluded);
}

/** A boolean. */
export function booleanArgument(value: unknown, argument: string): boolean {
  if (typeof value !== "boolean") throw new InvalidArgumentError(argument, "true or false");
  return value;
}

/** Like `booleanArgument`, with `fallback` when the caller gives none. */
export function optionalBoolean(value: unknown, argument: string, fallback: boolean): boolean {
  return value === undefined ? fallback : booleanArgument(value, argument);
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Validates and canonicalises a FHIR resource, then validates the canonical bytes once more as
 * plain JSON. The second pass is what makes the committed bytes trustworthy whatever object came
 * in: a Proxy or a getter that answers one way to the validator and another to the serialiser
 * cannot get an invalid resource sealed and anchored.
 */
export function canonicalResource(resource: unknown): Uint8Array {
  const { canonicalBytes } = validateAndSerialize(resource);
  validateResource(JSON.parse(utf8Decoder.decode(canonicalBytes)) as unknown);
  return canonicalBytes;
}

/** A 0x-hex byte string (a signature). */
export function hexArgument(value: unknown, argument: string): string {
  if (typeof value !== "string" || !isHexString(value) || value.length % 2 !== 0) {
    throw new InvalidArgumentError(argument, "0x-hex bytes");
  }
  return value;
}

/** An unlock code as handed over by the patient (see unlock-code.ts). */
export function unlockArgument(value: unknown): {
  patient: string;
  doctor: string;
  codeId: string;
  expiresAt: number;
  signature: string;
} {
  if (typeof value !== "object" || value === null) throw new InvalidArgumentError("unlock", "an unlock code");
  const unlock = value as Record<string, unknown>;
  return {
    patient: addressArgument(unlock.patient, "unlock.patient"),
    doctor: addressArgument(unlock.doctor, "unlock.doctor"),
    codeId: bytes32Argument(unlock.codeId, "unlock.codeId"),
    expiresAt: uintArgument(unlock.expiresAt, "unlock.expiresAt", 40),
    signature: hexArgument(unlock.signature, "unlock.signature"),
  };
}

/** A patient's signed visit (see visit-signature.ts) as handed to the hospital. */
export function visitArgument(value: unknown): { visitId: string; expiresAt: number; signature: string } {
  if (typeof value !== "object" || value === null) throw new InvalidArgumentError("visit", "a signed visit");
  const visit = value as Record<string, unknown>;
  return {
    visitId: bytes32Argument(visit.visitId, "visit.visitId"),
    expiresAt: uintArgument(visit.expiresAt, "visit.expiresAt", 40),
    signature: hexArgument(visit.signature, "visit.signature"),
  };
}

/** An optional whole number with a default. */
export function optionalUint(value: unknown, argument: string, bits: number, fallback: number): number {
  return value === undefined ? fallback : uintArgument(value, argument, bits);
}

const CAPABILITY_BITS: Readonly<Record<string, number>> = { ManageConsent: 1, Erase: 2, Read: 4 };

/** Delegation capabilities, by name or as a bitmask of PatientDelegation's CAPABILITY_* bits. */
export function capabilitiesArgument(value: unknown): number {
  if (typeof value === "number") return uintArgument(value, "capabilities", 8);
  if (!Array.isArray(value)) throw new InvalidArgumentError("capabilities", "capability names or a bitmask");
  let mask = 0;
  for (const name of value as unknown[]) {
    const bit = typeof name === "string" ? CAPABILITY_BITS[name] : undefined;
    if (bit === undefined) throw new InvalidArgumentError("capabilities", "ManageConsent, Erase or Read");
    mask |= bit;
  }
  return mask;
}

/** What a grant covers: `{ record }`, `{ recordType }` or "all". */
export function grantScopeArgument(value: unknown): GrantScope {
  if (value === "all") return "all";
  if (typeof value === "object" && value !== null) {
    const scope = value as Record<string, unknown>;
    if ("record" in scope) return { record: bytes32Argument(scope.record, "scope.record") };
    if ("recordType" in scope) {
      return { recordType: enumArgument<RecordType>(scope.recordType, "scope.recordType", RecordType) };
    }
  }
  throw new InvalidArgumentError("scope", '{ record }, { recordType } or "all"');
}

/** A non-null object (its fields are checked one by one by the caller). */
export function objectArgument<T extends object>(value: T | undefined | null, argument: string): T {
  if (typeof value !== "object" || value === null) throw new InvalidArgumentError(argument, "an object");
  return value;
}

/** A whole number (negative allowed); the caller bounds what it derives from it. */
export function integerArgument(value: unknown, argument: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw new InvalidArgumentError(argument, "a whole number");
  return value;
}
