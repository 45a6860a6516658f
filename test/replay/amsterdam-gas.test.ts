import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { deriveAmsterdamGasOf, type GasDerivation } from "../../replay/gas/amsterdam/index.js";

const { ethers, networkHelpers } = await network.create();

/**
 * The hand computation: the constants written out here, not imported, so a change to rules.ts has
 * to be made again here on purpose. Sources are named in replay/gas/amsterdam/rules.ts.
 */
const HAND = {
  osakaBase: 21_000,
  amsterdamBase: 12_000, // EIP-2780
  osakaNewSlot: 20_000, // SSTORE 0 -> x, warm part
  osakaSlotChange: 2_900, // SSTORE x -> y, warm part
  amsterdamSlotWrite: 10_000, // EIP-8038 STORAGE_WRITE
  newSlotState: 64 * 1_530, // EIP-8037: 64 state bytes x CPSB 1,530 = 97,920
  coldAccountDelta: 3_000 - 2_600, // EIP-8038 COLD_ACCOUNT_ACCESS
  clearRefund: ((10_000 + 2_100) * 4_800) / 5_000, // EIP-8038: 11,616
  floorPerByte: 64, // EIP-7976
} as const;

async function fixture() {
  const shapes = await ethers.deployContract("TestGasShapes");
  const other = await ethers.deployContract("TestGasShapes");
  return { shapes, other };
}

/** Sends, mines, and returns the receipt's gasUsed with the derivation of the same transaction. */
async function derive(
  sent: Promise<ContractTransactionResponse>,
): Promise<{ gasUsed: number; derivation: GasDerivation }> {
  const receipt = (await (await sent).wait())!;
  return { gasUsed: Number(receipt.gasUsed), derivation: await deriveAmsterdamGasOf(ethers.provider, receipt.hash) };
}

describe("Amsterdam gas derived from an Osaka trace", function () {
  let shapes: Awaited<ReturnType<typeof fixture>>["shapes"];
  let other: Awaited<ReturnType<typeof fixture>>["other"];

  beforeEach(async function () {
    ({ shapes, other } = await networkHelpers.loadFixture(fixture));
  });

  describe("a write to a new slot", function () {
    it("moves 20,000 of Osaka's SSTORE to 10,000 regular gas plus 97,920 state gas, and lowers the base", async function () {
      const { gasUsed, derivation } = await derive(shapes.store(1, 5));
      expect(derivation.osaka.gasUsed).to.equal(gasUsed);
      expect(derivation.counts).to.deep.include({
        newSlots: 1,
        changedSlots: 0,
        clearedSlots: 0,
        coldSlots: 1,
        logs: 0,
      });
      const execution = gasUsed - HAND.osakaBase + HAND.amsterdamBase - HAND.osakaNewSlot + HAND.amsterdamSlotWrite;
      expect(derivation.amsterdam).to.deep.include({ execution, state: 97_920, refund: 0, total: execution + 97_920 });
      expect(derivation.amsterdam.notModelled).to.deep.equal([]);
      expect(await shapes.valueAt(1)).to.equal(5n);
    });
  });

  describe("a write that changes an existing slot", function () {
    it("prices the first change at 10,000 instead of 2,900 and adds no state gas", async function () {
      await (await shapes.store(1, 5)).wait();
      const { gasUsed, derivation } = await derive(shapes.store(1, 7));
      expect(derivation.counts).to.deep.include({ newSlots: 0, changedSlots: 1, coldSlots: 1 });
      const execution = gasUsed - HAND.osakaBase + HAND.amsterdamBase - HAND.osakaSlotChange + HAND.amsterdamSlotWrite;
      expect(derivation.amsterdam).to.deep.include({ execution, state: 0, total: execution });
      expect(derivation.amsterdam.notModelled).to.deep.equal([]);
    });

    it("refunds a clear at 11,616 capped at a fifth of the gas used", async function () {
      await (await shapes.store(1, 5)).wait();
      const { gasUsed, derivation } = await derive(shapes.store(1, 0));
      expect(derivation.counts).to.deep.include({ clearedSlots: 1, changedSlots: 0 });
      expect(derivation.osaka.gasUsed).to.equal(gasUsed);
      // Osaka's own calldata floor binds here (the refund takes it below), so start from gas before refunds.
      const execution =
        derivation.osaka.intrinsic +
        derivation.osaka.execution -
        HAND.osakaBase +
        HAND.amsterdamBase -
        HAND.osakaSlotChange +
        HAND.amsterdamSlotWrite;
      const refund = Math.min(HAND.clearRefund, Math.floor(execution / 5));
      expect(derivation.amsterdam).to.deep.include({ execution, state: 0, refund, total: execution - refund });
    });
  });

  describe("an event only", function () {
    it("changes only the base cost, and then the calldata floor binds", async function () {
      const { gasUsed, derivation } = await derive(shapes.emitOnly(3));
      expect(derivation.counts).to.deep.include({
        newSlots: 0,
        changedSlots: 0,
        coldSlots: 0,
        coldAccounts: 0,
        logs: 1,
      });
      const execution = gasUsed - HAND.osakaBase + HAND.amsterdamBase;
      // 36 bytes of calldata (selector + one word): 12,000 + 64 x 36 = 14,304, above the execution.
      const floor = HAND.amsterdamBase + HAND.floorPerByte * 36;
      expect(execution).to.be.below(floor);
      expect(derivation.amsterdam).to.deep.include({ execution, state: 0, calldataFloor: floor, total: floor });
      expect(derivation.amsterdam.notModelled).to.deep.equal([]);
    });
  });

  describe("a call to another contract", function () {
    it("prices the cold account at 3,000 and names the code-size read it does not price", async function () {
      const { gasUsed, derivation } = await derive(shapes.emitVia(other, 3));
      expect(derivation.counts).to.deep.include({ coldAccounts: 1, logs: 1 });
      const execution = gasUsed - HAND.osakaBase + HAND.amsterdamBase + HAND.coldAccountDelta;
      expect(derivation.amsterdam).to.deep.include({ execution, state: 0, total: execution });
      expect(derivation.amsterdam.notModelled).to.have.lengthOf(1);
      expect(derivation.amsterdam.notModelled[0]).to.match(/EXTCODESIZE/);
    });
  });

  describe("calldata nobody reads", function () {
    it("pays the EIP-7976 floor of 12,000 + 64 gas per byte", async function () {
      const payload = ethers.hexlify(new Uint8Array(1000).fill(0xff));
      const { derivation } = await derive(shapes.ignore(payload));
      // selector 4 + offset 32 + length 32 + 1,000 bytes padded to 1,024
      const calldataBytes = 4 + 32 + 32 + 1024;
      expect(derivation.counts.calldataZeroBytes + derivation.counts.calldataNonZeroBytes).to.equal(calldataBytes);
      const floor = HAND.amsterdamBase + HAND.floorPerByte * calldataBytes;
      expect(floor).to.equal(81_888);
      expect(derivation.amsterdam.execution).to.be.below(floor);
      expect(derivation.amsterdam).to.deep.include({ calldataFloor: floor, total: floor });
    });
  });
});
