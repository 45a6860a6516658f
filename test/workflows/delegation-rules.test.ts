import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { AccessBasis, Capability, RecordFlag } from "../../client/care-types.js";
import {
  commitmentOf,
  recordCommitmentOf,
  ConsentScope,
  DAY,
  grantIdOfRequest,
  grantRequest,
  Purpose,
  receiptOf,
  recordTypeScope,
  RecordType,
} from "../helpers/care-ledger.js";
import { deployWorkflowWorld, fundedWallet } from "../helpers/workflow-fixture.js";

const { ethers, networkHelpers } = await network.create();

const YEAR = 365 * DAY;
const RETENTION_AFTER_DEATH = 20 * YEAR;
const ALL_CAPABILITIES = Capability.ManageConsent | Capability.Erase | Capability.Read;
const EVERY_PURPOSE = [
  Purpose.Treatment,
  Purpose.Dispensing,
  Purpose.Emergency,
  Purpose.Research,
  Purpose.Payment,
  Purpose.LegalRepresentation,
  Purpose.Inheritance,
] as const;

async function fixture() {
  const world = await deployWorkflowWorld(ethers);
  const { registry, delegation, admin, doctor, patient, delegate } = world;
  const minor = await fundedWallet(ethers, admin, "minor");
  const guardian = await fundedWallet(ethers, admin, "guardian");
  const lawyer = await fundedWallet(ethers, admin, "lawyer");
  const heir = await fundedWallet(ethers, admin, "heir");
  const minorNote = commitmentOf("rules/minor-note");
  const minorOtherNote = commitmentOf("rules/minor-other-note");
  const note = commitmentOf("rules/note");
  const otherNote = commitmentOf("rules/other-note");
  const sensitiveNote = commitmentOf("rules/sensitive-note");
  for (const [owner, commitment, sensitive] of [
    [minor.address, minorNote, false],
    [minor.address, minorOtherNote, false],
    [patient.address, note, false],
    [patient.address, otherNote, false],
    [patient.address, sensitiveNote, true],
  ] as const) {
    await receiptOf(registry.connect(doctor).anchorRecord(owner, commitment, RecordType.ClinicalNote, sensitive));
  }
  // From here on the records are named by the doctor's record commitments.
  const records = Object.fromEntries(
    Object.entries({ minorNote, minorOtherNote, note, otherNote, sensitiveNote }).map(([name, content]) => [
      name,
      recordCommitmentOf(doctor.address, content),
    ]),
  ) as Record<"minorNote" | "minorOtherNote" | "note" | "otherNote" | "sensitiveNote", string>;
  const start = await networkHelpers.time.latest();
  const minorUntil = start + 5 * YEAR;
  await receiptOf(delegation.connect(patient).appointDelegate(delegate.address, ALL_CAPABILITIES, start + 50 * YEAR));
  await receiptOf(delegation.connect(patient).designateHeir(heir.address));
  return {
    ...world,
    minor,
    guardian,
    lawyer,
    heir,
    ...records,
    minorUntil,
  };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe("Delegation rules across the contracts", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  /**
   * Records the fixture's guardian of the fixture's minor through the registrar, and has the minor's
   * account accept it (the acknowledgement that makes it effective before the veto period ends).
   */
  async function recordGuardian(): Promise<void> {
    await receiptOf(
      f.delegation.connect(f.registrar).recordGuardian(f.minor.address, f.guardian.address, f.minorUntil),
    );
    await receiptOf(f.delegation.connect(f.minor).acceptGuardian(f.guardian.address));
  }

  describe("recordGuardian", function () {
    it("is recorded by the directory's registrar and takes effect after the veto period", async function () {
      const { delegation, registrar, minor, guardian, minorUntil } = f;
      const at = (await networkHelpers.time.latest()) + 1;
      const effectiveFrom = at + 7 * DAY;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await expect(delegation.connect(registrar).recordGuardian(minor.address, guardian.address, minorUntil))
        .to.emit(delegation, "GuardianRecorded")
        .withArgs(minor.address, guardian.address, minorUntil, effectiveFrom);
      expect(await delegation.guardianshipUntil(minor.address, guardian.address)).to.equal(BigInt(minorUntil));
      expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Read)).to.equal(false);
      await networkHelpers.time.increaseTo(effectiveFrom);
      expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Read)).to.equal(true);
    });

    for (const role of ["admin", "guardian", "minor", "hospital"] as const) {
      it(`is refused to the ${role}, who is not a registrar`, async function () {
        const { delegation, minor, guardian, minorUntil } = f;
        const caller = f[role];
        await expect(delegation.connect(caller).recordGuardian(minor.address, guardian.address, minorUntil))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationNotRegistrar")
          .withArgs(caller.address);
        expect(await delegation.guardianshipUntil(minor.address, guardian.address)).to.equal(0n);
      });
    }

    it("follows the directory's registrar role as the admin grants and revokes it", async function () {
      const { delegation, directory, admin, stranger, minor, guardian, minorUntil } = f;
      const role = await directory.REGISTRAR_ROLE();
      await receiptOf(directory.connect(admin).grantRole(role, stranger.address));
      const at = (await networkHelpers.time.latest()) + 1;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await expect(delegation.connect(stranger).recordGuardian(minor.address, guardian.address, minorUntil))
        .to.emit(delegation, "GuardianRecorded")
        .withArgs(minor.address, guardian.address, minorUntil, at + 7 * DAY);
      await receiptOf(directory.connect(admin).revokeRole(role, stranger.address));
      await expect(delegation.connect(stranger).removeGuardian(minor.address, guardian.address))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationNotRegistrar")
        .withArgs(stranger.address);
      expect(await delegation.guardianshipUntil(minor.address, guardian.address)).to.equal(BigInt(minorUntil));
    });
  });

  describe("a guardian", function () {
    describe("while the minor is a minor", function () {
      beforeEach(recordGuardian);

      it("reads the minor's records as a delegate", async function () {
        const { consent, guardian, minor, minorNote } = f;
        expect(await consent.accessBasis(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Delegate),
        );
      });

      it("grants and revokes consents for the minor", async function () {
        const { consent, guardian, minor, secondDoctor, minorNote } = f;
        const now = await networkHelpers.time.latest();
        const request = grantRequest(secondDoctor.address, now, { scope: ConsentScope.Record, scopeValue: minorNote });
        const grantId = grantIdOfRequest(request);
        await expect(consent.connect(guardian).grantConsent(minor.address, request))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            minor.address,
            secondDoctor.address,
            grantId,
            ConsentScope.Record,
            minorNote,
            Purpose.Treatment,
            request.validFrom,
            request.validUntil,
          );
        expect(await consent.canAccess(secondDoctor.address, minor.address, minorNote, Purpose.Treatment)).to.equal(
          true,
        );
        await expect(consent.connect(guardian).revokeConsent(minor.address, grantId))
          .to.emit(consent, "ConsentRevoked")
          .withArgs(minor.address, secondDoctor.address, grantId);
        expect(await consent.isGrantActive(minor.address, grantId)).to.equal(false);
        expect(await consent.canAccess(secondDoctor.address, minor.address, minorNote, Purpose.Treatment)).to.equal(
          false,
        );
      });

      it("registers the minor's family doctor", async function () {
        const { relationships, guardian, minor, secondDoctor } = f;
        await expect(relationships.connect(guardian).setFamilyDoctor(minor.address, secondDoctor.address))
          .to.emit(relationships, "FamilyDoctorChanged")
          .withArgs(minor.address, secondDoctor.address);
        expect(await relationships.familyDoctorOf(minor.address)).to.equal(secondDoctor.address);
      });

      it("has no say over another patient", async function () {
        const { consent, guardian, patient, note } = f;
        expect(await consent.canAccess(guardian.address, patient.address, note, Purpose.Treatment)).to.equal(false);
        const now = await networkHelpers.time.latest();
        await expect(consent.connect(guardian).grantConsent(patient.address, grantRequest(guardian.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(guardian.address, patient.address);
      });

      it("loses every capability when the minor comes of age", async function () {
        const { consent, delegation, guardian, minor, secondDoctor, minorNote, minorUntil } = f;
        await networkHelpers.time.increaseTo(minorUntil - 1);
        expect(await consent.canAccess(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(true);
        await networkHelpers.time.increaseTo(minorUntil);
        expect(await consent.canAccess(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(false);
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.ManageConsent)).to.equal(false);
        const now = await networkHelpers.time.latest();
        await expect(consent.connect(guardian).grantConsent(minor.address, grantRequest(secondDoctor.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(guardian.address, minor.address);
      });

      it("loses every capability when the registrar removes the guardianship", async function () {
        const { consent, delegation, registrar, guardian, minor, minorNote } = f;
        await expect(delegation.connect(registrar).removeGuardian(minor.address, guardian.address))
          .to.emit(delegation, "GuardianRemoved")
          .withArgs(minor.address, guardian.address);
        expect(await delegation.guardianshipUntil(minor.address, guardian.address)).to.equal(0n);
        expect(await consent.canAccess(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(false);
      });
    });

    describe("after the minor took control", function () {
      beforeEach(async function () {
        await recordGuardian();
        const { delegation, minor } = f;
        await expect(delegation.connect(minor).setMinorControl(true))
          .to.emit(delegation, "MinorControlChanged")
          .withArgs(minor.address, true);
        expect(await delegation.isMinorSelfControlled(minor.address)).to.equal(true);
      });

      it("is refused reading, managing consents and erasing", async function () {
        const { consent, registry, guardian, minor, secondDoctor, minorNote } = f;
        expect(await consent.canAccess(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(false);
        const now = await networkHelpers.time.latest();
        await expect(consent.connect(guardian).grantConsent(minor.address, grantRequest(secondDoctor.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(guardian.address, minor.address);
        await expect(registry.connect(guardian).eraseRecord(minor.address, minorNote))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(guardian.address, minor.address);
        expect((await registry.recordOf(minor.address, minorNote)).flags).to.equal(0n);
      });

      it("acts again within what the minor appoints the guardian to do", async function () {
        const { consent, delegation, guardian, minor, secondDoctor, minorNote, minorUntil } = f;
        await expect(delegation.connect(minor).appointDelegate(guardian.address, Capability.Read, minorUntil))
          .to.emit(delegation, "DelegateAppointed")
          .withArgs(minor.address, guardian.address, Capability.Read, minorUntil);
        expect(await consent.accessBasis(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Delegate),
        );
        const now = await networkHelpers.time.latest();
        await expect(consent.connect(guardian).grantConsent(minor.address, grantRequest(secondDoctor.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(guardian.address, minor.address);
        await receiptOf(delegation.connect(minor).appointDelegate(guardian.address, ALL_CAPABILITIES, minorUntil));
        const request = grantRequest(secondDoctor.address, now);
        await expect(consent.connect(guardian).grantConsent(minor.address, request))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            minor.address,
            secondDoctor.address,
            grantIdOfRequest(request),
            ConsentScope.AllRecords,
            ZeroHash,
            Purpose.Treatment,
            request.validFrom,
            request.validUntil,
          );
      });

      it("gets the guardianship back when the minor lifts the control", async function () {
        const { consent, delegation, guardian, minor, minorNote } = f;
        await expect(delegation.connect(minor).setMinorControl(false))
          .to.emit(delegation, "MinorControlChanged")
          .withArgs(minor.address, false);
        expect(await consent.accessBasis(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Delegate),
        );
      });
    });
  });

  describe("legal representation", function () {
    it("is granted to a lawyer record by record and opens only that record for that purpose", async function () {
      const { consent, patient, lawyer, note, otherNote } = f;
      const now = await networkHelpers.time.latest();
      const request = grantRequest(lawyer.address, now, {
        scope: ConsentScope.Record,
        scopeValue: note,
        purpose: Purpose.LegalRepresentation,
      });
      const grantId = grantIdOfRequest(request);
      await expect(consent.connect(patient).grantConsent(patient.address, request))
        .to.emit(consent, "ConsentGranted")
        .withArgs(
          patient.address,
          lawyer.address,
          grantId,
          ConsentScope.Record,
          note,
          Purpose.LegalRepresentation,
          request.validFrom,
          request.validUntil,
        );
      expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
      expect(await consent.accessBasis(lawyer.address, patient.address, note, Purpose.LegalRepresentation)).to.equal(
        BigInt(AccessBasis.Consent),
      );
      expect(await consent.canAccess(lawyer.address, patient.address, otherNote, Purpose.LegalRepresentation)).to.equal(
        false,
      );
      expect(await consent.canAccess(lawyer.address, patient.address, note, Purpose.Treatment)).to.equal(false);
    });

    const general = [
      ["one record type", ConsentScope.RecordType, recordTypeScope(RecordType.ClinicalNote)],
      ["all records", ConsentScope.AllRecords, ZeroHash],
    ] as const;

    for (const [title, scope, scopeValue] of general) {
      it(`refuses a grant over ${title}`, async function () {
        const { consent, patient, lawyer } = f;
        const now = await networkHelpers.time.latest();
        const request = grantRequest(lawyer.address, now, { scope, scopeValue, purpose: Purpose.LegalRepresentation });
        await expect(consent.connect(patient).grantConsent(patient.address, request))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidScope")
          .withArgs(scope, scopeValue);
        expect((await consent.grantOf(patient.address, grantIdOfRequest(request))).grantee).to.equal(ZeroAddress);
      });
    }

    it("leaves a lawyer without a specific grant refused for every purpose", async function () {
      const { consent, patient, lawyer, note } = f;
      for (const purpose of EVERY_PURPOSE) {
        expect(await consent.canAccess(lawyer.address, patient.address, note, purpose)).to.equal(false);
      }
    });

    it("does not let a grant for another purpose stand in for legal representation", async function () {
      const { consent, patient, lawyer, note } = f;
      const now = await networkHelpers.time.latest();
      await receiptOf(consent.connect(patient).grantConsent(patient.address, grantRequest(lawyer.address, now)));
      expect(await consent.canAccess(lawyer.address, patient.address, note, Purpose.Treatment)).to.equal(true);
      expect(await consent.canAccess(lawyer.address, patient.address, note, Purpose.LegalRepresentation)).to.equal(
        false,
      );
    });
  });

  describe("recordDeath", function () {
    it("is recorded by the registrar and blocks erasure for 20 years from the death", async function () {
      const { delegation, registrar, patient } = f;
      const diedAt = (await networkHelpers.time.latest()) - 3 * DAY;
      await expect(delegation.connect(registrar).recordDeath(patient.address, diedAt))
        .to.emit(delegation, "DeathRecorded")
        .withArgs(patient.address, diedAt, registrar.address);
      expect(await delegation.diedAt(patient.address)).to.equal(BigInt(diedAt));
      expect(await delegation.erasureBlockedUntil(patient.address)).to.equal(BigInt(diedAt + RETENTION_AFTER_DEATH));
    });

    for (const role of ["admin", "heir", "delegate", "hospital"] as const) {
      it(`is refused to the ${role}, who is not a registrar`, async function () {
        const { delegation, patient } = f;
        const caller = f[role];
        const now = await networkHelpers.time.latest();
        await expect(delegation.connect(caller).recordDeath(patient.address, now))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationNotRegistrar")
          .withArgs(caller.address);
        expect(await delegation.diedAt(patient.address)).to.equal(0n);
      });
    }

    it("refuses a time of death in the future", async function () {
      const { delegation, registrar, patient } = f;
      const now = await networkHelpers.time.latest();
      await networkHelpers.time.setNextBlockTimestamp(now + 10);
      await expect(delegation.connect(registrar).recordDeath(patient.address, now + 11))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidDeathTime")
        .withArgs(now + 11);
      expect(await delegation.diedAt(patient.address)).to.equal(0n);
    });

    it("refuses a zero time of death", async function () {
      const { delegation, registrar, patient } = f;
      await expect(delegation.connect(registrar).recordDeath(patient.address, 0))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidDeathTime")
        .withArgs(0);
      expect(await delegation.diedAt(patient.address)).to.equal(0n);
    });

    it("refuses to record a death twice", async function () {
      const { delegation, registrar, patient } = f;
      await receiptOf(delegation.connect(registrar).recordDeath(patient.address, 1_000_000));
      const later = await networkHelpers.time.latest();
      await expect(delegation.connect(registrar).recordDeath(patient.address, later))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationDeceased")
        .withArgs(patient.address);
      expect(await delegation.diedAt(patient.address)).to.equal(1_000_000n);
    });
  });

  describe("after a recorded death", function () {
    let diedAt: number;

    beforeEach(async function () {
      const { delegation, registrar, patient } = f;
      diedAt = (await networkHelpers.time.latest()) - DAY;
      await receiptOf(delegation.connect(registrar).recordDeath(patient.address, diedAt));
    });

    it("ends the explicit delegate's access and capabilities", async function () {
      const { consent, registry, delegate, patient, secondDoctor, note } = f;
      expect(await consent.canAccess(delegate.address, patient.address, note, Purpose.Treatment)).to.equal(false);
      const now = await networkHelpers.time.latest();
      await expect(consent.connect(delegate).grantConsent(patient.address, grantRequest(secondDoctor.address, now)))
        .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
        .withArgs(delegate.address, patient.address);
      await expect(registry.connect(delegate).eraseRecord(patient.address, note))
        .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
        .withArgs(delegate.address, patient.address);
    });

    it("lets the designated heir read every record, sensitive ones included, as a delegate, once the contest period is over", async function () {
      const { consent, heir, patient, note, sensitiveNote } = f;
      expect(await consent.canAccess(heir.address, patient.address, note, Purpose.Inheritance)).to.equal(false);
      await networkHelpers.time.increase(7 * DAY);
      for (const commitment of [note, sensitiveNote]) {
        expect(await consent.accessBasis(heir.address, patient.address, commitment, Purpose.Inheritance)).to.equal(
          BigInt(AccessBasis.Delegate),
        );
      }
    });

    it("keeps an account that was never designated out", async function () {
      const { consent, lawyer, patient, note } = f;
      expect(await consent.canAccess(lawyer.address, patient.address, note, Purpose.Inheritance)).to.equal(false);
    });

    it("refuses the heir managing consents or sensitivity", async function () {
      const { consent, registry, relationships, heir, patient, secondDoctor, note } = f;
      const now = await networkHelpers.time.latest();
      await expect(consent.connect(heir).grantConsent(patient.address, grantRequest(secondDoctor.address, now)))
        .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
        .withArgs(heir.address, patient.address);
      await expect(registry.connect(heir).setRecordSensitivity(patient.address, note, true))
        .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
        .withArgs(heir.address, patient.address);
      await expect(relationships.connect(heir).setFamilyDoctor(patient.address, secondDoctor.address))
        .to.be.revertedWithCustomError(relationships, "CareRelationshipsPatientDeceased")
        .withArgs(patient.address);
      expect((await registry.recordOf(patient.address, note)).flags).to.equal(0n);
      expect(await relationships.familyDoctorOf(patient.address)).to.equal(ZeroAddress);
    });

    it("no longer lets the patient's own key read, grant, change sensitivity or relationships", async function () {
      const { consent, registry, relationships, patient, secondDoctor, note } = f;
      expect(await consent.accessBasis(patient.address, patient.address, note, Purpose.Treatment)).to.equal(
        BigInt(AccessBasis.None),
      );
      const now = await networkHelpers.time.latest();
      const request = grantRequest(secondDoctor.address, now);
      await expect(consent.connect(patient).grantConsent(patient.address, request))
        .to.be.revertedWithCustomError(consent, "ConsentPatientDeceased")
        .withArgs(patient.address);
      await expect(registry.connect(patient).setRecordSensitivity(patient.address, note, true))
        .to.be.revertedWithCustomError(registry, "RecordRegistryPatientDeceased")
        .withArgs(patient.address);
      await expect(relationships.connect(patient).setFamilyDoctor(patient.address, secondDoctor.address))
        .to.be.revertedWithCustomError(relationships, "CareRelationshipsPatientDeceased")
        .withArgs(patient.address);
      expect((await consent.grantOf(patient.address, grantIdOfRequest(request))).grantee).to.equal(ZeroAddress);
      expect((await registry.recordOf(patient.address, note)).flags).to.equal(0n);
    });

    it("closes what grants and relationships made in life opened", async function () {
      const { consent, relationships, delegation, registrar, otherPatient, secondDoctor, doctor } = f;
      // A second patient, alive, who shares a record and registers a family doctor, then dies.
      const sharedContent = commitmentOf("rules/shared-in-life");
      await receiptOf(
        f.registry.connect(doctor).anchorRecord(otherPatient.address, sharedContent, RecordType.ClinicalNote, false),
      );
      const shared = recordCommitmentOf(doctor.address, sharedContent);
      const now = await networkHelpers.time.latest();
      await receiptOf(
        consent
          .connect(otherPatient)
          .grantConsent(
            otherPatient.address,
            grantRequest(f.lawyer.address, now, { scope: ConsentScope.Record, scopeValue: shared }),
          ),
      );
      await receiptOf(relationships.connect(otherPatient).setFamilyDoctor(otherPatient.address, secondDoctor.address));
      expect(await consent.canAccess(f.lawyer.address, otherPatient.address, shared, Purpose.Treatment)).to.equal(true);
      expect(await consent.canAccess(secondDoctor.address, otherPatient.address, shared, Purpose.Treatment)).to.equal(
        true,
      );
      await expect(delegation.connect(registrar).recordDeath(otherPatient.address, now))
        .to.emit(delegation, "DeathRecorded")
        .withArgs(otherPatient.address, now, registrar.address);
      expect(await consent.canAccess(f.lawyer.address, otherPatient.address, shared, Purpose.Treatment)).to.equal(
        false,
      );
      expect(await consent.canAccess(secondDoctor.address, otherPatient.address, shared, Purpose.Treatment)).to.equal(
        false,
      );
      expect(await consent.accessBasis(doctor.address, otherPatient.address, shared, Purpose.Treatment)).to.equal(
        BigInt(AccessBasis.Author),
      );
    });

    it("refuses the heir erasing, during and after the retention period", async function () {
      const { registry, heir, patient, note } = f;
      await expect(registry.connect(heir).eraseRecord(patient.address, note))
        .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
        .withArgs(heir.address, patient.address);
      await networkHelpers.time.increaseTo(diedAt + RETENTION_AFTER_DEATH);
      await expect(registry.connect(heir).eraseRecord(patient.address, note))
        .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
        .withArgs(heir.address, patient.address);
      expect((await registry.recordOf(patient.address, note)).flags).to.equal(0n);
    });

    it("refuses erasure with the patient's own key until 20 years after the death", async function () {
      const { registry, delegation, patient, note } = f;
      await expect(registry.connect(patient).eraseRecord(patient.address, note))
        .to.be.revertedWithCustomError(registry, "RecordRegistryRetained")
        .withArgs(patient.address, diedAt + RETENTION_AFTER_DEATH);
      await networkHelpers.time.setNextBlockTimestamp(diedAt + RETENTION_AFTER_DEATH - 1);
      await expect(registry.connect(patient).eraseRecord(patient.address, note))
        .to.be.revertedWithCustomError(registry, "RecordRegistryRetained")
        .withArgs(patient.address, diedAt + RETENTION_AFTER_DEATH);
      expect((await registry.recordOf(patient.address, note)).flags).to.equal(0n);
      await networkHelpers.time.increaseTo(diedAt + RETENTION_AFTER_DEATH);
      expect(await delegation.erasureBlockedUntil(patient.address)).to.equal(0n);
    });

    // Reported as odd: after the retention period only the dead patient's own key can erase (heirs
    // only read), though the consent manager now treats whoever holds that key as not the patient.
    it("allows erasure with the patient's own key, and with it only, once the retention period is over", async function () {
      const { registry, consent, heir, patient, note } = f;
      await networkHelpers.time.increaseTo(diedAt + RETENTION_AFTER_DEATH);
      await expect(registry.connect(patient).eraseRecord(patient.address, note))
        .to.emit(registry, "RecordErased")
        .withArgs(patient.address, note, patient.address);
      expect((await registry.recordOf(patient.address, note)).flags).to.equal(BigInt(RecordFlag.Erased));
      expect(await consent.canAccess(heir.address, patient.address, note, Purpose.Inheritance)).to.equal(false);
    });

    it("ends a guardianship with the minor's death", async function () {
      const { consent, delegation, registrar, guardian, minor, minorNote } = f;
      await recordGuardian();
      await receiptOf(delegation.connect(registrar).recordDeath(minor.address, await networkHelpers.time.latest()));
      expect(await consent.canAccess(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(false);
      expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Read)).to.equal(false);
    });
  });
});
