import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { expect } from "chai";
import { ZeroAddress, type AddressLike, type BaseContract, type BytesLike, type ContractRunner } from "ethers";

import type { TypedContractMethod } from "../../typechain-types/common.js";

/** What every contract built on OpenZeppelin's AccessControlDefaultAdminRules exposes. */
export interface DefaultAdminRulesContract extends BaseContract {
  DEFAULT_ADMIN_ROLE: TypedContractMethod<[], [string], "view">;
  defaultAdmin: TypedContractMethod<[], [string], "view">;
  owner: TypedContractMethod<[], [string], "view">;
  defaultAdminDelay: TypedContractMethod<[], [bigint], "view">;
  pendingDefaultAdmin: TypedContractMethod<[], [[string, bigint] & { newAdmin: string; schedule: bigint }], "view">;
  hasRole: TypedContractMethod<[role: BytesLike, account: AddressLike], [boolean], "view">;
  grantRole: TypedContractMethod<[role: BytesLike, account: AddressLike], [void], "nonpayable">;
  beginDefaultAdminTransfer: TypedContractMethod<[newAdmin: AddressLike], [void], "nonpayable">;
  cancelDefaultAdminTransfer: TypedContractMethod<[], [void], "nonpayable">;
  acceptDefaultAdminTransfer: TypedContractMethod<[], [void], "nonpayable">;
  connect(runner: ContractRunner | null): DefaultAdminRulesContract;
}

export interface AdminHandoverContext {
  contract: DefaultAdminRulesContract;
  admin: HardhatEthersSigner;
  newAdmin: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  /** The delay the contract was deployed with, in seconds. */
  delay: number;
}

/**
 * The two-step admin handover every CareLedger contract inherits: the admin proposes, the
 * proposed account waits the delay and accepts. Shared so that each contract is held to it.
 */
export function describeAdminHandover(load: () => Promise<AdminHandoverContext>, networkHelpers: NetworkHelpers): void {
  describe("two-step admin handover", function () {
    let ctx: AdminHandoverContext;

    beforeEach(async function () {
      ctx = await load();
    });

    it("starts with the deployer-chosen admin and delay", async function () {
      const { contract, admin, delay } = ctx;
      const role = await contract.DEFAULT_ADMIN_ROLE();
      expect(await contract.defaultAdmin()).to.equal(admin.address);
      expect(await contract.owner()).to.equal(admin.address);
      expect(await contract.hasRole(role, admin.address)).to.equal(true);
      expect(await contract.defaultAdminDelay()).to.equal(BigInt(delay));
      const pending = await contract.pendingDefaultAdmin();
      expect(pending.newAdmin).to.equal(ZeroAddress);
      expect(pending.schedule).to.equal(0n);
    });

    it("refuses to hand the admin role over through grantRole", async function () {
      const { contract, admin, newAdmin } = ctx;
      const role = await contract.DEFAULT_ADMIN_ROLE();
      await expect(contract.connect(admin).grantRole(role, newAdmin.address)).to.be.revertedWithCustomError(
        contract,
        "AccessControlEnforcedDefaultAdminRules",
      );
    });

    describe("beginDefaultAdminTransfer", function () {
      it("schedules the handover after the delay", async function () {
        const { contract, admin, newAdmin, delay } = ctx;
        const now = await networkHelpers.time.latest();
        await networkHelpers.time.setNextBlockTimestamp(now + 10);
        const schedule = BigInt(now + 10 + delay);
        await expect(contract.connect(admin).beginDefaultAdminTransfer(newAdmin.address))
          .to.emit(contract, "DefaultAdminTransferScheduled")
          .withArgs(newAdmin.address, schedule);
        const pending = await contract.pendingDefaultAdmin();
        expect(pending.newAdmin).to.equal(newAdmin.address);
        expect(pending.schedule).to.equal(schedule);
        expect(await contract.defaultAdmin()).to.equal(admin.address);
      });

      it("is refused to an account without the admin role", async function () {
        const { contract, stranger } = ctx;
        const role = await contract.DEFAULT_ADMIN_ROLE();
        await expect(contract.connect(stranger).beginDefaultAdminTransfer(stranger.address))
          .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, role);
      });
    });

    describe("acceptDefaultAdminTransfer", function () {
      let schedule: bigint;

      beforeEach(async function () {
        const { contract, admin, newAdmin } = ctx;
        await (await contract.connect(admin).beginDefaultAdminTransfer(newAdmin.address)).wait();
        schedule = (await contract.pendingDefaultAdmin()).schedule;
      });

      it("hands the role over once the delay has passed", async function () {
        const { contract, admin, newAdmin } = ctx;
        const role = await contract.DEFAULT_ADMIN_ROLE();
        await networkHelpers.time.increaseTo(schedule + 1n);
        await expect(contract.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.emit(contract, "RoleRevoked")
          .withArgs(role, admin.address, newAdmin.address)
          .and.to.emit(contract, "RoleGranted")
          .withArgs(role, newAdmin.address, newAdmin.address);
        expect(await contract.defaultAdmin()).to.equal(newAdmin.address);
        expect(await contract.hasRole(role, newAdmin.address)).to.equal(true);
        expect(await contract.hasRole(role, admin.address)).to.equal(false);
        expect((await contract.pendingDefaultAdmin()).newAdmin).to.equal(ZeroAddress);
      });

      it("leaves the former admin without the role", async function () {
        const { contract, admin, newAdmin } = ctx;
        const role = await contract.DEFAULT_ADMIN_ROLE();
        await networkHelpers.time.increaseTo(schedule + 1n);
        await (await contract.connect(newAdmin).acceptDefaultAdminTransfer()).wait();
        await expect(contract.connect(admin).beginDefaultAdminTransfer(admin.address))
          .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
          .withArgs(admin.address, role);
      });

      it("is refused before the delay has passed", async function () {
        const { contract, newAdmin } = ctx;
        await expect(contract.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(contract, "AccessControlEnforcedDefaultAdminDelay")
          .withArgs(schedule);
      });

      it("is refused in the very second the delay ends", async function () {
        const { contract, newAdmin } = ctx;
        await networkHelpers.time.setNextBlockTimestamp(schedule);
        await expect(contract.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(contract, "AccessControlEnforcedDefaultAdminDelay")
          .withArgs(schedule);
      });

      it("is refused to any account but the proposed one", async function () {
        const { contract, stranger } = ctx;
        await networkHelpers.time.increaseTo(schedule + 1n);
        await expect(contract.connect(stranger).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(contract, "AccessControlInvalidDefaultAdmin")
          .withArgs(stranger.address);
      });

      it("is refused after the admin cancelled the handover", async function () {
        const { contract, admin, newAdmin } = ctx;
        await expect(contract.connect(admin).cancelDefaultAdminTransfer()).to.emit(
          contract,
          "DefaultAdminTransferCanceled",
        );
        await networkHelpers.time.increaseTo(schedule + 1n);
        await expect(contract.connect(newAdmin).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(contract, "AccessControlInvalidDefaultAdmin")
          .withArgs(newAdmin.address);
        expect(await contract.defaultAdmin()).to.equal(admin.address);
      });
    });
  });
}
