import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { id, ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { AccessBasis, Capability } from "../../client/care-types.js";
import { UNLOCK_EIP712_TYPES } from "../../client/sdk/unlock-code.js";
import { CareRelationships__factory, TestERC1271Wallet__factory } from "../../typechain-types/index.js";
import {
  commitmentOf,
  recordCommitmentOf,
  ConsentScope,
  DAY,
  grantRequest,
  HOUR,
  minedAt,
  Purpose,
  receiptOf,
  RecordType,
} from "../helpers/care-ledger.js";
import {
  addressOf,
  deployWorkflowWorld,
  relationshipsDomain,
  reinstate,
  signUnlockFor,
  suspend,
  typehashOf,
  type UnlockMessage,
} from "../helpers/workflow-fixture.js";
import { signAdmission, signCheckIn, VISIT_EIP712_TYPES } from "./visit-signature.js";

const { ethers, networkHelpers } = await network.create();

const CHECK_IN_PERIOD = 24 * HOUR;
const UNLOCK_PERIOD = 12 * HOUR;
const MAX_CODE_LIFETIME = HOUR;
const MAX_ADMISSION_PERIOD = 30 * DAY;

/** The start of the UTC day that contains `timestamp`. */
function dayStartOf(timestamp: number): number {
  return timestamp - (timestamp % DAY);
}

async function fixture() {
  const world = await deployWorkflowWorld(ethers);
  const { registry, delegation, hospital, patient, otherPatient, delegate, reader } = world;
  // Records written by the hospital itself, so that no doctor under test reads them as their author.
  const [note, sensitiveNote, otherNote] = ["rel/note", "rel/sensitive-note", "rel/other-patient-note"].map((label) =>
    recordCommitmentOf(hospital.address, commitmentOf(label)),
  );
  await receiptOf(
    registry.connect(hospital).anchorRecord(patient.address, commitmentOf("rel/note"), RecordType.ClinicalNote, false),
  );
  await receiptOf(
    registry
      .connect(hospital)
      .anchorRecord(patient.address, commitmentOf("rel/sensitive-note"), RecordType.ClinicalNote, true),
  );
  await receiptOf(
    registry
      .connect(hospital)
      .anchorRecord(otherPatient.address, commitmentOf("rel/other-patient-note"), RecordType.ClinicalNote, false),
  );
  const start = await networkHelpers.time.latest();
  await receiptOf(
    delegation.connect(patient).appointDelegate(delegate.address, Capability.ManageConsent, start + 365 * DAY),
  );
  await receiptOf(delegation.connect(patient).appointDelegate(reader.address, Capability.Read, start + 365 * DAY));
  return { ...world, note, sensitiveNote, otherNote };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe("CareRelationships", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  /** Whether `doctor` may read `commitment` of the patient for `purpose`. */
  async function reads(
    doctor: HardhatEthersSigner,
    commitment: string = f.note,
    purpose: Purpose = Purpose.Treatment,
  ): Promise<boolean> {
    return f.consent.canAccess(doctor.address, f.patient.address, commitment, purpose);
  }

  /** `hospital` records the patient's check-in with the patient's fresh signature for it. */
  async function checkIn(hospital: HardhatEthersSigner = f.hospital) {
    const expiresAt = (await networkHelpers.time.latest()) + MAX_CODE_LIFETIME / 2;
    const visit = await signCheckIn(f.patient, f.relationships, hospital.address, expiresAt);
    return f.relationships.connect(hospital).recordCheckIn(f.patient.address, visit);
  }

  /** `hospital` admits the patient to `ward` with the patient's fresh signature for that ward. */
  async function admit(hospital: HardhatEthersSigner = f.hospital, ward: string = f.ward) {
    const expiresAt = (await networkHelpers.time.latest()) + MAX_CODE_LIFETIME / 2;
    const visit = await signAdmission(f.patient, f.relationships, ward, expiresAt);
    return f.relationships.connect(hospital).admitPatient(f.patient.address, ward, visit);
  }

  /** The start of the current UTC day on the chain. */
  async function today(): Promise<number> {
    return dayStartOf(await networkHelpers.time.latest());
  }

  describe("deployment", function () {
    it("exposes the periods and the unlock typehash of the SDK's EIP-712 table", async function () {
      const { relationships } = f;
      expect(await relationships.CHECK_IN_PERIOD()).to.equal(BigInt(CHECK_IN_PERIOD));
      expect(await relationships.UNLOCK_PERIOD()).to.equal(BigInt(UNLOCK_PERIOD));
      expect(await relationships.MAX_CODE_LIFETIME()).to.equal(BigInt(MAX_CODE_LIFETIME));
      expect(await relationships.UNLOCK_TYPEHASH()).to.equal(typehashOf(UNLOCK_EIP712_TYPES, "Unlock"));
    });

    it("publishes its EIP-712 domain (ERC-5267)", async function () {
      const { relationships } = f;
      const { chainId } = await ethers.provider.getNetwork();
      expect(await relationshipsDomain(relationships)).to.deep.equal({
        name: "CareLedger Relationships",
        version: "1",
        chainId,
        verifyingContract: await relationships.getAddress(),
      });
    });

    it("rejects a zero consent manager (its directory, registry and delegation registry come from it)", async function () {
      const factory = new CareRelationships__factory(f.admin);
      await expect(factory.deploy(ZeroAddress)).to.be.revertedWithCustomError(factory, "WorkflowZeroAddress");
    });
  });

  describe("setFamilyDoctor", function () {
    for (const role of ["patient", "delegate"] as const) {
      describe(`by the ${role}`, function () {
        it("registers an active doctor, who then reads for Treatment without a time limit", async function () {
          const { relationships, consent, patient, secondDoctor, note } = f;
          await expect(relationships.connect(f[role]).setFamilyDoctor(patient.address, secondDoctor.address))
            .to.emit(relationships, "FamilyDoctorChanged")
            .withArgs(patient.address, secondDoctor.address);
          expect(await relationships.familyDoctorOf(patient.address)).to.equal(secondDoctor.address);
          expect(await relationships.hasRelationship(patient.address, secondDoctor.address)).to.equal(true);
          expect(await consent.accessBasis(secondDoctor.address, patient.address, note, Purpose.Treatment)).to.equal(
            BigInt(AccessBasis.Workflow),
          );
          await networkHelpers.time.increase(5 * 365 * DAY);
          expect(await reads(secondDoctor)).to.equal(true);
        });
      });
    }

    describe("by anyone else", function () {
      for (const role of ["reader", "stranger", "secondDoctor", "otherPatient"] as const) {
        it(`refuses the ${role}`, async function () {
          const { relationships, patient, secondDoctor } = f;
          const caller = f[role];
          await expect(relationships.connect(caller).setFamilyDoctor(patient.address, secondDoctor.address))
            .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotPatientOrDelegate")
            .withArgs(caller.address, patient.address);
          expect(await relationships.familyDoctorOf(patient.address)).to.equal(ZeroAddress);
          expect(await reads(secondDoctor)).to.equal(false);
        });
      }
    });

    describe("with an account that is not an active doctor", function () {
      for (const role of ["pharmacy", "hospital", "stranger"] as const) {
        it(`refuses the ${role}`, async function () {
          const { relationships, patient } = f;
          const candidate = f[role].address;
          await expect(relationships.connect(patient).setFamilyDoctor(patient.address, candidate))
            .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotDoctor")
            .withArgs(candidate);
          expect(await relationships.familyDoctorOf(patient.address)).to.equal(ZeroAddress);
        });
      }

      it("refuses a suspended doctor", async function () {
        const { relationships, patient, secondDoctor } = f;
        await suspend(f, secondDoctor.address);
        await expect(relationships.connect(patient).setFamilyDoctor(patient.address, secondDoctor.address))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotDoctor")
          .withArgs(secondDoctor.address);
        expect(await relationships.familyDoctorOf(patient.address)).to.equal(ZeroAddress);
      });
    });

    describe("with a family doctor registered", function () {
      beforeEach(async function () {
        await receiptOf(f.relationships.connect(f.patient).setFamilyDoctor(f.patient.address, f.secondDoctor.address));
      });

      it("moves access to the new doctor when the patient changes it", async function () {
        const { relationships, patient, secondDoctor, doctor } = f;
        await expect(relationships.connect(patient).setFamilyDoctor(patient.address, doctor.address))
          .to.emit(relationships, "FamilyDoctorChanged")
          .withArgs(patient.address, doctor.address);
        expect(await relationships.familyDoctorOf(patient.address)).to.equal(doctor.address);
        expect(await reads(secondDoctor)).to.equal(false);
        expect(await reads(doctor)).to.equal(true);
      });

      it("ends access when the patient clears it", async function () {
        const { relationships, patient, secondDoctor } = f;
        await expect(relationships.connect(patient).setFamilyDoctor(patient.address, ZeroAddress))
          .to.emit(relationships, "FamilyDoctorChanged")
          .withArgs(patient.address, ZeroAddress);
        expect(await relationships.familyDoctorOf(patient.address)).to.equal(ZeroAddress);
        expect(await relationships.hasRelationship(patient.address, secondDoctor.address)).to.equal(false);
        expect(await reads(secondDoctor)).to.equal(false);
      });

      for (const purpose of [Purpose.Research, Purpose.Emergency, Purpose.Payment, Purpose.Dispensing] as const) {
        it(`opens nothing for purpose ${Purpose[purpose]}`, async function () {
          expect(await reads(f.secondDoctor, f.note, purpose)).to.equal(false);
        });
      }

      it("opens nothing of another patient", async function () {
        const { consent, secondDoctor, otherPatient, otherNote } = f;
        expect(
          await consent.canAccess(secondDoctor.address, otherPatient.address, otherNote, Purpose.Treatment),
        ).to.equal(false);
      });

      it("stops while the doctor is suspended and resumes once reinstated", async function () {
        const { relationships, patient, secondDoctor } = f;
        await suspend(f, secondDoctor.address);
        expect(await relationships.hasRelationship(patient.address, secondDoctor.address)).to.equal(false);
        expect(await reads(secondDoctor)).to.equal(false);
        await reinstate(f, secondDoctor.address);
        expect(await reads(secondDoctor)).to.equal(true);
      });
    });
  });

  describe("recordAppointment", function () {
    describe("booked by the patient", function () {
      it("opens the patient's records to the doctor on that UTC day only", async function () {
        const { relationships, patient, secondDoctor } = f;
        const day = (await today()) + DAY;
        await expect(relationships.connect(patient).recordAppointment(patient.address, secondDoctor.address, day))
          .to.emit(relationships, "AppointmentRecorded")
          .withArgs(patient.address, secondDoctor.address, day, patient.address);
        expect(await reads(secondDoctor)).to.equal(false);
        await networkHelpers.time.increaseTo(day);
        expect(await reads(secondDoctor)).to.equal(true);
        expect(await relationships.hasRelationship(patient.address, secondDoctor.address)).to.equal(true);
        await networkHelpers.time.increaseTo(day + DAY - 1);
        expect(await reads(secondDoctor)).to.equal(true);
        await networkHelpers.time.increaseTo(day + DAY);
        expect(await reads(secondDoctor)).to.equal(false);
        expect(await relationships.hasRelationship(patient.address, secondDoctor.address)).to.equal(false);
      });

      it("accepts today, whatever the hour, and opens access at once", async function () {
        const { relationships, patient, secondDoctor } = f;
        const day = await today();
        await expect(relationships.connect(patient).recordAppointment(patient.address, secondDoctor.address, day))
          .to.emit(relationships, "AppointmentRecorded")
          .withArgs(patient.address, secondDoctor.address, day, patient.address);
        expect(await reads(secondDoctor)).to.equal(true);
      });

      it("keeps one appointment per doctor: a new booking replaces the earlier day", async function () {
        const { relationships, patient, secondDoctor } = f;
        const day = await today();
        await receiptOf(relationships.connect(patient).recordAppointment(patient.address, secondDoctor.address, day));
        await expect(
          relationships.connect(patient).recordAppointment(patient.address, secondDoctor.address, day + 7 * DAY),
        )
          .to.emit(relationships, "AppointmentRecorded")
          .withArgs(patient.address, secondDoctor.address, day + 7 * DAY, patient.address);
        expect(await reads(secondDoctor)).to.equal(false);
      });
    });

    describe("booked by a consent delegate", function () {
      it("opens the patient's records to the doctor for that day", async function () {
        const { relationships, delegate, patient, secondDoctor } = f;
        const day = await today();
        await expect(relationships.connect(delegate).recordAppointment(patient.address, secondDoctor.address, day))
          .to.emit(relationships, "AppointmentRecorded")
          .withArgs(patient.address, secondDoctor.address, day, delegate.address);
        expect(await reads(secondDoctor)).to.equal(true);
      });
    });

    describe("recorded by anyone else", function () {
      // A hospital booking alone would open a day's window it could renew every day.
      for (const role of ["hospital", "doctor", "stranger", "pharmacy", "otherPatient", "reader"] as const) {
        it(`refuses the ${role}`, async function () {
          const { relationships, patient, doctor } = f;
          const caller = f[role];
          const day = await today();
          await expect(relationships.connect(caller).recordAppointment(patient.address, doctor.address, day))
            .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotPatientOrDelegate")
            .withArgs(caller.address, patient.address);
          expect(await reads(doctor)).to.equal(false);
        });
      }
    });

    describe("with invalid arguments", function () {
      it("refuses a day that is not the start of a UTC day", async function () {
        const { relationships, patient, secondDoctor } = f;
        const day = (await today()) + DAY + HOUR;
        await expect(relationships.connect(patient).recordAppointment(patient.address, secondDoctor.address, day))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidDay")
          .withArgs(day);
        await networkHelpers.time.increaseTo(day);
        expect(await reads(secondDoctor)).to.equal(false);
      });

      it("refuses a day that is already over", async function () {
        const { relationships, patient, secondDoctor } = f;
        const day = (await today()) - DAY;
        await expect(relationships.connect(patient).recordAppointment(patient.address, secondDoctor.address, day))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidDay")
          .withArgs(day);
        expect(await relationships.hasRelationship(patient.address, secondDoctor.address)).to.equal(false);
      });

      it("refuses today from the first second of tomorrow", async function () {
        const { relationships, patient, secondDoctor } = f;
        const day = await today();
        await networkHelpers.time.setNextBlockTimestamp(day + DAY);
        await expect(relationships.connect(patient).recordAppointment(patient.address, secondDoctor.address, day))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidDay")
          .withArgs(day);
      });

      it("refuses an account that is not an active doctor", async function () {
        const { relationships, patient, pharmacy } = f;
        const day = await today();
        await expect(relationships.connect(patient).recordAppointment(patient.address, pharmacy.address, day))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotDoctor")
          .withArgs(pharmacy.address);
        expect(await relationships.hasRelationship(patient.address, pharmacy.address)).to.equal(false);
      });

      it("refuses the zero address as the patient", async function () {
        const { relationships, hospital, doctor } = f;
        await expect(
          relationships.connect(hospital).recordAppointment(ZeroAddress, doctor.address, await today()),
        ).to.be.revertedWithCustomError(relationships, "CareRelationshipsZeroAddress");
        expect(await relationships.hasRelationship(ZeroAddress, doctor.address)).to.equal(false);
      });
    });
  });

  describe("recordCheckIn", function () {
    describe("by an active hospital", function () {
      let checkedInAt: number;

      beforeEach(async function () {
        const { relationships, hospital, patient } = f;
        const tx = checkIn();
        checkedInAt = await minedAt(ethers, tx);
        await expect(tx)
          .to.emit(relationships, "CheckedIn")
          .withArgs(patient.address, hospital.address, checkedInAt + CHECK_IN_PERIOD);
      });

      it("opens the records to the hospital's doctors and its wards' doctors", async function () {
        const { relationships, consent, patient, doctor, wardDoctor, note } = f;
        for (const staff of [doctor, wardDoctor]) {
          expect(await relationships.hasRelationship(patient.address, staff.address)).to.equal(true);
          expect(await consent.accessBasis(staff.address, patient.address, note, Purpose.Treatment)).to.equal(
            BigInt(AccessBasis.Workflow),
          );
        }
      });

      it("does not open them to other hospitals' or independent doctors", async function () {
        expect(await reads(f.otherHospitalDoctor)).to.equal(false);
        expect(await reads(f.secondDoctor)).to.equal(false);
      });

      it("lasts CHECK_IN_PERIOD and ends then", async function () {
        const { doctor, wardDoctor } = f;
        await networkHelpers.time.increaseTo(checkedInAt + CHECK_IN_PERIOD - 1);
        expect(await reads(doctor)).to.equal(true);
        expect(await reads(wardDoctor)).to.equal(true);
        await networkHelpers.time.increaseTo(checkedInAt + CHECK_IN_PERIOD);
        expect(await reads(doctor)).to.equal(false);
        expect(await reads(wardDoctor)).to.equal(false);
      });

      it("renews the period when the patient checks in again", async function () {
        const { relationships, hospital, patient, doctor } = f;
        await networkHelpers.time.increaseTo(checkedInAt + CHECK_IN_PERIOD - HOUR);
        const tx = checkIn();
        const again = await minedAt(ethers, tx);
        await expect(tx)
          .to.emit(relationships, "CheckedIn")
          .withArgs(patient.address, hospital.address, again + CHECK_IN_PERIOD);
        await networkHelpers.time.increaseTo(checkedInAt + CHECK_IN_PERIOD + HOUR);
        expect(await reads(doctor)).to.equal(true);
      });

      it("closes to the hospital's own doctors when the hospital is suspended", async function () {
        await suspend(f, f.hospital.address);
        expect(await reads(f.doctor)).to.equal(false);
      });

      // Regression: the directory once checked one level of organisation only, so a suspended
      // hospital's check-in kept opening the records to its wards' doctors.
      it("closes to its wards' doctors when the hospital is suspended", async function () {
        await suspend(f, f.hospital.address);
        expect(await reads(f.wardDoctor)).to.equal(false);
      });
    });

    describe("by an account that is not an active hospital", function () {
      for (const role of ["doctor", "emergencyDepartment", "patient", "stranger"] as const) {
        it(`refuses the ${role}`, async function () {
          const { relationships } = f;
          const caller = f[role];
          await expect(checkIn(caller))
            .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotHospital")
            .withArgs(caller.address);
          expect(await reads(f.doctor)).to.equal(false);
        });
      }

      it("refuses a suspended hospital", async function () {
        const { relationships, hospital } = f;
        await suspend(f, hospital.address);
        await expect(checkIn())
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotHospital")
          .withArgs(hospital.address);
        await reinstate(f, hospital.address);
        expect(await reads(f.doctor)).to.equal(false);
      });
    });

    it("refuses the zero address as the patient", async function () {
      const { relationships, hospital, doctor } = f;
      await expect(
        relationships
          .connect(hospital)
          .recordCheckIn(ZeroAddress, { visitId: ZeroHash, expiresAt: 0, signature: "0x" }),
      ).to.be.revertedWithCustomError(relationships, "CareRelationshipsZeroAddress");
      expect(await relationships.hasRelationship(ZeroAddress, doctor.address)).to.equal(false);
    });
  });

  describe("visit signatures (check-in and admission)", function () {
    it("match the contract's typehashes", async function () {
      const { relationships } = f;
      const { CheckIn, Admission } = VISIT_EIP712_TYPES;
      expect(await relationships.CHECK_IN_TYPEHASH()).to.equal(typehashOf({ CheckIn }, "CheckIn"));
      expect(await relationships.ADMISSION_TYPEHASH()).to.equal(typehashOf({ Admission }, "Admission"));
    });

    it("refuse a signature by anyone but the patient", async function () {
      const { relationships, hospital, patient, stranger } = f;
      const expiresAt = (await networkHelpers.time.latest()) + MAX_CODE_LIFETIME / 2;
      const visit = await signCheckIn(stranger, relationships, hospital.address, expiresAt);
      await expect(relationships.connect(hospital).recordCheckIn(patient.address, visit))
        .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidVisitSignature")
        .withArgs(patient.address);
      expect(await reads(f.doctor)).to.equal(false);
    });

    it("work once per visit id, and not after the patient cancelled the id", async function () {
      const { relationships, hospital, patient } = f;
      const expiresAt = (await networkHelpers.time.latest()) + MAX_CODE_LIFETIME / 2;
      const used = await signCheckIn(patient, relationships, hospital.address, expiresAt);
      await receiptOf(relationships.connect(hospital).recordCheckIn(patient.address, used));
      await expect(relationships.connect(hospital).recordCheckIn(patient.address, used))
        .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockUsed")
        .withArgs(patient.address, used.visitId);
      const cancelled = await signAdmission(patient, relationships, f.ward, expiresAt);
      await receiptOf(relationships.connect(patient).cancelUnlockCode(cancelled.visitId));
      await expect(relationships.connect(hospital).admitPatient(patient.address, f.ward, cancelled))
        .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockUsed")
        .withArgs(patient.address, cancelled.visitId);
    });

    it("refuse an expired signature and one valid for longer than MAX_CODE_LIFETIME", async function () {
      const { relationships, hospital, patient } = f;
      const now = await networkHelpers.time.latest();
      for (const expiresAt of [now, now + MAX_CODE_LIFETIME + 60]) {
        const visit = await signCheckIn(patient, relationships, hospital.address, expiresAt);
        await expect(relationships.connect(hospital).recordCheckIn(patient.address, visit))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockExpired")
          .withArgs(expiresAt);
      }
    });
  });

  describe("admitPatient", function () {
    describe("by the ward's hospital", function () {
      let admittedAt: number;

      beforeEach(async function () {
        const { relationships, hospital, patient, ward } = f;
        const tx = admit();
        admittedAt = await minedAt(ethers, tx);
        await expect(tx)
          .to.emit(relationships, "Admitted")
          .withArgs(patient.address, ward, hospital.address, admittedAt + MAX_ADMISSION_PERIOD);
        expect(await relationships.admittedUntil(patient.address, ward)).to.equal(
          BigInt(admittedAt + MAX_ADMISSION_PERIOD),
        );
      });

      it("opens the records to the ward's doctors until MAX_ADMISSION_PERIOD has passed", async function () {
        const { relationships, patient, wardDoctor } = f;
        expect(await relationships.hasRelationship(patient.address, wardDoctor.address)).to.equal(true);
        expect(await reads(wardDoctor)).to.equal(true);
        await networkHelpers.time.increaseTo(admittedAt + MAX_ADMISSION_PERIOD - 1);
        expect(await reads(wardDoctor)).to.equal(true);
        await networkHelpers.time.increaseTo(admittedAt + MAX_ADMISSION_PERIOD);
        expect(await reads(wardDoctor)).to.equal(false);
      });

      it("renews the period only with a new signed admission", async function () {
        const { wardDoctor } = f;
        await networkHelpers.time.increaseTo(admittedAt + MAX_ADMISSION_PERIOD - DAY);
        const again = await minedAt(ethers, admit());
        await networkHelpers.time.increaseTo(again + MAX_ADMISSION_PERIOD - 1);
        expect(await reads(wardDoctor)).to.equal(true);
      });

      it("closes to the ward's doctors while the hospital is suspended", async function () {
        await suspend(f, f.hospital.address);
        expect(await f.relationships.hasRelationship(f.patient.address, f.wardDoctor.address)).to.equal(false);
        expect(await reads(f.wardDoctor)).to.equal(false);
        await reinstate(f, f.hospital.address);
        expect(await reads(f.wardDoctor)).to.equal(true);
      });

      it("does not open them to doctors outside the ward", async function () {
        expect(await reads(f.doctor)).to.equal(false);
        expect(await reads(f.otherHospitalDoctor)).to.equal(false);
        expect(await reads(f.secondDoctor)).to.equal(false);
      });
    });

    describe("with a ward that is not the hospital's", function () {
      it("refuses another hospital admitting to this hospital's ward", async function () {
        const { relationships, otherHospital, ward, wardDoctor } = f;
        await expect(admit(otherHospital))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotWard")
          .withArgs(ward, otherHospital.address);
        expect(await reads(wardDoctor)).to.equal(false);
      });

      it("refuses a ward of another hospital", async function () {
        const { relationships, hospital, patient, otherWard } = f;
        await expect(admit(hospital, otherWard))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotWard")
          .withArgs(otherWard, hospital.address);
        await expect(relationships.connect(hospital).dischargePatient(patient.address, otherWard))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotWard")
          .withArgs(otherWard, hospital.address);
      });

      it("refuses a practitioner, the hospital itself and an unregistered address", async function () {
        const { relationships, hospital, doctor } = f;
        for (const ward of [doctor.address, hospital.address, addressOf("nowhere")]) {
          await expect(admit(hospital, ward))
            .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotWard")
            .withArgs(ward, hospital.address);
        }
        expect(await reads(doctor)).to.equal(false);
      });
    });

    describe("by an account that is not an active hospital", function () {
      for (const role of ["wardDoctor", "patient", "stranger"] as const) {
        it(`refuses the ${role}`, async function () {
          const { relationships, wardDoctor } = f;
          const caller = f[role];
          await expect(admit(caller))
            .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotHospital")
            .withArgs(caller.address);
          expect(await reads(wardDoctor)).to.equal(false);
        });
      }
    });

    it("refuses the zero address as the patient", async function () {
      const { relationships, hospital, ward, wardDoctor } = f;
      await expect(
        relationships
          .connect(hospital)
          .admitPatient(ZeroAddress, ward, { visitId: ZeroHash, expiresAt: 0, signature: "0x" }),
      ).to.be.revertedWithCustomError(relationships, "CareRelationshipsZeroAddress");
      expect(await relationships.hasRelationship(ZeroAddress, wardDoctor.address)).to.equal(false);
    });
  });

  describe("dischargePatient", function () {
    describe("with the patient admitted", function () {
      beforeEach(async function () {
        await receiptOf(admit());
      });

      it("ends the ward doctors' access when the ward's hospital discharges", async function () {
        const { relationships, hospital, patient, ward, wardDoctor } = f;
        await expect(relationships.connect(hospital).dischargePatient(patient.address, ward))
          .to.emit(relationships, "Discharged")
          .withArgs(patient.address, ward, hospital.address);
        expect(await relationships.hasRelationship(patient.address, wardDoctor.address)).to.equal(false);
        expect(await reads(wardDoctor)).to.equal(false);
      });

      it("refuses another hospital", async function () {
        const { relationships, otherHospital, patient, ward, wardDoctor } = f;
        await expect(relationships.connect(otherHospital).dischargePatient(patient.address, ward))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotWard")
          .withArgs(ward, otherHospital.address);
        expect(await reads(wardDoctor)).to.equal(true);
      });

      it("refuses an account that is not a hospital", async function () {
        const { relationships, wardDoctor, patient, ward } = f;
        await expect(relationships.connect(wardDoctor).dischargePatient(patient.address, ward))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotHospital")
          .withArgs(wardDoctor.address);
        expect(await reads(wardDoctor)).to.equal(true);
      });

      it("refuses to discharge twice", async function () {
        const { relationships, hospital, patient, ward } = f;
        await receiptOf(relationships.connect(hospital).dischargePatient(patient.address, ward));
        await expect(relationships.connect(hospital).dischargePatient(patient.address, ward))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotAdmitted")
          .withArgs(patient.address, ward);
      });
    });

    describe("with the patient not admitted", function () {
      it("refuses it", async function () {
        const { relationships, hospital, otherPatient, ward, wardDoctor } = f;
        await expect(relationships.connect(hospital).dischargePatient(otherPatient.address, ward))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotAdmitted")
          .withArgs(otherPatient.address, ward);
        expect(await relationships.hasRelationship(otherPatient.address, wardDoctor.address)).to.equal(false);
      });
    });
  });

  describe("sensitive records", function () {
    it("stay closed under every relationship at once", async function () {
      const { relationships, patient, secondDoctor, doctor, wardDoctor, sensitiveNote } = f;
      await receiptOf(relationships.connect(patient).setFamilyDoctor(patient.address, secondDoctor.address));
      await receiptOf(relationships.connect(patient).recordAppointment(patient.address, doctor.address, await today()));
      await receiptOf(checkIn());
      await receiptOf(admit());
      for (const staff of [secondDoctor, doctor, wardDoctor]) {
        expect(await relationships.hasRelationship(patient.address, staff.address)).to.equal(true);
        expect(await reads(staff)).to.equal(true);
        expect(await reads(staff, sensitiveNote)).to.equal(false);
      }
    });

    it("open only through the patient's record-level grant", async function () {
      const { relationships, consent, patient, secondDoctor, sensitiveNote } = f;
      await receiptOf(relationships.connect(patient).setFamilyDoctor(patient.address, secondDoctor.address));
      const now = await networkHelpers.time.latest();
      await receiptOf(
        consent
          .connect(patient)
          .grantConsent(
            patient.address,
            grantRequest(secondDoctor.address, now, { scope: ConsentScope.Record, scopeValue: sensitiveNote }),
          ),
      );
      expect(
        await consent.accessBasis(secondDoctor.address, patient.address, sensitiveNote, Purpose.Treatment),
      ).to.equal(BigInt(AccessBasis.Consent));
    });
  });

  describe("setUnlockRequired", function () {
    for (const role of ["patient", "delegate"] as const) {
      it(`is set and lifted by the ${role}`, async function () {
        const { relationships, patient } = f;
        await expect(relationships.connect(f[role]).setUnlockRequired(patient.address, true))
          .to.emit(relationships, "UnlockRequirementChanged")
          .withArgs(patient.address, true);
        expect(await relationships.isUnlockRequired(patient.address)).to.equal(true);
        await expect(relationships.connect(f[role]).setUnlockRequired(patient.address, false))
          .to.emit(relationships, "UnlockRequirementChanged")
          .withArgs(patient.address, false);
        expect(await relationships.isUnlockRequired(patient.address)).to.equal(false);
      });
    }

    for (const role of ["reader", "stranger", "doctor"] as const) {
      it(`is refused to the ${role}`, async function () {
        const { relationships, patient } = f;
        const caller = f[role];
        await expect(relationships.connect(caller).setUnlockRequired(patient.address, true))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsNotPatientOrDelegate")
          .withArgs(caller.address, patient.address);
        expect(await relationships.isUnlockRequired(patient.address)).to.equal(false);
      });
    }
  });

  describe("unlockWithCode", function () {
    const codeId = id("careledger/test/unlock/code-1");

    /** An unlock for `doctor` expiring in half an hour, signed by the patient. */
    async function unlockFor(
      doctor: HardhatEthersSigner,
      overrides: Partial<UnlockMessage> = {},
    ): Promise<UnlockMessage & { signature: string }> {
      const message: UnlockMessage = {
        patient: f.patient.address,
        doctor: doctor.address,
        codeId,
        expiresAt: (await networkHelpers.time.latest()) + MAX_CODE_LIFETIME / 2,
        ...overrides,
      };
      return { ...message, signature: await signUnlockFor(f.patient, f.relationships, message) };
    }

    function present(doctor: HardhatEthersSigner, unlock: UnlockMessage & { signature: string }) {
      return f.relationships
        .connect(doctor)
        .unlockWithCode(unlock.patient, unlock.codeId, unlock.expiresAt, unlock.signature);
    }

    describe("with the unlock required and a family doctor registered", function () {
      beforeEach(async function () {
        const { relationships, patient, secondDoctor } = f;
        await receiptOf(relationships.connect(patient).setFamilyDoctor(patient.address, secondDoctor.address));
        await receiptOf(relationships.connect(patient).setUnlockRequired(patient.address, true));
      });

      it("closes relationship access until the doctor presents a code", async function () {
        const { relationships, consent, patient, secondDoctor, note } = f;
        expect(await relationships.hasRelationship(patient.address, secondDoctor.address)).to.equal(true);
        expect(await relationships.unlockedUntil(patient.address, secondDoctor.address)).to.equal(0n);
        expect(await consent.accessBasis(secondDoctor.address, patient.address, note, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.None),
        );
      });

      it("opens access for UNLOCK_PERIOD once the doctor presents the patient's code", async function () {
        const { relationships, consent, patient, secondDoctor, note } = f;
        const unlock = await unlockFor(secondDoctor);
        const tx = present(secondDoctor, unlock);
        const unlockedAt = await minedAt(ethers, tx);
        const until = unlockedAt + UNLOCK_PERIOD;
        await expect(tx)
          .to.emit(relationships, "Unlocked")
          .withArgs(patient.address, secondDoctor.address, codeId, until);
        expect(await relationships.unlockedUntil(patient.address, secondDoctor.address)).to.equal(BigInt(until));
        expect(await relationships.isCodeUsed(patient.address, codeId)).to.equal(true);
        expect(await consent.accessBasis(secondDoctor.address, patient.address, note, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Workflow),
        );
        await networkHelpers.time.increaseTo(until - 1);
        expect(await reads(secondDoctor)).to.equal(true);
        await networkHelpers.time.increaseTo(until);
        expect(await reads(secondDoctor)).to.equal(false);
      });

      it("keeps sensitive records closed after an unlock", async function () {
        await receiptOf(present(f.secondDoctor, await unlockFor(f.secondDoctor)));
        expect(await reads(f.secondDoctor)).to.equal(true);
        expect(await reads(f.secondDoctor, f.sensitiveNote)).to.equal(false);
      });

      it("opens nothing to a doctor without a relationship", async function () {
        const { relationships, patient, doctor } = f;
        const unlockedAt = await minedAt(ethers, present(doctor, await unlockFor(doctor)));
        expect(await relationships.unlockedUntil(patient.address, doctor.address)).to.equal(
          BigInt(unlockedAt + UNLOCK_PERIOD),
        );
        expect(await reads(doctor)).to.equal(false);
        await receiptOf(checkIn());
        expect(await reads(doctor)).to.equal(true);
      });

      it("does not gate the patient's explicit grants", async function () {
        const { consent, patient, otherHospitalDoctor, note } = f;
        const now = await networkHelpers.time.latest();
        await receiptOf(
          consent.connect(patient).grantConsent(patient.address, grantRequest(otherHospitalDoctor.address, now)),
        );
        expect(
          await consent.accessBasis(otherHospitalDoctor.address, patient.address, note, Purpose.Treatment),
        ).to.equal(BigInt(AccessBasis.Consent));
      });

      it("reopens relationship access when the patient lifts the requirement", async function () {
        await receiptOf(f.relationships.connect(f.patient).setUnlockRequired(f.patient.address, false));
        expect(await reads(f.secondDoctor)).to.equal(true);
      });

      it("refuses a code the second time", async function () {
        const { relationships, patient, secondDoctor } = f;
        const unlock = await unlockFor(secondDoctor);
        const until = (await minedAt(ethers, present(secondDoctor, unlock))) + UNLOCK_PERIOD;
        await expect(present(secondDoctor, unlock))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockUsed")
          .withArgs(patient.address, codeId);
        expect(await relationships.unlockedUntil(patient.address, secondDoctor.address)).to.equal(BigInt(until));
      });

      it("accepts a code expiring exactly MAX_CODE_LIFETIME ahead", async function () {
        const { relationships, patient, secondDoctor } = f;
        const at = (await networkHelpers.time.latest()) + 10;
        const unlock = await unlockFor(secondDoctor, { expiresAt: at + MAX_CODE_LIFETIME });
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(present(secondDoctor, unlock))
          .to.emit(relationships, "Unlocked")
          .withArgs(patient.address, secondDoctor.address, codeId, at + UNLOCK_PERIOD);
        expect(await relationships.unlockedUntil(patient.address, secondDoctor.address)).to.equal(
          BigInt(at + UNLOCK_PERIOD),
        );
      });

      it("refuses a code expiring more than MAX_CODE_LIFETIME ahead", async function () {
        const { relationships, patient, secondDoctor } = f;
        const at = (await networkHelpers.time.latest()) + 10;
        const expiresAt = at + MAX_CODE_LIFETIME + 1;
        const unlock = await unlockFor(secondDoctor, { expiresAt });
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(present(secondDoctor, unlock))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockExpired")
          .withArgs(expiresAt);
        expect(await relationships.isCodeUsed(patient.address, codeId)).to.equal(false);
      });

      it("refuses an expired code", async function () {
        const { relationships, patient, secondDoctor } = f;
        const unlock = await unlockFor(secondDoctor);
        await networkHelpers.time.setNextBlockTimestamp(unlock.expiresAt);
        await expect(present(secondDoctor, unlock))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockExpired")
          .withArgs(unlock.expiresAt);
        expect(await relationships.isCodeUsed(patient.address, codeId)).to.equal(false);
        expect(await reads(secondDoctor)).to.equal(false);
      });

      it("refuses a code made out to another doctor, since the doctor is the caller", async function () {
        const { relationships, patient, secondDoctor, doctor } = f;
        const unlock = await unlockFor(doctor);
        await expect(present(secondDoctor, unlock))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidUnlock")
          .withArgs(patient.address);
        expect(await relationships.isCodeUsed(patient.address, codeId)).to.equal(false);
        expect(await reads(secondDoctor)).to.equal(false);
      });

      it("refuses a code signed by anyone but the patient", async function () {
        const { relationships, patient, secondDoctor, stranger } = f;
        const message = await unlockFor(secondDoctor);
        const signature = await signUnlockFor(stranger, relationships, message);
        await expect(present(secondDoctor, { ...message, signature }))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidUnlock")
          .withArgs(patient.address);
        expect(await reads(secondDoctor)).to.equal(false);
      });

      it("refuses a code signed for another contract's domain", async function () {
        const { relationships, consent, patient, secondDoctor } = f;
        const message = await unlockFor(secondDoctor);
        const domain = { ...(await relationshipsDomain(relationships)), verifyingContract: await consent.getAddress() };
        const signature = await signUnlockFor(patient, relationships, message, domain);
        await expect(present(secondDoctor, { ...message, signature }))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsInvalidUnlock")
          .withArgs(patient.address);
        expect(await reads(secondDoctor)).to.equal(false);
      });

      it("refuses a code the patient cancelled", async function () {
        const { relationships, patient, secondDoctor } = f;
        const unlock = await unlockFor(secondDoctor);
        await expect(relationships.connect(patient).cancelUnlockCode(codeId))
          .to.emit(relationships, "UnlockCancelled")
          .withArgs(patient.address, codeId);
        expect(await relationships.isCodeUsed(patient.address, codeId)).to.equal(true);
        await expect(present(secondDoctor, unlock))
          .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockUsed")
          .withArgs(patient.address, codeId);
        expect(await reads(secondDoctor)).to.equal(false);
      });
    });

    describe("signed through a smart-contract wallet (ERC-1271)", function () {
      it("accepts the wallet owner's signature for the wallet's code", async function () {
        const { relationships, otherPatient, secondDoctor, admin } = f;
        const wallet = await new TestERC1271Wallet__factory(admin).deploy(otherPatient.address);
        const walletAddress = await wallet.getAddress();
        const message: UnlockMessage = {
          patient: walletAddress,
          doctor: secondDoctor.address,
          codeId,
          expiresAt: (await networkHelpers.time.latest()) + MAX_CODE_LIFETIME,
        };
        const signature = await signUnlockFor(otherPatient, relationships, message);
        const tx = relationships
          .connect(secondDoctor)
          .unlockWithCode(walletAddress, codeId, message.expiresAt, signature);
        const until = (await minedAt(ethers, tx)) + UNLOCK_PERIOD;
        await expect(tx)
          .to.emit(relationships, "Unlocked")
          .withArgs(walletAddress, secondDoctor.address, codeId, until);
        expect(await relationships.unlockedUntil(walletAddress, secondDoctor.address)).to.equal(BigInt(until));
      });
    });
  });

  describe("cancelUnlockCode", function () {
    const codeId = id("careledger/test/unlock/code-2");

    it("refuses to cancel a code twice", async function () {
      const { relationships, patient } = f;
      await receiptOf(relationships.connect(patient).cancelUnlockCode(codeId));
      await expect(relationships.connect(patient).cancelUnlockCode(codeId))
        .to.be.revertedWithCustomError(relationships, "CareRelationshipsUnlockUsed")
        .withArgs(patient.address, codeId);
      expect(await relationships.isCodeUsed(patient.address, codeId)).to.equal(true);
    });

    it("touches only the caller's own codes", async function () {
      const { relationships, patient, stranger } = f;
      await expect(relationships.connect(stranger).cancelUnlockCode(codeId))
        .to.emit(relationships, "UnlockCancelled")
        .withArgs(stranger.address, codeId);
      expect(await relationships.isCodeUsed(stranger.address, codeId)).to.equal(true);
      expect(await relationships.isCodeUsed(patient.address, codeId)).to.equal(false);
      expect(await relationships.isCodeUsed(patient.address, ZeroHash)).to.equal(false);
    });
  });
});
