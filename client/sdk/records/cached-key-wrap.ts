import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";

import { createECDH, type ECDH } from "node:crypto";

import {
  DATA_KEY_LENGTH,
  parsePublicKey,
  unwrapKey,
  WRAPPED_KEY_LENGTH,
  WRAPPED_KEY_MAGIC,
  WRAPPED_KEY_VERSION,
  assertPublicKeyMatchesAddress,
  toHex,
} from "../../crypto/index.js";
import { InvalidArgumentError } from "../../errors.js";

/**
 * Faster paths to client/crypto/key-wrap.ts's `wrapKey` and `unwrapKey`, over the very same CLWK v1
 * bytes. The secp256k1 multiplication is most of a record's CPU time with a pure-JS curve:
 *
 * - `wrapKeyCached` parses each recipient's point once and keeps it with a precomputed window
 *   table (a writer wraps for the same few accounts over and over), so the ECDH costs about a
 *   fifth of a fresh point's;
 * - `unwrapKeyCached` keeps the reader's key in a Node (OpenSSL) ECDH object and derives the shared
 *   secret natively, several times faster; anything unusual (another reader, bad bytes, a failed
 *   authentication) falls back to client/crypto's `unwrapKey`, which returns the same key or throws
 *   its own typed error.
 *
 * Tests check both directions against client/crypto. This file can go once client/crypto does the
 * same caching itself.
 */

const KDF_INFO_LABEL = new TextEncoder().encode("CareLedger/key-wrap/v1");
const NONCE_LENGTH = 24;
const AAD_END = 58;
const WINDOW = 6;
const CACHE_SIZE = 128;

type Point = ReturnType<typeof secp256k1.Point.fromBytes>;

interface CachedRecipient {
  readonly point: Point;
  readonly compressed: Uint8Array;
  readonly addressBytes: Uint8Array;
}

const recipients = new Map<string, CachedRecipient>();

function recipientOf(publicKey: string, address: string): CachedRecipient {
  const cacheKey = `${address.toLowerCase()}:${publicKey.toLowerCase()}`;
  const cached = recipients.get(cacheKey);
  if (cached !== undefined) {
    // Refresh its place in the least-recently-used order.
    recipients.delete(cacheKey);
    recipients.set(cacheKey, cached);
    return cached;
  }
  const parsed = assertPublicKeyMatchesAddress(publicKey, address);
  const point = secp256k1.Point.fromBytes(parsed.compressed);
  point.precompute(WINDOW);
  const entry = { point, compressed: parsed.compressed, addressBytes: parsed.addressBytes };
  recipients.set(cacheKey, entry);
  if (recipients.size > CACHE_SIZE) {
    const oldest = recipients.keys().next().value;
    if (oldest !== undefined) recipients.delete(oldest);
  }
  return entry;
}

export interface CachedWrapInput {
  /** The reader's public key (0x-hex), checked against `recipientAddress` on first use. */
  readonly recipientPublicKey: string;
  readonly recipientAddress: string;
  readonly dataKey: Uint8Array;
  readonly commitment: string;
}

/** Wraps a record's data key for one reader (CLWK v1, see client/crypto/key-wrap.ts). */
export function wrapKeyCached({
  recipientPublicKey,
  recipientAddress,
  dataKey,
  commitment,
}: CachedWrapInput): Uint8Array {
  const recipient = recipientOf(recipientPublicKey, recipientAddress);
  if (dataKey.length !== DATA_KEY_LENGTH) throw new InvalidArgumentError("dataKey", `${DATA_KEY_LENGTH} bytes`);
  const commitmentBytes = Uint8Array.from(Buffer.from(commitment.replace(/^0x/, ""), "hex"));
  if (commitmentBytes.length !== 32 || toHex(commitmentBytes) !== commitment.toLowerCase()) {
    throw new InvalidArgumentError("commitment", "32 bytes of 0x-hex");
  }
  const ephemeralSecret = secp256k1.utils.randomSecretKey();
  const ephemeralPublic = secp256k1.getPublicKey(ephemeralSecret, true);
  const wrapped = new Uint8Array(WRAPPED_KEY_LENGTH);
  wrapped.set(WRAPPED_KEY_MAGIC, 0);
  wrapped[4] = WRAPPED_KEY_VERSION;
  wrapped.set(recipient.addressBytes, 5);
  wrapped.set(ephemeralPublic, 25);
  const nonce = randomBytes(NONCE_LENGTH);
  wrapped.set(nonce, AAD_END);

  const shared = recipient.point.multiply(secp256k1.Point.Fn.fromBytes(ephemeralSecret)).toBytes(true);
  const salt = new Uint8Array(66);
  salt.set(ephemeralPublic, 0);
  salt.set(recipient.compressed, 33);
  const info = new Uint8Array(KDF_INFO_LABEL.length + 20 + 32);
  info.set(KDF_INFO_LABEL, 0);
  info.set(recipient.addressBytes, KDF_INFO_LABEL.length);
  info.set(commitmentBytes, KDF_INFO_LABEL.length + 20);
  const kek = hkdf(sha256, shared.subarray(1), salt, info, 32);
  try {
    const sealed = xchacha20poly1305(kek, nonce, wrapped.subarray(0, AAD_END)).encrypt(dataKey);
    wrapped.set(sealed, AAD_END + NONCE_LENGTH);
  } finally {
    kek.fill(0);
    shared.fill(0);
    ephemeralSecret.fill(0);
  }
  return wrapped;
}

