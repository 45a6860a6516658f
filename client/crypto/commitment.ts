import { sha256 } from "@noble/hashes/sha2.js";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as createDigest } from "multiformats/hashes/digest";

import { IntegrityError, MalformedEnvelopeError } from "../errors.js";
import type { Hex } from "./bytes.js";
import { ascii, bytesOfLength, toHex } from "./bytes.js";
import { parseRecordEnvelope } from "./envelope-format.js";

/**
 * Domain tag of record commitments, exactly 32 bytes: 0xff followed by the ASCII text
 * "CareLedger/record-commitment/v2". The leading 0xff never occurs in UTF-8, so a commitment
 * preimage can never be a canonical-JSON plaintext.
 */
export const COMMITMENT_DOMAIN_TAG: Uint8Array = Uint8Array.from([0xff, ...ascii("CareLedger/record-commitment/v2")]);

/** Bytes of a commitment preimage: tag (32) || salt (32) || sha256(envelope) (32). */
export const COMMITMENT_PREIMAGE_LENGTH = 96;

/** SHA-256 multihash code, as in content refs. */
const SHA2_256_CODE = 0x12;

/**
 * commitment = sha256(COMMITMENT_DOMAIN_TAG || salt || sha256(envelopeBytes))
 *
 * where `salt` is the 32 bytes at envelope offset 5. It commits to the encrypted bytes, so anyone
 * holding the stored envelope can audit it against the chain without keys, and it reveals nothing
 * about the plaintext: the salt is fresh randomness, independent of the data key and nonce.
 *
 * SHA-256 rather than keccak256 for one reason: the preimage itself is stored as a raw IPFS block,
 * and its content address is then a function of the commitment alone (`locatorRefOf`). A reader
 * on another machine who learns a commitment from the chain fetches the preimage by that address,
 * reads the envelope's hash from it and fetches the envelope: no index, no directory, no extra
 * on-chain field.
 */
export function computeCommitment(envelopeBytes: Uint8Array): Hex {
  return toHex(sha256(commitmentPreimage(envelopeBytes)));
}

/** The 96-byte preimage of an envelope's commitment. */
export function commitmentPreimage(envelopeBytes: Uint8Array): Uint8Array {
  const { salt } = parseRecordEnvelope(envelopeBytes);
  return preimageOf(salt, sha256(envelopeBytes));
}

/** The preimage of the commitment of an envelope with this salt and sha256 hash. */
export function preimageOf(salt: Uint8Array, envelopeHash: Uint8Array): Uint8Array {
  const preimage = new Uint8Array(COMMITMENT_PREIMAGE_LENGTH);
  preimage.set(COMMITMENT_DOMAIN_TAG, 0);
  preimage.set(bytesOfLength(salt, 32, "salt"), 32);
  preimage.set(bytesOfLength(envelopeHash, 32, "envelopeHash"), 64);
  return preimage;
}

/** The commitment of an envelope with this salt and sha256 hash (what custodians check). */
export function commitmentOf(salt: Uint8Array, envelopeHash: Uint8Array): Hex {
  return toHex(sha256(preimageOf(salt, envelopeHash)));
}

/** Splits a stored preimage into salt and envelope hash (MalformedEnvelopeError when it is not one). */
export function parseCommitmentPreimage(bytes: Uint8Array): { salt: Uint8Array; envelopeHash: Uint8Array } {
  if (!(bytes instanceof Uint8Array) || bytes.length !== COMMITMENT_PREIMAGE_LENGTH) {
    throw new MalformedEnvelopeError("record-envelope", "truncated");
  }
  if (!COMMITMENT_DOMAIN_TAG.every((byte, index) => bytes[index] === byte)) {
    throw new MalformedEnvelopeError("record-envelope", "bad-magic");
  }
  return { salt: bytes.slice(32, 64), envelopeHash: bytes.slice(64, 96) };
}

/**
 * Domain tag of record commitments, exactly 32 bytes: 0xff followed by the ASCII text
 * "CareLedger/record-authorship/v1" (RecordCommitments.AUTHORSHIP_TAG on-chain). It differs from
 * COMMITMENT_DOMAIN_TAG, so a bound preimage never parses as a content preimage or the reverse.
 */
export const AUTHORSHIP_DOMAIN_TAG: Uint8Array = Uint8Array.from([0xff, ...ascii("CareLedger/record-authorship/v1")]);

