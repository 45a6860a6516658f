import { expect } from "chai";
import { SigningKey, Wallet } from "ethers";

import {
  DecryptionError,
  InvalidArgumentError,
  InvalidPrivateKeyError,
  InvalidPublicKeyError,
  KeyUnavailableError,
  MalformedEnvelopeError,
  UnsupportedEnvelopeVersionError,
} from "../../../../client/errors.js";
import {
  WRAPPED_KEY_LENGTH,
  fromHex,
  openRecord,
  sealRecord,
  unwrapKey,
  wrapKey,
} from "../../../../client/crypto/index.js";
import { expectThrows } from "../helpers/expect-error.js";

const CONTEXT = new TextEncoder().encode("31337|registry|patient|MedicationRequest");

function account() {
  const wallet = Wallet.createRandom();
  const key = new SigningKey(wallet.privateKey);
  return {
    address: wallet.address,
    privateKey: wallet.privateKey,
    publicKey: key.publicKey,
    compressed: key.compressedPublicKey,
  };
}

describe("data key wrapping (ECIES on secp256k1)", function () {
  const pharmacy = account();
  const sealed = sealRecord({
    plaintext: new TextEncoder().encode('{"resourceType":"MedicationRequest"}'),
    context: CONTEXT,
  });
  const wrapped = wrapKey({
    recipientPublicKey: pharmacy.compressed,
    dataKey: sealed.dataKey,
    commitment: sealed.commitment,
  });

  describe("wrapKey and unwrapKey", function () {
    it("lets the recipient recover the data key and open the record", function () {
      const dataKey = unwrapKey({ privateKey: pharmacy.privateKey, wrapped, commitment: sealed.commitment });
      expect(Buffer.from(dataKey).equals(Buffer.from(sealed.dataKey))).to.equal(true);
      const plaintext = openRecord({ envelopeBytes: sealed.envelopeBytes, dataKey, context: CONTEXT });
      expect(new TextDecoder().decode(plaintext)).to.equal('{"resourceType":"MedicationRequest"}');
    });

    it("accepts uncompressed public keys and private keys as bytes", function () {
      const viaUncompressed = wrapKey({
        recipientPublicKey: fromHex(pharmacy.publicKey, "key"),
        dataKey: sealed.dataKey,
        commitment: fromHex(sealed.commitment, "commitment"),
      });
      const dataKey = unwrapKey({
        privateKey: fromHex(pharmacy.privateKey, "key"),
        wrapped: viaUncompressed,
        commitment: sealed.commitment,
      });
      expect(Buffer.from(dataKey).equals(Buffer.from(sealed.dataKey))).to.equal(true);
    });

    it("produces the documented layout with the recipient's address in clear", function () {
      expect(wrapped.length).to.equal(WRAPPED_KEY_LENGTH).and.to.equal(130);
      expect(Buffer.from(wrapped.subarray(0, 4)).toString("latin1")).to.equal("CLWK");
      expect(wrapped[4]).to.equal(1);
      expect(`0x${Buffer.from(wrapped.subarray(5, 25)).toString("hex")}`).to.equal(pharmacy.address.toLowerCase());
      expect(wrapped[25]).to.be.oneOf([0x02, 0x03]);
    });

    it("uses a fresh ephemeral key each time", function () {
      const again = wrapKey({
        recipientPublicKey: pharmacy.compressed,
        dataKey: sealed.dataKey,
        commitment: sealed.commitment,
      });
      expect(Buffer.from(again.subarray(25, 58)).equals(Buffer.from(wrapped.subarray(25, 58)))).to.equal(false);
    });

    it("checks the recipient's address when given", function () {
      const other = account();
      const error = expectThrows(
        () =>
          wrapKey({
            recipientPublicKey: other.publicKey,
            dataKey: sealed.dataKey,
            commitment: sealed.commitment,
            recipientAddress: pharmacy.address,
          }),
        InvalidPublicKeyError,
      );
      expect([error.reason, error.expectedAddress, error.actualAddress]).to.deep.equal([
        "address-mismatch",
        pharmacy.address,
        other.address,
      ]);
    });

    it("rejects an invalid recipient public key", function () {
      const error = expectThrows(
        () =>
          wrapKey({
            recipientPublicKey: `0x02${"00".repeat(31)}07`,
            dataKey: sealed.dataKey,
            commitment: sealed.commitment,
          }),
        InvalidPublicKeyError,
      );
      expect(error.reason).to.equal("not-on-curve");
    });

    it("rejects a data key or commitment of the wrong length", function () {
      const badKey = expectThrows(
        () =>
          wrapKey({
            recipientPublicKey: pharmacy.compressed,
            dataKey: new Uint8Array(31),
            commitment: sealed.commitment,
          }),
        InvalidArgumentError,
      );
      expect(badKey.argument).to.equal("dataKey");
      const badCommitment = expectThrows(
        () => wrapKey({ recipientPublicKey: pharmacy.compressed, dataKey: sealed.dataKey, commitment: "0x1234" }),
        InvalidArgumentError,
      );
      expect(badCommitment.argument).to.equal("commitment");
    });
  });

  describe("unwrapKey with hostile input", function () {
    const unwrap =
      (bytes: Uint8Array, commitment = sealed.commitment, privateKey = pharmacy.privateKey) =>
      () =>
        unwrapKey({ privateKey, wrapped: bytes, commitment });

    it("refuses another reader's key and names both accounts", function () {
      const lab = account();
      const error = expectThrows(unwrap(wrapped, sealed.commitment, lab.privateKey), KeyUnavailableError);
      expect([error.code, error.reader, error.recipient]).to.deep.equal([
        "KEY_UNAVAILABLE",
        lab.address,
        pharmacy.address,
      ]);
      expect(error.message).to.not.include(lab.address.slice(2));
    });

    it("refuses a wrapped key relabelled for another reader", function () {
      const lab = account();
      const relabelled = wrapped.slice();
      relabelled.set(fromHex(lab.address, "address"), 5);
      expectThrows(unwrap(relabelled, sealed.commitment, lab.privateKey), DecryptionError);
    });

    it("refuses the wrapped key of another record", function () {
      const other = sealRecord({ plaintext: new Uint8Array([1]), context: CONTEXT });
      const error = expectThrows(unwrap(wrapped, other.commitment), DecryptionError);
      expect(error.format).to.equal("wrapped-key");
    });

    for (const [region, index] of [
      ["nonce", 60],
      ["encrypted key", 90],
      ["tag", WRAPPED_KEY_LENGTH - 1],
    ] as const) {
      it(`refuses a flipped bit in the ${region}`, function () {
        const altered = wrapped.slice();
        altered[index] ^= 0x01;
        expectThrows(unwrap(altered), DecryptionError);
      });
    }

    it("refuses an altered ephemeral key", function () {
      const altered = wrapped.slice();
      altered[40] ^= 0x01;
      let thrown: unknown;
      try {
        unwrap(altered)();
      } catch (error) {
        thrown = error;
      }
      // A changed x-coordinate is either off the curve or a different point; never a key.
      if (thrown instanceof MalformedEnvelopeError) {
        expect(thrown.reason).to.equal("invalid-ephemeral-key");
      } else {
        expect(thrown).to.be.instanceOf(DecryptionError);
      }
    });

    it("refuses an ephemeral key that is not a curve point", function () {
      const altered = wrapped.slice();
      altered.set(fromHex(`0x02${"00".repeat(31)}07`, "k"), 25);
      const error = expectThrows(unwrap(altered), MalformedEnvelopeError);
      expect([error.format, error.reason]).to.deep.equal(["wrapped-key", "invalid-ephemeral-key"]);
    });

    it("refuses truncated and extended wrapped keys", function () {
      expect(expectThrows(unwrap(wrapped.subarray(0, 3)), MalformedEnvelopeError).reason).to.equal("truncated");
      expect(expectThrows(unwrap(wrapped.subarray(0, 129)), MalformedEnvelopeError).reason).to.equal("truncated");
      const extended = new Uint8Array(131);
      extended.set(wrapped);
      expect(expectThrows(unwrap(extended), MalformedEnvelopeError).reason).to.equal("bad-length");
    });

    it("refuses bad magic and other versions", function () {
      const magic = wrapped.slice();
      magic[0] = 0x00;
      expect(expectThrows(unwrap(magic), MalformedEnvelopeError).reason).to.equal("bad-magic");
      const version = wrapped.slice();
      version[4] = 9;
      const error = expectThrows(unwrap(version), UnsupportedEnvelopeVersionError);
      expect([error.format, error.found, error.supported]).to.deep.equal(["wrapped-key", 9, [1]]);
    });

    it("refuses a record envelope passed as a wrapped key", function () {
      expect(expectThrows(unwrap(sealed.envelopeBytes), MalformedEnvelopeError).reason).to.equal("bad-magic");
    });

    it("refuses an invalid private key", function () {
      const error = expectThrows(unwrap(wrapped, sealed.commitment, `0x${"00".repeat(32)}`), InvalidPrivateKeyError);
      expect(error.reason).to.equal("out-of-range");
    });
  });
});
