import { expect } from "chai";

import {
  DecryptionError,
  IntegrityError,
  InvalidArgumentError,
  MalformedEnvelopeError,
  UnsupportedEnvelopeVersionError,
} from "../../../../client/errors.js";
import {
  MAX_KEY_SECTION_LENGTH,
  RECORD_ENVELOPE_HEADER_LENGTH,
  RECORD_ENVELOPE_OVERHEAD,
  computeCommitment,
  openRecord,
  parseRecordEnvelope,
  sealRecord,
} from "../../../../client/crypto/index.js";
import { expectThrows } from "../helpers/expect-error.js";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const PLAINTEXT = encode('{"resourceType":"Observation","status":"final"}');
// chain id || registry || patient || record type, as a caller might lay it out.
const CONTEXT = encode(
  "31337|0x5FbDB2315678afecb367f032d93F642f64180aa3|0x70997970C51812dc3A010C7d01b50e0d17dc79C8|Observation",
);
/** Stands in for the SDK's key section: bytes the envelope carries, authenticated, before the ciphertext. */
const KEY_SECTION = Uint8Array.from({ length: 48 }, (_, i) => 0xa0 ^ i);

function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] ^= 0x01;
  return copy;
}

describe("record envelopes", function () {
  describe("sealRecord", function () {
    it("round-trips through openRecord", function () {
      const sealed = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT });
      const opened = openRecord({ envelopeBytes: sealed.envelopeBytes, dataKey: sealed.dataKey, context: CONTEXT });
      expect(Buffer.from(opened).equals(Buffer.from(PLAINTEXT))).to.equal(true);
    });

    it("lays out magic, version, salt, nonce, key section length, key section, ciphertext and tag", function () {
      const sealed = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT, keySection: KEY_SECTION });
      const envelope = sealed.envelopeBytes;
      expect(Buffer.from(envelope.subarray(0, 4)).toString("latin1")).to.equal("CLRE");
      expect(envelope[4]).to.equal(2);
      expect(RECORD_ENVELOPE_HEADER_LENGTH).to.equal(65);
      expect(new DataView(envelope.buffer, envelope.byteOffset).getUint32(61)).to.equal(KEY_SECTION.length);
      expect(envelope.subarray(65, 65 + KEY_SECTION.length)).to.deep.equal(KEY_SECTION);
      expect(envelope.length).to.equal(PLAINTEXT.length + KEY_SECTION.length + RECORD_ENVELOPE_OVERHEAD);
      expect(sealed.dataKey.length).to.equal(32);
      expect(sealed.commitment).to.match(/^0x[0-9a-f]{64}$/);
      expect(sealed.commitment).to.equal(computeCommitment(envelope));
      const parts = parseRecordEnvelope(envelope);
      expect(parts.keySection).to.deep.equal(KEY_SECTION);
      expect(parts.header.length).to.equal(65 + KEY_SECTION.length);
      expect(parts.sealed.length).to.equal(PLAINTEXT.length + 16);
    });

    it("uses the caller's data key and salt when given (the key section is built before the envelope)", function () {
      const dataKey = new Uint8Array(32).fill(7);
      const salt = new Uint8Array(32).fill(9);
      const sealed = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT, dataKey, salt, keySection: KEY_SECTION });
      expect(sealed.dataKey).to.deep.equal(dataKey);
      expect(sealed.envelopeBytes.subarray(5, 37)).to.deep.equal(salt);
      const opened = openRecord({ envelopeBytes: sealed.envelopeBytes, dataKey, context: CONTEXT });
      expect(Buffer.from(opened).equals(Buffer.from(PLAINTEXT))).to.equal(true);
    });

    it("refuses a key section over MAX_KEY_SECTION_LENGTH", function () {
      const error = expectThrows(
        () =>
          sealRecord({
            plaintext: PLAINTEXT,
            context: CONTEXT,
            keySection: new Uint8Array(MAX_KEY_SECTION_LENGTH + 1),
          }),
        MalformedEnvelopeError,
      );
      expect(error.reason).to.equal("bad-length");
    });

    it("does not leak the plaintext into the envelope", function () {
      const envelope = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT }).envelopeBytes;
      expect(Buffer.from(envelope).includes(Buffer.from("Observation"))).to.equal(false);
    });

    it("uses a fresh data key, salt and nonce every time", function () {
      const first = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT });
      const second = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT });
      expect(Buffer.from(first.dataKey).equals(Buffer.from(second.dataKey))).to.equal(false);
      expect(
        Buffer.from(first.envelopeBytes.subarray(5, 61)).equals(Buffer.from(second.envelopeBytes.subarray(5, 61))),
      ).to.equal(false);
      expect(first.commitment).to.not.equal(second.commitment);
    });

    it("seals an empty plaintext", function () {
      const sealed = sealRecord({ plaintext: new Uint8Array(0), context: CONTEXT });
      expect(sealed.envelopeBytes.length).to.equal(RECORD_ENVELOPE_OVERHEAD);
      expect(openRecord({ ...sealed, context: CONTEXT }).length).to.equal(0);
    });

    it("rejects an empty context", function () {
      const error = expectThrows(
        () => sealRecord({ plaintext: PLAINTEXT, context: new Uint8Array(0) }),
        InvalidArgumentError,
      );
      expect(error.argument).to.equal("context");
    });

    it("rejects a plaintext that is not bytes", function () {
      const error = expectThrows(
        () => sealRecord({ plaintext: "text" as unknown as Uint8Array, context: CONTEXT }),
        InvalidArgumentError,
      );
      expect(error.argument).to.equal("plaintext");
    });
  });

  describe("openRecord with hostile input", function () {
    const sealed = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT, keySection: KEY_SECTION });
    const ciphertextStart = RECORD_ENVELOPE_HEADER_LENGTH + KEY_SECTION.length;
    const open =
      (envelopeBytes: Uint8Array, overrides: { dataKey?: Uint8Array; context?: Uint8Array } = {}) =>
      () =>
        openRecord({
          envelopeBytes,
          dataKey: overrides.dataKey ?? sealed.dataKey,
          context: overrides.context ?? CONTEXT,
        });

    it("rejects the wrong data key", function () {
      const wrongKey = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT }).dataKey;
      const error = expectThrows(open(sealed.envelopeBytes, { dataKey: wrongKey }), DecryptionError);
      expect(error.format).to.equal("record-envelope");
    });

    it("rejects the wrong context", function () {
      const otherPatient = encode(
        "31337|0x5FbDB2315678afecb367f032d93F642f64180aa3|0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC|Observation",
      );
      expectThrows(open(sealed.envelopeBytes, { context: otherPatient }), DecryptionError);
    });

    it("rejects a context that differs only in length", function () {
      expectThrows(open(sealed.envelopeBytes, { context: CONTEXT.subarray(0, CONTEXT.length - 1) }), DecryptionError);
    });

    for (const [region, index] of [
      ["salt", 5],
      ["nonce", 40],
      ["key section", RECORD_ENVELOPE_HEADER_LENGTH + 3],
      ["ciphertext", ciphertextStart],
      ["tag", -1],
    ] as const) {
      it(`rejects an envelope with a flipped bit in the ${region}`, function () {
        const position = index < 0 ? sealed.envelopeBytes.length + index : index;
        expectThrows(open(flipped(sealed.envelopeBytes, position)), DecryptionError);
      });
    }

    it("rejects a flipped bit in the magic as malformed", function () {
      const error = expectThrows(open(flipped(sealed.envelopeBytes, 0)), MalformedEnvelopeError);
      expect([error.format, error.reason]).to.deep.equal(["record-envelope", "bad-magic"]);
    });

    it("rejects an envelope of another version, the first one included, and names it", function () {
      for (const version of [1, 3]) {
        const other = sealed.envelopeBytes.slice();
        other[4] = version;
        const error = expectThrows(open(other), UnsupportedEnvelopeVersionError);
        expect([error.format, error.found, error.supported]).to.deep.equal(["record-envelope", version, [2]]);
      }
    });

    it("rejects a key section length that runs past the end or over the limit as malformed", function () {
      for (const [length, reason] of [
        [sealed.envelopeBytes.length, "truncated"],
        [KEY_SECTION.length + PLAINTEXT.length + 1, "truncated"],
        [MAX_KEY_SECTION_LENGTH + 1, "bad-length"],
        [0xffffffff, "bad-length"],
      ] as const) {
        const altered = sealed.envelopeBytes.slice();
        new DataView(altered.buffer).setUint32(61, length);
        const error = expectThrows(open(altered), MalformedEnvelopeError);
        expect(error.reason, `length ${length}`).to.equal(reason);
      }
    });

    it("rejects every truncation", function () {
      for (let length = 0; length < sealed.envelopeBytes.length; length++) {
        const truncated = sealed.envelopeBytes.subarray(0, length);
        let thrown: unknown;
        try {
          openRecord({ envelopeBytes: truncated, dataKey: sealed.dataKey, context: CONTEXT });
        } catch (error) {
          thrown = error;
        }
        if (length < RECORD_ENVELOPE_OVERHEAD + KEY_SECTION.length) {
          expect(thrown, `length ${length}`).to.be.instanceOf(MalformedEnvelopeError);
          expect((thrown as MalformedEnvelopeError).reason).to.be.oneOf(["truncated", "bad-magic"]);
        } else {
          expect(thrown, `length ${length}`).to.be.instanceOf(DecryptionError);
        }
      }
    });

    it("rejects an envelope with bytes appended", function () {
      const extended = new Uint8Array(sealed.envelopeBytes.length + 1);
      extended.set(sealed.envelopeBytes);
      expectThrows(open(extended), DecryptionError);
    });

    it("checks an expected commitment before decrypting", function () {
      const other = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT });
      const error = expectThrows(
        () => openRecord({ ...sealed, context: CONTEXT, expectedCommitment: other.commitment }),
        IntegrityError,
      );
      expect([error.subject, error.expected, error.actual]).to.deep.equal([
        "record-commitment",
        other.commitment,
        sealed.commitment,
      ]);
    });

    it("opens when the expected commitment matches", function () {
      const opened = openRecord({ ...sealed, context: CONTEXT, expectedCommitment: sealed.commitment });
      expect(Buffer.from(opened).equals(Buffer.from(PLAINTEXT))).to.equal(true);
    });

    it("rejects a data key of the wrong length", function () {
      const error = expectThrows(open(sealed.envelopeBytes, { dataKey: new Uint8Array(16) }), InvalidArgumentError);
      expect([error.argument, error.expected]).to.deep.equal(["dataKey", "32 bytes"]);
    });

    it("does not modify the caller's data key", function () {
      const before = Buffer.from(sealed.dataKey);
      openRecord({ ...sealed, context: CONTEXT });
      expect(Buffer.from(sealed.dataKey).equals(before)).to.equal(true);
    });
  });
});
