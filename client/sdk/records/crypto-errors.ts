import {
  CareLedgerError,
  DecryptionError,
  IntegrityError,
  InvalidArgumentError,
  InvalidPrivateKeyError,
  InvalidPublicKeyError,
  KeyUnavailableError,
  MalformedEnvelopeError,
  UnsupportedEnvelopeVersionError,
  type IntegritySubject,
  type InvalidPrivateKeyReason,
  type InvalidPublicKeyReason,
  type MalformedEnvelopeReason,
  type SealedFormat,
} from "../../errors.js";

/**
 * Errors thrown by the crypto layer, flattened so they can cross a worker-thread boundary and be
 * rebuilt as the same typed class on the other side (structured clone keeps only plain Errors).
 * Fields are structural (formats, reasons, addresses, hashes): no key material ever travels here.
 */
export type SerializedCryptoError =
  | { readonly type: "DecryptionError"; readonly format: SealedFormat }
  | {
      readonly type: "IntegrityError";
      readonly subject: IntegritySubject;
      readonly expected: string;
      readonly actual: string;
    }
  | { readonly type: "KeyUnavailableError"; readonly reader: string; readonly recipient: string }
  | { readonly type: "MalformedEnvelopeError"; readonly format: SealedFormat; readonly reason: MalformedEnvelopeReason }
  | {
      readonly type: "UnsupportedEnvelopeVersionError";
      readonly format: SealedFormat;
      readonly found: number;
      readonly supported: readonly number[];
    }
  | {
      readonly type: "InvalidPublicKeyError";
      readonly reason: InvalidPublicKeyReason;
      readonly expectedAddress?: string;
      readonly actualAddress?: string;
    }
  | { readonly type: "InvalidPrivateKeyError"; readonly reason: InvalidPrivateKeyReason }
  | { readonly type: "InvalidArgumentError"; readonly argument: string; readonly expected: string }
  | { readonly type: "Error"; readonly message: string };

export function serializeCryptoError(error: unknown): SerializedCryptoError {
  if (error instanceof DecryptionError) return { type: "DecryptionError", format: error.format };
  if (error instanceof IntegrityError) {
    return { type: "IntegrityError", subject: error.subject, expected: error.expected, actual: error.actual };
  }
  if (error instanceof KeyUnavailableError) {
    return { type: "KeyUnavailableError", reader: error.reader, recipient: error.recipient };
  }
  if (error instanceof MalformedEnvelopeError) {
    return { type: "MalformedEnvelopeError", format: error.format, reason: error.reason };
  }
  if (error instanceof UnsupportedEnvelopeVersionError) {
    return {
      type: "UnsupportedEnvelopeVersionError",
      format: error.format,
      found: error.found,
      supported: error.supported,
    };
  }
  if (error instanceof InvalidPublicKeyError) {
    return {
      type: "InvalidPublicKeyError",
      reason: error.reason,
      expectedAddress: error.expectedAddress,
      actualAddress: error.actualAddress,
    };
  }
  if (error instanceof InvalidPrivateKeyError) return { type: "InvalidPrivateKeyError", reason: error.reason };
  if (error instanceof InvalidArgumentError) {
    return { type: "InvalidArgumentError", argument: error.argument, expected: error.expected };
  }
  // Anything else is a bug, not data: keep only the class name (messages could quote inputs).
  return {
    type: "Error",
    message: error instanceof Error ? `crypto worker failed (${error.name})` : "crypto worker failed",
  };
}

export function deserializeCryptoError(error: SerializedCryptoError): Error | CareLedgerError {
  switch (error.type) {
    case "DecryptionError":
      return new DecryptionError(error.format);
    case "IntegrityError":
      return new IntegrityError(error.subject, error.expected, error.actual);
    case "KeyUnavailableError":
      return new KeyUnavailableError(error.reader, error.recipient);
    case "MalformedEnvelopeError":
      return new MalformedEnvelopeError(error.format, error.reason);
    case "UnsupportedEnvelopeVersionError":
      return new UnsupportedEnvelopeVersionError(error.format, error.found, error.supported);
    case "InvalidPublicKeyError":
      return new InvalidPublicKeyError(error.reason, error.expectedAddress, error.actualAddress);
    case "InvalidPrivateKeyError":
      return new InvalidPrivateKeyError(error.reason);
    case "InvalidArgumentError":
      return new InvalidArgumentError(error.argument, error.expected);
    case "Error":
      return new Error(error.message);
  }
}
