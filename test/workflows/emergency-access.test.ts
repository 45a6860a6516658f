import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { AccessBasis } from "../../client/care-types.js";
import { EmergencyAccess__factory } from "../../typechain-types/index.js";
import {
  commitmentOf,
  recordCommitmentOf,
  HipaaRole,
  HOUR,
  minedAt,
  ProviderForm,
  ProviderKind,
  Purpose,
  receiptOf,
  RecordType,
  structOf,
} from "../helpers/care-ledger.js";
import { addressOf, deployWorkflowWorld, reinstate, suspend } from "../helpers/workflow-fixture.js";

const { ethers, networkHelpers } = await network.create();

const MAX_DURATION = 24 * HOUR;
/** A reason code from the deployment's published list ("unconscious on arrival", say). */
const REASON_UNCONSCIOUS = 7;
const SESSION = 6 * HOUR;
const OTHER_PURPOSES = [
  Purpose.Treatment,
  Purpose.Dispensing,
  Purpose.Research,
  Purpose.Payment,
  Purpose.LegalRepresentation,
  Purpose.Inheritance,
] as const;

/** A session as plain values, for deep comparison with `sessionOf`. */
function sessionEntry(openedAt: number, expiresAt: number, reasonCode: number, count: number): Record<string, bigint> {
  return {
    openedAt: BigInt(openedAt),
    expiresAt: BigInt(expiresAt),
    reasonCode: BigInt(reasonCode),
    count: BigInt(count),
  };
}

