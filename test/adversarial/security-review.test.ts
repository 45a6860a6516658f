/**
 * The attacks of the external security review (issue 11) against the contracts, each performed for
 * real against a deployment and shown to fail now: a typed custom error with its arguments, or no
 * access. Every attack is counted in the adversarial tally under one category per finding, so
 * `npm run test:adversarial` lists them in its summary table.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { BatchTree } from "../../client/batch-tree.js";
import { AccessBasis, Capability } from "../../client/care-types.js";
import {
  commitmentOf,
  recordCommitmentOf,
  ConsentScope,
  DAY,
  grantRequest,
  HOUR,
  Purpose,
  receiptOf,
  RecordType,
} from "../helpers/care-ledger.js";
import { deployWorkflowWorld, fundedWallet } from "../helpers/workflow-fixture.js";
import { signAdmission, signCheckIn } from "../workflows/visit-signature.js";
import { recordAttack } from "./tally.js";

const { ethers, networkHelpers } = await network.create();

const YEAR = 365 * DAY;
const VETO_PERIOD = 7 * DAY;

/**
 * Runs one attack: `refused` performs it and asserts that it failed. The attack counts as stopped
 * when every assertion held; a failed assertion counts it as not stopped and fails the test.
 */
async function attack(category: string, name: string, refused: () => Promise<void>): Promise<void> {
  try {
    await refused();
  } catch (error) {
    recordAttack(category, false, name);
    throw error;
  }
  recordAttack(category, true);
}

