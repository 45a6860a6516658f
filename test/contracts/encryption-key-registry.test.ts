import { expect } from "chai";
import { ZeroHash, hexlify } from "ethers";
import { network } from "hardhat";

import { EncryptionKeyRegistry__factory } from "../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

const KEY_1 = hexlify(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
const KEY_2 = hexlify(Uint8Array.from({ length: 32 }, (_, i) => 64 + i));

async function fixture() {
  const [deployer, alice, bob] = await ethers.getSigners();
  const registry = await new EncryptionKeyRegistry__factory(deployer).deploy();
  await registry.waitForDeployment();
  return { registry, alice, bob };
}

describe("EncryptionKeyRegistry", function () {
  let f: Awaited<ReturnType<typeof fixture>>;
  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  describe("publishEncryptionKey", function () {
    describe("for an account without a key", function () {
      it("returns version 1, emits EncryptionKeyPublished and makes it the current key", async function () {
        const { registry, alice } = f;
        expect(await registry.connect(alice).publishEncryptionKey.staticCall(KEY_1)).to.equal(1n);
        await expect(registry.connect(alice).publishEncryptionKey(KEY_1))
          .to.emit(registry, "EncryptionKeyPublished")
          .withArgs(alice.address, 1, KEY_1);
        expect(await registry.currentEncryptionKey(alice.address)).to.deep.equal([1n, KEY_1]);
        expect(await registry.encryptionKeyAt(alice.address, 1)).to.equal(KEY_1);
      });

      it("leaves every other account without a key", async function () {
        const { registry, alice, bob } = f;
        await registry.connect(alice).publishEncryptionKey(KEY_1);
        expect(await registry.currentEncryptionKey(bob.address)).to.deep.equal([0n, ZeroHash]);
      });

      it("refuses the all-zero key", async function () {
        const { registry, alice } = f;
        await expect(registry.connect(alice).publishEncryptionKey(ZeroHash)).to.be.revertedWithCustomError(
          registry,
          "EncryptionKeyRegistryZeroKey",
        );
        expect(await registry.currentEncryptionKey(alice.address)).to.deep.equal([0n, ZeroHash]);
      });
    });

    describe("for an account with a key (rotation)", function () {
      it("adds version 2 and keeps version 1 readable", async function () {
        const { registry, alice } = f;
        await registry.connect(alice).publishEncryptionKey(KEY_1);
        await expect(registry.connect(alice).publishEncryptionKey(KEY_2))
          .to.emit(registry, "EncryptionKeyPublished")
          .withArgs(alice.address, 2, KEY_2);
        expect(await registry.currentEncryptionKey(alice.address)).to.deep.equal([2n, KEY_2]);
        expect(await registry.encryptionKeyAt(alice.address, 1)).to.equal(KEY_1);
        expect(await registry.encryptionKeyAt(alice.address, 2)).to.equal(KEY_2);
      });

      it("refuses publishing the current key again", async function () {
        const { registry, alice } = f;
        await registry.connect(alice).publishEncryptionKey(KEY_1);
        await expect(registry.connect(alice).publishEncryptionKey(KEY_1))
          .to.be.revertedWithCustomError(registry, "EncryptionKeyRegistryUnchangedKey")
          .withArgs(alice.address, KEY_1);
      });

      it("accepts an earlier key back as a new version", async function () {
        const { registry, alice } = f;
        await registry.connect(alice).publishEncryptionKey(KEY_1);
        await registry.connect(alice).publishEncryptionKey(KEY_2);
        await registry.connect(alice).publishEncryptionKey(KEY_1);
        expect(await registry.currentEncryptionKey(alice.address)).to.deep.equal([3n, KEY_1]);
      });
    });

    it("only ever changes the caller's own keys: nobody can publish for another account", async function () {
      const { registry, alice, bob } = f;
      await registry.connect(alice).publishEncryptionKey(KEY_1);
      await registry.connect(bob).publishEncryptionKey(KEY_2);
      expect(await registry.currentEncryptionKey(alice.address)).to.deep.equal([1n, KEY_1]);
      expect(await registry.currentEncryptionKey(bob.address)).to.deep.equal([1n, KEY_2]);
    });
  });

  describe("encryptionKeyAt", function () {
    it("reverts with EncryptionKeyRegistryUnknownVersion for version 0 and versions never published", async function () {
      const { registry, alice } = f;
      await registry.connect(alice).publishEncryptionKey(KEY_1);
      for (const version of [0, 2, 2 ** 32 - 1]) {
        await expect(registry.encryptionKeyAt(alice.address, version))
          .to.be.revertedWithCustomError(registry, "EncryptionKeyRegistryUnknownVersion")
          .withArgs(alice.address, version);
      }
    });

    it("rejects a version that does not fit uint32 before any call", async function () {
      const { registry, alice } = f;
      let thrown = false;
      try {
        await registry.encryptionKeyAt(alice.address, 2n ** 32n);
      } catch {
        thrown = true;
      }
      expect(thrown).to.equal(true);
    });
  });
});