async function fixture() {
  const world = await deployWorkflowWorld(ethers);
  const { registry, directory, registrar, doctor, patient, otherPatient } = world;
  // The patient's records, written by the doctor before the emergency.
  const [note, sensitiveNote, otherNote] = ["ed/note", "ed/sensitive-note", "ed/other-patient-note"].map((label) =>
    recordCommitmentOf(doctor.address, commitmentOf(label)),
  );
  await receiptOf(
    registry.connect(doctor).anchorRecord(patient.address, commitmentOf("ed/note"), RecordType.ClinicalNote, false),
  );
  await receiptOf(
    registry.connect(doctor).anchorRecord(patient.address, commitmentOf("ed/sensitive-note"), RecordType.Allergy, true),
  );
  await receiptOf(
    registry
      .connect(doctor)
      .anchorRecord(otherPatient.address, commitmentOf("ed/other-patient-note"), RecordType.ClinicalNote, false),
  );
  // A second emergency department that only ever appears as an accessor.
  const otherDepartment = addressOf("other-emergency-department");
  await receiptOf(
    directory.connect(registrar).registerProvider(otherDepartment, {
      kind: ProviderKind.EmergencyDepartment,
      form: ProviderForm.Organisation,
      hipaa: HipaaRole.CoveredEntity,
      organisation: ZeroAddress,
    }),
  );
  return { ...world, note, sensitiveNote, otherNote, otherDepartment };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe("EmergencyAccess", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  /** The emergency department opens a session of `duration` for the patient; returns when it opened. */
  async function open(duration = SESSION, reasonCode = REASON_UNCONSCIOUS): Promise<number> {
    return minedAt(
      ethers,
      f.emergency.connect(f.emergencyDepartment).openEmergencyAccess(f.patient.address, reasonCode, duration),
    );
  }

  /** Whether the emergency department may read `commitment` of the patient for `purpose`. */
  async function reads(commitment: string, purpose: Purpose = Purpose.Emergency): Promise<boolean> {
    return f.consent.canAccess(f.emergencyDepartment.address, f.patient.address, commitment, purpose);
  }

  describe("deployment", function () {
    it("caps a session at 24 hours", async function () {
      expect(await f.emergency.MAX_DURATION()).to.equal(BigInt(MAX_DURATION));
    });

    it("is registered as an access source of the consent manager", async function () {
      expect(await f.consent.accessSources()).to.include(await f.emergency.getAddress());
    });

    it("rejects a zero consent manager (its directory and registry come from the consent manager)", async function () {
      const factory = new EmergencyAccess__factory(f.admin);
      await expect(factory.deploy(ZeroAddress)).to.be.revertedWithCustomError(factory, "WorkflowZeroAddress");
    });
  });

  describe("openEmergencyAccess", function () {
    describe("by an active emergency department", function () {
      it("returns the expiry, stores the session and announces it", async function () {
        const { emergency, emergencyDepartment, patient } = f;
        const now = await networkHelpers.time.latest();
        expect(
          await emergency
            .connect(emergencyDepartment)
            .openEmergencyAccess.staticCall(patient.address, REASON_UNCONSCIOUS, SESSION),
        ).to.equal(BigInt(now + SESSION));
        await networkHelpers.time.setNextBlockTimestamp(now + 10);
        await expect(
          emergency.connect(emergencyDepartment).openEmergencyAccess(patient.address, REASON_UNCONSCIOUS, SESSION),
        )
          .to.emit(emergency, "EmergencyAccessOpened")
          .withArgs(patient.address, emergencyDepartment.address, REASON_UNCONSCIOUS, now + 10 + SESSION, 1);
        expect(structOf(await emergency.sessionOf(patient.address, emergencyDepartment.address))).to.deep.equal(
          sessionEntry(now + 10, now + 10 + SESSION, REASON_UNCONSCIOUS, 1),
        );
        expect(await emergency.isSessionOpen(patient.address, emergencyDepartment.address)).to.equal(true);
      });

      it("accepts exactly 24 hours", async function () {
        const { emergency, emergencyDepartment, patient } = f;
        const tx = emergency
          .connect(emergencyDepartment)
          .openEmergencyAccess(patient.address, REASON_UNCONSCIOUS, MAX_DURATION);
        const openedAt = await minedAt(ethers, tx);
        await expect(tx)
          .to.emit(emergency, "EmergencyAccessOpened")
          .withArgs(patient.address, emergencyDepartment.address, REASON_UNCONSCIOUS, openedAt + MAX_DURATION, 1);
        expect((await emergency.sessionOf(patient.address, emergencyDepartment.address)).expiresAt).to.equal(
          BigInt(openedAt + MAX_DURATION),
        );
      });

      it("replaces an open session with a new, numbered one", async function () {
        const { emergency, emergencyDepartment, patient } = f;
        await open(SESSION);
        const tx = emergency.connect(emergencyDepartment).openEmergencyAccess(patient.address, 9, HOUR);
        const reopenedAt = await minedAt(ethers, tx);
        await expect(tx)
          .to.emit(emergency, "EmergencyAccessOpened")
          .withArgs(patient.address, emergencyDepartment.address, 9, reopenedAt + HOUR, 2);
        expect(structOf(await emergency.sessionOf(patient.address, emergencyDepartment.address))).to.deep.equal(
          sessionEntry(reopenedAt, reopenedAt + HOUR, 9, 2),
        );
      });

      it("keeps sessions for different patients apart", async function () {
        const { emergency, emergencyDepartment, patient, otherPatient } = f;
        await open();
        const tx = emergency.connect(emergencyDepartment).openEmergencyAccess(otherPatient.address, 3, HOUR);
        const openedAt = await minedAt(ethers, tx);
        await expect(tx)
          .to.emit(emergency, "EmergencyAccessOpened")
          .withArgs(otherPatient.address, emergencyDepartment.address, 3, openedAt + HOUR, 1);
        expect((await emergency.sessionOf(patient.address, emergencyDepartment.address)).count).to.equal(1n);
        expect((await emergency.sessionOf(otherPatient.address, emergencyDepartment.address)).count).to.equal(1n);
      });
    });

    describe("by an account that is not an active emergency department", function () {
      for (const role of ["doctor", "hospital", "pharmacy", "patient", "stranger"] as const) {
        it(`refuses the ${role}`, async function () {
          const { emergency, patient } = f;
          const caller = f[role];
          await expect(emergency.connect(caller).openEmergencyAccess(patient.address, REASON_UNCONSCIOUS, SESSION))
            .to.be.revertedWithCustomError(emergency, "WorkflowUnauthorizedProvider")
            .withArgs(caller.address, ProviderKind.EmergencyDepartment);
          expect(structOf(await emergency.sessionOf(patient.address, caller.address))).to.deep.equal(
            sessionEntry(0, 0, 0, 0),
          );
        });
      }

      it("refuses a suspended emergency department", async function () {
        const { emergency, emergencyDepartment, patient } = f;
        await suspend(f, emergencyDepartment.address);
        await expect(
          emergency.connect(emergencyDepartment).openEmergencyAccess(patient.address, REASON_UNCONSCIOUS, SESSION),
        )
          .to.be.revertedWithCustomError(emergency, "WorkflowUnauthorizedProvider")
          .withArgs(emergencyDepartment.address, ProviderKind.EmergencyDepartment);
        expect(await emergency.isSessionOpen(patient.address, emergencyDepartment.address)).to.equal(false);
      });
    });

    describe("with invalid arguments", function () {
      it("refuses a zero reason code", async function () {
        const { emergency, emergencyDepartment, patient } = f;
        await expect(
          emergency.connect(emergencyDepartment).openEmergencyAccess(patient.address, 0, SESSION),
        ).to.be.revertedWithCustomError(emergency, "EmergencyAccessMissingReason");
        expect(await emergency.isSessionOpen(patient.address, emergencyDepartment.address)).to.equal(false);
      });

      for (const duration of [0, MAX_DURATION + 1, 2 ** 32 - 1]) {
        it(`refuses a duration of ${duration} seconds`, async function () {
          const { emergency, emergencyDepartment, patient } = f;
          await expect(
            emergency.connect(emergencyDepartment).openEmergencyAccess(patient.address, REASON_UNCONSCIOUS, duration),
          )
            .to.be.revertedWithCustomError(emergency, "EmergencyAccessInvalidDuration")
            .withArgs(duration, MAX_DURATION);
          expect(await emergency.isSessionOpen(patient.address, emergencyDepartment.address)).to.equal(false);
        });
      }

      it("refuses the zero address as the patient", async function () {
        const { emergency, emergencyDepartment } = f;
        await expect(
          emergency.connect(emergencyDepartment).openEmergencyAccess(ZeroAddress, REASON_UNCONSCIOUS, SESSION),
        ).to.be.revertedWithCustomError(emergency, "EmergencyAccessZeroPatient");
        expect(await emergency.isSessionOpen(ZeroAddress, emergencyDepartment.address)).to.equal(false);
      });
    });
  });

  describe("access for the Emergency purpose", function () {
    describe("during an open session", function () {
      let openedAt: number;

      beforeEach(async function () {
        openedAt = await open();
      });

      it("opens the patient's non-sensitive records to the department", async function () {
        const { consent, emergencyDepartment, patient, note } = f;
        expect(await reads(note)).to.equal(true);
        expect(
          await consent.accessBasis(emergencyDepartment.address, patient.address, note, Purpose.Emergency),
        ).to.equal(BigInt(AccessBasis.Workflow));
      });

      for (const purpose of OTHER_PURPOSES) {
        it(`never opens them for purpose ${Purpose[purpose]}`, async function () {
          expect(await reads(f.note, purpose)).to.equal(false);
        });
      }

      it("keeps sensitive records closed", async function () {
        expect(await f.emergency.allowsSensitiveAccess(f.patient.address)).to.equal(false);
        expect(await reads(f.sensitiveNote)).to.equal(false);
      });

      it("opens sensitive records once the patient allowed it, and closes them when the patient withdraws", async function () {
        const { emergency, patient, sensitiveNote, note } = f;
        await expect(emergency.connect(patient).setEmergencyAccessToSensitive(true))
          .to.emit(emergency, "EmergencySensitiveAccessChanged")
          .withArgs(patient.address, true);
        expect(await emergency.allowsSensitiveAccess(patient.address)).to.equal(true);
        expect(await reads(sensitiveNote)).to.equal(true);
        await expect(emergency.connect(patient).setEmergencyAccessToSensitive(false))
          .to.emit(emergency, "EmergencySensitiveAccessChanged")
          .withArgs(patient.address, false);
        expect(await emergency.allowsSensitiveAccess(patient.address)).to.equal(false);
        expect(await reads(sensitiveNote)).to.equal(false);
        expect(await reads(note)).to.equal(true);
      });

      it("does not let another patient's choice open this patient's sensitive records", async function () {
        const { emergency, otherPatient, sensitiveNote } = f;
        await receiptOf(emergency.connect(otherPatient).setEmergencyAccessToSensitive(true));
        expect(await emergency.allowsSensitiveAccess(otherPatient.address)).to.equal(true);
        expect(await reads(sensitiveNote)).to.equal(false);
      });

      it("does not open another patient's records", async function () {
        const { consent, emergencyDepartment, otherPatient, otherNote } = f;
        expect(
          await consent.canAccess(emergencyDepartment.address, otherPatient.address, otherNote, Purpose.Emergency),
        ).to.equal(false);
      });

      it("does not open the records to another emergency department", async function () {
        const { consent, otherDepartment, patient, note } = f;
        expect(await consent.canAccess(otherDepartment, patient.address, note, Purpose.Emergency)).to.equal(false);
      });

      it("does not open an erased record", async function () {
        const { registry, patient, note } = f;
        await receiptOf(registry.connect(patient).eraseRecord(patient.address, note));
        expect(await reads(note)).to.equal(false);
      });

      it("lasts until the second before expiry and closes at expiry", async function () {
        const { emergency, emergencyDepartment, patient, note } = f;
        await networkHelpers.time.increaseTo(openedAt + SESSION - 1);
        expect(await reads(note)).to.equal(true);
        expect(await emergency.isSessionOpen(patient.address, emergencyDepartment.address)).to.equal(true);
        await networkHelpers.time.increaseTo(openedAt + SESSION);
        expect(await reads(note)).to.equal(false);
        expect(await emergency.isSessionOpen(patient.address, emergencyDepartment.address)).to.equal(false);
      });

      it("closes the moment the department is suspended, and reopens if it is reinstated in time", async function () {
        const { consent, emergencyDepartment, patient, note } = f;
        await suspend(f, emergencyDepartment.address);
        expect(await reads(note)).to.equal(false);
        expect(
          await consent.accessBasis(emergencyDepartment.address, patient.address, note, Purpose.Emergency),
        ).to.equal(BigInt(AccessBasis.None));
        await reinstate(f, emergencyDepartment.address);
        expect(await reads(note)).to.equal(true);
      });
    });

    describe("without a session", function () {
      it("keeps every record closed", async function () {
        expect(await reads(f.note)).to.equal(false);
        expect(await f.emergency.isSessionOpen(f.patient.address, f.emergencyDepartment.address)).to.equal(false);
      });
    });
  });

  describe("closeEmergencyAccess", function () {
    describe("with an open session", function () {
      it("ends the session now, announces it and closes access", async function () {
        const { emergency, emergencyDepartment, patient, note } = f;
        const openedAt = await open();
        const tx = emergency.connect(emergencyDepartment).closeEmergencyAccess(patient.address);
        const closedAt = await minedAt(ethers, tx);
        await expect(tx)
          .to.emit(emergency, "EmergencyAccessClosed")
          .withArgs(patient.address, emergencyDepartment.address, closedAt);
        expect(structOf(await emergency.sessionOf(patient.address, emergencyDepartment.address))).to.deep.equal(
          sessionEntry(openedAt, closedAt, REASON_UNCONSCIOUS, 1),
        );
        expect(await emergency.isSessionOpen(patient.address, emergencyDepartment.address)).to.equal(false);
        expect(await reads(note)).to.equal(false);
      });

      it("refuses to close twice", async function () {
        const { emergency, emergencyDepartment, patient } = f;
        await open();
        await receiptOf(emergency.connect(emergencyDepartment).closeEmergencyAccess(patient.address));
        await expect(emergency.connect(emergencyDepartment).closeEmergencyAccess(patient.address))
          .to.be.revertedWithCustomError(emergency, "EmergencyAccessNoSession")
          .withArgs(patient.address, emergencyDepartment.address);
      });

      it("refuses another account, which holds no session of its own", async function () {
        const { emergency, emergencyDepartment, doctor, patient } = f;
        await open();
        await expect(emergency.connect(doctor).closeEmergencyAccess(patient.address))
          .to.be.revertedWithCustomError(emergency, "EmergencyAccessNoSession")
          .withArgs(patient.address, doctor.address);
        expect(await emergency.isSessionOpen(patient.address, emergencyDepartment.address)).to.equal(true);
      });
    });

    describe("without an open session", function () {
      it("refuses when none was ever opened", async function () {
        const { emergency, emergencyDepartment, patient } = f;
        await expect(emergency.connect(emergencyDepartment).closeEmergencyAccess(patient.address))
          .to.be.revertedWithCustomError(emergency, "EmergencyAccessNoSession")
          .withArgs(patient.address, emergencyDepartment.address);
      });

      it("refuses once the session expired", async function () {
        const { emergency, emergencyDepartment, patient } = f;
        const openedAt = await open();
        await networkHelpers.time.increaseTo(openedAt + SESSION);
        await expect(emergency.connect(emergencyDepartment).closeEmergencyAccess(patient.address))
          .to.be.revertedWithCustomError(emergency, "EmergencyAccessNoSession")
          .withArgs(patient.address, emergencyDepartment.address);
        expect((await emergency.sessionOf(patient.address, emergencyDepartment.address)).expiresAt).to.equal(
          BigInt(openedAt + SESSION),
        );
      });
    });
  });

  describe("the trace", function () {
    it("leaves an opened and a closed event per session, found by the patient's address", async function () {
      const { emergency, emergencyDepartment, patient, otherPatient } = f;
      const from = await ethers.provider.getBlockNumber();
      const first = await open(HOUR, REASON_UNCONSCIOUS);
      const closedAt = await minedAt(
        ethers,
        emergency.connect(emergencyDepartment).closeEmergencyAccess(patient.address),
      );
      const second = await open(2 * HOUR, 11);
      await receiptOf(emergency.connect(emergencyDepartment).openEmergencyAccess(otherPatient.address, 3, HOUR));

      const opened = await emergency.queryFilter(emergency.filters.EmergencyAccessOpened(patient.address), from);
      expect(
        opened.map(({ args }) => [args.patient, args.provider, args.reasonCode, args.expiresAt, args.count]),
      ).to.deep.equal([
        [patient.address, emergencyDepartment.address, BigInt(REASON_UNCONSCIOUS), BigInt(first + HOUR), 1n],
        [patient.address, emergencyDepartment.address, 11n, BigInt(second + 2 * HOUR), 2n],
      ]);
      const closed = await emergency.queryFilter(emergency.filters.EmergencyAccessClosed(patient.address), from);
      expect(closed.map((event) => event.args.closedAt)).to.deep.equal([BigInt(closedAt)]);
      expect((await emergency.sessionOf(patient.address, emergencyDepartment.address)).count).to.equal(2n);
    });

    it("numbers the sessions of each department for each patient", async function () {
      const { emergency, emergencyDepartment, patient } = f;
      for (let count = 1; count <= 3; count++) {
        const tx = emergency
          .connect(emergencyDepartment)
          .openEmergencyAccess(patient.address, REASON_UNCONSCIOUS, HOUR);
        const openedAt = await minedAt(ethers, tx);
        await expect(tx)
          .to.emit(emergency, "EmergencyAccessOpened")
          .withArgs(patient.address, emergencyDepartment.address, REASON_UNCONSCIOUS, openedAt + HOUR, count);
        expect((await emergency.sessionOf(patient.address, emergencyDepartment.address)).count).to.equal(BigInt(count));
      }
    });
  });

  describe("setEmergencyAccessToSensitive", function () {
    it("records the caller's own choice only", async function () {
      const { emergency, patient, otherPatient } = f;
      await expect(emergency.connect(patient).setEmergencyAccessToSensitive(true))
        .to.emit(emergency, "EmergencySensitiveAccessChanged")
        .withArgs(patient.address, true);
      expect(await emergency.allowsSensitiveAccess(patient.address)).to.equal(true);
      expect(await emergency.allowsSensitiveAccess(otherPatient.address)).to.equal(false);
    });

    it("opens nothing without a session", async function () {
      const { emergency, patient, sensitiveNote } = f;
      await receiptOf(emergency.connect(patient).setEmergencyAccessToSensitive(true));
      expect(await reads(sensitiveNote)).to.equal(false);
    });
  });
});
