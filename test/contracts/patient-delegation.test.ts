import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { Capability } from "../../client/care-types.js";
import { PatientDelegation__factory } from "../../typechain-types/index.js";
import { DAY, deployCareLedgerWorld, minedAt, structOf } from "../helpers/care-ledger.js";

const { ethers, networkHelpers } = await network.create();

const GUARDIAN_CAPABILITIES = Capability.ManageConsent | Capability.Read;
const ALL_CAPABILITIES = Capability.ManageConsent | Capability.Erase | Capability.Read;
const CAPABILITY_SETS = [
  Capability.ManageConsent,
  Capability.Erase,
  Capability.Read,
  Capability.ManageConsent | Capability.Read,
  ALL_CAPABILITIES,
] as const;
const RETENTION_AFTER_DEATH = 20 * 365 * DAY;

/** A delegation as plain values, for deep comparison with `delegationOf`. */
function delegationEntry(capabilities: number, appointedAt: number, validUntil: number): Record<string, bigint> {
  return { capabilities: BigInt(capabilities), appointedAt: BigInt(appointedAt), validUntil: BigInt(validUntil) };
}

async function fixture() {
  const world = await deployCareLedgerWorld(ethers);
  const [guardian, heir, minor] = (await ethers.getSigners()).slice(13);
  const { delegation, patient, delegate, reader } = world;
  const start = await networkHelpers.time.latest();
  const delegateUntil = start + 365 * DAY;
  const readerUntil = start + 30 * DAY;
  const delegateAppointedAt = await minedAt(
    ethers,
    delegation.connect(patient).appointDelegate(delegate.address, ALL_CAPABILITIES, delegateUntil),
  );
  await minedAt(ethers, delegation.connect(patient).appointDelegate(reader.address, Capability.Read, readerUntil));
  return {
    ...world,
    guardian,
    heir,
    minor,
    delegateUntil,
    delegateAppointedAt,
    readerUntil,
  };
}

