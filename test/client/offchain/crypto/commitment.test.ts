import { expect } from "chai";
import { keccak256, sha256, solidityPackedSha256, toUtf8Bytes } from "ethers";

import { IntegrityError, MalformedEnvelopeError } from "../../../../client/errors.js";
import {
  COMMITMENT_DOMAIN_TAG,
  COMMITMENT_PREIMAGE_LENGTH,
  RECORD_ENVELOPE_HEADER_LENGTH,
  commitmentOf,
  commitmentPreimage,
  computeCommitment,
  envelopeRefOf,
  fromHex,
  locatorRefOf,
  parseCommitmentPreimage,
  preimageOf,
  sealRecord,
  toHex,
  verifyCommitment,
} from "../../../../client/crypto/index.js";
import { canonicalize } from "../../../../client/fhir/index.js";
import { contentRefOf } from "../../../../client/storage/index.js";
import { observation } from "../fhir/fixtures.js";
import { expectThrows } from "../helpers/expect-error.js";

const CONTEXT = toUtf8Bytes("31337|registry|patient|Observation");
/** Stands in for a key section: authenticated bytes between the header and the ciphertext. */
const KEY_SECTION = Uint8Array.from({ length: 40 }, (_, i) => i + 1);

describe("record commitments", function () {
  const plaintext = canonicalize(observation());
  const sealed = sealRecord({ plaintext, context: CONTEXT, keySection: KEY_SECTION });
  const salt = sealed.envelopeBytes.subarray(5, 37);
  const envelopeHash = fromHex(sha256(sealed.envelopeBytes), "envelopeHash");

  it("uses the documented 32-byte domain tag", function () {
    expect(toHex(COMMITMENT_DOMAIN_TAG)).to.equal("0xff436172654c65646765722f7265636f72642d636f6d6d69746d656e742f7632");
  });

  it("equals sha256(tag || salt || sha256(envelope)) as Solidity's abi.encodePacked computes it", function () {
    const expected = solidityPackedSha256(
      ["bytes32", "bytes32", "bytes32"],
      [toHex(COMMITMENT_DOMAIN_TAG), toHex(salt), sha256(sealed.envelopeBytes)],
    );
    expect(computeCommitment(sealed.envelopeBytes)).to.equal(expected);
    expect(sealed.commitment).to.equal(expected);
    expect(commitmentOf(salt, envelopeHash)).to.equal(expected);
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

  it("changes when any byte of the envelope changes, the key section included", function () {
    for (const index of [
      5,
      36,
      37,
      60,
      RECORD_ENVELOPE_HEADER_LENGTH,
      RECORD_ENVELOPE_HEADER_LENGTH + KEY_SECTION.length - 1,
      RECORD_ENVELOPE_HEADER_LENGTH + KEY_SECTION.length,
      sealed.envelopeBytes.length - 1,
    ]) {
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

  describe("preimage and locator", function () {
    const preimage = commitmentPreimage(sealed.envelopeBytes);

    it("is the 96 bytes tag || salt || sha256(envelope), and hashes to the commitment", function () {
      expect(preimage.length).to.equal(COMMITMENT_PREIMAGE_LENGTH).and.to.equal(96);
      expect(toHex(preimage.subarray(0, 32))).to.equal(toHex(COMMITMENT_DOMAIN_TAG));
      expect(toHex(preimage.subarray(32, 64))).to.equal(toHex(salt));
      expect(toHex(preimage.subarray(64, 96))).to.equal(sha256(sealed.envelopeBytes));
      expect(sha256(preimage)).to.equal(sealed.commitment);
      expect(toHex(preimageOf(salt, envelopeHash))).to.equal(toHex(preimage));
    });

    it("parses back into salt and envelope hash", function () {
      const parsed = parseCommitmentPreimage(preimage);
      expect(toHex(parsed.salt)).to.equal(toHex(salt));
      expect(toHex(parsed.envelopeHash)).to.equal(toHex(envelopeHash));
    });

    it("stores the preimage under an address derived from the commitment alone", function () {
      // A reader who knows only the on-chain commitment finds the preimage, then the envelope.
      expect(locatorRefOf(sealed.commitment)).to.equal(contentRefOf(preimage));
      expect(locatorRefOf(fromHex(sealed.commitment, "commitment"))).to.equal(contentRefOf(preimage));
      expect(envelopeRefOf(parseCommitmentPreimage(preimage).envelopeHash)).to.equal(
        contentRefOf(sealed.envelopeBytes),
      );
    });

    it("refuses a preimage of the wrong length or with another tag", function () {
      for (const length of [0, 95, 97]) {
        const error = expectThrows(() => parseCommitmentPreimage(new Uint8Array(length)), MalformedEnvelopeError);
        expect(error.reason, `length ${length}`).to.equal("truncated");
      }
      const otherTag = preimage.slice();
      otherTag[31] ^= 0x01;
      const error = expectThrows(() => parseCommitmentPreimage(otherTag), MalformedEnvelopeError);
      expect(error.reason).to.equal("bad-magic");
    });
  });
});
