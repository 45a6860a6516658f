import { keccak_256 } from "@noble/hashes/sha3.js";

import { IntegrityError } from "../errors.js";
import type { Hex } from "./bytes.js";
import { ascii, bytesOfLength, toHex } from "./bytes.js";
import { parseRecordEnvelope } from "./envelope-format.js";

/**
 * Domain tag of record commitments, exactly 32 bytes: 0xff followed by the ASCII text
 * "CareLedger/record-commitment/v1". In Solidity:
 *   bytes32 constant COMMITMENT_DOMAIN_TAG =
 *     hex"ff436172654c65646765722f7265636f72642d636f6d6d69746d656e742f7631";
 *
 * The leading 0xff never occurs in UTF-8, so the 96-byte commitment preimage can never be
 * a canonical-JSON plaintext; keccak256 of any plaintext therefore differs from every
 * commitment unless keccak256 itself collides.
 */
export const COMMITMENT_DOMAIN_TAG: Uint8Array = Uint8Array.from([0xff, ...ascii("CareLedger/record-commitment/v1")]);

/**
 * commitment = keccak256(COMMITMENT_DOMAIN_TAG || salt || keccak256(envelopeBytes))
 *
 * where `salt` is the 32 bytes at envelope offset 5 and `envelopeBytes` is the whole
 * serialised envelope (header, ciphertext and tag). Solidity equivalent:
 *   keccak256(abi.encodePacked(COMMITMENT_DOMAIN_TAG, salt, keccak256(envelope)))
 *
 * It commits to the encrypted bytes, so anyone holding the stored envelope can audit it
 * against the chain without keys, and it reveals nothing about the plaintext: the salt is
 * fresh randomness under the writer's control, independent of the data key and nonce.
 */
export function computeCommitment(envelopeBytes: Uint8Array): Hex {
  const { salt } = parseRecordEnvelope(envelopeBytes);
  const preimage = new Uint8Array(96);
  preimage.set(COMMITMENT_DOMAIN_TAG, 0);
  preimage.set(salt, 32);
  preimage.set(keccak_256(envelopeBytes), 64);
  return toHex(keccak_256(preimage));
}

/** Throws IntegrityError unless the envelope matches the commitment anchored on-chain. */
export function verifyCommitment(envelopeBytes: Uint8Array, expected: string | Uint8Array): void {
  const expectedHex = toHex(bytesOfLength(expected, 32, "expectedCommitment"));
  const actual = computeCommitment(envelopeBytes);
  if (actual !== expectedHex.toLowerCase()) {
    throw new IntegrityError("record-commitment", expectedHex.toLowerCase(), actual);
  }
}