async function fixture() {
  const world = await deployWorkflowWorld(ethers);
  const { registry, admin, doctor, patient } = world;
  const minor = await fundedWallet(ethers, admin, "review/minor");
  const guardian = await fundedWallet(ethers, admin, "review/guardian");
  const lawyer = await fundedWallet(ethers, admin, "review/lawyer");
  const accomplice = await fundedWallet(ethers, admin, "review/accomplice");
  // Records are named by their authors' record commitments.
  const [note, sensitiveNote, minorNote] = ["review/note", "review/sensitive-note", "review/minor-note"].map((label) =>
    recordCommitmentOf(doctor.address, commitmentOf(label)),
  );
  // Written by the hospital itself, so that no doctor under test reads it as its author.
  const hospitalNote = recordCommitmentOf(world.hospital.address, commitmentOf("review/hospital-note"));
  const anchor = registry.connect(doctor);
  await receiptOf(anchor.anchorRecord(patient.address, commitmentOf("review/note"), RecordType.ClinicalNote, false));
  await receiptOf(
    anchor.anchorRecord(patient.address, commitmentOf("review/sensitive-note"), RecordType.ClinicalNote, true),
  );
  await receiptOf(
    anchor.anchorRecord(minor.address, commitmentOf("review/minor-note"), RecordType.ClinicalNote, false),
  );
  await receiptOf(
    registry
      .connect(world.hospital)
      .anchorRecord(patient.address, commitmentOf("review/hospital-note"), RecordType.ClinicalNote, false),
  );
  const start = await networkHelpers.time.latest();
  return { ...world, minor, guardian, lawyer, accomplice, note, sensitiveNote, minorNote, hospitalNote, start };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe("Security review: the review's attacks on the contracts are refused", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  /** Records `guardian` over `minor` through the registrar and has the minor's account accept it. */
  async function acceptedGuardianship(minorUntil = f.start + 5 * YEAR): Promise<void> {
    await receiptOf(f.delegation.connect(f.registrar).recordGuardian(f.minor.address, f.guardian.address, minorUntil));
    await receiptOf(f.delegation.connect(f.minor).acceptGuardian(f.guardian.address));
  }

  describe("guardian: the registrar makes itself guardian of an adult", function () {
    const CATEGORY = "guardian";

    it("refuses the registrar as anyone's guardian", async function () {
      await attack(CATEGORY, "registrar records itself as an adult's guardian", async () => {
        const { delegation, registrar, patient } = f;
        await expect(delegation.connect(registrar).recordGuardian(patient.address, registrar.address, f.start + YEAR))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationRegistrarAsGuardian")
          .withArgs(registrar.address);
      });
    });

    it("gives an accomplice the registrar records as an adult's guardian nothing during the veto period", async function () {
      await attack(CATEGORY, "registrar-recorded guardian reads and grants at once", async () => {
        const { delegation, consent, registrar, patient, accomplice, sensitiveNote } = f;
        await receiptOf(
          delegation.connect(registrar).recordGuardian(patient.address, accomplice.address, f.start + YEAR),
        );
        expect(await delegation.isDelegate(patient.address, accomplice.address, Capability.Read)).to.equal(false);
        expect(await consent.canAccess(accomplice.address, patient.address, sensitiveNote, Purpose.Treatment)).to.equal(
          false,
        );
        const now = await networkHelpers.time.latest();
        await expect(consent.connect(accomplice).grantConsent(patient.address, grantRequest(f.doctor.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(accomplice.address, patient.address);
      });
    });

    it("lets the adult veto it, after which no registrar-recorded guardianship takes effect without the adult", async function () {
      await attack(CATEGORY, "registrar re-records a vetoed guardianship and waits the veto period out", async () => {
        const { delegation, consent, registrar, patient, accomplice, guardian, sensitiveNote } = f;
        await receiptOf(
          delegation.connect(registrar).recordGuardian(patient.address, accomplice.address, f.start + YEAR),
        );
        await expect(delegation.connect(patient).vetoGuardian(accomplice.address))
          .to.emit(delegation, "GuardianVetoed")
          .withArgs(patient.address, accomplice.address);
        for (const who of [accomplice, guardian]) {
          await receiptOf(delegation.connect(registrar).recordGuardian(patient.address, who.address, f.start + YEAR));
        }
        await networkHelpers.time.increase(VETO_PERIOD + DAY);
        for (const who of [accomplice, guardian]) {
          expect(await delegation.isDelegate(patient.address, who.address, Capability.Read)).to.equal(false);
          expect(await consent.canAccess(who.address, patient.address, sensitiveNote, Purpose.Treatment)).to.equal(
            false,
          );
        }
      });
    });

    it("never gives a guardian erasure, even once in effect", async function () {
      await attack(CATEGORY, "guardian erases the minor's record", async () => {
        await acceptedGuardianship();
        const { registry, delegation, guardian, minor, minorNote } = f;
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Erase)).to.equal(false);
        await expect(registry.connect(guardian).eraseRecord(minor.address, minorNote))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(guardian.address, minor.address);
        expect((await registry.recordOf(minor.address, minorNote)).flags).to.equal(0n);
      });
    });
  });

  describe("delegate escalation: a consent-only delegate or a guardian grants itself access", function () {
    const CATEGORY = "delegate escalation";

    it("refuses a consent-only delegate (a general power of attorney) an all-records grant to itself", async function () {
      await attack(CATEGORY, "lawyer with the consent capability grants itself all records", async () => {
        const { delegation, consent, patient, lawyer, note } = f;
        await receiptOf(
          delegation.connect(patient).appointDelegate(lawyer.address, Capability.ManageConsent, f.start + YEAR),
        );
        const now = await networkHelpers.time.latest();
        await expect(consent.connect(lawyer).grantConsent(patient.address, grantRequest(lawyer.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentDelegateSelfGrant")
          .withArgs(lawyer.address, patient.address);
        expect(await consent.canAccess(lawyer.address, patient.address, note, Purpose.Treatment)).to.equal(false);
      });
    });

    it("refuses it a record-level legal-representation grant to itself too", async function () {
      await attack(CATEGORY, "lawyer grants itself one record for legal representation", async () => {
        const { delegation, consent, patient, lawyer, sensitiveNote } = f;
        await receiptOf(
          delegation.connect(patient).appointDelegate(lawyer.address, Capability.ManageConsent, f.start + YEAR),
        );
        const now = await networkHelpers.time.latest();
        const request = grantRequest(lawyer.address, now, {
          scope: ConsentScope.Record,
          scopeValue: sensitiveNote,
          purpose: Purpose.LegalRepresentation,
        });
        await expect(consent.connect(lawyer).grantConsent(patient.address, request))
          .to.be.revertedWithCustomError(consent, "ConsentDelegateSelfGrant")
          .withArgs(lawyer.address, patient.address);
        expect(
          await consent.canAccess(lawyer.address, patient.address, sensitiveNote, Purpose.LegalRepresentation),
        ).to.equal(false);
      });
    });

    it("leaves a guardian nothing once the minor takes control or comes of age (no self-grant survives)", async function () {
      await attack(CATEGORY, "guardian's self-grant outlives the minor taking control and the minority", async () => {
        const minorUntil = f.start + 2 * YEAR;
        await acceptedGuardianship(minorUntil);
        const { delegation, consent, guardian, minor, minorNote } = f;
        const now = await networkHelpers.time.latest();
        const request = grantRequest(guardian.address, now, { validUntil: now + 10 * YEAR });
        await expect(consent.connect(guardian).grantConsent(minor.address, request))
          .to.be.revertedWithCustomError(consent, "ConsentDelegateSelfGrant")
          .withArgs(guardian.address, minor.address);
        await receiptOf(delegation.connect(minor).setMinorControl(true));
        expect(await consent.canAccess(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(false);
        await receiptOf(delegation.connect(minor).setMinorControl(false));
        await networkHelpers.time.increaseTo(minorUntil);
        expect(await consent.canAccess(guardian.address, minor.address, minorNote, Purpose.Treatment)).to.equal(false);
      });
    });

    it("refuses a guardian erasing the minor's records", async function () {
      await attack(CATEGORY, "guardian erases a minor's record", async () => {
        await acceptedGuardianship();
        const { registry, consent, guardian, minor, minorNote } = f;
        await expect(registry.connect(guardian).eraseRecord(minor.address, minorNote))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(guardian.address, minor.address);
        expect(await consent.accessBasis(minor.address, minor.address, minorNote, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Patient),
        );
      });
    });
  });

  describe("sensitivity: a correction drops the patient's sensitivity flag", function () {
    const CATEGORY = "sensitivity";
    const FLAG_SENSITIVE = 1n;

    it("keeps a record the patient marked sensitive sensitive when its author corrects it with sensitive = false", async function () {
      await attack(CATEGORY, "author's amendRecord(sensitive = false) reopens a sensitive record", async () => {
        const { registry, consent, doctor, patient, reader, note } = f;
        await receiptOf(registry.connect(patient).setRecordSensitivity(patient.address, note, true));
        const now = await networkHelpers.time.latest();
        await receiptOf(consent.connect(patient).grantConsent(patient.address, grantRequest(reader.address, now)));
        const corrected = recordCommitmentOf(doctor.address, commitmentOf("review/note-v2"));
        await expect(registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("review/note-v2"), false))
          .to.emit(registry, "RecordAmended")
          .withArgs(patient.address, corrected, note, doctor.address, 2, true);
        expect((await registry.recordOf(patient.address, corrected)).flags & FLAG_SENSITIVE).to.equal(FLAG_SENSITIVE);
        expect(await consent.canAccess(reader.address, patient.address, corrected, Purpose.Treatment)).to.equal(false);
      });
    });

    it("keeps a lab result the patient marked sensitive sensitive through the lab's correction", async function () {
      await attack(CATEGORY, "lab's correctLabResult(sensitive = false) reopens a sensitive result", async () => {
        const { labOrders, registry, consent, doctor, lab, patient, reader } = f;
        const order = recordCommitmentOf(doctor.address, commitmentOf("review/order"));
        const result = recordCommitmentOf(lab.address, commitmentOf("review/result"));
        const corrected = recordCommitmentOf(lab.address, commitmentOf("review/result-v2"));
        await receiptOf(
          labOrders.connect(doctor).orderLabTest(patient.address, commitmentOf("review/order"), lab.address),
        );
        await receiptOf(
          labOrders.connect(lab).postLabResult(patient.address, order, commitmentOf("review/result"), false),
        );
        await receiptOf(registry.connect(patient).setRecordSensitivity(patient.address, result, true));
        const now = await networkHelpers.time.latest();
        const typeGrant = grantRequest(reader.address, now, {
          scope: ConsentScope.RecordType,
          scopeValue: ethers.zeroPadValue(ethers.toBeHex(RecordType.LabResult), 32),
        });
        await receiptOf(consent.connect(patient).grantConsent(patient.address, typeGrant));
        await receiptOf(
          labOrders.connect(lab).correctLabResult(patient.address, result, commitmentOf("review/result-v2"), false),
        );
        expect((await registry.recordOf(patient.address, corrected)).flags & FLAG_SENSITIVE).to.equal(FLAG_SENSITIVE);
        expect(await consent.canAccess(reader.address, patient.address, corrected, Purpose.Treatment)).to.equal(false);
      });
    });
  });

  describe("superseded prescription: the old version stays dispensable after a correction", function () {
    const CATEGORY = "superseded prescription";

    /** Issues a prescription (10 units, 1 refill) and gives the pharmacy the patient's dispensing consent. */
    async function issued(): Promise<string> {
      const { prescriptions, consent, doctor, pharmacy, patient } = f;
      const now = await networkHelpers.time.latest();
      const terms = { pharmacy: pharmacy.address, expiresAt: now + 30 * DAY, quantity: 10, refills: 1 };
      await receiptOf(
        prescriptions.connect(doctor).issuePrescription(patient.address, commitmentOf("review/rx"), terms),
      );
      const rx = recordCommitmentOf(doctor.address, commitmentOf("review/rx"));
      const dispensing = grantRequest(pharmacy.address, now, {
        scope: ConsentScope.RecordType,
        scopeValue: ethers.zeroPadValue(ethers.toBeHex(RecordType.Prescription), 32),
        purpose: Purpose.Dispensing,
      });
      await receiptOf(consent.connect(patient).grantConsent(patient.address, dispensing));
      return rx;
    }

    it("refuses the old version once the prescriber amends it; the correction carries the units dispensed", async function () {
      await attack(CATEGORY, "pharmacy dispenses the superseded version in full", async () => {
        const { prescriptions, doctor, pharmacy, patient } = f;
        const rx = await issued();
        await receiptOf(
          prescriptions.connect(pharmacy).dispensePrescription(patient.address, rx, 10, commitmentOf("d1")),
        );
        const corrected = recordCommitmentOf(doctor.address, commitmentOf("review/rx-v2"));
        const now = await networkHelpers.time.latest();
        const terms = { pharmacy: pharmacy.address, expiresAt: now + 30 * DAY, quantity: 10, refills: 1 };
        await expect(
          prescriptions.connect(doctor).amendPrescription(patient.address, rx, commitmentOf("review/rx-v2"), terms),
        )
          .to.emit(prescriptions, "PrescriptionAmended")
          .withArgs(patient.address, corrected, rx);
        await expect(prescriptions.connect(pharmacy).dispensePrescription(patient.address, rx, 10, commitmentOf("d2")))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionSuperseded")
          .withArgs(rx);
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(0n);
        expect(await prescriptions.remainingOf(patient.address, corrected)).to.equal(10n);
        await receiptOf(
          prescriptions.connect(pharmacy).dispensePrescription(patient.address, corrected, 10, commitmentOf("d3")),
        );
        await expect(
          prescriptions.connect(pharmacy).dispensePrescription(patient.address, corrected, 1, commitmentOf("d4")),
        )
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionQuantityExceeded")
          .withArgs(corrected, 1, 10, 0);
        expect((await prescriptions.prescriptionOf(patient.address, corrected)).dispensed).to.equal(20n);
      });
    });

    it("refuses the old version after a direct amendRecord in the registry too", async function () {
      await attack(CATEGORY, "pharmacy dispenses a version the prescriber corrected in the registry", async () => {
        const { prescriptions, registry, doctor, pharmacy, patient } = f;
        const rx = await issued();
        await receiptOf(
          registry.connect(doctor).amendRecord(patient.address, rx, commitmentOf("review/rx-direct"), false),
        );
        await expect(prescriptions.connect(pharmacy).dispensePrescription(patient.address, rx, 5, commitmentOf("d5")))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionSuperseded")
          .withArgs(rx);
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(0n);
      });
    });

    it("refuses a correction that would allow less than was already dispensed, so the total never resets", async function () {
      await attack(CATEGORY, "prescriber's correction resets the dispensed total", async () => {
        const { prescriptions, doctor, pharmacy, patient } = f;
        const rx = await issued();
        await receiptOf(
          prescriptions.connect(pharmacy).dispensePrescription(patient.address, rx, 10, commitmentOf("d6")),
        );
        const now = await networkHelpers.time.latest();
        const terms = { pharmacy: pharmacy.address, expiresAt: now + 30 * DAY, quantity: 5, refills: 0 };
        await expect(
          prescriptions.connect(doctor).amendPrescription(patient.address, rx, commitmentOf("review/rx-small"), terms),
        )
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionTotalBelowDispensed")
          .withArgs(5, 10);
      });
    });
  });

  describe("relationship windows: a hospital opens access alone", function () {
    const CATEGORY = "relationship windows";
    const CHECK_IN_PERIOD = 24 * HOUR;
    const MAX_ADMISSION_PERIOD = 30 * DAY;
    const MAX_CODE_LIFETIME = HOUR;

    async function signatureExpiry(): Promise<number> {
      return (await networkHelpers.time.latest()) + MAX_CODE_LIFETIME / 2;
    }

    it("refuses a check-in the patient did not sign", async function () {
      await attack(CATEGORY, "hospital checks a patient in alone", async () => {
        const { relationships, hospital, patient, doctor, hospitalNote } = f;
        const forged = await signCheckIn(hospital, relationships, hospital.address, await signatureExpiry());
        await expect(relationships.connect(hospital).recordCheckIn(patient.address, forged))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidVisitSignature")
          .withArgs(patient.address);
        expect(await f.consent.canAccess(doctor.address, patient.address, hospitalNote, Purpose.Treatment)).to.equal(
          false,
        );
      });
    });

    it("refuses to renew a check-in without a new signature, so the window closes after CHECK_IN_PERIOD", async function () {
      await attack(CATEGORY, "hospital renews a check-in forever", async () => {
        const { relationships, consent, hospital, patient, doctor, hospitalNote } = f;
        const visit = await signCheckIn(patient, relationships, hospital.address, await signatureExpiry());
        const stockpiled = await signCheckIn(patient, relationships, hospital.address, await signatureExpiry());
        const present = (v: typeof visit) => relationships.connect(hospital).recordCheckIn(patient.address, v);
        const checkedInAt = (await receiptOf(present(visit))).blockNumber;
        const openedAt = (await ethers.provider.getBlock(checkedInAt))!.timestamp;
        await expect(present(visit))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockUsed")
          .withArgs(patient.address, visit.visitId);
        // A signature stockpiled at the visit is worthless an hour later: the window cannot be pushed on.
        await networkHelpers.time.increase(CHECK_IN_PERIOD - HOUR);
        await expect(present(stockpiled))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockExpired")
          .withArgs(stockpiled.expiresAt);
        await networkHelpers.time.increaseTo(openedAt + CHECK_IN_PERIOD);
        expect(await consent.canAccess(doctor.address, patient.address, hospitalNote, Purpose.Treatment)).to.equal(
          false,
        );
      });
    });

    it("refuses an admission the patient did not sign", async function () {
      await attack(CATEGORY, "hospital admits a patient alone", async () => {
        const { relationships, hospital, patient, ward, wardDoctor, note } = f;
        const forged = await signAdmission(hospital, relationships, ward, await signatureExpiry());
        await expect(relationships.connect(hospital).admitPatient(patient.address, ward, forged))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidVisitSignature")
          .withArgs(patient.address);
        expect(await f.consent.canAccess(wardDoctor.address, patient.address, note, Purpose.Treatment)).to.equal(false);
      });
    });

    it("ends an admission after MAX_ADMISSION_PERIOD unless the patient signs again", async function () {
      await attack(CATEGORY, "an admission never ends", async () => {
        const { relationships, consent, hospital, patient, ward, wardDoctor, note } = f;
        const visit = await signAdmission(patient, relationships, ward, await signatureExpiry());
        await receiptOf(relationships.connect(hospital).admitPatient(patient.address, ward, visit));
        expect(await consent.canAccess(wardDoctor.address, patient.address, note, Purpose.Treatment)).to.equal(true);
        await networkHelpers.time.increase(MAX_ADMISSION_PERIOD);
        expect(await consent.canAccess(wardDoctor.address, patient.address, note, Purpose.Treatment)).to.equal(false);
      });
    });

    it("refuses a hospital booking an appointment for a patient", async function () {
      await attack(CATEGORY, "hospital records a same-day appointment every day", async () => {
        const { relationships, consent, hospital, patient, doctor, hospitalNote } = f;
        const now = await networkHelpers.time.latest();
        await expect(
          relationships.connect(hospital).recordAppointment(patient.address, doctor.address, now - (now % DAY)),
        )
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotPatientOrDelegate")
          .withArgs(hospital.address, patient.address);
        expect(await consent.canAccess(doctor.address, patient.address, hospitalNote, Purpose.Treatment)).to.equal(
          false,
        );
      });
    });

    it("refuses a consent delegate who is a doctor naming itself family doctor or booking itself", async function () {
      await attack("delegate escalation", "delegate makes itself the family doctor or books itself", async () => {
        const { relationships, delegation, consent, patient, secondDoctor, note } = f;
        await receiptOf(
          delegation.connect(patient).appointDelegate(secondDoctor.address, Capability.ManageConsent, f.start + YEAR),
        );
        await expect(relationships.connect(secondDoctor).setFamilyDoctor(patient.address, secondDoctor.address))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsDelegateSelfAppointment")
          .withArgs(secondDoctor.address, patient.address);
        const now = await networkHelpers.time.latest();
        await expect(
          relationships
            .connect(secondDoctor)
            .recordAppointment(patient.address, secondDoctor.address, now - (now % DAY)),
        )
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsDelegateSelfAppointment")
          .withArgs(secondDoctor.address, patient.address);
        expect(await consent.canAccess(secondDoctor.address, patient.address, note, Purpose.Treatment)).to.equal(false);
      });
    });
  });

  describe("batch records: sensitivity, re-publication and erasure of batched records", function () {
    const CATEGORY = "batch records";

    /** A batch of the doctor's holding one non-sensitive record of the patient, and the patient's all-records grant to the reader. */
    async function batched() {
      const { registry, consent, doctor, patient, reader, otherPatient } = f;
      const leaf = {
        patient: patient.address,
        commitment: commitmentOf("review/batched"),
        recordType: RecordType.ClinicalNote,
        sensitive: false,
      };
      const other = { ...leaf, patient: otherPatient.address, commitment: commitmentOf("review/batched-other") };
      const tree = new BatchTree([leaf, other]);
      await receiptOf(registry.connect(doctor).anchorBatch(tree.root, tree.size));
      const now = await networkHelpers.time.latest();
      await receiptOf(consent.connect(patient).grantConsent(patient.address, grantRequest(reader.address, now)));
      return {
        leaf,
        root: recordCommitmentOf(doctor.address, tree.root),
        proof: tree.proof(patient.address, leaf.commitment),
        record: recordCommitmentOf(doctor.address, leaf.commitment),
      };
    }

    /** The doctor re-publishes the same leaf with sensitive = false, in another batch and on its own. */
    async function republished(leaf: { patient: string; commitment: string; recordType: number; sensitive: boolean }) {
      const { registry, doctor, otherPatient } = f;
      const copy = { ...leaf, sensitive: false };
      const tree = new BatchTree([copy, { ...copy, patient: otherPatient.address, commitment: commitmentOf("x") }]);
      await receiptOf(registry.connect(doctor).anchorBatch(tree.root, tree.size));
      await receiptOf(registry.connect(doctor).anchorRecord(leaf.patient, leaf.commitment, leaf.recordType, false));
      return {
        leaf: copy,
        root: recordCommitmentOf(doctor.address, tree.root),
        proof: tree.proof(leaf.patient, leaf.commitment),
      };
    }

    it("lets the patient mark a batched record sensitive, closing it to all-records grants", async function () {
      await attack(CATEGORY, "a batched record stays open to broad grants whatever the patient decides", async () => {
        const { registry, consent, patient, reader } = f;
        const { leaf, root, proof, record } = await batched();
        expect(await consent.canAccessBatchRecord(reader.address, root, leaf, proof, Purpose.Treatment)).to.equal(true);
        await expect(registry.connect(patient).setBatchRecordSensitivity(root, leaf, proof, true))
          .to.emit(registry, "RecordSensitivityChanged")
          .withArgs(patient.address, record, true);
        expect(await consent.canAccessBatchRecord(reader.address, root, leaf, proof, Purpose.Treatment)).to.equal(
          false,
        );
      });
    });

    it("keeps the patient's sensitivity mark on a record its author re-publishes elsewhere with sensitive = false", async function () {
      await attack(CATEGORY, "the author re-publishes a sensitive batched record as non-sensitive", async () => {
        const { registry, consent, patient, reader } = f;
        const { leaf, root, proof, record } = await batched();
        await receiptOf(registry.connect(patient).setBatchRecordSensitivity(root, leaf, proof, true));
        const copy = await republished(leaf);
        expect(
          await consent.canAccessBatchRecord(reader.address, copy.root, copy.leaf, copy.proof, Purpose.Treatment),
        ).to.equal(false);
        expect(await consent.canAccess(reader.address, patient.address, record, Purpose.Treatment)).to.equal(false);
      });
    });

    it("keeps a record erased through its batch erased wherever its author re-publishes it, even for the author", async function () {
      await attack(CATEGORY, "an erased batched record is re-published and read again", async () => {
        const { registry, consent, patient, reader, doctor } = f;
        const { leaf, root, proof, record } = await batched();
        await receiptOf(registry.connect(patient).eraseBatchRecord(root, leaf, proof));
        const copy = await republished(leaf);
        for (const who of [reader, doctor]) {
          expect(
            await consent.canAccessBatchRecord(who.address, copy.root, copy.leaf, copy.proof, Purpose.Treatment),
          ).to.equal(false);
          expect(await consent.canAccess(who.address, patient.address, record, Purpose.Treatment)).to.equal(false);
        }
      });
    });

    it("keeps a sensitive or erased individual record closed when its author re-publishes it in a batch", async function () {
      await attack(CATEGORY, "an individually anchored sensitive record is re-published in a batch", async () => {
        const { registry, consent, patient, reader, doctor, note, otherPatient } = f;
        const now = await networkHelpers.time.latest();
        await receiptOf(consent.connect(patient).grantConsent(patient.address, grantRequest(reader.address, now)));
        await receiptOf(registry.connect(patient).eraseRecord(patient.address, note));
        // The leaves commit to the content commitments the doctor anchored on their own.
        const leaves = ["review/sensitive-note", "review/note"].map((label) => ({
          patient: patient.address,
          commitment: commitmentOf(label),
          recordType: RecordType.ClinicalNote,
          sensitive: false,
        }));
        const tree = new BatchTree([
          ...leaves,
          { ...leaves[0], patient: otherPatient.address, commitment: commitmentOf("y") },
        ]);
        await receiptOf(registry.connect(doctor).anchorBatch(tree.root, tree.size));
        for (const leaf of leaves) {
          const proof = tree.proof(patient.address, leaf.commitment);
          expect(
            await consent.canAccessBatchRecord(
              reader.address,
              recordCommitmentOf(doctor.address, tree.root),
              leaf,
              proof,
              Purpose.Treatment,
            ),
          ).to.equal(false);
        }
      });
    });
  });

  describe("record squatting: another author's content commitment anchored first", function () {
    const CATEGORY = "record squatting";

    it("gives a provider front-running the author's content commitment a record of its own; the author anchors and amends", async function () {
      await attack(CATEGORY, "a front-runner blocks the author's anchoring or becomes its author", async () => {
        const { registry, doctor, secondDoctor, patient } = f;
        const content = commitmentOf("review/squatted");
        const authors = recordCommitmentOf(doctor.address, content);
        const squatters = recordCommitmentOf(secondDoctor.address, content);
        // The front-runner copies the content commitment from the author's pending transaction.
        await expect(registry.connect(secondDoctor).anchorRecord(patient.address, content, RecordType.Other, false))
          .to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, squatters, secondDoctor.address, RecordType.Other, false);
        await expect(registry.connect(doctor).anchorRecord(patient.address, content, RecordType.ClinicalNote, true))
          .to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, authors, doctor.address, RecordType.ClinicalNote, true);
        expect(squatters).to.not.equal(authors);
        const record = await registry.recordOf(patient.address, authors);
        expect(record.author).to.equal(doctor.address);
        expect(record.recordType).to.equal(BigInt(RecordType.ClinicalNote));
        expect(record.flags).to.equal(1n);
        // Only the author corrects it; the front-runner is not its author.
        const correction = commitmentOf("review/squatted-v2");
        await expect(registry.connect(secondDoctor).amendRecord(patient.address, authors, correction, false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotAuthor")
          .withArgs(secondDoctor.address, doctor.address);
        await expect(registry.connect(doctor).amendRecord(patient.address, authors, correction, false))
          .to.emit(registry, "RecordAmended")
          .withArgs(patient.address, recordCommitmentOf(doctor.address, correction), authors, doctor.address, 2, true);
      });
    });

    it("gives the patient anchoring the author's content commitment as Wellness a record of its own", async function () {
      await attack(CATEGORY, "the patient squats a provider's record as a Wellness record", async () => {
        const { registry, consent, doctor, patient, reader } = f;
        const content = commitmentOf("review/patient-squatted");
        await receiptOf(registry.connect(patient).anchorRecord(patient.address, content, RecordType.Wellness, false));
        const authors = recordCommitmentOf(doctor.address, content);
        await expect(registry.connect(doctor).anchorRecord(patient.address, content, RecordType.ClinicalNote, true))
          .to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, authors, doctor.address, RecordType.ClinicalNote, true);
        expect((await registry.recordOf(patient.address, authors)).author).to.equal(doctor.address);
        // The author's sensitive record stays closed to the patient's all-records grant.
        const now = await networkHelpers.time.latest();
        await receiptOf(consent.connect(patient).grantConsent(patient.address, grantRequest(reader.address, now)));
        expect(await consent.canAccess(reader.address, patient.address, authors, Purpose.Treatment)).to.equal(false);
        await expect(
          registry.connect(doctor).amendRecord(patient.address, authors, commitmentOf("review/patient-v2"), false),
        ).to.emit(registry, "RecordAmended");
      });
    });

    it("gives a provider anchoring the author's Merkle root first a batch of its own, never authorship of the leaves", async function () {
      await attack(CATEGORY, "a front-runner takes a batch root and becomes author of its records", async () => {
        const { registry, consent, lab, secondDoctor, patient, otherPatient } = f;
        const leaf = {
          patient: patient.address,
          commitment: commitmentOf("review/lab-batched"),
          recordType: RecordType.LabResult,
          sensitive: true,
        };
        const tree = new BatchTree([
          leaf,
          { ...leaf, patient: otherPatient.address, commitment: commitmentOf("review/lab-other") },
        ]);
        const proof = tree.proof(patient.address, leaf.commitment);
        await receiptOf(registry.connect(secondDoctor).anchorBatch(tree.root, tree.size));
        const labRoot = recordCommitmentOf(lab.address, tree.root);
        await expect(registry.connect(lab).anchorBatch(tree.root, tree.size))
          .to.emit(registry, "BatchAnchored")
          .withArgs(lab.address, labRoot, tree.size);
        expect((await registry.batchOf(labRoot)).author).to.equal(lab.address);
        expect(await consent.canAccessBatchRecord(lab.address, labRoot, leaf, proof, Purpose.Treatment)).to.equal(true);
        // The squatter is no author of the lab's leaf, so its sensitive record stays closed to it.
        expect(
          await consent.canAccessBatchRecord(secondDoctor.address, labRoot, leaf, proof, Purpose.Treatment),
        ).to.equal(false);
        // The patient's erasure of the lab's leaf is not undone through the squatter's batch either.
        await receiptOf(registry.connect(patient).eraseBatchRecord(labRoot, leaf, proof));
        expect(
          await registry.isBatchRecordErased(patient.address, recordCommitmentOf(lab.address, leaf.commitment)),
        ).to.equal(true);
      });
    });

    it("lets the doctor issue and the pharmacy dispense a prescription whose content commitment was squatted", async function () {
      await attack(CATEGORY, "a squatted prescription blocks the workflow", async () => {
        const { registry, prescriptions, consent, doctor, secondDoctor, pharmacy, patient } = f;
        const content = commitmentOf("review/squatted-rx");
        await receiptOf(
          registry.connect(secondDoctor).anchorRecord(patient.address, content, RecordType.Prescription, false),
        );
        const now = await networkHelpers.time.latest();
        const terms = { pharmacy: pharmacy.address, expiresAt: now + 30 * DAY, quantity: 10, refills: 0 };
        const rx = recordCommitmentOf(doctor.address, content);
        await expect(prescriptions.connect(doctor).issuePrescription(patient.address, content, terms))
          .to.emit(prescriptions, "PrescriptionIssued")
          .withArgs(patient.address, rx, doctor.address, pharmacy.address, terms.expiresAt, 10, 0);
        const dispensing = grantRequest(pharmacy.address, now, {
          scope: ConsentScope.Record,
          scopeValue: rx,
          purpose: Purpose.Dispensing,
        });
        await receiptOf(consent.connect(patient).grantConsent(patient.address, dispensing));
        // The dispense's content commitment squatted too.
        const dispense = commitmentOf("review/squatted-dispense");
        await receiptOf(
          registry.connect(secondDoctor).anchorRecord(patient.address, dispense, RecordType.Dispense, false),
        );
        await expect(prescriptions.connect(pharmacy).dispensePrescription(patient.address, rx, 4, dispense))
          .to.emit(prescriptions, "PrescriptionDispensed")
          .withArgs(patient.address, rx, pharmacy.address, recordCommitmentOf(pharmacy.address, dispense), 4);
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(6n);
        // The squatter's copy is not a prescription.
        expect(
          await prescriptions.remainingOf(patient.address, recordCommitmentOf(secondDoctor.address, content)),
        ).to.equal(0n);
      });
    });

    it("lets the lab post a result whose content commitment was squatted, and the ordering doctor read it", async function () {
      await attack(CATEGORY, "a squatted lab result blocks the workflow", async () => {
        const { registry, labOrders, consent, doctor, secondDoctor, lab, patient } = f;
        const orderContent = commitmentOf("review/squatted-order");
        const resultContent = commitmentOf("review/squatted-result");
        for (const content of [orderContent, resultContent]) {
          await receiptOf(
            registry.connect(secondDoctor).anchorRecord(patient.address, content, RecordType.Other, false),
          );
        }
        const order = recordCommitmentOf(doctor.address, orderContent);
        const result = recordCommitmentOf(lab.address, resultContent);
        await expect(labOrders.connect(doctor).orderLabTest(patient.address, orderContent, lab.address))
          .to.emit(labOrders, "LabTestOrdered")
          .withArgs(patient.address, order, lab.address);
        await expect(labOrders.connect(lab).postLabResult(patient.address, order, resultContent, false))
          .to.emit(labOrders, "LabResultPosted")
          .withArgs(patient.address, order, result);
        expect(await labOrders.orderOfResult(patient.address, result)).to.equal(order);
        expect((await registry.recordOf(patient.address, result)).author).to.equal(lab.address);
        expect(await consent.canAccess(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(true);
        expect(await consent.canAccess(secondDoctor.address, patient.address, result, Purpose.Treatment)).to.equal(
          false,
        );
      });
    });
  });

  describe("death: the registrar records a living patient's death", function () {
    const CATEGORY = "death";
    const CONTEST_PERIOD = 7 * DAY;

    it("gives heirs nothing before the contest period, and lets the living patient undo it", async function () {
      await attack(CATEGORY, "a false death opens the patient's records to heirs at once", async () => {
        const { delegation, consent, registrar, patient, reader, sensitiveNote } = f;
        await receiptOf(delegation.connect(patient).designateHeir(reader.address));
        await receiptOf(delegation.connect(registrar).recordDeath(patient.address, f.start));
        expect(await consent.canAccess(reader.address, patient.address, sensitiveNote, Purpose.Inheritance)).to.equal(
          false,
        );
        await expect(delegation.connect(patient).contestDeath())
          .to.emit(delegation, "DeathContested")
          .withArgs(patient.address);
        expect(await delegation.diedAt(patient.address)).to.equal(0n);
        await networkHelpers.time.increase(CONTEST_PERIOD + DAY);
        expect(await consent.canAccess(reader.address, patient.address, sensitiveNote, Purpose.Inheritance)).to.equal(
          false,
        );
        expect(await consent.accessBasis(patient.address, patient.address, sensitiveNote, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Patient),
        );
      });
    });

    it("lets whoever holds a dead patient's key contest only once, and never after the period", async function () {
      await attack(CATEGORY, "a dead patient's key undoes every recording of the death", async () => {
        const { delegation, consent, registrar, patient, reader, note } = f;
        await receiptOf(delegation.connect(patient).designateHeir(reader.address));
        await receiptOf(delegation.connect(registrar).recordDeath(patient.address, f.start));
        await receiptOf(delegation.connect(patient).contestDeath());
        await receiptOf(delegation.connect(registrar).recordDeath(patient.address, f.start));
        await expect(delegation.connect(patient).contestDeath())
          .to.be.revertedWithCustomError(delegation, "PatientDelegationDeathNotContestable")
          .withArgs(patient.address, 0);
        await networkHelpers.time.increase(CONTEST_PERIOD);
        expect(await consent.canAccess(reader.address, patient.address, note, Purpose.Inheritance)).to.equal(true);
      });
    });
  });
});
