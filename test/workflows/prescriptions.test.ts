import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { RecordFlag } from "../../client/care-types.js";
import { Prescriptions__factory } from "../../typechain-types/index.js";
import {
  commitmentOf,
  recordCommitmentOf,
  ConsentScope,
  DAY,
  grantIdOfRequest,
  HipaaRole,
  grantRequest,
  minedAt,
  ProviderForm,
  ProviderKind,
  Purpose,
  receiptOf,
  recordTypeScope,
  RecordType,
  structOf,
  type GrantRequest,
} from "../helpers/care-ledger.js";
import { deployWorkflowWorld, recordEntry, reinstate, suspend } from "../helpers/workflow-fixture.js";

const { ethers, networkHelpers } = await network.create();

/** Dispensing terms as the tests write them. */
interface TermsValues {
  pharmacy: string;
  expiresAt: number;
  quantity: number;
  refills: number;
}

/** A prescription as plain values, for deep comparison with `prescriptionOf`. */
function prescriptionEntry(terms: TermsValues, dispensed: number, cancelled: boolean): Record<string, unknown> {
  return {
    pharmacy: terms.pharmacy,
    expiresAt: BigInt(terms.expiresAt),
    quantity: BigInt(terms.quantity),
    refills: BigInt(terms.refills),
    dispensed: BigInt(dispensed),
    cancelled,
  };
}

/** Units a prescription allows over its first fill and every refill. */
function totalOf(terms: TermsValues): number {
  return terms.quantity * (terms.refills + 1);
}

