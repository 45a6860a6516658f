/**
 * Typed errors shared by the CareLedger client.
 *
 * Rule for every subclass: the message and the fields carry structural facts only
 * (element paths, sizes, codes, hashes, content addresses). Payload content, names,
 * identifiers and key material never appear, because error messages end up in logs,
 * crash reports and support tickets that are outside the protected circle.
 * Ethereum addresses are pseudonymous identifiers, so they may be carried in fields
 * (callers need them to act) but are kept out of messages.
 */

import type { SdkErrorCode } from "./sdk/errors.js";

// The SDK's codes are declared with its errors and are CareLedger codes too.
export type CareLedgerErrorCode =
  | SdkErrorCode
  | "INVALID_FHIR_RESOURCE"
  | "PAYLOAD_TOO_LARGE"
  | "MALFORMED_ENVELOPE"
  | "UNSUPPORTED_ENVELOPE_VERSION"
  | "DECRYPTION_FAILED"
  | "INTEGRITY_VIOLATION"
  | "NOT_FOUND"
  | "KEY_UNAVAILABLE"
  | "INVALID_PUBLIC_KEY"
  | "INVALID_PRIVATE_KEY"
  | "INVALID_ARGUMENT"
  | "STORAGE_FAILURE"
  // Codes of key release and networked content (client/key-release/errors.ts).
  | "KEY_RELEASE_DENIED"
  | "KEY_RELEASE_UNAVAILABLE"
  | "CONTENT_UNREACHABLE";

export abstract class CareLedgerError extends Error {
  abstract readonly code: CareLedgerErrorCode;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isCareLedgerError(error: unknown): error is CareLedgerError {
  return error instanceof CareLedgerError;
}

/** Why a FHIR resource was rejected; `path` says where. */
export type FhirViolation =
  | "required"
  | "wrong-type"
  | "invalid-format"
  | "not-in-value-set"
  | "expected-array"
  | "expected-single"
  | "empty"
  | "unknown-choice-type"
  | "multiple-choice-values"
  | "invalid-reference-target"
  | "unresolved-local-reference"
  | "invalid-element-name"
  | "too-deep"
  | "lone-surrogate"
  | "control-character"
  | "not-json"
  | "unexpected-null"
  | "constraint";

const VIOLATION_TEXT: Readonly<Record<FhirViolation, string>> = {
  required: "is required",
  "wrong-type": "has the wrong JSON type",
  "invalid-format": "does not match its FHIR R4 format",
  "not-in-value-set": "is not in its required R4 value set",
  "expected-array": "must be a JSON array (cardinality 0..*)",
  "expected-single": "must be a single value (cardinality 0..1)",
  empty: "must not be empty",
  "unknown-choice-type": "is not an allowed type for this choice element",
  "multiple-choice-values": "has more than one value for a single choice element",
  "invalid-reference-target": "references a resource type this element does not allow",
  "unresolved-local-reference": "is a local reference with no matching contained resource",
  "invalid-element-name": "contains a key that is not a valid FHIR element name",
  "too-deep": "is nested deeper than the allowed limit",
  "lone-surrogate": "contains a lone UTF-16 surrogate",
  "control-character": "contains a control character other than TAB, LF or CR",
  "not-json": "is not a plain JSON value",
  "unexpected-null": "is null outside a primitive array with a matching extension array",
  constraint: "violates an R4 constraint",
};

export class InvalidFhirResourceError extends CareLedgerError {
  override readonly code = "INVALID_FHIR_RESOURCE" as const;

  /**
   * @param path FHIR path of the failing element, e.g. `MedicationRequest.subject.reference`;
   *   keys that are not valid element names are never echoed (they could be payload).
   * @param violation what is wrong there.
   * @param constraint the R4 (or CareLedger profile) constraint key when `violation` is "constraint".
   */
  constructor(
    readonly path: string,
    readonly violation: FhirViolation,
    readonly constraint?: string,
  ) {
    super(`${path} ${VIOLATION_TEXT[violation]}${constraint === undefined ? "" : ` (${constraint})`}`);
  }
}

export class PayloadTooLargeError extends CareLedgerError {
  override readonly code = "PAYLOAD_TOO_LARGE" as const;

  constructor(
    readonly limit: number,
    readonly size: number,
  ) {
    super(`payload is ${size} bytes, over the limit of ${limit} bytes`);
  }
}

/** Which serialised format a crypto error is about. */
export type SealedFormat = "record-envelope" | "wrapped-key" | "hpke" | "share-bundle";

export type MalformedEnvelopeReason = "truncated" | "bad-length" | "bad-magic" | "invalid-ephemeral-key";

export class MalformedEnvelopeError extends CareLedgerError {
  override readonly code = "MALFORMED_ENVELOPE" as const;

