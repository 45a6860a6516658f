import { sha256 } from "@noble/hashes/sha2.js";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as createDigest } from "multiformats/hashes/digest";

import { IntegrityError, InvalidArgumentError } from "../errors.js";

/**
 * Address of stored bytes: a CIDv1 string, base32 (multibase prefix "b"), raw codec (0x55),
 * sha2-256 multihash (0x12, 32 bytes), e.g. "bafkrei...". Every backend produces the same
 * ref for the same bytes, and it is the CID Kubo prints for `ipfs add --raw-leaves
 * --cid-version=1` of a file that fits in one chunk (256 KiB with the default chunker).
 * Above one chunk `ipfs add` builds a UnixFS DAG with a different (dag-pb) root CID;
 * CareLedger never chunks: each envelope is stored as one raw block (see KuboStore).
 */
export type ContentRef = string;

export const SHA2_256_CODE = 0x12;
export const SHA2_256_LENGTH = 32;

export function contentRefOf(bytes: Uint8Array): ContentRef {
  return CID.createV1(raw.code, createDigest(SHA2_256_CODE, sha256(bytes))).toString();
}

/** Parses a ref, accepting only the canonical form above (InvalidArgumentError otherwise). */
export function parseContentRef(ref: ContentRef): CID {
  let cid: CID;
  try {
    cid = CID.parse(ref);
  } catch {
    throw invalidRef();
  }
  if (
    cid.version !== 1 ||
    cid.code !== raw.code ||
    cid.multihash.code !== SHA2_256_CODE ||
    cid.multihash.digest.length !== SHA2_256_LENGTH ||
    cid.toString() !== ref
  ) {
    throw invalidRef();
  }
  return cid;
}

/** The canonical ref of a CID that addresses sha2-256 content, whatever its codec or version. */
export function contentRefOfCid(cid: CID): ContentRef | undefined {
  if (cid.multihash.code !== SHA2_256_CODE || cid.multihash.digest.length !== SHA2_256_LENGTH) {
    return undefined;
  }
  return CID.createV1(raw.code, cid.multihash).toString();
}

/** Throws IntegrityError unless `bytes` hash to `ref`. */
export function verifyContent(ref: ContentRef, bytes: Uint8Array): void {
  const actual = contentRefOf(bytes);
  if (actual !== ref) {
    throw new IntegrityError("content-address", ref, actual);
  }
}

function invalidRef(): InvalidArgumentError {
  return new InvalidArgumentError("ref", "a base32 CIDv1 string with raw codec and sha2-256 multihash");
}
