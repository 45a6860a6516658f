import { sha256 } from "@noble/hashes/sha2.js";
import { AbiCoder, getAddress } from "ethers";
import { combine, split } from "shamir-secret-sharing";

import { addressArgument } from "../address-argument.js";
import { InvalidArgumentError, MalformedEnvelopeError, UnsupportedEnvelopeVersionError } from "../errors.js";
import { ascii, bytesOfLength, fromHex, toHex } from "../crypto/bytes.js";
import { HPKE_OVERHEAD, X25519_KEY_LENGTH, hpkeSeal } from "./hpke.js";

/**
 * Threshold key release, the writer's side: a record's 32-byte data key is split with Shamir's
 * secret sharing (the audited `shamir-secret-sharing`, GF(2^8), a fresh random polynomial per key)
 * into n shares, any t of which rebuild it. Share i is sealed with HPKE to custodian i's published
 * X25519 key, with `aad = shareAad(...)` binding it to the chain, the registry, the patient, the
 * record's salt and its on-chain author, the custodian, its position and the (t, n) policy. A
 * custodian can only open a share for a request about a record with that salt, patient and author,
 * so a share cannot be presented under another record the requester may read.
 *
 * Each share's SHA-256 digest travels in the bundle: the requester checks every released share
 * against it and discards a lying custodian's answer before combining.
 */

/** A custodian's published X25519 key (from the EncryptionKeyRegistry). */
export interface CustodianKey {
  address: string;
  /** The registry's version of `publicKey` (>= 1). */
  version: number;
  publicKey: Uint8Array;
}

/** What every share of a record is bound to. */
export interface ShareBinding {
  chainId: bigint;
  /** The RecordRegistry the record is anchored in. */
  registry: string;
  patient: string;
  /** The record's 32-byte salt (envelope offset 5). */
  salt: Uint8Array;
  /**
   * The record's author: the account the registry records for it (`recordOf(patient,
   * commitment).author`, or `batchOf(root).author` for a batch record). The custodian binds the
   * share to the author it reads on-chain, so a provider who anchors another commitment with the
   * same salt (the salt is readable in storage), or re-anchors the record's leaf in a batch of
   * their own, is the author of that anchoring and the share does not open for it.
   */
  author: string;
}

/** One custodian's sealed share. */
export interface CustodianShare {
  custodian: string;
  /** The custodian's EncryptionKeyRegistry key version the share is sealed to. */
  keyVersion: number;
  /** Position in the bundle, 0-based. */
  index: number;
  /** hpkeSeal(custodian key, share, SHARE_SEAL_INFO, shareAad(...)). */
  sealed: Uint8Array;
  /** SHA-256 of the plain share (the requester's check against a wrong or lying custodian). */
  digest: Uint8Array;
}

export interface ShareBundle {
  threshold: number;
  shares: CustodianShare[];
}

/** HPKE `info` of a share sealed to a custodian. */
export const SHARE_SEAL_INFO: Uint8Array = ascii("CareLedger/key-share/v1");
export const SHARE_BUNDLE_MAGIC: Uint8Array = ascii("CLSB");
export const SHARE_BUNDLE_VERSION = 1;
export const DATA_KEY_LENGTH = 32;
/** A Shamir share of a 32-byte key: 32 bytes of y values and the x coordinate. */
export const SHARE_LENGTH = DATA_KEY_LENGTH + 1;
export const SEALED_SHARE_LENGTH = SHARE_LENGTH + HPKE_OVERHEAD;
export const DIGEST_LENGTH = 32;
export const MIN_THRESHOLD = 2;
export const MAX_SHARES = 16;

const HEADER_LENGTH = 4 + 1 + 1 + 1;
/** custodian (20) | keyVersion (uint32 BE) | index (1) | digest (32) | sealed (81) */
const ENTRY_LENGTH = 20 + 4 + 1 + DIGEST_LENGTH + SEALED_SHARE_LENGTH;
/** The largest valid encoding. */
export const MAX_SHARE_BUNDLE_LENGTH = HEADER_LENGTH + MAX_SHARES * ENTRY_LENGTH;
const MAX_KEY_VERSION = 0xffff_ffff;

const ABI = AbiCoder.defaultAbiCoder();
const SHARE_AAD_TYPES = [
  "string",
  "uint256",
  "address",
  "address",
  "bytes32",
  "address",
  "address",
  "uint8",
  "uint8",
  "uint8",
] as const;
const SHARE_AAD_TAG = "CareLedger/key-share-aad/v1";

