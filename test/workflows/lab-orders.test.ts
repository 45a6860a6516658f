import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { AccessBasis, RecordFlag } from "../../client/care-types.js";
import { LabOrders__factory } from "../../typechain-types/index.js";
import {
  commitmentOf,
  recordCommitmentOf,
  ConsentScope,
  DAY,
  grantIdOfRequest,
  grantRequest,
  minedAt,
  ProviderKind,
  Purpose,
  receiptOf,
  recordTypeScope,
  RecordType,
  structOf,
} from "../helpers/care-ledger.js";
import { deployWorkflowWorld, recordEntry, reinstate, suspend } from "../helpers/workflow-fixture.js";

const { ethers, networkHelpers } = await network.create();

const RESULT_ACCESS_PERIOD = 30 * DAY;

/** A pending order as plain values, for deep comparison with `pendingOrderOf`. */
function orderEntry(laboratory: string, orderedAt: number): Record<string, unknown> {
  return { laboratory, orderedAt: BigInt(orderedAt) };
}

async function fixture() {
  const world = await deployWorkflowWorld(ethers);
  const { labOrders, doctor, patient, lab } = world;
  // Orders and results are passed as content commitments and named by their authors' record commitments.
  const orderContent = commitmentOf("lab/order");
  const orderedAt = await minedAt(
    ethers,
    labOrders.connect(doctor).orderLabTest(patient.address, orderContent, lab.address),
  );
  const order: string = recordCommitmentOf(doctor.address, orderContent);
  const resultContent = commitmentOf("lab/result");
  const result: string = recordCommitmentOf(lab.address, resultContent);
  const correctedContent = commitmentOf("lab/result-corrected");
  const corrected: string = recordCommitmentOf(lab.address, correctedContent);
  return { ...world, order, orderContent, orderedAt, result, resultContent, corrected, correctedContent };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe("LabOrders", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  /** The lab posts the fixture's result (non-sensitive unless told) and returns when it was anchored. */
  async function postResult(sensitive = false): Promise<number> {
    return minedAt(
      ethers,
      f.labOrders.connect(f.lab).postLabResult(f.patient.address, f.order, f.resultContent, sensitive),
    );
  }

  describe("deployment", function () {
    it("sets the ordering doctor's reading window to 30 days", async function () {
      expect(await f.labOrders.RESULT_ACCESS_PERIOD()).to.equal(BigInt(RESULT_ACCESS_PERIOD));
    });

    it("rejects a zero consent manager (its directory and registry come from the consent manager)", async function () {
      const factory = new LabOrders__factory(f.admin);
      await expect(factory.deploy(ZeroAddress)).to.be.revertedWithCustomError(factory, "WorkflowZeroAddress");
    });
  });

  describe("orderLabTest", function () {
    describe("by an active doctor at an active laboratory", function () {
      it("anchors the ServiceRequest record, stores the pending order and announces both", async function () {
        const { labOrders, registry, secondDoctor, patient, secondLab } = f;
        const orderContent = commitmentOf("lab/order-2");
        const order = recordCommitmentOf(secondDoctor.address, orderContent);
        const tx = labOrders.connect(secondDoctor).orderLabTest(patient.address, orderContent, secondLab.address);
        await expect(tx)
          .to.emit(labOrders, "LabTestOrdered")
          .withArgs(patient.address, order, secondLab.address)
          .and.to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, order, secondDoctor.address, RecordType.LabOrder, false);
        const orderedAt = await minedAt(ethers, tx);
        expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
          orderEntry(secondLab.address, orderedAt),
        );
        expect(structOf(await registry.recordOf(patient.address, order))).to.deep.equal(
          recordEntry(secondDoctor.address, orderedAt, RecordType.LabOrder, 0, 1),
        );
      });
    });

    describe("by an account that is not an active doctor", function () {
      for (const role of ["lab", "pharmacy", "hospital", "patient", "stranger"] as const) {
        it(`refuses the ${role}`, async function () {
          const { labOrders, registry, patient, lab } = f;
          const caller = f[role];
          const orderContent = commitmentOf(`lab/order-by-${role}`);
          const order = recordCommitmentOf(f.doctor.address, orderContent);
          await expect(labOrders.connect(caller).orderLabTest(patient.address, orderContent, lab.address))
            .to.be.revertedWithCustomError(labOrders, "WorkflowUnauthorizedProvider")
            .withArgs(caller.address, ProviderKind.Doctor);
          expect((await labOrders.pendingOrderOf(patient.address, order)).laboratory).to.equal(ZeroAddress);
          expect((await registry.recordOf(patient.address, order)).author).to.equal(ZeroAddress);
        });
      }

      it("refuses a suspended doctor", async function () {
        const { labOrders, doctor, patient, lab } = f;
        await suspend(f, doctor.address);
        const orderContent = commitmentOf("lab/order-suspended");
        const order = recordCommitmentOf(f.doctor.address, orderContent);
        await expect(labOrders.connect(doctor).orderLabTest(patient.address, orderContent, lab.address))
          .to.be.revertedWithCustomError(labOrders, "WorkflowUnauthorizedProvider")
          .withArgs(doctor.address, ProviderKind.Doctor);
        expect((await labOrders.pendingOrderOf(patient.address, order)).laboratory).to.equal(ZeroAddress);
      });
    });

    describe("at an account that is not an active laboratory", function () {
      for (const role of ["pharmacy", "secondDoctor", "stranger"] as const) {
        it(`refuses the ${role} as the laboratory`, async function () {
          const { labOrders, doctor, patient } = f;
          const laboratory = f[role].address;
          const orderContent = commitmentOf(`lab/order-at-${role}`);
          const order = recordCommitmentOf(f.doctor.address, orderContent);
          await expect(labOrders.connect(doctor).orderLabTest(patient.address, orderContent, laboratory))
            .to.be.revertedWithCustomError(labOrders, "LabOrderInvalidLaboratory")
            .withArgs(laboratory);
          expect((await labOrders.pendingOrderOf(patient.address, order)).laboratory).to.equal(ZeroAddress);
        });
      }

      it("refuses the zero address", async function () {
        const { labOrders, doctor, patient } = f;
        const orderContent = commitmentOf("lab/order-at-zero");
        const order = recordCommitmentOf(f.doctor.address, orderContent);
        await expect(labOrders.connect(doctor).orderLabTest(patient.address, orderContent, ZeroAddress))
          .to.be.revertedWithCustomError(labOrders, "LabOrderInvalidLaboratory")
          .withArgs(ZeroAddress);
        expect((await labOrders.pendingOrderOf(patient.address, order)).laboratory).to.equal(ZeroAddress);
      });

      it("refuses a suspended laboratory", async function () {
        const { labOrders, doctor, patient, secondLab } = f;
        await suspend(f, secondLab.address);
        const orderContent = commitmentOf("lab/order-at-suspended");
        const order = recordCommitmentOf(f.doctor.address, orderContent);
        await expect(labOrders.connect(doctor).orderLabTest(patient.address, orderContent, secondLab.address))
          .to.be.revertedWithCustomError(labOrders, "LabOrderInvalidLaboratory")
          .withArgs(secondLab.address);
        expect((await labOrders.pendingOrderOf(patient.address, order)).laboratory).to.equal(ZeroAddress);
      });
    });

    describe("with an order commitment already anchored", function () {
      it("refuses it and keeps the first order", async function () {
        const { labOrders, registry, doctor, patient, secondLab, lab, order, orderedAt } = f;
        await expect(labOrders.connect(doctor).orderLabTest(patient.address, f.orderContent, secondLab.address))
          .to.be.revertedWithCustomError(registry, "RecordRegistryAlreadyAnchored")
          .withArgs(patient.address, order);
        expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
          orderEntry(lab.address, orderedAt),
        );
      });
    });
  });

  describe("postLabResult", function () {
    describe("by the addressed laboratory", function () {
      it("anchors the DiagnosticReport record, links it to the order and clears the order", async function () {
        const { labOrders, registry, lab, patient, order, result } = f;
        const tx = labOrders.connect(lab).postLabResult(patient.address, order, f.resultContent, false);
        await expect(tx)
          .to.emit(labOrders, "LabResultPosted")
          .withArgs(patient.address, order, result)
          .and.to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, result, lab.address, RecordType.LabResult, false);
        const postedAt = await minedAt(ethers, tx);
        expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
          orderEntry(ZeroAddress, 0),
        );
        expect(await labOrders.orderOfResult(patient.address, result)).to.equal(order);
        expect(structOf(await registry.recordOf(patient.address, result))).to.deep.equal(
          recordEntry(lab.address, postedAt, RecordType.LabResult, 0, 1),
        );
      });

      it("marks a sensitive result sensitive", async function () {
        const { labOrders, registry, lab, patient, order, result } = f;
        await expect(labOrders.connect(lab).postLabResult(patient.address, order, f.resultContent, true))
          .to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, result, lab.address, RecordType.LabResult, true);
        expect((await registry.recordOf(patient.address, result)).flags).to.equal(BigInt(RecordFlag.Sensitive));
      });

      it("alerts the patient through events indexed by the patient", async function () {
        const { labOrders, registry, lab, patient, otherPatient, order, result } = f;
        await postResult();
        const block = await ethers.provider.getBlockNumber();
        const posted = await labOrders.queryFilter(labOrders.filters.LabResultPosted(patient.address), block, block);
        expect(posted.map((event) => [event.args.patient, event.args.order, event.args.result])).to.deep.equal([
          [patient.address, order, result],
        ]);
        const anchored = await registry.queryFilter(registry.filters.RecordAnchored(patient.address), block, block);
        expect(anchored.map((event) => [event.args.commitment, event.args.author])).to.deep.equal([
          [result, lab.address],
        ]);
        const forOther = await labOrders.queryFilter(labOrders.filters.LabResultPosted(otherPatient.address));
        expect(forOther).to.deep.equal([]);
      });

      it("refuses a second result for the same order", async function () {
        const { labOrders, registry, lab, patient, order, result } = f;
        await postResult();
        const second = commitmentOf("lab/result-second");
        await expect(labOrders.connect(lab).postLabResult(patient.address, order, second, false))
          .to.be.revertedWithCustomError(labOrders, "LabOrderNotPending")
          .withArgs(patient.address, order);
        expect(await labOrders.orderOfResult(patient.address, second)).to.equal(ZeroHash);
        expect(await labOrders.orderOfResult(patient.address, result)).to.equal(order);
        expect((await registry.recordOf(patient.address, second)).author).to.equal(ZeroAddress);
      });

      it("refuses a result commitment the lab already anchored and keeps the order pending", async function () {
        const { labOrders, registry, lab, patient, order, orderedAt } = f;
        const anchored = commitmentOf("lab/already-anchored");
        await receiptOf(registry.connect(lab).anchorRecord(patient.address, anchored, RecordType.LabResult, false));
        await expect(labOrders.connect(lab).postLabResult(patient.address, order, anchored, false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryAlreadyAnchored")
          .withArgs(patient.address, recordCommitmentOf(lab.address, anchored));
        expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
          orderEntry(lab.address, orderedAt),
        );
      });

      it("refuses while the laboratory is suspended and posts once it is reinstated", async function () {
        const { labOrders, lab, patient, order, result, orderedAt } = f;
        await suspend(f, lab.address);
        await expect(labOrders.connect(lab).postLabResult(patient.address, order, f.resultContent, false))
          .to.be.revertedWithCustomError(labOrders, "WorkflowUnauthorizedProvider")
          .withArgs(lab.address, ProviderKind.Laboratory);
        expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
          orderEntry(lab.address, orderedAt),
        );
        await reinstate(f, lab.address);
        await expect(labOrders.connect(lab).postLabResult(patient.address, order, f.resultContent, false))
          .to.emit(labOrders, "LabResultPosted")
          .withArgs(patient.address, order, result);
      });
    });

    describe("by any other account", function () {
      for (const role of ["secondLab", "doctor", "patient", "stranger"] as const) {
        it(`refuses the ${role} with the addressed laboratory named`, async function () {
          const { labOrders, lab, patient, order, result, orderedAt } = f;
          const caller = f[role];
          await expect(labOrders.connect(caller).postLabResult(patient.address, order, f.resultContent, false))
            .to.be.revertedWithCustomError(labOrders, "LabOrderWrongLaboratory")
            .withArgs(caller.address, lab.address);
          expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
            orderEntry(lab.address, orderedAt),
          );
          expect(await labOrders.orderOfResult(patient.address, result)).to.equal(ZeroHash);
        });
      }
    });

    describe("for an order that is not pending", function () {
      it("refuses an order that was never placed", async function () {
        const { labOrders, lab, patient, result } = f;
        const unknown = commitmentOf("lab/never-ordered");
        await expect(labOrders.connect(lab).postLabResult(patient.address, unknown, f.resultContent, false))
          .to.be.revertedWithCustomError(labOrders, "LabOrderNotPending")
          .withArgs(patient.address, unknown);
        expect(await labOrders.orderOfResult(patient.address, result)).to.equal(ZeroHash);
      });

      it("refuses the order under another patient", async function () {
        const { labOrders, lab, otherPatient, order, result } = f;
        await expect(labOrders.connect(lab).postLabResult(otherPatient.address, order, f.resultContent, false))
          .to.be.revertedWithCustomError(labOrders, "LabOrderNotPending")
          .withArgs(otherPatient.address, order);
        expect(await labOrders.orderOfResult(otherPatient.address, result)).to.equal(ZeroHash);
      });

      it("refuses a cancelled order", async function () {
        const { labOrders, doctor, lab, patient, order, result } = f;
        await receiptOf(labOrders.connect(doctor).cancelLabOrder(patient.address, order));
        await expect(labOrders.connect(lab).postLabResult(patient.address, order, f.resultContent, false))
          .to.be.revertedWithCustomError(labOrders, "LabOrderNotPending")
          .withArgs(patient.address, order);
        expect(await labOrders.orderOfResult(patient.address, result)).to.equal(ZeroHash);
      });
    });
  });

  describe("reading the result", function () {
    describe("by the ordering doctor", function () {
      it("is allowed for Treatment on the basis of the order", async function () {
        const { consent, doctor, patient, result } = f;
        await postResult();
        expect(await consent.canAccess(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(true);
        expect(await consent.accessBasis(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Workflow),
        );
      });

      it("lasts RESULT_ACCESS_PERIOD from the posting and ends then", async function () {
        const { consent, doctor, patient, result } = f;
        const postedAt = await postResult();
        await networkHelpers.time.increaseTo(postedAt + RESULT_ACCESS_PERIOD - 1);
        expect(await consent.canAccess(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(true);
        await networkHelpers.time.increaseTo(postedAt + RESULT_ACCESS_PERIOD);
        expect(await consent.canAccess(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(false);
        expect(await consent.accessBasis(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.None),
        );
      });

      it("covers a sensitive result, since ordering the test is the reason to read it", async function () {
        const { consent, doctor, patient, result } = f;
        await postResult(true);
        expect(await consent.canAccess(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(true);
      });

      for (const purpose of [Purpose.Research, Purpose.Emergency, Purpose.Payment, Purpose.Dispensing] as const) {
        it(`is refused for purpose ${Purpose[purpose]}`, async function () {
          const { consent, doctor, patient, result } = f;
          await postResult();
          expect(await consent.canAccess(doctor.address, patient.address, result, purpose)).to.equal(false);
        });
      }

      it("is refused while the doctor is suspended", async function () {
        const { consent, doctor, patient, result } = f;
        await postResult();
        await suspend(f, doctor.address);
        expect(await consent.canAccess(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(false);
      });

      it("does not extend to a result anchored outside an order", async function () {
        const { consent, registry, lab, doctor, patient } = f;
        await postResult();
        const direct = commitmentOf("lab/result-without-order");
        await receiptOf(registry.connect(lab).anchorRecord(patient.address, direct, RecordType.LabResult, false));
        expect(await consent.canAccess(doctor.address, patient.address, direct, Purpose.Treatment)).to.equal(false);
      });

      it("does not extend to the patient's other records", async function () {
        const { consent, registry, secondDoctor, doctor, patient } = f;
        await postResult();
        const note = commitmentOf("note/unrelated");
        await receiptOf(
          registry.connect(secondDoctor).anchorRecord(patient.address, note, RecordType.ClinicalNote, false),
        );
        expect(await consent.canAccess(doctor.address, patient.address, note, Purpose.Treatment)).to.equal(false);
      });
    });

    describe("by the patient and the laboratory", function () {
      it("is allowed as patient and as author", async function () {
        const { consent, lab, patient, result } = f;
        await postResult();
        expect(await consent.accessBasis(patient.address, patient.address, result, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Patient),
        );
        expect(await consent.accessBasis(lab.address, patient.address, result, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Author),
        );
      });
    });

    describe("by another doctor", function () {
      it("is refused without the patient's grant", async function () {
        const { consent, secondDoctor, otherHospitalDoctor, patient, result } = f;
        await postResult();
        for (const other of [secondDoctor, otherHospitalDoctor]) {
          expect(await consent.canAccess(other.address, patient.address, result, Purpose.Treatment)).to.equal(false);
        }
      });

      it("is allowed once the patient shares the result with a record-level grant", async function () {
        const { consent, secondDoctor, patient, result } = f;
        await postResult();
        const now = await networkHelpers.time.latest();
        const request = grantRequest(secondDoctor.address, now, {
          scope: ConsentScope.Record,
          scopeValue: result,
          validUntil: now + 90 * DAY,
        });
        const grantId = grantIdOfRequest(request);
        await expect(consent.connect(patient).grantConsent(patient.address, request))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            patient.address,
            secondDoctor.address,
            grantId,
            ConsentScope.Record,
            result,
            Purpose.Treatment,
            now,
            now + 90 * DAY,
          );
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
        expect(await consent.accessBasis(secondDoctor.address, patient.address, result, Purpose.Treatment)).to.equal(
          BigInt(AccessBasis.Consent),
        );
        await networkHelpers.time.increaseTo(now + 60 * DAY);
        expect(await consent.canAccess(secondDoctor.address, patient.address, result, Purpose.Treatment)).to.equal(
          true,
        );
      });

      it("is refused for a sensitive result under a type-level grant", async function () {
        const { consent, secondDoctor, patient, result } = f;
        await postResult(true);
        const now = await networkHelpers.time.latest();
        const request = grantRequest(secondDoctor.address, now, {
          scope: ConsentScope.RecordType,
          scopeValue: recordTypeScope(RecordType.LabResult),
        });
        await receiptOf(consent.connect(patient).grantConsent(patient.address, request));
        expect(await consent.canAccess(secondDoctor.address, patient.address, result, Purpose.Treatment)).to.equal(
          false,
        );
      });
    });
  });

  describe("correctLabResult", function () {
    describe("by the laboratory that posted the result", function () {
      it("anchors the correction as version 2 and flags the old version superseded", async function () {
        const { labOrders, registry, lab, patient, order, result, corrected } = f;
        const postedAt = await postResult();
        const tx = labOrders.connect(lab).correctLabResult(patient.address, result, f.correctedContent, false);
        await expect(tx)
          .to.emit(labOrders, "LabResultPosted")
          .withArgs(patient.address, order, corrected)
          .and.to.emit(registry, "RecordAmended")
          .withArgs(patient.address, corrected, result, lab.address, 2, false);
        const correctedAt = await minedAt(ethers, tx);
        expect(structOf(await registry.recordOf(patient.address, result))).to.deep.equal(
          recordEntry(lab.address, postedAt, RecordType.LabResult, RecordFlag.Superseded, 1),
        );
        expect(structOf(await registry.recordOf(patient.address, corrected))).to.deep.equal(
          recordEntry(lab.address, correctedAt, RecordType.LabResult, 0, 2),
        );
        expect(await labOrders.orderOfResult(patient.address, corrected)).to.equal(order);
        expect(await labOrders.orderOfResult(patient.address, result)).to.equal(order);
      });

      it("lets the ordering doctor read the corrected version for 30 days from the correction", async function () {
        const { labOrders, consent, lab, doctor, patient, result, corrected } = f;
        const postedAt = await postResult();
        await networkHelpers.time.increaseTo(postedAt + 20 * DAY);
        const correctedAt = await minedAt(
          ethers,
          labOrders.connect(lab).correctLabResult(patient.address, result, f.correctedContent, false),
        );
        expect(await consent.canAccess(doctor.address, patient.address, corrected, Purpose.Treatment)).to.equal(true);
        await networkHelpers.time.increaseTo(postedAt + RESULT_ACCESS_PERIOD);
        expect(await consent.canAccess(doctor.address, patient.address, result, Purpose.Treatment)).to.equal(false);
        expect(await consent.canAccess(doctor.address, patient.address, corrected, Purpose.Treatment)).to.equal(true);
        await networkHelpers.time.increaseTo(correctedAt + RESULT_ACCESS_PERIOD);
        expect(await consent.canAccess(doctor.address, patient.address, corrected, Purpose.Treatment)).to.equal(false);
      });

      it("corrects the correction as version 3 but refuses to correct a superseded version", async function () {
        const { labOrders, registry, lab, patient, order, result, corrected } = f;
        await postResult();
        await receiptOf(labOrders.connect(lab).correctLabResult(patient.address, result, f.correctedContent, false));
        const third = recordCommitmentOf(lab.address, commitmentOf("lab/result-third"));
        await expect(
          labOrders.connect(lab).correctLabResult(patient.address, corrected, commitmentOf("lab/result-third"), true),
        )
          .to.emit(registry, "RecordAmended")
          .withArgs(patient.address, third, corrected, lab.address, 3, true)
          .and.to.emit(labOrders, "LabResultPosted")
          .withArgs(patient.address, order, third);
        const again = commitmentOf("lab/result-again");
        await expect(labOrders.connect(lab).correctLabResult(patient.address, result, again, false))
          .to.be.revertedWithCustomError(registry, "RecordRegistrySuperseded")
          .withArgs(patient.address, result);
        expect(await labOrders.orderOfResult(patient.address, again)).to.equal(ZeroHash);
        expect((await registry.recordOf(patient.address, third)).version).to.equal(3n);
      });

      it("refuses a result the patient erased", async function () {
        const { labOrders, registry, lab, patient, result, corrected } = f;
        await postResult();
        await receiptOf(registry.connect(patient).eraseRecord(patient.address, result));
        await expect(labOrders.connect(lab).correctLabResult(patient.address, result, f.correctedContent, false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryErased")
          .withArgs(patient.address, result);
        expect(await labOrders.orderOfResult(patient.address, corrected)).to.equal(ZeroHash);
      });

      it("refuses while the laboratory is suspended", async function () {
        const { labOrders, lab, patient, result, corrected } = f;
        await postResult();
        await suspend(f, lab.address);
        await expect(labOrders.connect(lab).correctLabResult(patient.address, result, f.correctedContent, false))
          .to.be.revertedWithCustomError(labOrders, "WorkflowUnauthorizedProvider")
          .withArgs(lab.address, ProviderKind.Laboratory);
        expect(await labOrders.orderOfResult(patient.address, corrected)).to.equal(ZeroHash);
      });
    });

    describe("by any other account", function () {
      it("refuses another laboratory as not the author", async function () {
        const { labOrders, registry, lab, secondLab, patient, result, corrected } = f;
        await postResult();
        await expect(labOrders.connect(secondLab).correctLabResult(patient.address, result, f.correctedContent, false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotAuthor")
          .withArgs(secondLab.address, lab.address);
        expect(await labOrders.orderOfResult(patient.address, corrected)).to.equal(ZeroHash);
        expect((await registry.recordOf(patient.address, result)).flags).to.equal(0n);
      });

      it("refuses the ordering doctor, who is not a laboratory", async function () {
        const { labOrders, doctor, patient, result, corrected } = f;
        await postResult();
        await expect(labOrders.connect(doctor).correctLabResult(patient.address, result, f.correctedContent, false))
          .to.be.revertedWithCustomError(labOrders, "WorkflowUnauthorizedProvider")
          .withArgs(doctor.address, ProviderKind.Laboratory);
        expect(await labOrders.orderOfResult(patient.address, corrected)).to.equal(ZeroHash);
      });
    });

    describe("for a result not posted through this contract", function () {
      it("refuses an unknown result", async function () {
        const { labOrders, lab, patient, corrected } = f;
        const unknown = commitmentOf("lab/unknown-result");
        await expect(labOrders.connect(lab).correctLabResult(patient.address, unknown, f.correctedContent, false))
          .to.be.revertedWithCustomError(labOrders, "LabOrderUnknownResult")
          .withArgs(patient.address, unknown);
        expect(await labOrders.orderOfResult(patient.address, corrected)).to.equal(ZeroHash);
      });

      it("refuses a result the laboratory anchored directly in the registry", async function () {
        const { labOrders, registry, lab, patient } = f;
        const direct = commitmentOf("lab/direct-result");
        await receiptOf(registry.connect(lab).anchorRecord(patient.address, direct, RecordType.LabResult, false));
        await expect(labOrders.connect(lab).correctLabResult(patient.address, direct, f.correctedContent, false))
          .to.be.revertedWithCustomError(labOrders, "LabOrderUnknownResult")
          .withArgs(patient.address, direct);
        expect((await registry.recordOf(patient.address, direct)).flags).to.equal(0n);
      });
    });
  });

  describe("cancelLabOrder", function () {
    describe("by the ordering doctor", function () {
      it("clears the pending order and announces it", async function () {
        const { labOrders, registry, doctor, patient, order, orderedAt } = f;
        await expect(labOrders.connect(doctor).cancelLabOrder(patient.address, order))
          .to.emit(labOrders, "LabOrderCancelled")
          .withArgs(patient.address, order, doctor.address);
        expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
          orderEntry(ZeroAddress, 0),
        );
        expect(structOf(await registry.recordOf(patient.address, order))).to.deep.equal(
          recordEntry(doctor.address, orderedAt, RecordType.LabOrder, 0, 1),
        );
      });

      it("refuses once the result is posted", async function () {
        const { labOrders, doctor, patient, order, result } = f;
        await postResult();
        await expect(labOrders.connect(doctor).cancelLabOrder(patient.address, order))
          .to.be.revertedWithCustomError(labOrders, "LabOrderNotPending")
          .withArgs(patient.address, order);
        expect(await labOrders.orderOfResult(patient.address, result)).to.equal(order);
      });

      it("refuses a suspended ordering doctor", async function () {
        const { labOrders, doctor, lab, patient, order, orderedAt } = f;
        await suspend(f, doctor.address);
        await expect(labOrders.connect(doctor).cancelLabOrder(patient.address, order))
          .to.be.revertedWithCustomError(labOrders, "WorkflowUnauthorizedProvider")
          .withArgs(doctor.address, ProviderKind.Doctor);
        expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
          orderEntry(lab.address, orderedAt),
        );
      });

      it("refuses to cancel twice", async function () {
        const { labOrders, doctor, patient, order } = f;
        await receiptOf(labOrders.connect(doctor).cancelLabOrder(patient.address, order));
        await expect(labOrders.connect(doctor).cancelLabOrder(patient.address, order))
          .to.be.revertedWithCustomError(labOrders, "LabOrderNotPending")
          .withArgs(patient.address, order);
      });
    });

    describe("by any other account", function () {
      for (const role of ["secondDoctor", "lab", "patient", "stranger"] as const) {
        it(`refuses the ${role}`, async function () {
          const { labOrders, doctor, lab, patient, order, orderedAt } = f;
          const caller = f[role];
          await expect(labOrders.connect(caller).cancelLabOrder(patient.address, order))
            .to.be.revertedWithCustomError(labOrders, "LabOrderNotOrderingDoctor")
            .withArgs(caller.address, doctor.address);
          expect(structOf(await labOrders.pendingOrderOf(patient.address, order))).to.deep.equal(
            orderEntry(lab.address, orderedAt),
          );
        });
      }
    });
  });
});