async function fixture() {
  const world = await deployWorkflowWorld(ethers);
  const { prescriptions, doctor, patient, pharmacy } = world;
  const start = await networkHelpers.time.latest();
  // The doctor issues content commitments; the prescriptions are named by the doctor's record commitments.
  const rxContent = commitmentOf("rx/designated");
  const rx: string = recordCommitmentOf(doctor.address, rxContent);
  const terms: TermsValues = { pharmacy: pharmacy.address, expiresAt: start + 30 * DAY, quantity: 30, refills: 2 };
  const issuedAt = await minedAt(
    ethers,
    prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, terms),
  );
  const anyRxContent = commitmentOf("rx/any-pharmacy");
  const anyRx: string = recordCommitmentOf(doctor.address, anyRxContent);
  const anyTerms: TermsValues = { ...terms, pharmacy: ZeroAddress };
  await receiptOf(prescriptions.connect(doctor).issuePrescription(patient.address, anyRxContent, anyTerms));
  return { ...world, rx, rxContent, terms, issuedAt, anyRx, anyTerms };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe("Prescriptions", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  /** The patient grants `grantee` dispensing of the designated prescription (record scope unless overridden). */
  async function grantDispensing(grantee: HardhatEthersSigner, overrides: Partial<GrantRequest> = {}): Promise<string> {
    const now = await networkHelpers.time.latest();
    const request = grantRequest(grantee.address, now, {
      scope: ConsentScope.Record,
      scopeValue: f.rx,
      purpose: Purpose.Dispensing,
      ...overrides,
    });
    await receiptOf(f.consent.connect(f.patient).grantConsent(f.patient.address, request));
    return grantIdOfRequest(request);
  }

  /** `pharmacy` dispenses `amount` units of `prescription`, anchoring the dispense record `label`. */
  function dispense(pharmacy: HardhatEthersSigner, amount: number, label: string, prescription = f.rx) {
    return f.prescriptions
      .connect(pharmacy)
      .dispensePrescription(f.patient.address, prescription, amount, commitmentOf(`dispense/${label}`));
  }

  describe("deployment", function () {
    it("rejects a zero consent manager (its directory and registry come from the consent manager)", async function () {
      const factory = new Prescriptions__factory(f.admin);
      await expect(factory.deploy(ZeroAddress)).to.be.revertedWithCustomError(factory, "WorkflowZeroAddress");
    });
  });

  describe("issuePrescription", function () {
    describe("by an active doctor", function () {
      it("anchors the MedicationRequest record, stores the terms and announces both", async function () {
        const { prescriptions, registry, doctor, patient, pharmacy } = f;
        const rxContent = commitmentOf("rx/new");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        const now = await networkHelpers.time.latest();
        const terms: TermsValues = { pharmacy: pharmacy.address, expiresAt: now + 7 * DAY, quantity: 14, refills: 1 };
        const tx = prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, terms);
        await expect(tx)
          .to.emit(prescriptions, "PrescriptionIssued")
          .withArgs(patient.address, rx, doctor.address, pharmacy.address, terms.expiresAt, 14, 1)
          .and.to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, rx, doctor.address, RecordType.Prescription, false);
        const issuedAt = await minedAt(ethers, tx);
        expect(structOf(await prescriptions.prescriptionOf(patient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, 0, false),
        );
        expect(structOf(await registry.recordOf(patient.address, rx))).to.deep.equal(
          recordEntry(doctor.address, issuedAt, RecordType.Prescription, 0, 1),
        );
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(28n);
      });

      it("accepts any active pharmacy when none is designated", async function () {
        const { prescriptions, patient, anyRx, anyTerms } = f;
        expect(structOf(await prescriptions.prescriptionOf(patient.address, anyRx))).to.deep.equal(
          prescriptionEntry(anyTerms, 0, false),
        );
      });

      it("accepts the largest terms, whose total still fits the dispensed counter", async function () {
        const { prescriptions, doctor, patient } = f;
        const rxContent = commitmentOf("rx/largest");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        const now = await networkHelpers.time.latest();
        const terms: TermsValues = { pharmacy: ZeroAddress, expiresAt: now + DAY, quantity: 0xffff, refills: 0xff };
        await expect(prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, terms))
          .to.emit(prescriptions, "PrescriptionIssued")
          .withArgs(patient.address, rx, doctor.address, ZeroAddress, terms.expiresAt, 0xffff, 0xff);
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(BigInt(totalOf(terms)));
      });

      it("keys prescriptions by patient, so the same commitment may serve another patient", async function () {
        const { prescriptions, doctor, otherPatient, rx, rxContent, terms } = f;
        await expect(prescriptions.connect(doctor).issuePrescription(otherPatient.address, rxContent, terms))
          .to.emit(prescriptions, "PrescriptionIssued")
          .withArgs(otherPatient.address, rx, doctor.address, terms.pharmacy, terms.expiresAt, 30, 2);
        expect(structOf(await prescriptions.prescriptionOf(otherPatient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, 0, false),
        );
      });
    });

    describe("by an account that is not an active doctor", function () {
      for (const role of ["pharmacy", "lab", "hospital", "stranger", "patient"] as const) {
        it(`refuses the ${role}`, async function () {
          const { prescriptions, registry, patient, terms } = f;
          const caller = f[role];
          const rxContent = commitmentOf(`rx/by-${role}`);
          const rx = recordCommitmentOf(f.doctor.address, rxContent);
          await expect(prescriptions.connect(caller).issuePrescription(patient.address, rxContent, terms))
            .to.be.revertedWithCustomError(prescriptions, "WorkflowUnauthorizedProvider")
            .withArgs(caller.address, ProviderKind.Doctor);
          expect((await prescriptions.prescriptionOf(patient.address, rx)).quantity).to.equal(0n);
          expect((await registry.recordOf(patient.address, rx)).author).to.equal(ZeroAddress);
        });
      }

      it("refuses a suspended doctor", async function () {
        const { prescriptions, doctor, patient, terms } = f;
        await suspend(f, doctor.address);
        const rxContent = commitmentOf("rx/suspended");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        await expect(prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, terms))
          .to.be.revertedWithCustomError(prescriptions, "WorkflowUnauthorizedProvider")
          .withArgs(doctor.address, ProviderKind.Doctor);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).quantity).to.equal(0n);
      });

      it("refuses a doctor whose hospital is suspended", async function () {
        const { prescriptions, doctor, hospital, patient, terms } = f;
        await suspend(f, hospital.address);
        const rxContent = commitmentOf("rx/hospital-suspended");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        await expect(prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, terms))
          .to.be.revertedWithCustomError(prescriptions, "WorkflowUnauthorizedProvider")
          .withArgs(doctor.address, ProviderKind.Doctor);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).quantity).to.equal(0n);
      });
    });

    describe("with invalid terms", function () {
      it("refuses a zero quantity", async function () {
        const { prescriptions, doctor, patient, terms } = f;
        const rxContent = commitmentOf("rx/zero-quantity");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        await expect(
          prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, { ...terms, quantity: 0 }),
        )
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionInvalidTerms")
          .withArgs(0, terms.expiresAt);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).quantity).to.equal(0n);
      });

      it("refuses an expiry equal to the block time", async function () {
        const { prescriptions, doctor, patient, terms } = f;
        const rxContent = commitmentOf("rx/expires-now");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        const at = (await networkHelpers.time.latest()) + 10;
        await networkHelpers.time.setNextBlockTimestamp(at);
        await expect(
          prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, { ...terms, expiresAt: at }),
        )
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionInvalidTerms")
          .withArgs(30, at);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).quantity).to.equal(0n);
      });

      it("refuses an expiry in the past", async function () {
        const { prescriptions, doctor, patient, terms, issuedAt } = f;
        const rxContent = commitmentOf("rx/expired");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        await expect(
          prescriptions
            .connect(doctor)
            .issuePrescription(patient.address, rxContent, { ...terms, expiresAt: issuedAt }),
        )
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionInvalidTerms")
          .withArgs(30, issuedAt);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).quantity).to.equal(0n);
      });
    });

    describe("with a designated pharmacy that is not an active pharmacy", function () {
      for (const role of ["lab", "doctor", "stranger"] as const) {
        it(`refuses the ${role} as the pharmacy`, async function () {
          const { prescriptions, doctor, patient, terms } = f;
          const designated = f[role].address;
          const rxContent = commitmentOf(`rx/pharmacy-${role}`);
          const rx = recordCommitmentOf(f.doctor.address, rxContent);
          await expect(
            prescriptions
              .connect(doctor)
              .issuePrescription(patient.address, rxContent, { ...terms, pharmacy: designated }),
          )
            .to.be.revertedWithCustomError(prescriptions, "PrescriptionInvalidPharmacy")
            .withArgs(designated);
          expect((await prescriptions.prescriptionOf(patient.address, rx)).quantity).to.equal(0n);
        });
      }

      it("refuses a suspended pharmacy", async function () {
        const { prescriptions, doctor, patient, pharmacy, terms } = f;
        await suspend(f, pharmacy.address);
        const rxContent = commitmentOf("rx/pharmacy-suspended");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        await expect(prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, terms))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionInvalidPharmacy")
          .withArgs(pharmacy.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).quantity).to.equal(0n);
      });
    });

    describe("with a commitment that cannot be anchored", function () {
      it("refuses the doctor's own commitment twice and keeps the first terms", async function () {
        const { prescriptions, registry, doctor, patient, rx, rxContent, terms } = f;
        await expect(
          prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, { ...terms, quantity: 500 }),
        )
          .to.be.revertedWithCustomError(registry, "RecordRegistryAlreadyAnchored")
          .withArgs(patient.address, rx);
        expect(structOf(await prescriptions.prescriptionOf(patient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, 0, false),
        );
      });

      it("gives another doctor issuing the same content commitment a prescription of its own", async function () {
        const { prescriptions, secondDoctor, patient, rx, rxContent, terms } = f;
        const theirs = recordCommitmentOf(secondDoctor.address, rxContent);
        await expect(
          prescriptions
            .connect(secondDoctor)
            .issuePrescription(patient.address, rxContent, { ...terms, quantity: 500 }),
        )
          .to.emit(prescriptions, "PrescriptionIssued")
          .withArgs(patient.address, theirs, secondDoctor.address, terms.pharmacy, terms.expiresAt, 500, 2);
        expect(structOf(await prescriptions.prescriptionOf(patient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, 0, false),
        );
      });

      it("refuses a commitment the doctor anchored as another record", async function () {
        const { prescriptions, registry, doctor, patient, terms } = f;
        const note = commitmentOf("note/not-a-prescription");
        await receiptOf(registry.connect(doctor).anchorRecord(patient.address, note, RecordType.ClinicalNote, false));
        await expect(prescriptions.connect(doctor).issuePrescription(patient.address, note, terms))
          .to.be.revertedWithCustomError(registry, "RecordRegistryAlreadyAnchored")
          .withArgs(patient.address, recordCommitmentOf(doctor.address, note));
        expect(
          (await prescriptions.prescriptionOf(patient.address, recordCommitmentOf(doctor.address, note))).quantity,
        ).to.equal(0n);
      });

      it("refuses a zero commitment and a zero patient", async function () {
        const { prescriptions, registry, doctor, patient, terms } = f;
        await expect(
          prescriptions.connect(doctor).issuePrescription(patient.address, ZeroHash, terms),
        ).to.be.revertedWithCustomError(registry, "RecordRegistryZeroCommitment");
        await expect(
          prescriptions.connect(doctor).issuePrescription(ZeroAddress, commitmentOf("rx/nobody"), terms),
        ).to.be.revertedWithCustomError(registry, "RecordRegistryZeroAddress");
        expect((await prescriptions.prescriptionOf(patient.address, ZeroHash)).quantity).to.equal(0n);
      });
    });
  });

  describe("dispensePrescription", function () {
    describe("by the designated pharmacy with the patient's record-level consent", function () {
      beforeEach(async function () {
        await grantDispensing(f.pharmacy);
      });

      it("dispenses a partial fill, anchors the dispense record and announces both", async function () {
        const { prescriptions, registry, patient, pharmacy, rx, terms } = f;
        const recordContent = commitmentOf("dispense/first");
        const record = recordCommitmentOf(pharmacy.address, recordContent);
        const tx = prescriptions.connect(pharmacy).dispensePrescription(patient.address, rx, 10, recordContent);
        await expect(tx)
          .to.emit(prescriptions, "PrescriptionDispensed")
          .withArgs(patient.address, rx, pharmacy.address, record, 10)
          .and.to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, record, pharmacy.address, RecordType.Dispense, false);
        const dispensedAt = await minedAt(ethers, tx);
        expect(structOf(await prescriptions.prescriptionOf(patient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, 10, false),
        );
        expect(structOf(await registry.recordOf(patient.address, record))).to.deep.equal(
          recordEntry(pharmacy.address, dispensedAt, RecordType.Dispense, 0, 1),
        );
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(80n);
      });

      it("refuses a prescription the patient erased", async function () {
        const { prescriptions, registry, patient, pharmacy, rx } = f;
        await receiptOf(registry.connect(patient).eraseRecord(patient.address, rx));
        await expect(dispense(pharmacy, 10, "after-erasure"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionErased")
          .withArgs(rx);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      it("dispenses the first fill and every refill, up to quantity x (refills + 1)", async function () {
        const { prescriptions, patient, pharmacy, rx, terms } = f;
        for (let fill = 1; fill <= terms.refills + 1; fill++) {
          await expect(dispense(pharmacy, 30, `fill-${fill}`))
            .to.emit(prescriptions, "PrescriptionDispensed")
            .withArgs(
              patient.address,
              rx,
              pharmacy.address,
              recordCommitmentOf(pharmacy.address, commitmentOf(`dispense/fill-${fill}`)),
              30,
            );
          expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(BigInt(30 * fill));
        }
        expect(structOf(await prescriptions.prescriptionOf(patient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, totalOf(terms), false),
        );
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(0n);
      });

      it("adds partial fills of any size up to the total", async function () {
        const { prescriptions, patient, rx } = f;
        let total = 0;
        for (const [index, amount] of [1, 29, 30, 17, 13].entries()) {
          total += amount;
          await expect(dispense(f.pharmacy, amount, `partial-${index}`))
            .to.emit(prescriptions, "PrescriptionDispensed")
            .withArgs(
              patient.address,
              rx,
              f.pharmacy.address,
              recordCommitmentOf(f.pharmacy.address, commitmentOf(`dispense/partial-${index}`)),
              amount,
            );
          expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(BigInt(total));
        }
        expect(total).to.equal(90);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(90n);
      });

      it("dispenses a prescription without refills once", async function () {
        const { prescriptions, doctor, patient, pharmacy, terms } = f;
        const rxContent = commitmentOf("rx/no-refills");
        const rx = recordCommitmentOf(f.doctor.address, rxContent);
        await receiptOf(
          prescriptions.connect(doctor).issuePrescription(patient.address, rxContent, { ...terms, refills: 0 }),
        );
        await grantDispensing(pharmacy, { scopeValue: rx });
        await receiptOf(dispense(pharmacy, 30, "no-refills/1", rx));
        await expect(dispense(pharmacy, 1, "no-refills/2", rx))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionQuantityExceeded")
          .withArgs(rx, 1, 30, 0);
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(0n);
      });

      it("refuses more than one fill at once", async function () {
        const { prescriptions, registry, patient, rx, terms } = f;
        await expect(dispense(f.pharmacy, 31, "over-fill"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionQuantityExceeded")
          .withArgs(rx, 31, 30, 90);
        expect(structOf(await prescriptions.prescriptionOf(patient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, 0, false),
        );
        expect((await registry.recordOf(patient.address, commitmentOf("dispense/over-fill"))).author).to.equal(
          ZeroAddress,
        );
      });

      it("refuses more than the total left", async function () {
        const { prescriptions, patient, rx } = f;
        await receiptOf(dispense(f.pharmacy, 30, "a"));
        await receiptOf(dispense(f.pharmacy, 30, "b"));
        await receiptOf(dispense(f.pharmacy, 25, "c"));
        await expect(dispense(f.pharmacy, 10, "d"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionQuantityExceeded")
          .withArgs(rx, 10, 30, 5);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(85n);
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(5n);
      });

      it("refuses any unit once the total is dispensed", async function () {
        const { prescriptions, patient, rx } = f;
        for (const label of ["a", "b", "c"]) await receiptOf(dispense(f.pharmacy, 30, label));
        await expect(dispense(f.pharmacy, 1, "d"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionQuantityExceeded")
          .withArgs(rx, 1, 30, 0);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(90n);
      });

      it("refuses a zero amount", async function () {
        const { prescriptions, patient, rx } = f;
        await expect(dispense(f.pharmacy, 0, "zero"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionQuantityExceeded")
          .withArgs(rx, 0, 30, 90);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      it("refuses to anchor the same dispense record twice", async function () {
        const { prescriptions, registry, patient, rx } = f;
        await receiptOf(dispense(f.pharmacy, 10, "same"));
        await expect(dispense(f.pharmacy, 10, "same"))
          .to.be.revertedWithCustomError(registry, "RecordRegistryAlreadyAnchored")
          .withArgs(patient.address, recordCommitmentOf(f.pharmacy.address, commitmentOf("dispense/same")));
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(10n);
      });

      it("dispenses in the last second before expiry", async function () {
        const { prescriptions, patient, pharmacy, rx, terms } = f;
        await networkHelpers.time.setNextBlockTimestamp(terms.expiresAt - 1);
        await expect(dispense(pharmacy, 5, "last-second"))
          .to.emit(prescriptions, "PrescriptionDispensed")
          .withArgs(
            patient.address,
            rx,
            pharmacy.address,
            recordCommitmentOf(pharmacy.address, commitmentOf("dispense/last-second")),
            5,
          );
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(5n);
      });

      it("refuses from the expiry on", async function () {
        const { prescriptions, patient, rx, terms } = f;
        await networkHelpers.time.setNextBlockTimestamp(terms.expiresAt);
        await expect(dispense(f.pharmacy, 5, "at-expiry"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionExpired")
          .withArgs(rx, terms.expiresAt);
        await networkHelpers.time.increaseTo(terms.expiresAt + DAY);
        await expect(dispense(f.pharmacy, 5, "after-expiry"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionExpired")
          .withArgs(rx, terms.expiresAt);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      it("refuses after the prescriber cancelled", async function () {
        const { prescriptions, doctor, patient, rx, terms } = f;
        await receiptOf(dispense(f.pharmacy, 10, "before-cancel"));
        await receiptOf(prescriptions.connect(doctor).cancelPrescription(patient.address, rx));
        await expect(dispense(f.pharmacy, 10, "after-cancel"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionCancelled")
          .withArgs(rx);
        expect(structOf(await prescriptions.prescriptionOf(patient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, 10, true),
        );
      });

      it("refuses while the pharmacy is suspended and dispenses again once it is reinstated", async function () {
        const { prescriptions, patient, pharmacy, rx } = f;
        await suspend(f, pharmacy.address);
        await expect(dispense(pharmacy, 10, "suspended"))
          .to.be.revertedWithCustomError(prescriptions, "WorkflowUnauthorizedProvider")
          .withArgs(pharmacy.address, ProviderKind.Pharmacy);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
        await reinstate(f, pharmacy.address);
        await expect(dispense(pharmacy, 10, "reinstated"))
          .to.emit(prescriptions, "PrescriptionDispensed")
          .withArgs(
            patient.address,
            rx,
            pharmacy.address,
            recordCommitmentOf(pharmacy.address, commitmentOf("dispense/reinstated")),
            10,
          );
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(10n);
      });

      it("refuses while the prescriber is suspended", async function () {
        const { prescriptions, doctor, patient, rx } = f;
        await suspend(f, doctor.address);
        await expect(dispense(f.pharmacy, 10, "prescriber-suspended"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionPrescriberInactive")
          .withArgs(doctor.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      it("refuses once the prescriber is no longer registered as a doctor", async function () {
        const { prescriptions, directory, registrar, doctor, hospital, patient, rx } = f;
        await receiptOf(
          directory.connect(registrar).updateProvider(doctor.address, {
            kind: ProviderKind.Pharmacy,
            form: ProviderForm.Practitioner,
            hipaa: HipaaRole.CoveredEntity,
            organisation: hospital.address,
          }),
        );
        await expect(dispense(f.pharmacy, 10, "prescriber-not-doctor"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionPrescriberInactive")
          .withArgs(doctor.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      it("refuses while the prescriber's hospital is suspended", async function () {
        const { prescriptions, doctor, hospital, patient, rx } = f;
        await suspend(f, hospital.address);
        await expect(dispense(f.pharmacy, 10, "hospital-suspended"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionPrescriberInactive")
          .withArgs(doctor.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      it("refuses a prescription that was never issued", async function () {
        const { prescriptions, patient, otherPatient, rx } = f;
        const unknown = commitmentOf("rx/unknown");
        await expect(dispense(f.pharmacy, 1, "unknown", unknown))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNotFound")
          .withArgs(patient.address, unknown);
        await expect(
          prescriptions
            .connect(f.pharmacy)
            .dispensePrescription(otherPatient.address, rx, 1, commitmentOf("dispense/other-patient")),
        )
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNotFound")
          .withArgs(otherPatient.address, rx);
        expect(await prescriptions.remainingOf(otherPatient.address, rx)).to.equal(0n);
      });
    });

    describe("by a pharmacy the prescriber did not designate", function () {
      it("refuses it even with the patient's consent", async function () {
        const { prescriptions, patient, pharmacy, secondPharmacy, rx } = f;
        await grantDispensing(secondPharmacy);
        await expect(dispense(secondPharmacy, 10, "undesignated"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionPharmacyNotAuthorised")
          .withArgs(secondPharmacy.address, pharmacy.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });
    });

    describe("when the prescriber allowed any pharmacy", function () {
      for (const role of ["pharmacy", "secondPharmacy"] as const) {
        it(`lets the ${role} dispense with the patient's consent`, async function () {
          const { prescriptions, registry, patient, anyRx } = f;
          const pharmacy = f[role];
          await grantDispensing(pharmacy, { scopeValue: anyRx });
          const recordContent = commitmentOf(`dispense/any-${role}`);
          const record = recordCommitmentOf(pharmacy.address, recordContent);
          await expect(prescriptions.connect(pharmacy).dispensePrescription(patient.address, anyRx, 30, recordContent))
            .to.emit(prescriptions, "PrescriptionDispensed")
            .withArgs(patient.address, anyRx, pharmacy.address, record, 30)
            .and.to.emit(registry, "RecordAnchored")
            .withArgs(patient.address, record, pharmacy.address, RecordType.Dispense, false);
          expect((await prescriptions.prescriptionOf(patient.address, anyRx)).dispensed).to.equal(30n);
        });
      }

      it("shares the total between the pharmacies", async function () {
        const { prescriptions, patient, pharmacy, secondPharmacy, anyRx } = f;
        await grantDispensing(pharmacy, { scopeValue: anyRx });
        await grantDispensing(secondPharmacy, { scopeValue: anyRx });
        await receiptOf(dispense(pharmacy, 30, "shared-1", anyRx));
        await receiptOf(dispense(secondPharmacy, 30, "shared-2", anyRx));
        await receiptOf(dispense(pharmacy, 20, "shared-3", anyRx));
        await expect(dispense(secondPharmacy, 11, "shared-4", anyRx))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionQuantityExceeded")
          .withArgs(anyRx, 11, 30, 10);
        expect(await prescriptions.remainingOf(patient.address, anyRx)).to.equal(10n);
      });

      for (const role of ["lab", "doctor", "stranger"] as const) {
        it(`refuses the ${role}, which is not a pharmacy`, async function () {
          const { prescriptions, patient, anyRx } = f;
          const caller = f[role];
          await grantDispensing(caller, { scopeValue: anyRx });
          await expect(dispense(caller, 1, `not-pharmacy-${role}`, anyRx))
            .to.be.revertedWithCustomError(prescriptions, "WorkflowUnauthorizedProvider")
            .withArgs(caller.address, ProviderKind.Pharmacy);
          expect((await prescriptions.prescriptionOf(patient.address, anyRx)).dispensed).to.equal(0n);
        });
      }
    });

    describe("without a matching consent of the patient", function () {
      it("refuses a pharmacy holding no consent", async function () {
        const { prescriptions, patient, pharmacy, rx } = f;
        await expect(dispense(pharmacy, 10, "no-consent"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
          .withArgs(patient.address, pharmacy.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      for (const purpose of [Purpose.Treatment, Purpose.Payment, Purpose.Research] as const) {
        it(`refuses a consent for purpose ${Purpose[purpose]} instead of Dispensing`, async function () {
          const { prescriptions, patient, pharmacy, rx } = f;
          await grantDispensing(pharmacy, { purpose });
          await expect(dispense(pharmacy, 10, `purpose-${purpose}`))
            .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
            .withArgs(patient.address, pharmacy.address);
          expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
        });
      }

      it("refuses a consent for another prescription", async function () {
        const { prescriptions, patient, pharmacy, anyRx, rx } = f;
        await grantDispensing(pharmacy, { scopeValue: anyRx });
        await expect(dispense(pharmacy, 10, "other-record"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
          .withArgs(patient.address, pharmacy.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      it("refuses a consent for another record type", async function () {
        const { prescriptions, patient, pharmacy, rx } = f;
        await grantDispensing(pharmacy, {
          scope: ConsentScope.RecordType,
          scopeValue: recordTypeScope(RecordType.Dispense),
        });
        await expect(dispense(pharmacy, 10, "other-type"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
          .withArgs(patient.address, pharmacy.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
      });

      it("refuses a consent given to another pharmacy", async function () {
        const { prescriptions, patient, anyRx } = f;
        await grantDispensing(f.secondPharmacy, { scopeValue: anyRx });
        await expect(dispense(f.pharmacy, 10, "other-grantee", anyRx))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
          .withArgs(patient.address, f.pharmacy.address);
        expect((await prescriptions.prescriptionOf(patient.address, anyRx)).dispensed).to.equal(0n);
      });

      it("refuses a consent whose period has not started", async function () {
        const { prescriptions, patient, pharmacy, rx } = f;
        const now = await networkHelpers.time.latest();
        await grantDispensing(pharmacy, { validFrom: now + DAY, validUntil: now + 2 * DAY });
        await expect(dispense(pharmacy, 10, "not-yet"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
          .withArgs(patient.address, pharmacy.address);
        await networkHelpers.time.increaseTo(now + DAY);
        await expect(dispense(pharmacy, 10, "now-valid"))
          .to.emit(prescriptions, "PrescriptionDispensed")
          .withArgs(
            patient.address,
            rx,
            pharmacy.address,
            recordCommitmentOf(pharmacy.address, commitmentOf("dispense/now-valid")),
            10,
          );
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(10n);
      });

      it("refuses a consent that expired", async function () {
        const { prescriptions, patient, pharmacy, rx } = f;
        const now = await networkHelpers.time.latest();
        await grantDispensing(pharmacy, { validFrom: now, validUntil: now + DAY });
        await receiptOf(dispense(pharmacy, 10, "in-period"));
        await networkHelpers.time.setNextBlockTimestamp(now + DAY);
        await expect(dispense(pharmacy, 10, "expired"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
          .withArgs(patient.address, pharmacy.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(10n);
      });

      it("refuses a consent the patient revoked", async function () {
        const { prescriptions, consent, patient, pharmacy, rx } = f;
        const grantId = await grantDispensing(pharmacy);
        await receiptOf(dispense(pharmacy, 10, "before-revoke"));
        await expect(consent.connect(patient).revokeConsent(patient.address, grantId))
          .to.emit(consent, "ConsentRevoked")
          .withArgs(patient.address, pharmacy.address, grantId);
        await expect(dispense(pharmacy, 10, "after-revoke"))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
          .withArgs(patient.address, pharmacy.address);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(10n);
      });
    });

    describe("with a broader dispensing consent", function () {
      const broader = [
        ["the Prescription record type", ConsentScope.RecordType, recordTypeScope(RecordType.Prescription)],
        ["all records", ConsentScope.AllRecords, ZeroHash],
      ] as const;

      for (const [title, scope, scopeValue] of broader) {
        it(`dispenses under a consent for ${title}`, async function () {
          const { prescriptions, consent, patient, pharmacy, rx } = f;
          await grantDispensing(pharmacy, { scope, scopeValue });
          expect(
            await consent.hasConsent({
              accessor: pharmacy.address,
              patient: patient.address,
              commitment: rx,
              recordType: RecordType.Prescription,
              sensitive: false,
              purpose: Purpose.Dispensing,
            }),
          ).to.equal(true);
          await expect(dispense(pharmacy, 30, `broad-${scope}`))
            .to.emit(prescriptions, "PrescriptionDispensed")
            .withArgs(
              patient.address,
              rx,
              pharmacy.address,
              recordCommitmentOf(pharmacy.address, commitmentOf(`dispense/broad-${scope}`)),
              30,
            );
          expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(30n);
        });
      }
    });

    describe("for a prescription the patient marked sensitive", function () {
      beforeEach(async function () {
        const { registry, patient, rx } = f;
        await expect(registry.connect(patient).setRecordSensitivity(patient.address, rx, true))
          .to.emit(registry, "RecordSensitivityChanged")
          .withArgs(patient.address, rx, true);
        expect((await registry.recordOf(patient.address, rx)).flags).to.equal(BigInt(RecordFlag.Sensitive));
      });

      const broader = [
        ["the Prescription record type", ConsentScope.RecordType, recordTypeScope(RecordType.Prescription)],
        ["all records", ConsentScope.AllRecords, ZeroHash],
      ] as const;

      for (const [title, scope, scopeValue] of broader) {
        it(`refuses a consent for ${title}`, async function () {
          const { prescriptions, patient, pharmacy, rx } = f;
          await grantDispensing(pharmacy, { scope, scopeValue });
          await expect(dispense(pharmacy, 10, `sensitive-broad-${scope}`))
            .to.be.revertedWithCustomError(prescriptions, "PrescriptionNoPatientConsent")
            .withArgs(patient.address, pharmacy.address);
          expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(0n);
        });
      }

      it("dispenses under a record-level consent", async function () {
        const { prescriptions, patient, pharmacy, rx } = f;
        await grantDispensing(pharmacy);
        await expect(dispense(pharmacy, 10, "sensitive-record"))
          .to.emit(prescriptions, "PrescriptionDispensed")
          .withArgs(
            patient.address,
            rx,
            pharmacy.address,
            recordCommitmentOf(pharmacy.address, commitmentOf("dispense/sensitive-record")),
            10,
          );
        expect((await prescriptions.prescriptionOf(patient.address, rx)).dispensed).to.equal(10n);
      });

      // The dispense names the same medicine, so it inherits the prescription's sensitivity: a
      // broader grant (or a care relationship) must not reveal what the patient hid.
      it("anchors the dispense record sensitive too, so a broader grant does not reveal it", async function () {
        const { prescriptions, registry, consent, patient, pharmacy, secondDoctor, rx } = f;
        await grantDispensing(pharmacy);
        const now = await networkHelpers.time.latest();
        await receiptOf(
          consent.connect(patient).grantConsent(patient.address, grantRequest(secondDoctor.address, now)),
        );
        expect(await consent.canAccess(secondDoctor.address, patient.address, rx, Purpose.Treatment)).to.equal(false);
        const recordContent = commitmentOf("dispense/of-sensitive");
        const record = recordCommitmentOf(pharmacy.address, recordContent);
        await expect(prescriptions.connect(pharmacy).dispensePrescription(patient.address, rx, 10, recordContent))
          .to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, record, pharmacy.address, RecordType.Dispense, true);
        expect((await registry.recordOf(patient.address, record)).flags).to.equal(BigInt(RecordFlag.Sensitive));
        expect(await consent.canAccess(secondDoctor.address, patient.address, record, Purpose.Treatment)).to.equal(
          false,
        );
      });
    });
  });

  describe("cancelPrescription", function () {
    describe("by the prescriber", function () {
      it("cancels and announces it", async function () {
        const { prescriptions, doctor, patient, rx, terms } = f;
        await expect(prescriptions.connect(doctor).cancelPrescription(patient.address, rx))
          .to.emit(prescriptions, "PrescriptionCancelledBy")
          .withArgs(patient.address, rx, doctor.address);
        expect(structOf(await prescriptions.prescriptionOf(patient.address, rx))).to.deep.equal(
          prescriptionEntry(terms, 0, true),
        );
        expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(0n);
      });

      it("refuses to cancel twice", async function () {
        const { prescriptions, doctor, patient, rx } = f;
        await receiptOf(prescriptions.connect(doctor).cancelPrescription(patient.address, rx));
        await expect(prescriptions.connect(doctor).cancelPrescription(patient.address, rx))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionCancelled")
          .withArgs(rx);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).cancelled).to.equal(true);
      });

      it("refuses a suspended prescriber", async function () {
        const { prescriptions, doctor, patient, rx } = f;
        await suspend(f, doctor.address);
        await expect(prescriptions.connect(doctor).cancelPrescription(patient.address, rx))
          .to.be.revertedWithCustomError(prescriptions, "WorkflowUnauthorizedProvider")
          .withArgs(doctor.address, ProviderKind.Doctor);
        expect((await prescriptions.prescriptionOf(patient.address, rx)).cancelled).to.equal(false);
      });
    });

    describe("by anyone else", function () {
      for (const role of ["secondDoctor", "pharmacy", "patient", "stranger"] as const) {
        it(`refuses the ${role}`, async function () {
          const { prescriptions, doctor, patient, rx } = f;
          const caller = f[role];
          await expect(prescriptions.connect(caller).cancelPrescription(patient.address, rx))
            .to.be.revertedWithCustomError(prescriptions, "PrescriptionNotPrescriber")
            .withArgs(caller.address, doctor.address);
          expect((await prescriptions.prescriptionOf(patient.address, rx)).cancelled).to.equal(false);
        });
      }
    });

    describe("for a prescription that was never issued", function () {
      it("refuses it", async function () {
        const { prescriptions, doctor, patient } = f;
        const unknown = commitmentOf("rx/never-issued");
        await expect(prescriptions.connect(doctor).cancelPrescription(patient.address, unknown))
          .to.be.revertedWithCustomError(prescriptions, "PrescriptionNotFound")
          .withArgs(patient.address, unknown);
        expect((await prescriptions.prescriptionOf(patient.address, unknown)).cancelled).to.equal(false);
      });
    });
  });

  describe("remainingOf", function () {
    it("is quantity x (refills + 1) for a fresh prescription", async function () {
      const { prescriptions, patient, rx, terms } = f;
      expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(BigInt(totalOf(terms)));
    });

    it("falls with every dispense", async function () {
      const { prescriptions, patient, pharmacy, rx } = f;
      await grantDispensing(pharmacy);
      await receiptOf(dispense(pharmacy, 12, "remaining-1"));
      expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(78n);
      await receiptOf(dispense(pharmacy, 30, "remaining-2"));
      expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(48n);
    });

    it("is the total up to the last second before expiry and zero from the expiry on", async function () {
      const { prescriptions, patient, rx, terms } = f;
      await networkHelpers.time.increaseTo(terms.expiresAt - 1);
      expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(90n);
      await networkHelpers.time.increaseTo(terms.expiresAt);
      expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(0n);
    });

    it("is zero for a cancelled prescription", async function () {
      const { prescriptions, doctor, patient, rx } = f;
      await receiptOf(prescriptions.connect(doctor).cancelPrescription(patient.address, rx));
      expect(await prescriptions.remainingOf(patient.address, rx)).to.equal(0n);
    });

    it("is zero for a prescription that was never issued", async function () {
      const { prescriptions, patient, otherPatient, rx } = f;
      expect(await prescriptions.remainingOf(patient.address, commitmentOf("rx/never"))).to.equal(0n);
      expect(await prescriptions.remainingOf(otherPatient.address, rx)).to.equal(0n);
    });
  });
});