/**
 * The associated data of share `index` sealed to `custodian`: the ABI encoding of
 * ("CareLedger/key-share-aad/v1", chainId, registry, patient, salt, author, custodian, index,
 * threshold, n). Writer and custodian both compute it; they must agree bit for bit.
 */
export function shareAad(
  binding: ShareBinding,
  custodian: string,
  index: number,
  threshold: number,
  shareCount: number,
): Uint8Array {
  checkPolicy(threshold, shareCount);
  if (!Number.isInteger(index) || index < 0 || index >= shareCount) {
    throw new InvalidArgumentError("index", `an integer from 0 to ${shareCount - 1}`);
  }
  if (typeof binding.chainId !== "bigint" || binding.chainId <= 0n) {
    throw new InvalidArgumentError("binding.chainId", "a positive bigint");
  }
  return fromHex(
    ABI.encode(
      [...SHARE_AAD_TYPES],
      [
        SHARE_AAD_TAG,
        binding.chainId,
        address(binding.registry, "binding.registry"),
        address(binding.patient, "binding.patient"),
        toHex(bytesOfLength(binding.salt, 32, "binding.salt")),
        address(binding.author, "binding.author"),
        address(custodian, "custodian"),
        index,
        threshold,
        shareCount,
      ],
    ),
    "aad",
  );
}

/** SHA-256 of a plain share, as stored in the bundle. */
export function shareDigest(share: Uint8Array): Uint8Array {
  return sha256(share);
}

/**
 * Splits `dataKey` into one share per custodian, any `threshold` of which rebuild it, and seals
 * each share to its custodian. 1 < threshold <= n <= 16; custodians must be distinct.
 */
export async function splitDataKey(
  dataKey: Uint8Array,
  custodians: readonly CustodianKey[],
  threshold: number,
  binding: ShareBinding,
): Promise<ShareBundle> {
  const key = bytesOfLength(dataKey, DATA_KEY_LENGTH, "dataKey");
  if (!Array.isArray(custodians)) throw new InvalidArgumentError("custodians", "an array");
  checkPolicy(threshold, custodians.length);
  const seen = new Set<string>();
  const checked = custodians.map((custodian, i) => {
    const account = address(custodian.address, `custodians[${i}].address`);
    if (seen.has(account)) throw new InvalidArgumentError("custodians", "distinct accounts");
    seen.add(account);
    if (!Number.isInteger(custodian.version) || custodian.version < 1 || custodian.version > MAX_KEY_VERSION) {
      throw new InvalidArgumentError(`custodians[${i}].version`, "a published key version (>= 1)");
    }
    return {
      address: account,
      version: custodian.version,
      publicKey: bytesOfLength(custodian.publicKey, X25519_KEY_LENGTH, `custodians[${i}].publicKey`),
    };
  });
  const plainShares = await split(key, checked.length, threshold);
  try {
    const shares = await Promise.all(
      checked.map(async (custodian, index): Promise<CustodianShare> => ({
        custodian: custodian.address,
        keyVersion: custodian.version,
        index,
        sealed: await hpkeSeal(
          custodian.publicKey,
          plainShares[index],
          SHARE_SEAL_INFO,
          shareAad(binding, custodian.address, index, threshold, checked.length),
        ),
        digest: shareDigest(plainShares[index]),
      })),
    );
    return { threshold, shares };
  } finally {
    for (const share of plainShares) share.fill(0);
    key.fill(0);
  }
}

/**
 * Rebuilds the data key from at least `threshold` plain shares. The caller has checked each
 * share against its digest: combining fewer or wrong shares yields a wrong key, not an error.
 */
export async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  if (shares.length < MIN_THRESHOLD || shares.some((share) => share.length !== SHARE_LENGTH)) {
    throw new InvalidArgumentError("shares", `at least ${MIN_THRESHOLD} shares of ${SHARE_LENGTH} bytes`);
  }
  // The library checks `constructor === Uint8Array`: hand it plain copies, never Buffers.
  return combine(shares.map((share) => Uint8Array.from(share)));
}

/**
 * The bundle's binary form (version 1), all integers big-endian:
 *
 *   magic "CLSB" (4) | version 0x01 (1) | threshold (1) | n (1) |
 *   n x [ custodian (20) | keyVersion (4) | index (1) | digest (32) | sealed share (81) ]
 */
