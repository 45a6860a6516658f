import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

import { InvalidArgumentError, InvalidPrivateKeyError, InvalidPublicKeyError } from "../errors.js";

/**
 * secp256k1 keys and addresses of Ethereum accounts (the identities of CareLedger readers).
 * Keys are accepted as bytes or 0x-hex; nothing here ever puts key material in an error.
 */

export type KeyInput = Uint8Array | string;

export interface RecipientPublicKey {
  /** SEC1 compressed point, 33 bytes. */
  readonly compressed: Uint8Array;
  /** SEC1 uncompressed point, 65 bytes (0x04 || x || y). */
  readonly uncompressed: Uint8Array;
  /** The account's 20-byte address. */
  readonly addressBytes: Uint8Array;
  /** The account's EIP-55 address. */
  readonly address: string;
}

const KEY_HEX_RE = /^0x[0-9a-fA-F]*$/;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

function keyBytes(input: KeyInput): Uint8Array | undefined {
  if (input instanceof Uint8Array) {
    return input.slice();
  }
  if (typeof input === "string" && KEY_HEX_RE.test(input) && input.length % 2 === 0) {
    return Uint8Array.from(Buffer.from(input.slice(2), "hex"));
  }
  return undefined;
}

/** Accepts a compressed (33-byte, 02/03) or uncompressed (65-byte, 04) SEC1 point on secp256k1. */
export function parsePublicKey(input: KeyInput): RecipientPublicKey {
  const bytes = keyBytes(input);
  const prefix = bytes?.[0];
  const wellFormed =
    bytes !== undefined &&
    ((bytes.length === 33 && (prefix === 0x02 || prefix === 0x03)) || (bytes.length === 65 && prefix === 0x04));
  if (!wellFormed) {
    throw new InvalidPublicKeyError("encoding");
  }
  let point;
  try {
    point = secp256k1.Point.fromBytes(bytes);
    point.assertValidity();
  } catch {
    throw new InvalidPublicKeyError("not-on-curve");
  }
  const uncompressed = point.toBytes(false);
  const addressBytes = keccak_256(uncompressed.subarray(1)).slice(12);
  return {
    compressed: point.toBytes(true),
    uncompressed,
    addressBytes,
    address: toChecksumAddress(addressBytes),
  };
}

/** Returns a private copy of a 32-byte secret scalar in [1, n-1]. */
export function parsePrivateKey(input: KeyInput): Uint8Array {
  const bytes = keyBytes(input);
  if (bytes === undefined || bytes.length !== 32) {
    throw new InvalidPrivateKeyError("encoding");
  }
  if (!secp256k1.utils.isValidSecretKey(bytes)) {
    bytes.fill(0);
    throw new InvalidPrivateKeyError("out-of-range");
  }
  return bytes;
}

/** keccak256 of the uncompressed point without its 0x04 prefix, last 20 bytes, EIP-55 cased. */
export function addressOfPublicKey(publicKey: KeyInput): string {
  return parsePublicKey(publicKey).address;
}

export function publicKeyOfPrivateKey(privateKey: KeyInput): RecipientPublicKey {
  const secret = parsePrivateKey(privateKey);
  try {
    return parsePublicKey(secp256k1.getPublicKey(secret, true));
  } finally {
    secret.fill(0);
  }
}

/**
 * Checks that a public key (e.g. recovered from a signature or read from a directory)
 * belongs to the account the caller means to share with. Throws InvalidPublicKeyError
 * ("address-mismatch") otherwise, so a substituted key cannot silently receive data.
 */
export function assertPublicKeyMatchesAddress(publicKey: KeyInput, expectedAddress: string): RecipientPublicKey {
  const expected = parseAddress(expectedAddress);
  const parsed = parsePublicKey(publicKey);
  if (!expected.every((byte, index) => parsed.addressBytes[index] === byte)) {
    throw new InvalidPublicKeyError("address-mismatch", toChecksumAddress(expected), parsed.address);
  }
  return parsed;
}

/**
 * Parses a 0x-hex address. All-lowercase and all-uppercase forms carry no checksum and are
 * accepted; mixed case must be a valid EIP-55 checksum, which catches typos.
 */
export function parseAddress(address: string): Uint8Array {
  if (typeof address !== "string" || !ADDRESS_RE.test(address)) {
    throw new InvalidArgumentError("address", "0x followed by 40 hex digits");
  }
  const bytes = Uint8Array.from(Buffer.from(address.slice(2), "hex"));
  const body = address.slice(2);
  const mixedCase = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixedCase && toChecksumAddress(bytes) !== address) {
    throw new InvalidArgumentError("address", "a valid EIP-55 checksum when mixed-case");
  }
  return bytes;
}

/** EIP-55 mixed-case checksum encoding of a 20-byte address. */
export function toChecksumAddress(addressBytes: Uint8Array): string {
  const lower = Buffer.from(addressBytes).toString("hex");
  const hash = keccak_256(new TextEncoder().encode(lower));
  let result = "0x";
  for (let index = 0; index < lower.length; index++) {
    const nibble = (hash[index >> 1] >> (index % 2 === 0 ? 4 : 0)) & 0x0f;
    result += nibble >= 8 ? lower.charAt(index).toUpperCase() : lower.charAt(index);
  }
  return result;
}