interface CachedReader {
  readonly ecdh: ECDH;
  readonly compressed: Uint8Array;
  readonly addressBytes: Uint8Array;
}

const readers = new Map<string, CachedReader | null>();
const READER_CACHE_SIZE = 16;

function readerOf(privateKey: string): CachedReader | undefined {
  const cached = readers.get(privateKey);
  if (cached !== undefined) return cached ?? undefined;
  let reader: CachedReader | null = null;
  try {
    const ecdh = createECDH("secp256k1");
    ecdh.setPrivateKey(Buffer.from(privateKey.replace(/^0x/, ""), "hex"));
    const compressed = Uint8Array.from(ecdh.getPublicKey(null, "compressed"));
    reader = { ecdh, compressed, addressBytes: parsePublicKey(compressed).addressBytes };
  } catch {
    // Not a usable key: client/crypto's unwrapKey will say why.
  }
  readers.set(privateKey, reader);
  if (readers.size > READER_CACHE_SIZE) {
    const oldest = readers.keys().next().value;
    if (oldest !== undefined) readers.delete(oldest);
  }
  return reader ?? undefined;
}

export interface CachedUnwrapInput {
  /** The reader's private key, 0x-hex. */
  readonly privateKey: string;
  readonly wrapped: Uint8Array;
  readonly commitment: string;
}

/** `unwrapKey` with the reader's key kept in a native ECDH object; same result, same errors. */
export function unwrapKeyCached(input: CachedUnwrapInput): Uint8Array {
  return (
    fastUnwrap(input) ??
    unwrapKey({ privateKey: input.privateKey, wrapped: input.wrapped, commitment: input.commitment as `0x${string}` })
  );
}

function fastUnwrap({ privateKey, wrapped, commitment }: CachedUnwrapInput): Uint8Array | undefined {
  if (!(wrapped instanceof Uint8Array) || wrapped.length !== WRAPPED_KEY_LENGTH || wrapped[4] !== WRAPPED_KEY_VERSION) {
    return undefined;
  }
  if (!WRAPPED_KEY_MAGIC.every((byte, index) => wrapped[index] === byte)) return undefined;
  const reader = readerOf(privateKey);
  if (reader === undefined || !reader.addressBytes.every((byte, index) => wrapped[5 + index] === byte))
    return undefined;
  const commitmentBytes = Uint8Array.from(Buffer.from(commitment.replace(/^0x/, ""), "hex"));
  if (commitmentBytes.length !== 32) return undefined;
  const ephemeralPublic = wrapped.subarray(25, AAD_END);
  let x: Buffer;
  try {
    x = reader.ecdh.computeSecret(ephemeralPublic);
  } catch {
    return undefined;
  }
  const salt = new Uint8Array(66);
  salt.set(ephemeralPublic, 0);
  salt.set(reader.compressed, 33);
  const info = new Uint8Array(KDF_INFO_LABEL.length + 20 + 32);
  info.set(KDF_INFO_LABEL, 0);
  info.set(reader.addressBytes, KDF_INFO_LABEL.length);
  info.set(commitmentBytes, KDF_INFO_LABEL.length + 20);
  const kek = hkdf(sha256, x, salt, info, 32);
  try {
    const nonce = wrapped.subarray(AAD_END, AAD_END + NONCE_LENGTH);
    return xchacha20poly1305(kek, nonce, wrapped.subarray(0, AAD_END)).decrypt(
      wrapped.subarray(AAD_END + NONCE_LENGTH),
    );
  } catch {
    return undefined;
  } finally {
    kek.fill(0);
    x.fill(0);
  }
}