/** Bytes of a record commitment's (bound) preimage: tag (32) || author left-padded (32) || content commitment (32). */
export const BOUND_PREIMAGE_LENGTH = 96;

/**
 * The 96-byte preimage of a record commitment: it names the author and the content commitment. It is
 * stored as a raw block at `locatorRefOf(recordCommitment)`, so a reader who learns the record
 * commitment from the chain finds the content commitment (and from it the envelope) with no index.
 */
export function boundPreimageOf(author: string, contentCommitment: string | Uint8Array): Uint8Array {
  const preimage = new Uint8Array(BOUND_PREIMAGE_LENGTH);
  preimage.set(AUTHORSHIP_DOMAIN_TAG, 0);
  preimage.set(bytesOfLength(author, 20, "author"), 44);
  preimage.set(bytesOfLength(contentCommitment, 32, "contentCommitment"), 64);
  return preimage;
}

/**
 * recordCommitment = sha256(AUTHORSHIP_DOMAIN_TAG || bytes32(author) || contentCommitment)
 *
 * The name the registry gives `author`'s anchoring of `contentCommitment`
 * (IRecordRegistry.recordCommitmentOf): whoever else anchors the same content commitment gets
 * another record. Batches are named the same way, with the Merkle root as the content commitment.
 */
export function recordCommitmentOf(author: string, contentCommitment: string | Uint8Array): Hex {
  return toHex(sha256(boundPreimageOf(author, contentCommitment)));
}

/**
 * Splits a stored bound preimage into the author (lower-case hex) and the content commitment
 * (MalformedEnvelopeError when it is not one). Callers compare the author with the chain's.
 */
export function parseBoundPreimage(bytes: Uint8Array): { author: Hex; contentCommitment: Hex } {
  if (!(bytes instanceof Uint8Array) || bytes.length !== BOUND_PREIMAGE_LENGTH) {
    throw new MalformedEnvelopeError("record-envelope", "truncated");
  }
  const tagged = AUTHORSHIP_DOMAIN_TAG.every((byte, index) => bytes[index] === byte);
  const padded = bytes.subarray(32, 44).every((byte) => byte === 0);
  if (!tagged || !padded) throw new MalformedEnvelopeError("record-envelope", "bad-magic");
  return { author: toHex(bytes.slice(44, 64)), contentCommitment: toHex(bytes.slice(64, 96)) };
}

/**
 * Checks a fetched bound preimage against the record commitment read from the chain and the author
 * the chain names, and returns the content commitment it binds (IntegrityError otherwise).
 */
export function verifyBoundPreimage(bytes: Uint8Array, recordCommitment: string, author: string): Hex {
  const expected = toHex(bytesOfLength(recordCommitment, 32, "recordCommitment"));
  const parsed = parseBoundPreimage(bytes);
  const actual = toHex(sha256(bytes));
  if (actual !== expected) throw new IntegrityError("record-commitment", expected, actual);
  const chainAuthor = toHex(bytesOfLength(author, 20, "author"));
  if (parsed.author !== chainAuthor) throw new IntegrityError("record-author", chainAuthor, parsed.author);
  return parsed.contentCommitment;
}

/** The content address (raw CIDv1, sha2-256) of a commitment's preimage: derived from the commitment alone. */
export function locatorRefOf(commitment: string | Uint8Array): string {
  return CID.createV1(raw.code, createDigest(SHA2_256_CODE, bytesOfLength(commitment, 32, "commitment"))).toString();
}

/** The content address of an envelope whose sha256 is `envelopeHash`. */
export function envelopeRefOf(envelopeHash: Uint8Array): string {
  return CID.createV1(
    raw.code,
    createDigest(SHA2_256_CODE, bytesOfLength(envelopeHash, 32, "envelopeHash")),
  ).toString();
}

/** Throws IntegrityError unless the envelope matches the commitment anchored on-chain. */
export function verifyCommitment(envelopeBytes: Uint8Array, expected: string | Uint8Array): void {
  const expectedHex = toHex(bytesOfLength(expected, 32, "expectedCommitment"));
  const actual = computeCommitment(envelopeBytes);
  if (actual !== expectedHex.toLowerCase()) {
    throw new IntegrityError("record-commitment", expectedHex.toLowerCase(), actual);
  }
}
