import { expect } from "chai";

import { GasTableError, TotalTooLargeError } from "../../replay/errors.js";
import { UNKNOWN_HOSPITAL, type Cohort } from "../../replay/model/cohorts.js";
import { batchedBatchCost, costDataset, groupBatches, perPatientCohortCost } from "../../replay/model/cost-model.js";
import { patientHasShare, patientsWithShare } from "../../replay/model/share-allocation.js";
import { expectReplayError } from "./helpers/expect-replay-error.js";
import { FIXED_GAS_TABLE } from "./helpers/fixtures.js";

const ASSUMPTIONS = { prescriptionShare: 0.3, labShare: 0.5, consentBySignature: false };

function cohort(partial: Partial<Cohort> & Pick<Cohort, "patients">): Cohort {
  return {
    list: "outpatient",
    month: "2020-01",
    level: "hospital",
    hospitalKey: "0918",
    hospitalName: "St. John's Hospital Limerick",
    hospitalGroup: "UL Hospitals",
    specialtyCode: 8003,
    specialtyName: "Pain Relief",
    rows: 1,
    sourceFile: "x.csv",
    ...partial,
  };
}

describe("workflow cost model", () => {
  describe("shares", () => {
    it("rounds a cohort's share half up", () => {
      expect(patientsWithShare(10, 0.3)).to.equal(3);
      expect(patientsWithShare(5, 0.3)).to.equal(2); // 1.5 -> 2
      expect(patientsWithShare(1, 0.5)).to.equal(1); // 0.5 -> 1
      expect(patientsWithShare(1, 0.3)).to.equal(0);
      expect(patientsWithShare(7, 0)).to.equal(0);
      expect(patientsWithShare(7, 1)).to.equal(7);
      expect(patientsWithShare(3, 1 / 3)).to.equal(1);
    });

    it("flags exactly the counted patients of any cohort size", () => {
      for (const share of [0, 0.1, 0.3, 1 / 3, 0.5, 0.77, 1]) {
        for (let n = 0; n <= 60; n += 1) {
          let flagged = 0;
          for (let i = 0; i < n; i += 1) if (patientHasShare(i, share)) flagged += 1;
          expect(flagged, `share ${share}, ${n} patients`).to.equal(patientsWithShare(n, share));
        }
      }
    });
  });

  it("costs 10 patients in the per-patient design by hand", () => {
    // 10 x anchorRecord 100,000 + 10 x grantConsent 80,000 + 3 x 270,000 + 5 x 250,000
    const line = perPatientCohortCost({ patients: 10 }, FIXED_GAS_TABLE, ASSUMPTIONS);
    expect(line.gas).to.equal(1_000_000 + 800_000 + 810_000 + 1_250_000);
    expect(line.transactions).to.equal(10 + 10 + 3 * 3 + 5 * 3);
    expect(line.counts).to.deep.equal({
      anchorRecord: 10,
      anchorBatch: 0,
      grantConsent: 10,
      grantConsentBySig: 0,
      workflowPrescription: 3,
      workflowLabResult: 5,
    });
    expect(line.patients).to.equal(10);
  });

  it("uses grantConsentBySig when consents are signed", () => {
    const line = perPatientCohortCost({ patients: 2 }, FIXED_GAS_TABLE, { ...ASSUMPTIONS, consentBySignature: true });
    expect(line.counts.grantConsentBySig).to.equal(2);
    expect(line.counts.grantConsent).to.equal(0);
    expect(line.gasByOperation.grantConsentBySig).to.equal(180_000);
  });

  it("refuses signed consents when the gas table has no grantConsentBySig", () => {
    const table = { ...FIXED_GAS_TABLE, grantConsentBySig: undefined };
    expectReplayError(
      () => perPatientCohortCost({ patients: 2 }, table, { ...ASSUMPTIONS, consentBySignature: true }),
      GasTableError,
      {
        code: "INVALID_GAS_TABLE",
        source: "test fixture",
        problem: "no-consent-by-signature",
        operations: ["grantConsentBySig"],
      },
    );
  });

  it("refuses a total too large to add up exactly", () => {
    const table = { ...FIXED_GAS_TABLE, anchorRecord: Number.MAX_SAFE_INTEGER };
    const error = expectReplayError(
      () => costDataset([cohort({ patients: 10 })], table, ASSUMPTIONS),
      TotalTooLargeError,
      {
        code: "TOTAL_TOO_LARGE",
        quantity: "gas",
      },
    );
    expect(error.total).to.be.greaterThan(Number.MAX_SAFE_INTEGER);
  });

  it("costs a batch of two lists by hand: one anchorBatch for all their records", () => {
    const batches = groupBatches([cohort({ patients: 10 }), cohort({ patients: 5, list: "inpatient_daycase" })]);
    expect(batches).to.have.length(1);
    expect(batches[0].records).to.equal(15);
    const line = batchedBatchCost(batches[0], FIXED_GAS_TABLE, ASSUMPTIONS);
    // anchorBatch 50,000 + 100 x 15; consents 15 x 80,000; prescriptions 3 + 2 (per cohort); labs 5 + 3 (2.5 rounds up)
    expect(line.counts).to.deep.equal({
      anchorRecord: 0,
      anchorBatch: 1,
      grantConsent: 15,
      grantConsentBySig: 0,
      workflowPrescription: 5,
      workflowLabResult: 8,
    });
    expect(line.gas).to.equal(51_500 + 1_200_000 + 5 * 270_000 + 8 * 250_000);
    expect(line.transactions).to.equal(1 + 15 + 5 * 3 + 8 * 3);
  });

  it("keeps hospitals, specialties and months in separate batches", () => {
    const batches = groupBatches([
      cohort({ patients: 1 }),
      cohort({ patients: 1, hospitalKey: "0001" }),
      cohort({ patients: 1, specialtyCode: 100 }),
      cohort({ patients: 1, month: "2020-02" }),
      cohort({ patients: 1, hospitalKey: UNKNOWN_HOSPITAL, level: "specialty" }),
    ]);
    expect(batches.map((b) => b.key)).to.deep.equal([
      "2020-01/0918/8003",
      "2020-01/0001/8003",
      "2020-01/0918/100",
      "2020-02/0918/8003",
      `2020-01/${UNKNOWN_HOSPITAL}/8003`,
    ]);
  });

  it("adds the whole dataset up by specialty and month consistently", () => {
    const cohorts = [
      cohort({ patients: 10 }),
      cohort({ patients: 20, specialtyCode: 100 }),
      cohort({ patients: 30, month: "2020-02" }),
      cohort({ patients: 0, specialtyCode: 200 }),
    ];
    const cost = costDataset(cohorts, FIXED_GAS_TABLE, ASSUMPTIONS);
    expect(cost.total.perPatient.patients).to.equal(60);
    // 60 x (100,000 + 80,000) + workflows 3+6+9 prescriptions and 5+10+15 labs
    expect(cost.total.perPatient.gas).to.equal(60 * 180_000 + 18 * 270_000 + 30 * 250_000);
    // Batched: no anchorRecord, three batches with records (the empty one sends nothing)
    expect(cost.total.batched.counts.anchorBatch).to.equal(3);
    expect(cost.total.batched.gas).to.equal(3 * 50_000 + 60 * 100 + 60 * 80_000 + 18 * 270_000 + 30 * 250_000);
    const specialtyGas = [...cost.bySpecialty.values()].reduce((s, g) => s + g.batched.gas, 0);
    const monthGas = [...cost.byMonth.values()].reduce((s, g) => s + g.perPatient.gas, 0);
    expect(specialtyGas).to.equal(cost.total.batched.gas);
    expect(monthGas).to.equal(cost.total.perPatient.gas);
    expect(cost.perPatientByList.get("outpatient")?.patients).to.equal(60);
  });

  it("rounds a batch's fractional per-record gas once per batch", () => {
    const table = { ...FIXED_GAS_TABLE, anchorBatchFixed: 1000.4, anchorBatchPerRecord: 0.25 };
    const line = batchedBatchCost({ cohorts: [cohort({ patients: 3 })], records: 3 }, table, {
      prescriptionShare: 0,
      labShare: 0,
      consentBySignature: false,
    });
    expect(line.gasByOperation.anchorBatch).to.equal(1001); // 1000.4 + 0.75 = 1001.15
  });
});
