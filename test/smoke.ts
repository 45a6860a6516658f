import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.create();

describe("smoke", function () {
  async function fixture() {
    const hello = await ethers.deployContract("Hello");
    return { hello };
  }
  it("deploys", async function () {
    const { hello } = await networkHelpers.loadFixture(fixture);
    expect(await hello.x()).to.equal(0n);
  });
});
