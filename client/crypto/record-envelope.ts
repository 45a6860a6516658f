import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/hashes/utils.js";

import { DecryptionError, InvalidArgumentError } from "../errors.js";
import type { Hex } from "./bytes.js";
import { bytesOfLength, requireBytes } from "./bytes.js";
import { computeCommitment, verifyCommitment } from "./commitment.js";
import {
  DATA_KEY_LENGTH,
  NONCE_LENGTH,
  SALT_LENGTH,
  encodeRecordEnvelopeHeader,
  parseRecordEnvelope,
} from "./envelope-format.js";

export interface SealRecordInput {
  /** Bytes to protect, normally the canonical JSON of a FHIR resource. */
  readonly plaintext: Uint8Array;
  /**
   * Opaque, non-empty bytes naming where the record belongs (e.g. chain id, registry
   * address, patient address, record type). The same bytes are needed to open it, so an
   * envelope copied into another context fails to decrypt.
   */
  readonly context: Uint8Array;
  /**
   * The record's fresh data key and salt, when the caller made them first in order to build the
   * key section (which must seal the key before the envelope exists). Default: fresh randomness.
   */
  readonly dataKey?: Uint8Array;
  readonly salt?: Uint8Array;
  /** Bytes to carry, authenticated, between the header and the ciphertext. Default: empty. */
  readonly keySection?: Uint8Array;
}

export interface SealedRecord {
  /** The serialised envelope (see envelope-format.ts); safe to store anywhere. */
  readonly envelopeBytes: Uint8Array;
  /** Fresh 32-byte key of this record only. Secret: wrap it for each reader, then discard. */
  readonly dataKey: Uint8Array;
  /** On-chain commitment to `envelopeBytes` (see commitment.ts). */
  readonly commitment: Hex;
}

export interface OpenRecordInput {
  readonly envelopeBytes: Uint8Array;
  readonly dataKey: Uint8Array;
  readonly context: Uint8Array;
  /** When given, the envelope is checked against it before decryption (IntegrityError). */
  readonly expectedCommitment?: string | Uint8Array;
}

/** Encrypts one record under a fresh data key (XChaCha20-Poly1305, random salt and nonce). */
export function sealRecord({ plaintext, context, dataKey: givenKey, salt, keySection }: SealRecordInput): SealedRecord {
  requireBytes(plaintext, "plaintext");
  const aadContext = requireContext(context);
  const dataKey =
    givenKey === undefined ? randomBytes(DATA_KEY_LENGTH) : bytesOfLength(givenKey, DATA_KEY_LENGTH, "dataKey");
  const nonce = randomBytes(NONCE_LENGTH);
  const header = encodeRecordEnvelopeHeader(
    salt === undefined ? randomBytes(SALT_LENGTH) : bytesOfLength(salt, SALT_LENGTH, "salt"),
    nonce,
    keySection === undefined ? new Uint8Array(0) : requireBytes(keySection, "keySection"),
  );
  const sealed = xchacha20poly1305(dataKey, nonce, associatedData(header, aadContext)).encrypt(plaintext);
  const envelopeBytes = new Uint8Array(header.length + sealed.length);
  envelopeBytes.set(header, 0);
  envelopeBytes.set(sealed, header.length);
  return { envelopeBytes, dataKey, commitment: computeCommitment(envelopeBytes) };
}

/**
 * Decrypts and authenticates an envelope. Never returns unauthenticated bytes: a truncated,
 * altered, wrong-key or wrong-context envelope throws MalformedEnvelopeError,
 * UnsupportedEnvelopeVersionError or DecryptionError.
 */
export function openRecord({ envelopeBytes, dataKey, context, expectedCommitment }: OpenRecordInput): Uint8Array {
  const parts = parseRecordEnvelope(envelopeBytes);
  const key = bytesOfLength(dataKey, DATA_KEY_LENGTH, "dataKey");
  const aadContext = requireContext(context);
  if (expectedCommitment !== undefined) {
    verifyCommitment(envelopeBytes, expectedCommitment);
  }
  try {
    return xchacha20poly1305(key, parts.nonce, associatedData(parts.header, aadContext)).decrypt(parts.sealed);
  } catch {
    throw new DecryptionError("record-envelope");
  } finally {
    key.fill(0);
  }
}

function requireContext(context: Uint8Array): Uint8Array {
  const bytes = requireBytes(context, "context");
  if (bytes.length === 0) {
    // An empty context binds the record to nothing, which is almost certainly a caller bug.
    throw new InvalidArgumentError("context", "non-empty bytes");
  }
  return bytes;
}

function associatedData(header: Uint8Array, context: Uint8Array): Uint8Array {
  const aad = new Uint8Array(header.length + context.length);
  aad.set(header, 0);
  aad.set(context, header.length);
  return aad;
}