describe("PatientDelegation", function () {
  let f: Awaited<ReturnType<typeof fixture>>;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  describe("deployment", function () {
    it("exposes the capability bits and the retention period", async function () {
      const { delegation } = f;
      expect(await delegation.CAPABILITY_MANAGE_CONSENT()).to.equal(BigInt(Capability.ManageConsent));
      expect(await delegation.CAPABILITY_ERASE()).to.equal(BigInt(Capability.Erase));
      expect(await delegation.CAPABILITY_READ()).to.equal(BigInt(Capability.Read));
      expect(await delegation.RETENTION_AFTER_DEATH()).to.equal(BigInt(RETENTION_AFTER_DEATH));
    });

    it("rejects a zero directory", async function () {
      const factory = new PatientDelegation__factory(f.admin);
      await expect(factory.deploy(ZeroAddress)).to.be.revertedWithCustomError(factory, "PatientDelegationZeroAddress");
    });
  });

  describe("appointDelegate", function () {
    describe("with valid arguments", function () {
      it("stores the delegation and announces it", async function () {
        const { delegation, patient, stranger } = f;
        const validUntil = (await networkHelpers.time.latest()) + 7 * DAY;
        const tx = delegation.connect(patient).appointDelegate(stranger.address, Capability.Erase, validUntil);
        await expect(tx)
          .to.emit(delegation, "DelegateAppointed")
          .withArgs(patient.address, stranger.address, Capability.Erase, validUntil);
        const appointedAt = await minedAt(ethers, tx);
        expect(structOf(await delegation.delegationOf(patient.address, stranger.address))).to.deep.equal(
          delegationEntry(Capability.Erase, appointedAt, validUntil),
        );
        expect(await delegation.isDelegate(patient.address, stranger.address, Capability.Erase)).to.equal(true);
      });

      for (const capabilities of CAPABILITY_SETS) {
        it(`grants exactly the capabilities ${capabilities} and no others`, async function () {
          const { delegation, patient, stranger } = f;
          const validUntil = (await networkHelpers.time.latest()) + DAY;
          await (await delegation.connect(patient).appointDelegate(stranger.address, capabilities, validUntil)).wait();
          for (const bit of [Capability.ManageConsent, Capability.Erase, Capability.Read]) {
            expect(await delegation.isDelegate(patient.address, stranger.address, bit)).to.equal(
              (capabilities & bit) !== 0,
            );
          }
          expect(await delegation.isDelegate(patient.address, stranger.address, capabilities)).to.equal(true);
        });
      }

      it("replaces an earlier delegation to the same account", async function () {
        const { delegation, patient, delegate } = f;
        const validUntil = (await networkHelpers.time.latest()) + 2 * DAY;
        const tx = delegation.connect(patient).appointDelegate(delegate.address, Capability.Read, validUntil);
        await expect(tx)
          .to.emit(delegation, "DelegateAppointed")
          .withArgs(patient.address, delegate.address, Capability.Read, validUntil);
        const appointedAt = await minedAt(ethers, tx);
        expect(structOf(await delegation.delegationOf(patient.address, delegate.address))).to.deep.equal(
          delegationEntry(Capability.Read, appointedAt, validUntil),
        );
        expect(await delegation.isDelegate(patient.address, delegate.address, Capability.Erase)).to.equal(false);
      });

      it("holds until the second before its end and not at its end", async function () {
        const { delegation, patient, reader, readerUntil } = f;
        await networkHelpers.time.increaseTo(readerUntil - 1);
        expect(await delegation.isDelegate(patient.address, reader.address, Capability.Read)).to.equal(true);
        await networkHelpers.time.increaseTo(readerUntil);
        expect(await delegation.isDelegate(patient.address, reader.address, Capability.Read)).to.equal(false);
      });

      it("is specific to the patient who appointed", async function () {
        const { delegation, otherPatient, delegate } = f;
        expect(await delegation.isDelegate(otherPatient.address, delegate.address, Capability.Read)).to.equal(false);
      });
    });

    describe("with invalid arguments", function () {
      it("rejects the zero address", async function () {
        const { delegation, patient } = f;
        const validUntil = (await networkHelpers.time.latest()) + DAY;
        await expect(
          delegation.connect(patient).appointDelegate(ZeroAddress, Capability.Read, validUntil),
        ).to.be.revertedWithCustomError(delegation, "PatientDelegationZeroAddress");
      });

      it("rejects the patient appointing themself", async function () {
        const { delegation, patient } = f;
        const validUntil = (await networkHelpers.time.latest()) + DAY;
        await expect(delegation.connect(patient).appointDelegate(patient.address, Capability.Read, validUntil))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationSelf")
          .withArgs(patient.address);
      });

      for (const capabilities of [0, 8, 0x0f, 0xff]) {
        it(`rejects the capability mask ${capabilities}`, async function () {
          const { delegation, patient, stranger } = f;
          const validUntil = (await networkHelpers.time.latest()) + DAY;
          await expect(delegation.connect(patient).appointDelegate(stranger.address, capabilities, validUntil))
            .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidCapabilities")
            .withArgs(capabilities);
        });
      }

      it("rejects an end equal to the block time", async function () {
        const { delegation, patient, stranger } = f;
        const at = (await networkHelpers.time.latest()) + 5;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(delegation.connect(patient).appointDelegate(stranger.address, Capability.Read, at))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidEnd")
          .withArgs(at, at);
      });

      it("rejects an end in the past", async function () {
        const { delegation, patient, stranger } = f;
        const at = (await networkHelpers.time.latest()) + 5;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(delegation.connect(patient).appointDelegate(stranger.address, Capability.Read, at - DAY))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidEnd")
          .withArgs(at - DAY, at);
      });
    });
  });

  describe("removeDelegate", function () {
    describe("with a delegation", function () {
      it("ends it at once", async function () {
        const { delegation, patient, delegate } = f;
        await expect(delegation.connect(patient).removeDelegate(delegate.address))
          .to.emit(delegation, "DelegateRemoved")
          .withArgs(patient.address, delegate.address);
        expect(structOf(await delegation.delegationOf(patient.address, delegate.address))).to.deep.equal(
          delegationEntry(0, 0, 0),
        );
        expect(await delegation.isDelegate(patient.address, delegate.address, Capability.Read)).to.equal(false);
      });

      it("removes a delegation that has already expired", async function () {
        const { delegation, patient, reader, readerUntil } = f;
        await networkHelpers.time.increaseTo(readerUntil + 1);
        await expect(delegation.connect(patient).removeDelegate(reader.address))
          .to.emit(delegation, "DelegateRemoved")
          .withArgs(patient.address, reader.address);
      });

      it("leaves the other delegations of the patient in place", async function () {
        const { delegation, patient, delegate, reader } = f;
        await (await delegation.connect(patient).removeDelegate(delegate.address)).wait();
        expect(await delegation.isDelegate(patient.address, reader.address, Capability.Read)).to.equal(true);
      });
    });

    describe("without a delegation", function () {
      it("rejects an account that was never appointed", async function () {
        const { delegation, patient, stranger } = f;
        await expect(delegation.connect(patient).removeDelegate(stranger.address))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationNotFound")
          .withArgs(patient.address, stranger.address);
      });

      it("rejects removing the same delegate twice", async function () {
        const { delegation, patient, delegate } = f;
        await (await delegation.connect(patient).removeDelegate(delegate.address)).wait();
        await expect(delegation.connect(patient).removeDelegate(delegate.address))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationNotFound")
          .withArgs(patient.address, delegate.address);
      });

      it("rejects a caller removing another patient's delegate", async function () {
        const { delegation, otherPatient, delegate } = f;
        await expect(delegation.connect(otherPatient).removeDelegate(delegate.address))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationNotFound")
          .withArgs(otherPatient.address, delegate.address);
      });
    });
  });

  describe("isDelegate", function () {
    it("answers false for an empty capability set", async function () {
      const { delegation, patient, delegate } = f;
      expect(await delegation.isDelegate(patient.address, delegate.address, 0)).to.equal(false);
    });

    it("answers false for the zero address", async function () {
      const { delegation, patient } = f;
      expect(await delegation.isDelegate(patient.address, ZeroAddress, Capability.Read)).to.equal(false);
    });

    it("answers false for an account never appointed", async function () {
      const { delegation, patient, stranger } = f;
      expect(await delegation.isDelegate(patient.address, stranger.address, Capability.Read)).to.equal(false);
    });
  });

  describe("recordGuardian", function () {
    describe("by the registrar", function () {
      it("makes the guardian read and manage consents (never erase) from the end of the veto period until the minor comes of age", async function () {
        const { delegation, registrar, minor, guardian } = f;
        const minorUntil = (await networkHelpers.time.latest()) + 365 * DAY;
        const at = (await networkHelpers.time.latest()) + 1;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(delegation.connect(registrar).recordGuardian(minor.address, guardian.address, minorUntil))
          .to.emit(delegation, "GuardianRecorded")
          .withArgs(minor.address, guardian.address, minorUntil, at + 7 * DAY);
        expect(await delegation.guardianshipUntil(minor.address, guardian.address)).to.equal(BigInt(minorUntil));
        expect(structOf(await delegation.guardianshipOf(minor.address, guardian.address))).to.deep.equal({
          effectiveFrom: BigInt(at + 7 * DAY),
          until: BigInt(minorUntil),
        });
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Read)).to.equal(false);
        await networkHelpers.time.increaseTo(at + 7 * DAY);
        expect(await delegation.isDelegate(minor.address, guardian.address, GUARDIAN_CAPABILITIES)).to.equal(true);
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Erase)).to.equal(false);
        await networkHelpers.time.increaseTo(minorUntil);
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Read)).to.equal(false);
      });

      it("takes effect at once when the minor accepts it", async function () {
        const { delegation, registrar, minor, guardian } = f;
        const minorUntil = (await networkHelpers.time.latest()) + 365 * DAY;
        await (await delegation.connect(registrar).recordGuardian(minor.address, guardian.address, minorUntil)).wait();
        await expect(delegation.connect(minor).acceptGuardian(guardian.address))
          .to.emit(delegation, "GuardianAccepted")
          .withArgs(minor.address, guardian.address);
        expect(await delegation.isDelegate(minor.address, guardian.address, GUARDIAN_CAPABILITIES)).to.equal(true);
      });

      it("is vetoed by the patient during the veto period, and later ones then wait for acceptance", async function () {
        const { delegation, registrar, minor, guardian, heir } = f;
        const minorUntil = (await networkHelpers.time.latest()) + 365 * DAY;
        await (await delegation.connect(registrar).recordGuardian(minor.address, guardian.address, minorUntil)).wait();
        await expect(delegation.connect(minor).vetoGuardian(guardian.address))
          .to.emit(delegation, "GuardianVetoed")
          .withArgs(minor.address, guardian.address);
        expect(await delegation.guardianshipUntil(minor.address, guardian.address)).to.equal(0n);
        expect(await delegation.hasVetoedGuardianship(minor.address)).to.equal(true);
        await expect(delegation.connect(registrar).recordGuardian(minor.address, heir.address, minorUntil))
          .to.emit(delegation, "GuardianRecorded")
          .withArgs(minor.address, heir.address, minorUntil, 2n ** 40n - 1n);
        await networkHelpers.time.increase(30 * DAY);
        expect(await delegation.isDelegate(minor.address, heir.address, Capability.Read)).to.equal(false);
        await (await delegation.connect(minor).acceptGuardian(heir.address)).wait();
        expect(await delegation.isDelegate(minor.address, heir.address, Capability.Read)).to.equal(true);
      });

      it("can no longer be vetoed once in effect", async function () {
        const { delegation, registrar, minor, guardian } = f;
        const minorUntil = (await networkHelpers.time.latest()) + 365 * DAY;
        const at = (await networkHelpers.time.latest()) + 1;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await (await delegation.connect(registrar).recordGuardian(minor.address, guardian.address, minorUntil)).wait();
        await networkHelpers.time.increaseTo(at + 7 * DAY);
        await expect(delegation.connect(minor).vetoGuardian(guardian.address))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationGuardianshipInEffect")
          .withArgs(minor.address, guardian.address, at + 7 * DAY);
      });
    });

    describe("when refused", function () {
      it("rejects an account without the directory's registrar role", async function () {
        const { delegation, admin, minor, guardian } = f;
        const minorUntil = (await networkHelpers.time.latest()) + DAY;
        await expect(delegation.connect(admin).recordGuardian(minor.address, guardian.address, minorUntil))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationNotRegistrar")
          .withArgs(admin.address);
      });

      it("rejects a zero minor or a zero guardian", async function () {
        const { delegation, registrar, minor, guardian } = f;
        const minorUntil = (await networkHelpers.time.latest()) + DAY;
        await expect(
          delegation.connect(registrar).recordGuardian(ZeroAddress, guardian.address, minorUntil),
        ).to.be.revertedWithCustomError(delegation, "PatientDelegationZeroAddress");
        await expect(
          delegation.connect(registrar).recordGuardian(minor.address, ZeroAddress, minorUntil),
        ).to.be.revertedWithCustomError(delegation, "PatientDelegationZeroAddress");
      });

      it("rejects a minor as their own guardian", async function () {
        const { delegation, registrar, minor } = f;
        const minorUntil = (await networkHelpers.time.latest()) + DAY;
        await expect(delegation.connect(registrar).recordGuardian(minor.address, minor.address, minorUntil))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationSelf")
          .withArgs(minor.address);
      });

      it("rejects a coming of age that is not in the future", async function () {
        const { delegation, registrar, minor, guardian } = f;
        const at = (await networkHelpers.time.latest()) + 5;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(delegation.connect(registrar).recordGuardian(minor.address, guardian.address, at))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidMinority")
          .withArgs(at);
      });

      it("rejects a deceased minor", async function () {
        const { delegation, registrar, minor, guardian } = f;
        const now = await networkHelpers.time.latest();
        await (await delegation.connect(registrar).recordDeath(minor.address, now)).wait();
        await expect(delegation.connect(registrar).recordGuardian(minor.address, guardian.address, now + DAY))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationDeceased")
          .withArgs(minor.address);
      });
    });
  });

  describe("removeGuardian", function () {
    it("ends a recorded guardianship", async function () {
      const { delegation, registrar, minor, guardian } = f;
      const minorUntil = (await networkHelpers.time.latest()) + 365 * DAY;
      await (await delegation.connect(registrar).recordGuardian(minor.address, guardian.address, minorUntil)).wait();
      await expect(delegation.connect(registrar).removeGuardian(minor.address, guardian.address))
        .to.emit(delegation, "GuardianRemoved")
        .withArgs(minor.address, guardian.address);
      expect(await delegation.guardianshipUntil(minor.address, guardian.address)).to.equal(0n);
      expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Read)).to.equal(false);
    });

    it("rejects an account without the directory's registrar role", async function () {
      const { delegation, stranger, minor, guardian } = f;
      await expect(delegation.connect(stranger).removeGuardian(minor.address, guardian.address))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationNotRegistrar")
        .withArgs(stranger.address);
    });

    it("rejects a guardianship that was never recorded", async function () {
      const { delegation, registrar, minor, guardian } = f;
      await expect(delegation.connect(registrar).removeGuardian(minor.address, guardian.address))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationNotGuardian")
        .withArgs(minor.address, guardian.address);
    });
  });

  describe("setMinorControl", function () {
    describe("with a guardian recorded", function () {
      let minorUntil: number;

      beforeEach(async function () {
        const { delegation, registrar, minor, guardian } = f;
        minorUntil = (await networkHelpers.time.latest()) + 365 * DAY;
        await (await delegation.connect(registrar).recordGuardian(minor.address, guardian.address, minorUntil)).wait();
        await (await delegation.connect(minor).acceptGuardian(guardian.address)).wait();
      });

      it("makes the guardian depend on the minor's own appointments", async function () {
        const { delegation, minor, guardian } = f;
        await expect(delegation.connect(minor).setMinorControl(true))
          .to.emit(delegation, "MinorControlChanged")
          .withArgs(minor.address, true);
        expect(await delegation.isMinorSelfControlled(minor.address)).to.equal(true);
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Read)).to.equal(false);
        await (await delegation.connect(minor).appointDelegate(guardian.address, Capability.Read, minorUntil)).wait();
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Read)).to.equal(true);
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Erase)).to.equal(false);
      });

      it("gives the guardianship back when the minor lifts the control", async function () {
        const { delegation, minor, guardian } = f;
        await (await delegation.connect(minor).setMinorControl(true)).wait();
        await expect(delegation.connect(minor).setMinorControl(false))
          .to.emit(delegation, "MinorControlChanged")
          .withArgs(minor.address, false);
        expect(await delegation.isMinorSelfControlled(minor.address)).to.equal(false);
        expect(await delegation.isDelegate(minor.address, guardian.address, GUARDIAN_CAPABILITIES)).to.equal(true);
      });
    });

    it("is refused to a deceased patient", async function () {
      const { delegation, registrar, minor } = f;
      await (await delegation.connect(registrar).recordDeath(minor.address, await networkHelpers.time.latest())).wait();
      await expect(delegation.connect(minor).setMinorControl(true))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationDeceased")
        .withArgs(minor.address);
    });
  });

  describe("recordDeath", function () {
    describe("by the registrar", function () {
      it("records the time of death and blocks erasure for the retention period", async function () {
        const { delegation, registrar, patient } = f;
        const diedAt = (await networkHelpers.time.latest()) - DAY;
        await expect(delegation.connect(registrar).recordDeath(patient.address, diedAt))
          .to.emit(delegation, "DeathRecorded")
          .withArgs(patient.address, diedAt, registrar.address);
        expect(await delegation.diedAt(patient.address)).to.equal(BigInt(diedAt));
        expect(await delegation.erasureBlockedUntil(patient.address)).to.equal(BigInt(diedAt + RETENTION_AFTER_DEATH));
        await networkHelpers.time.increaseTo(diedAt + RETENTION_AFTER_DEATH - 1);
        expect(await delegation.erasureBlockedUntil(patient.address)).to.equal(BigInt(diedAt + RETENTION_AFTER_DEATH));
        await networkHelpers.time.increaseTo(diedAt + RETENTION_AFTER_DEATH);
        expect(await delegation.erasureBlockedUntil(patient.address)).to.equal(0n);
      });

      it("ends every explicit delegation and leaves designated heirs only the read capability", async function () {
        const { delegation, registrar, patient, delegate, reader, heir } = f;
        await (await delegation.connect(patient).designateHeir(heir.address)).wait();
        expect(await delegation.isDelegate(patient.address, heir.address, Capability.Read)).to.equal(false);
        await (
          await delegation.connect(registrar).recordDeath(patient.address, await networkHelpers.time.latest())
        ).wait();
        expect(await delegation.isDelegate(patient.address, delegate.address, Capability.ManageConsent)).to.equal(
          false,
        );
        expect(await delegation.isDelegate(patient.address, reader.address, Capability.Read)).to.equal(false);
        // Heirs wait out the period in which the patient may contest the recording.
        expect(await delegation.isDelegate(patient.address, heir.address, Capability.Read)).to.equal(false);
        await networkHelpers.time.increase(7 * DAY);
        expect(await delegation.isDelegate(patient.address, heir.address, Capability.Read)).to.equal(true);
        expect(await delegation.isDelegate(patient.address, heir.address, Capability.Erase)).to.equal(false);
        expect(await delegation.isDelegate(patient.address, heir.address, Capability.ManageConsent)).to.equal(false);
      });

      it("is undone when the patient contests it within the contest period, once", async function () {
        const { delegation, registrar, patient, heir } = f;
        await (await delegation.connect(patient).designateHeir(heir.address)).wait();
        const at = (await networkHelpers.time.latest()) + 1;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await (await delegation.connect(registrar).recordDeath(patient.address, at - DAY)).wait();
        expect(await delegation.deathContestableUntil(patient.address)).to.equal(BigInt(at + 7 * DAY));
        await expect(delegation.connect(patient).contestDeath())
          .to.emit(delegation, "DeathContested")
          .withArgs(patient.address);
        expect(await delegation.diedAt(patient.address)).to.equal(0n);
        expect(await delegation.erasureBlockedUntil(patient.address)).to.equal(0n);
        const again = (await networkHelpers.time.latest()) + 1;
        await networkHelpers.time.setNextBlockTimestamp(again);
        await (await delegation.connect(registrar).recordDeath(patient.address, again - DAY)).wait();
        await expect(delegation.connect(patient).contestDeath())
          .to.be.revertedWithCustomError(delegation, "PatientDelegationDeathNotContestable")
          .withArgs(patient.address, 0);
        await networkHelpers.time.increase(7 * DAY);
        expect(await delegation.isDelegate(patient.address, heir.address, Capability.Read)).to.equal(true);
      });

      it("cannot be contested after the contest period", async function () {
        const { delegation, registrar, patient } = f;
        const at = (await networkHelpers.time.latest()) + 1;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await (await delegation.connect(registrar).recordDeath(patient.address, at)).wait();
        await networkHelpers.time.increaseTo(at + 7 * DAY);
        await expect(delegation.connect(patient).contestDeath())
          .to.be.revertedWithCustomError(delegation, "PatientDelegationDeathNotContestable")
          .withArgs(patient.address, at + 7 * DAY);
      });

      it("accepts a death recorded in the current second", async function () {
        const { delegation, registrar, patient } = f;
        const at = (await networkHelpers.time.latest()) + 5;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(delegation.connect(registrar).recordDeath(patient.address, at))
          .to.emit(delegation, "DeathRecorded")
          .withArgs(patient.address, at, registrar.address);
      });
    });

    describe("when refused", function () {
      it("rejects an account without the directory's registrar role", async function () {
        const { delegation, stranger, patient } = f;
        await expect(delegation.connect(stranger).recordDeath(patient.address, await networkHelpers.time.latest()))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationNotRegistrar")
          .withArgs(stranger.address);
      });

      it("rejects the zero address", async function () {
        const { delegation, registrar } = f;
        await expect(
          delegation.connect(registrar).recordDeath(ZeroAddress, await networkHelpers.time.latest()),
        ).to.be.revertedWithCustomError(delegation, "PatientDelegationZeroAddress");
      });

      it("rejects a zero time of death", async function () {
        const { delegation, registrar, patient } = f;
        await expect(delegation.connect(registrar).recordDeath(patient.address, 0))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidDeathTime")
          .withArgs(0);
      });

      it("rejects a time of death in the future", async function () {
        const { delegation, registrar, patient } = f;
        const future = (await networkHelpers.time.latest()) + DAY;
        await expect(delegation.connect(registrar).recordDeath(patient.address, future))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidDeathTime")
          .withArgs(future);
      });

      it("rejects recording a death twice", async function () {
        const { delegation, registrar, patient } = f;
        const now = await networkHelpers.time.latest();
        await (await delegation.connect(registrar).recordDeath(patient.address, now)).wait();
        await expect(delegation.connect(registrar).recordDeath(patient.address, now))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationDeceased")
          .withArgs(patient.address);
      });
    });

    describe("afterwards", function () {
      beforeEach(async function () {
        const { delegation, registrar, patient } = f;
        await (
          await delegation.connect(registrar).recordDeath(patient.address, await networkHelpers.time.latest())
        ).wait();
      });

      it("refuses new appointments by the deceased", async function () {
        const { delegation, patient, stranger } = f;
        const validUntil = (await networkHelpers.time.latest()) + DAY;
        await expect(delegation.connect(patient).appointDelegate(stranger.address, Capability.Read, validUntil))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationDeceased")
          .withArgs(patient.address);
      });

      it("refuses heir changes by the deceased", async function () {
        const { delegation, patient, heir } = f;
        await expect(delegation.connect(patient).designateHeir(heir.address))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationDeceased")
          .withArgs(patient.address);
        await expect(delegation.connect(patient).removeHeir(heir.address))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationDeceased")
          .withArgs(patient.address);
      });
    });
  });

  describe("designateHeir", function () {
    it("designates an heir", async function () {
      const { delegation, patient, heir } = f;
      await expect(delegation.connect(patient).designateHeir(heir.address))
        .to.emit(delegation, "HeirDesignated")
        .withArgs(patient.address, heir.address);
      expect(await delegation.isHeir(patient.address, heir.address)).to.equal(true);
      expect(await delegation.isHeir(f.otherPatient.address, heir.address)).to.equal(false);
    });

    it("rejects the zero address", async function () {
      const { delegation, patient } = f;
      await expect(delegation.connect(patient).designateHeir(ZeroAddress)).to.be.revertedWithCustomError(
        delegation,
        "PatientDelegationZeroAddress",
      );
    });

    it("rejects the patient as their own heir", async function () {
      const { delegation, patient } = f;
      await expect(delegation.connect(patient).designateHeir(patient.address))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationSelf")
        .withArgs(patient.address);
    });
  });

  describe("removeHeir", function () {
    it("withdraws a designation", async function () {
      const { delegation, patient, heir } = f;
      await (await delegation.connect(patient).designateHeir(heir.address)).wait();
      await expect(delegation.connect(patient).removeHeir(heir.address))
        .to.emit(delegation, "HeirRemoved")
        .withArgs(patient.address, heir.address);
      expect(await delegation.isHeir(patient.address, heir.address)).to.equal(false);
    });

    it("rejects an account that is not an heir", async function () {
      const { delegation, patient, heir } = f;
      await expect(delegation.connect(patient).removeHeir(heir.address))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationNotHeir")
        .withArgs(patient.address, heir.address);
    });
  });

  describe("lookups", function () {
    it("report the fixture's delegation as appointed", async function () {
      const { delegation, patient, delegate, delegateAppointedAt, delegateUntil } = f;
      expect(structOf(await delegation.delegationOf(patient.address, delegate.address))).to.deep.equal(
        delegationEntry(ALL_CAPABILITIES, delegateAppointedAt, delegateUntil),
      );
    });

    it("report a living patient with no guardian, no heir and nothing blocking erasure", async function () {
      const { delegation, patient, guardian, heir } = f;
      expect(await delegation.diedAt(patient.address)).to.equal(0n);
      expect(await delegation.erasureBlockedUntil(patient.address)).to.equal(0n);
      expect(await delegation.guardianshipUntil(patient.address, guardian.address)).to.equal(0n);
      expect(await delegation.isHeir(patient.address, heir.address)).to.equal(false);
      expect(await delegation.isMinorSelfControlled(patient.address)).to.equal(false);
    });
  });
});
