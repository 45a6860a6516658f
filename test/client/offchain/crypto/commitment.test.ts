import { expect } from "chai";
import { keccak256, sha256, solidityPackedKeccak256, toUtf8Bytes } from "ethers";

import { IntegrityError, MalformedEnvelopeError } from "../../../../client/errors.js";
import {
  COMMITMENT_DOMAIN_TAG,
  computeCommitment,
  sealRecord,
  toHex,
  verifyCommitment,
} from "../../../../client/crypto/index.js";
import { canonicalize } from "../../../../client/fhir/index.js";
import { observation } from "../fhir/fixtures.js";
import { expectThrows } from "../helpers/expect-error.js";

const CONTEXT = toUtf8Bytes("31337|registry|patient|Observation");

describe("record commitments", function () {
  const plaintext = canonicalize(observation());
  const sealed = sealRecord({ plaintext, context: CONTEXT });

  it("uses the documented 32-byte domain tag", function () {
    expect(toHex(COMMITMENT_DOMAIN_TAG)).to.equal("0xff436172654c65646765722f7265636f72642d636f6d6d69746d656e742f7631");
  });

  it("equals keccak256(tag || salt || keccak256(envelope)) as Solidity's abi.encodePacked computes it", function () {
    const salt = toHex(sealed.envelopeBytes.subarray(5, 37));
    const expected = solidityPackedKeccak256(
      ["bytes32", "bytes32", "bytes32"],
      [toHex(COMMITMENT_DOMAIN_TAG), salt, keccak256(sealed.envelopeBytes)],
    );
    expect(computeCommitment(sealed.envelopeBytes)).to.equal(expected);
    expect(sealed.commitment).to.equal(expected);
  });

  it("is computable from the stored envelope alone", function () {
    const stored = Uint8Array.from(sealed.envelopeBytes);
    expect(computeCommitment(stored)).to.equal(sealed.commitment);
  });

  it("never equals a hash of the plaintext or of the envelope", function () {
    const candidates = [
      keccak256(plaintext),
      sha256(plaintext),
      keccak256(sealed.envelopeBytes),
      sha256(sealed.envelopeBytes),
    ];
    expect(candidates).to.not.include(sealed.commitment);
  });

  it("differs between two seals of the same plaintext", function () {
    expect(sealRecord({ plaintext, context: CONTEXT }).commitment).to.not.equal(sealed.commitment);
  });

  it("changes when any byte of the envelope changes", function () {
    for (const index of [5, 36, 37, 60, 61, sealed.envelopeBytes.length - 1]) {
      const altered = sealed.envelopeBytes.slice();
      altered[index] ^= 0x80;
      expect(computeCommitment(altered), `byte ${index}`).to.not.equal(sealed.commitment);
    }
  });

  it("verifies a matching envelope and reports a mismatch with both values", function () {
    verifyCommitment(sealed.envelopeBytes, sealed.commitment);
    const altered = sealed.envelopeBytes.slice();
    altered[70] ^= 1;
    const error = expectThrows(() => verifyCommitment(altered, sealed.commitment), IntegrityError);
    expect([error.code, error.subject, error.expected, error.actual]).to.deep.equal([
      "INTEGRITY_VIOLATION",
      "record-commitment",
      sealed.commitment,
      computeCommitment(altered),
    ]);
  });

  it("refuses bytes that are not an envelope", function () {
    const error = expectThrows(() => computeCommitment(plaintext), MalformedEnvelopeError);
    expect(error.reason).to.equal("bad-magic");
  });
});
