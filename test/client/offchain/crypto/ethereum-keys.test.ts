import { expect } from "chai";
import { SigningKey, Wallet, computeAddress, getAddress } from "ethers";

import { InvalidArgumentError, InvalidPrivateKeyError, InvalidPublicKeyError } from "../../../../client/errors.js";
import {
  addressOfPublicKey,
  assertPublicKeyMatchesAddress,
  fromHex,
  parseAddress,
  parsePrivateKey,
  parsePublicKey,
  publicKeyOfPrivateKey,
} from "../../../../client/crypto/index.js";
import { expectThrows } from "../helpers/expect-error.js";

const SECP256K1_ORDER = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
/** Hardhat's account #0, EIP-55 checksummed. */
const HARDHAT_ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

describe("Ethereum account keys", function () {
  describe("addressOfPublicKey", function () {
    it("matches ethers for compressed and uncompressed keys, as hex or bytes", function () {
      for (let round = 0; round < 16; round++) {
        const key = new SigningKey(Wallet.createRandom().privateKey);
        const expected = computeAddress(key.publicKey);
        expect(addressOfPublicKey(key.publicKey)).to.equal(expected);
        expect(addressOfPublicKey(key.compressedPublicKey)).to.equal(expected);
        expect(addressOfPublicKey(fromHex(key.compressedPublicKey, "key"))).to.equal(expected);
      }
    });

    it("matches the well-known Hardhat account #0", function () {
      const privateKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
      expect(publicKeyOfPrivateKey(privateKey).address).to.equal(HARDHAT_ACCOUNT_0);
    });
  });

  describe("parsePublicKey with invalid keys", function () {
    const valid = new SigningKey(Wallet.createRandom().privateKey);
    const cases: ReadonlyArray<readonly [string, unknown, string]> = [
      ["an empty key", new Uint8Array(0), "encoding"],
      ["a 64-byte key without prefix", fromHex(valid.publicKey, "k").subarray(1), "encoding"],
      [
        "a compressed key with prefix 04",
        Uint8Array.from([0x04, ...fromHex(valid.compressedPublicKey, "k").subarray(1)]),
        "encoding",
      ],
      [
        "an uncompressed key with prefix 02",
        Uint8Array.from([0x02, ...fromHex(valid.publicKey, "k").subarray(1)]),
        "encoding",
      ],
      ["the point at infinity", Uint8Array.from([0x00]), "encoding"],
      ["hex without 0x", valid.publicKey.slice(2), "encoding"],
      ["hex with non-hex digits", `0x${"zz".repeat(33)}`, "encoding"],
      ["hex of odd length", `${valid.compressedPublicKey}0`, "encoding"],
      ["a number", 42, "encoding"],
      ["an x-coordinate with no curve point", `0x02${"00".repeat(31)}07`, "not-on-curve"],
      ["an x-coordinate at or above the field prime", `0x02${"ff".repeat(32)}`, "not-on-curve"],
      ["an uncompressed point off the curve", `0x04${"00".repeat(31)}01${"00".repeat(31)}01`, "not-on-curve"],
    ];
    for (const [title, input, reason] of cases) {
      it(`rejects ${title}`, function () {
        const error = expectThrows(() => parsePublicKey(input as string), InvalidPublicKeyError);
        expect([error.code, error.reason]).to.deep.equal(["INVALID_PUBLIC_KEY", reason]);
      });
    }
  });

  describe("parsePrivateKey", function () {
    it("accepts 0x-hex and bytes and returns a copy", function () {
      const wallet = Wallet.createRandom();
      const bytes = fromHex(wallet.privateKey, "k");
      const parsed = parsePrivateKey(bytes);
      parsed.fill(0);
      expect(parsePrivateKey(wallet.privateKey)).to.deep.equal(bytes);
    });

    const cases: ReadonlyArray<readonly [string, unknown, string]> = [
      ["zero", `0x${"00".repeat(32)}`, "out-of-range"],
      ["the group order", `0x${SECP256K1_ORDER}`, "out-of-range"],
      ["a value above the group order", `0x${"ff".repeat(32)}`, "out-of-range"],
      ["31 bytes", `0x${"11".repeat(31)}`, "encoding"],
      ["33 bytes", new Uint8Array(33).fill(1), "encoding"],
      ["hex without 0x", "11".repeat(32), "encoding"],
      ["a mnemonic", "test test test test test test test test test test test junk", "encoding"],
    ];
    for (const [title, input, reason] of cases) {
      it(`rejects ${title} without echoing it`, function () {
        const error = expectThrows(() => parsePrivateKey(input as string), InvalidPrivateKeyError);
        expect(error.reason).to.equal(reason);
        if (typeof input === "string") {
          expect(error.message).to.not.include(input.replace(/^0x/, "").slice(0, 16));
        }
      });
    }
  });

  describe("assertPublicKeyMatchesAddress", function () {
    const wallet = Wallet.createRandom();
    const key = new SigningKey(wallet.privateKey);

    it("accepts checksummed, lowercase and uppercase forms of the right address", function () {
      for (const address of [
        wallet.address,
        wallet.address.toLowerCase(),
        `0x${wallet.address.slice(2).toUpperCase()}`,
      ]) {
        expect(assertPublicKeyMatchesAddress(key.compressedPublicKey, address).address).to.equal(wallet.address);
      }
    });

    it("rejects a key of another account and reports both addresses", function () {
      const other = Wallet.createRandom();
      const error = expectThrows(
        () => assertPublicKeyMatchesAddress(key.publicKey, other.address),
        InvalidPublicKeyError,
      );
      expect([error.reason, error.expectedAddress, error.actualAddress]).to.deep.equal([
        "address-mismatch",
        other.address,
        wallet.address,
      ]);
      expect(error.message).to.not.include(other.address.slice(2));
    });

    it("rejects an address with a broken EIP-55 checksum", function () {
      // A fixed address with at least two letters of each case: changing the case of any one letter
      // leaves a mixed-case address (so its checksum is checked) whose checksum is wrong. A random
      // address could have a single lowercase letter, and flipping it gives a valid all-uppercase form.
      const letters = [...HARDHAT_ACCOUNT_0.slice(2)].filter((char) => /[a-fA-F]/.test(char));
      expect(letters.filter((char) => /[A-F]/.test(char)).length).to.be.at.least(2);
      expect(letters.filter((char) => /[a-f]/.test(char)).length).to.be.at.least(2);
      let flips = 0;
      for (let i = 2; i < HARDHAT_ACCOUNT_0.length; i++) {
        const char = HARDHAT_ACCOUNT_0[i];
        if (!/[a-fA-F]/.test(char)) continue;
        const flipped = char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase();
        const broken = `${HARDHAT_ACCOUNT_0.slice(0, i)}${flipped}${HARDHAT_ACCOUNT_0.slice(i + 1)}`;
        expect(() => getAddress(broken), `ethers accepts ${broken}`).to.throw();
        const error = expectThrows(() => parseAddress(broken), InvalidArgumentError);
        expect(error.argument).to.equal("address");
        flips += 1;
      }
      expect(flips).to.equal(letters.length);
    });

    it("rejects malformed addresses", function () {
      for (const address of ["", "0x1234", wallet.address.slice(2), `${wallet.address}00`]) {
        expect(expectThrows(() => parseAddress(address), InvalidArgumentError).argument).to.equal("address");
      }
    });
  });
});
