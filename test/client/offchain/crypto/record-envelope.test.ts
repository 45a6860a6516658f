import { expect } from "chai";

import {
  DecryptionError,
  IntegrityError,
  InvalidArgumentError,
  MalformedEnvelopeError,
  UnsupportedEnvelopeVersionError,
} from "../../../../client/errors.js";
import {
  RECORD_ENVELOPE_HEADER_LENGTH,
  RECORD_ENVELOPE_OVERHEAD,
  computeCommitment,
  openRecord,
  sealRecord,
} from "../../../../client/crypto/index.js";
import { expectThrows } from "../helpers/expect-error.js";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const PLAINTEXT = encode('{"resourceType":"Observation","status":"final"}');
// chain id || registry || patient || record type, as a caller might lay it out.
const CONTEXT = encode(
  "31337|0x5FbDB2315678afecb367f032d93F642f64180aa3|0x70997970C51812dc3A010C7d01b50e0d17dc79C8|Observation",
);

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

    it("lays out magic, version, salt, nonce, ciphertext and tag", function () {
      const sealed = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT });
      const envelope = sealed.envelopeBytes;
      expect(Buffer.from(envelope.subarray(0, 4)).toString("latin1")).to.equal("CLRE");
      expect(envelope[4]).to.equal(1);
      expect(RECORD_ENVELOPE_HEADER_LENGTH).to.equal(61);
      expect(envelope.length).to.equal(PLAINTEXT.length + RECORD_ENVELOPE_OVERHEAD);
      expect(sealed.dataKey.length).to.equal(32);
      expect(sealed.commitment).to.match(/^0x[0-9a-f]{64}$/);
      expect(sealed.commitment).to.equal(computeCommitment(envelope));
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
    const sealed = sealRecord({ plaintext: PLAINTEXT, context: CONTEXT });
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
      ["ciphertext", RECORD_ENVELOPE_HEADER_LENGTH],
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

    it("rejects an envelope of another version and names it", function () {
      const future = sealed.envelopeBytes.slice();
      future[4] = 2;
      const error = expectThrows(open(future), UnsupportedEnvelopeVersionError);
      expect([error.format, error.found, error.supported]).to.deep.equal(["record-envelope", 2, [1]]);
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
        if (length < RECORD_ENVELOPE_OVERHEAD) {
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