  constructor(
    readonly format: SealedFormat,
    readonly reason: MalformedEnvelopeReason,
  ) {
    super(`${format} is malformed (${reason})`);
  }
}

export class UnsupportedEnvelopeVersionError extends CareLedgerError {
  override readonly code = "UNSUPPORTED_ENVELOPE_VERSION" as const;

  constructor(
    readonly format: SealedFormat,
    readonly found: number,
    readonly supported: readonly number[],
  ) {
    super(`${format} version ${found} is not supported (supported: ${supported.join(", ")})`);
  }
}

/**
 * Authenticated decryption failed. Deliberately does not say whether the key, the
 * context or the bytes were wrong: the AEAD cannot tell, and guessing would mislead.
 */
export class DecryptionError extends CareLedgerError {
  override readonly code = "DECRYPTION_FAILED" as const;

  constructor(readonly format: SealedFormat) {
    super(`${format} failed authentication: wrong key, wrong context or altered bytes`);
  }
}

export type IntegritySubject = "content-address" | "record-commitment" | "record-author";

/** Bytes do not match the hash they are addressed or committed by. */
export class IntegrityError extends CareLedgerError {
  override readonly code = "INTEGRITY_VIOLATION" as const;

  /**
   * @param expected the address or commitment the bytes were supposed to match.
   * @param actual the address or commitment computed from the bytes found.
   */
  constructor(
    readonly subject: IntegritySubject,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${subject} mismatch: expected ${expected}, found ${actual}`);
  }
}

export class NotFoundError extends CareLedgerError {
  override readonly code = "NOT_FOUND" as const;

  constructor(readonly ref: string) {
    super(`no content stored under ${ref}`);
  }
}

/** The chain allows the reader, but no key is sealed to it in the envelope and no custodians are configured. */
export class KeyUnavailableError extends CareLedgerError {
  override readonly code = "KEY_UNAVAILABLE" as const;

  /**
   * @param reader EIP-55 address of the reader.
   * @param recipient EIP-55 address a key was sealed to instead (the zero address when none was).
   */
  constructor(
    readonly reader: string,
    readonly recipient: string,
  ) {
    super("no key for this reader: none sealed to it and no custodians to ask");
  }
}

export type InvalidPublicKeyReason = "encoding" | "not-on-curve" | "address-mismatch";

export class InvalidPublicKeyError extends CareLedgerError {
  override readonly code = "INVALID_PUBLIC_KEY" as const;

  constructor(
    readonly reason: InvalidPublicKeyReason,
    readonly expectedAddress?: string,
    readonly actualAddress?: string,
  ) {
    super(`invalid secp256k1 public key (${reason})`);
  }
}

export type InvalidPrivateKeyReason = "encoding" | "out-of-range";

/** Never carries any part of the offered key. */
export class InvalidPrivateKeyError extends CareLedgerError {
  override readonly code = "INVALID_PRIVATE_KEY" as const;

  constructor(readonly reason: InvalidPrivateKeyReason) {
    super(`invalid secp256k1 private key (${reason})`);
  }
}

/** A caller passed a value of the wrong shape; `expected` describes the shape, never the value. */
export class InvalidArgumentError extends CareLedgerError {
  override readonly code = "INVALID_ARGUMENT" as const;

  constructor(
    readonly argument: string,
    readonly expected: string,
  ) {
    super(`${argument} must be ${expected}`);
  }
}

export type StorageBackend = "local-disk" | "helia" | "kubo";
export type StorageOperation = "open" | "put" | "get" | "has" | "delete" | "list" | "close";
export type StorageFailureReason = "closed" | "io" | "unavailable" | "unexpected-response" | "incompatible-layout";

export class StorageError extends CareLedgerError {
  override readonly code = "STORAGE_FAILURE" as const;

  /**
   * @param systemCode the operating-system error code when there is one (e.g. `ENOSPC`).
   * @param options.cause the underlying error, for debugging; it is not part of the message.
   */
  constructor(
    readonly backend: StorageBackend,
    readonly operation: StorageOperation,
    readonly reason: StorageFailureReason,
    readonly systemCode?: string,
    options?: { cause?: unknown },
  ) {
    super(`${backend} store ${operation} failed (${systemCode ?? reason})`, options);
  }
}

/**
 * A block is not in the local store and no configured peer delivered it in time: the writer's node is
 * down, unreachable, or no longer holds it. Nothing was read; retry when the peer is back.
 */
export class ContentUnreachableError extends CareLedgerError {
  override readonly code = "CONTENT_UNREACHABLE" as const;

  constructor(
    readonly ref: string,
    /** Peers connected when the fetch gave up. */
    readonly connectedPeers: number,
    readonly timeoutMs: number,
  ) {
    super(`content ${ref} could not be fetched from any of ${connectedPeers} connected peers within ${timeoutMs} ms`);
  }
}
