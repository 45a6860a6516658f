import { MalformedEnvelopeError, UnsupportedEnvelopeVersionError } from "../errors.js";
import { ascii, requireBytes, startsWith } from "./bytes.js";

/**
 * Record envelope, version 2. Integers are big-endian.
 *
 *   offset  size  field
 *   0       4     magic "CLRE" (0x43 0x4c 0x52 0x45)
 *   4       1     version = 0x02
 *   5       32    salt (random; input to the commitment)
 *   37      24    XChaCha20-Poly1305 nonce (random)
 *   61      4     k = length of the key section (at most MAX_KEY_SECTION_LENGTH)
 *   65      k     key section: the record's data key sealed to its direct readers and split
 *                 among the key custodians (see client/sdk/records/record-keys.ts)
 *   65+k    n     ciphertext of the n-byte plaintext
 *   65+k+n  16    Poly1305 tag
 *
 * The AEAD key is the record's 32-byte data key; its associated data is `envelope[0..65+k) ||
 * context`, which authenticates the header and the key section and binds the ciphertext to the
 * caller's context (chain, registry, patient, record type). The key section travels inside the
 * envelope so that everything a reader needs is reachable from the on-chain commitment alone.
 */
export const RECORD_ENVELOPE_MAGIC = ascii("CLRE");
export const RECORD_ENVELOPE_VERSION = 2;
export const SALT_LENGTH = 32;
export const NONCE_LENGTH = 24;
export const TAG_LENGTH = 16;
export const DATA_KEY_LENGTH = 32;
/** Bytes before the key section. */
export const RECORD_ENVELOPE_HEADER_LENGTH = 4 + 1 + SALT_LENGTH + NONCE_LENGTH + 4;
/** Bytes an envelope with an empty key section adds to its plaintext. */
export const RECORD_ENVELOPE_OVERHEAD = RECORD_ENVELOPE_HEADER_LENGTH + TAG_LENGTH;
/** Largest key section accepted: 16 direct readers and 16 custodians fit many times over. */
export const MAX_KEY_SECTION_LENGTH = 64 * 1024;

export interface RecordEnvelopeParts {
  /** Everything the AEAD authenticates besides the context: header and key section. */
  readonly header: Uint8Array;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly keySection: Uint8Array;
  /** ciphertext || tag */
  readonly sealed: Uint8Array;
}

export function encodeRecordEnvelopeHeader(salt: Uint8Array, nonce: Uint8Array, keySection: Uint8Array): Uint8Array {
  if (keySection.length > MAX_KEY_SECTION_LENGTH) throw new MalformedEnvelopeError("record-envelope", "bad-length");
  const header = new Uint8Array(RECORD_ENVELOPE_HEADER_LENGTH + keySection.length);
  header.set(RECORD_ENVELOPE_MAGIC, 0);
  header[4] = RECORD_ENVELOPE_VERSION;
  header.set(salt, 5);
  header.set(nonce, 5 + SALT_LENGTH);
  new DataView(header.buffer).setUint32(5 + SALT_LENGTH + NONCE_LENGTH, keySection.length);
  header.set(keySection, RECORD_ENVELOPE_HEADER_LENGTH);
  return header;
}

/** Splits an envelope into views (no copies); checks magic, version and lengths. */
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
  const keySectionLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    5 + SALT_LENGTH + NONCE_LENGTH,
  );
  if (keySectionLength > MAX_KEY_SECTION_LENGTH) {
    throw new MalformedEnvelopeError("record-envelope", "bad-length");
  }
  const headerEnd = RECORD_ENVELOPE_HEADER_LENGTH + keySectionLength;
  if (bytes.length < headerEnd + TAG_LENGTH) {
    throw new MalformedEnvelopeError("record-envelope", "truncated");
  }
  return {
    header: bytes.subarray(0, headerEnd),
    salt: bytes.subarray(5, 5 + SALT_LENGTH),
    nonce: bytes.subarray(5 + SALT_LENGTH, 5 + SALT_LENGTH + NONCE_LENGTH),
    keySection: bytes.subarray(RECORD_ENVELOPE_HEADER_LENGTH, headerEnd),
    sealed: bytes.subarray(headerEnd),
  };
}
