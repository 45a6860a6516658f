import { MalformedEnvelopeError, UnsupportedEnvelopeVersionError } from "../errors.js";
import { ascii, requireBytes, startsWith } from "./bytes.js";

/**
 * Record envelope, version 1. All integers are single bytes; there are no length fields
 * because every part but the ciphertext has a fixed size.
 *
 *   offset  size  field
 *   0       4     magic "CLRE" (0x43 0x4c 0x52 0x45)
 *   4       1     version = 0x01
 *   5       32    salt (random; input to the commitment)
 *   37      24    XChaCha20-Poly1305 nonce (random)
 *   61      n     ciphertext of the n-byte plaintext
 *   61+n    16    Poly1305 tag
 *
 * The AEAD key is the record's 32-byte data key; its associated data is
 * `envelope[0..61) || context`, which authenticates magic, version and salt and binds the
 * ciphertext to the caller's context (chain, registry, patient, record type, ...).
 */
export const RECORD_ENVELOPE_MAGIC = ascii("CLRE");
export const RECORD_ENVELOPE_VERSION = 1;
export const SALT_LENGTH = 32;
export const NONCE_LENGTH = 24;
export const TAG_LENGTH = 16;
export const DATA_KEY_LENGTH = 32;
export const RECORD_ENVELOPE_HEADER_LENGTH = 4 + 1 + SALT_LENGTH + NONCE_LENGTH;
/** Bytes an envelope adds to its plaintext. */
export const RECORD_ENVELOPE_OVERHEAD = RECORD_ENVELOPE_HEADER_LENGTH + TAG_LENGTH;

export interface RecordEnvelopeParts {
  readonly header: Uint8Array;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  /** ciphertext || tag */
  readonly sealed: Uint8Array;
}

export function encodeRecordEnvelopeHeader(salt: Uint8Array, nonce: Uint8Array): Uint8Array {
  const header = new Uint8Array(RECORD_ENVELOPE_HEADER_LENGTH);
  header.set(RECORD_ENVELOPE_MAGIC, 0);
  header[4] = RECORD_ENVELOPE_VERSION;
  header.set(salt, 5);
  header.set(nonce, 5 + SALT_LENGTH);
  return header;
}

/** Splits an envelope into views (no copies); checks magic, version and minimum length. */
export function parseRecordEnvelope(envelopeBytes: Uint8Array): RecordEnvelopeParts {
  const bytes = requireBytes(envelopeBytes, "envelopeBytes");
  if (bytes.length < RECORD_ENVELOPE_MAGIC.length + 1) {
    throw new MalformedEnvelopeError("record-envelope", "truncated");
  }
  if (!startsWith(bytes, RECORD_ENVELOPE_MAGIC)) {
    throw new MalformedEnvelopeError("record-envelope", "bad-magic");
  }
  const version = bytes[RECORD_ENVELOPE_MAGIC.length];
  if (version !== RECORD_ENVELOPE_VERSION) {
    throw new UnsupportedEnvelopeVersionError("record-envelope", version, [RECORD_ENVELOPE_VERSION]);
  }
  if (bytes.length < RECORD_ENVELOPE_OVERHEAD) {
    throw new MalformedEnvelopeError("record-envelope", "truncated");
  }
  return {
    header: bytes.subarray(0, RECORD_ENVELOPE_HEADER_LENGTH),
    salt: bytes.subarray(5, 5 + SALT_LENGTH),
    nonce: bytes.subarray(5 + SALT_LENGTH, RECORD_ENVELOPE_HEADER_LENGTH),
    sealed: bytes.subarray(RECORD_ENVELOPE_HEADER_LENGTH),
  };
}
