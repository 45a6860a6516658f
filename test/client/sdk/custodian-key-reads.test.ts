import { expect } from "chai";
import { randomBytes } from "ethers";
import { network } from "hardhat";

import { EncryptionKeyring } from "../../../client/key-release/encryption-keyring.js";
import { decodeShareBundle } from "../../../client/key-release/share-bundle.js";
import { PublicKeyNotRegisteredError } from "../../../client/sdk/errors.js";
import { custodianAccessFor } from "../../../client/sdk/records/custodian-access.js";
import { EncryptionKeyRegistry__factory } from "../../../typechain-types/index.js";

const { ethers, networkHelpers } = await network.create();

// How often a writer reads the custodians' keys from the chain: once per record for single writes
// (so a rotation is followed at once), once per batch for a batch (all its records are split for
// the custodians as they stand when it starts).

async function fixture() {
  const [deployer, writer, ...rest] = await ethers.getSigners();
  const custodians = rest.slice(0, 3);
  const registry = await new EncryptionKeyRegistry__factory(deployer).deploy();
  await registry.waitForDeployment();
  const keyrings = custodians.map((custodian) => EncryptionKeyring.inMemory(custodian.address));
  for (const [index, keyring] of keyrings.entries()) await keyring.publish(registry, custodians[index]);
  return { registry, writer, custodians, keyrings };
}

describe("custodian key reads when splitting record keys", function () {
  let f: Awaited<ReturnType<typeof fixture>>;
  let reads: number;

  const access = (custodians = f.custodians) =>
    custodianAccessFor({
      custodians: custodians.map((custodian, index) => ({
        address: custodian.address,
        url: `http://127.0.0.1:${9000 + index}`,
      })),
      threshold: 2,
      signer: f.writer,
      keyring: EncryptionKeyring.inMemory(f.writer.address),
      chainId: 31337n,
      consent: f.writer.address,
      keyRegistry: f.registry,
      read: async (operation, action) => {
        if (operation === "currentEncryptionKey") reads += 1;
        return action();
      },
    });
  const binding = () => ({
    chainId: 31337n,
    registry: f.registry.target as string,
    patient: f.writer.address,
    salt: randomBytes(32),
    author: f.writer.address,
  });

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
    reads = 0;
  });

  it("reads every custodian's key for each single split", async function () {
    const custodianAccess = access();
    for (let i = 0; i < 5; i++) await custodianAccess.split(randomBytes(32), binding());
    expect(reads).to.equal(5 * 3);
  });

  it("reads them once for a splitter, however many keys it splits", async function () {
    const split = await access().splitter();
    const bundles = [];
    for (let i = 0; i < 5; i++) bundles.push(decodeShareBundle(await split(randomBytes(32), binding())));
    expect(reads).to.equal(3);
    for (const bundle of bundles) {
      expect(bundle.shares.map((share) => share.custodian)).to.deep.equal(f.custodians.map((c) => c.address));
    }
  });

  it("splits with the key a custodian had when the splitter was made, and a new splitter follows a rotation", async function () {
    const before = await access().splitter();
    const rotated = EncryptionKeyring.inMemory(f.custodians[0].address);
    await rotated.publish(f.registry, f.custodians[0]);
    const after = await access().splitter();
    const versionOf = async (split: typeof before) =>
      decodeShareBundle(await split(randomBytes(32), binding())).shares[0].keyVersion;
    expect(await versionOf(before)).to.equal(1);
    expect(await versionOf(after)).to.equal(2);
  });

  it("refuses to make a splitter when a custodian has published no key, before any key is split", async function () {
    const [, , , , , unpublished] = await ethers.getSigners();
    const error = await access([...f.custodians.slice(0, 2), unpublished])
      .splitter()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).to.be.instanceOf(PublicKeyNotRegisteredError);
  });
});