export function encodeShareBundle(bundle: ShareBundle): Uint8Array {
  checkBundle(bundle);
  const out = new Uint8Array(HEADER_LENGTH + bundle.shares.length * ENTRY_LENGTH);
  out.set(SHARE_BUNDLE_MAGIC, 0);
  out[4] = SHARE_BUNDLE_VERSION;
  out[5] = bundle.threshold;
  out[6] = bundle.shares.length;
  const view = new DataView(out.buffer);
  bundle.shares.forEach((share, i) => {
    const at = HEADER_LENGTH + i * ENTRY_LENGTH;
    out.set(fromHex(getAddress(share.custodian), "custodian"), at);
    view.setUint32(at + 20, share.keyVersion);
    out[at + 24] = share.index;
    out.set(share.digest, at + 25);
    out.set(share.sealed, at + 25 + DIGEST_LENGTH);
  });
  return out;
}

/**
 * Parses a bundle read from untrusted storage. Strict: wrong magic, unknown version, a policy out
 * of range, a truncated, oversized or trailing byte, an index out of order, a repeated custodian
 * or a zero key version all throw (MalformedEnvelopeError, or UnsupportedEnvelopeVersionError).
 */
export function decodeShareBundle(bytes: Uint8Array): ShareBundle {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError("bytes", "a Uint8Array");
  const malformed = (reason: "truncated" | "bad-length" | "bad-magic"): never => {
    throw new MalformedEnvelopeError("share-bundle", reason);
  };
  if (bytes.length > MAX_SHARE_BUNDLE_LENGTH) malformed("bad-length");
  if (bytes.length < HEADER_LENGTH) malformed("truncated");
  if (!SHARE_BUNDLE_MAGIC.every((byte, i) => bytes[i] === byte)) malformed("bad-magic");
  if (bytes[4] !== SHARE_BUNDLE_VERSION) {
    throw new UnsupportedEnvelopeVersionError("share-bundle", bytes[4], [SHARE_BUNDLE_VERSION]);
  }
  const threshold = bytes[5];
  const count = bytes[6];
  if (threshold < MIN_THRESHOLD || count < threshold || count > MAX_SHARES) malformed("bad-length");
  const expected = HEADER_LENGTH + count * ENTRY_LENGTH;
  if (bytes.length < expected) malformed("truncated");
  if (bytes.length > expected) malformed("bad-length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seen = new Set<string>();
  const shares: CustodianShare[] = [];
  for (let i = 0; i < count; i++) {
    const at = HEADER_LENGTH + i * ENTRY_LENGTH;
    const custodian = getAddress(toHex(bytes.subarray(at, at + 20)));
    const keyVersion = view.getUint32(at + 20);
    const index = bytes[at + 24];
    if (keyVersion === 0 || index !== i || seen.has(custodian)) malformed("bad-length");
    seen.add(custodian);
    shares.push({
      custodian,
      keyVersion,
      index,
      digest: bytes.slice(at + 25, at + 25 + DIGEST_LENGTH),
      sealed: bytes.slice(at + 25 + DIGEST_LENGTH, at + ENTRY_LENGTH),
    });
  }
  return { threshold, shares };
}

function checkBundle(bundle: ShareBundle): void {
  if (typeof bundle !== "object" || bundle === null || !Array.isArray(bundle.shares)) {
    throw new InvalidArgumentError("bundle", "a ShareBundle");
  }
  checkPolicy(bundle.threshold, bundle.shares.length);
  const seen = new Set<string>();
  bundle.shares.forEach((share, i) => {
    const custodian = address(share.custodian, `bundle.shares[${i}].custodian`);
    if (seen.has(custodian)) throw new InvalidArgumentError("bundle.shares", "distinct custodians");
    seen.add(custodian);
    if (share.index !== i) throw new InvalidArgumentError(`bundle.shares[${i}].index`, `${i}`);
    if (!Number.isInteger(share.keyVersion) || share.keyVersion < 1 || share.keyVersion > MAX_KEY_VERSION) {
      throw new InvalidArgumentError(`bundle.shares[${i}].keyVersion`, "a key version from 1 to 2^32 - 1");
    }
    bytesOfLength(share.digest, DIGEST_LENGTH, `bundle.shares[${i}].digest`);
    bytesOfLength(share.sealed, SEALED_SHARE_LENGTH, `bundle.shares[${i}].sealed`);
  });
}

function checkPolicy(threshold: number, shareCount: number): void {
  if (!Number.isInteger(shareCount) || shareCount < MIN_THRESHOLD || shareCount > MAX_SHARES) {
    throw new InvalidArgumentError("custodians", `from ${MIN_THRESHOLD} to ${MAX_SHARES} custodians`);
  }
  if (!Number.isInteger(threshold) || threshold < MIN_THRESHOLD || threshold > shareCount) {
    throw new InvalidArgumentError("threshold", `an integer from ${MIN_THRESHOLD} to the number of custodians`);
  }
}

const address = addressArgument;
