import { join } from "node:path";

import { expect } from "chai";

import { expectClose } from "./helpers/expect-close.js";

import { InvalidSettingError, InvalidSliceError, ModeConflictError } from "../../replay/errors.js";
import { compareExecuted } from "../../replay/gas/executed-comparison.js";
import type { ExecutedRunner, ExecutedRunResult } from "../../replay/gas/executed-runner.js";
import { anchorBatchGas, type CostOperation, type GasTable } from "../../replay/gas/gas-table.js";
import type { Cohort } from "../../replay/model/cohorts.js";
import { buildPatientSlice, parseSliceSelector, type PatientSlice } from "../../replay/model/patient-slice.js";
import { runReplay, type ReplayOptions } from "../../replay/replay.js";
import { expectOneSentenceNaming, expectReplayError, expectReplayRejection } from "./helpers/expect-replay-error.js";
import { FIXED_GAS_PROVIDER, FIXED_GAS_TABLE, SHIPPED_DATA, tempDir } from "./helpers/fixtures.js";

const ASSUMPTIONS = { prescriptionShare: 0.3, labShare: 0.5, consentBySignature: false };

/** Follows ExecutedRunner's contract with figures from a gas table, optionally off by a factor. */
class TableRunner implements ExecutedRunner {
  readonly slices: PatientSlice[] = [];
  constructor(
    private readonly table: GasTable,
    private readonly factor = 1,
  ) {}

  run(slice: PatientSlice): Promise<ExecutedRunResult> {
    this.slices.push(slice);
    const gas: Partial<Record<CostOperation, number>> = {};
    let transactions = 0;
    const add = (op: CostOperation, amount: number, tx: number): void => {
      gas[op] = (gas[op] ?? 0) + Math.round(amount * this.factor);
      transactions += tx;
    };
    if (slice.design === "batched")
      for (const batch of slice.batches) add("anchorBatch", anchorBatchGas(this.table, batch.records), 1);
    for (const patient of slice.patients()) {
      if (slice.design === "per-patient") add("anchorRecord", this.table.anchorRecord, 1);
      add("grantConsent", this.table.grantConsent, 1);
      if (patient.prescription) add("workflowPrescription", this.table.workflowPrescription, 3);
      if (patient.labResult) add("workflowLabResult", this.table.workflowLabResult, 3);
    }
    return Promise.resolve({ transactions, gasUsed: gas, seconds: 0.5 });
  }
}

function cohort(partial: Partial<Cohort>): Cohort {
  return {
    list: "outpatient",
    month: "2020-01",
    level: "hospital",
    hospitalKey: "0918",
    hospitalName: "St. John's Hospital Limerick",
    hospitalGroup: "UL Hospitals",
    specialtyCode: 8003,
    specialtyName: "Pain Relief",
    patients: 7,
    rows: 1,
    sourceFile: "x.csv",
    ...partial,
  };
}

describe("executed mode", function () {
  this.timeout(60_000);

  describe("slice selection", () => {
    it("parses month, hospital, specialty and list", () => {
      expect(parseSliceSelector("month=2020-01,hospital=0918,specialty=Pain Relief,list=outpatient")).to.deep.equal({
        month: "2020-01",
        hospital: "0918",
        specialty: "Pain Relief",
        list: "outpatient",
      });
    });

    it("rejects bad slices with the key and the value at fault", () => {
      expectReplayError(() => parseSliceSelector("month=2020-13"), InvalidSliceError, {
        code: "INVALID_SLICE",
        problem: "bad-month",
        key: "month",
        value: "2020-13",
      });
      const unknown = expectReplayError(() => parseSliceSelector("ward=3"), InvalidSliceError, {
        problem: "unknown-key",
        key: "ward",
        value: "3",
      });
      expectOneSentenceNaming(unknown, '"ward"');
      expectReplayError(() => parseSliceSelector("hospital=0918,specialty"), InvalidSliceError, {
        problem: "no-value",
        key: "specialty",
        value: "",
      });
      expectReplayError(() => parseSliceSelector("list=waiting"), InvalidSliceError, {
        problem: "unknown-list",
        key: "list",
        value: "waiting",
      });
      expectReplayError(() => parseSliceSelector(" , "), InvalidSliceError, {
        problem: "empty",
        key: undefined,
        value: " , ",
      });
    });

    it("matches hospitals and specialties by code (padded or not) or by name", () => {
      const cohorts = [
        cohort({}),
        cohort({ hospitalKey: "0001", hospitalName: "Other" }),
        cohort({ specialtyCode: 100, specialtyName: "Cardiology" }),
      ];
      const byCode = buildPatientSlice(cohorts, { hospital: "918", specialty: "8003" }, "per-patient", ASSUMPTIONS);
      const byName = buildPatientSlice(
        cohorts,
        { hospital: "st. john's hospital limerick", specialty: "pain relief" },
        "per-patient",
        ASSUMPTIONS,
      );
      expect(byCode.cohorts).to.deep.equal([cohorts[0]]);
      expect(byName.cohorts).to.deep.equal([cohorts[0]]);
      expectReplayError(
        () => buildPatientSlice(cohorts, { month: "1999-01" }, "per-patient", ASSUMPTIONS),
        InvalidSliceError,
        {
          problem: "matches-no-patients",
          value: "month=1999-01",
        },
      );
    });

    it("lists each patient once with the workflows the model counts", () => {
      const slice = buildPatientSlice(
        [cohort({ patients: 7 }), cohort({ patients: 3, list: "inpatient_daycase" })],
        { month: "2020-01" },
        "batched",
        ASSUMPTIONS,
      );
      const patients = [...slice.patients()];
      expect(slice.patientCount).to.equal(10);
      expect(patients).to.have.length(10);
      expect(new Set(patients.map((p) => p.id)).size).to.equal(10);
      expect(patients.filter((p) => p.prescription)).to.have.length(2 + 1); // round(2.1) + round(0.9)
      expect(patients.filter((p) => p.labResult)).to.have.length(4 + 2); // round(3.5) + round(1.5)
      expect(slice.batches).to.deep.equal([{ key: "2020-01/0918/8003", records: 10 }]);
      expect(patients[0]).to.deep.include({ id: "2020-01/0918/8003/outpatient/0", batchKey: "2020-01/0918/8003" });
    });
  });

  it("agrees exactly when the contracts use the model's gas figures", async () => {
    const cohorts = [cohort({ patients: 7 }), cohort({ patients: 30, specialtyCode: 100 })];
    const comparison = await compareExecuted(
      cohorts,
      { month: "2020-01" },
      new TableRunner(FIXED_GAS_TABLE),
      FIXED_GAS_TABLE,
      ASSUMPTIONS,
    );
    expect(comparison.agrees).to.equal(true);
    expect(
      comparison.designs.map((d) => [d.design, d.relativeDifference, d.modeledTransactions === d.executedTransactions]),
    ).to.deep.equal([
      ["per-patient", 0, true],
      ["batched", 0, true],
    ]);
  });

  it("flags a 2% difference as out of tolerance, per design and per operation", async () => {
    const comparison = await compareExecuted(
      [cohort({ patients: 50 })],
      { hospital: "0918" },
      new TableRunner(FIXED_GAS_TABLE, 1.02),
      FIXED_GAS_TABLE,
      ASSUMPTIONS,
    );
    expect(comparison.agrees).to.equal(false);
    for (const design of comparison.designs) {
      expect(design.agrees).to.equal(false);
      expectClose(design.relativeDifference, 0.02, 1e-6);
      for (const op of design.operations) expectClose(op.relativeDifference, 0.02, 1e-4);
    }
  });

  describe("with options that do not fit together", () => {
    // Every one of these is refused before a file is read.
    const options = (out: string, changes: Partial<ReplayOptions>): ReplayOptions => ({
      paths: [SHIPPED_DATA],
      outDir: out,
      mode: "executed",
      slice: { month: "2020-01" },
      strict: false,
      assumptions: ASSUMPTIONS,
      scenario: "ethereum-mainnet",
      priceOverrides: {},
      ...changes,
    });
    const withRunner = { gasTableProvider: FIXED_GAS_PROVIDER, executedRunner: new TableRunner(FIXED_GAS_TABLE) };

    it("fails without a contracts runner, without a slice, or with a slice in modeled mode", async () => {
      const out = await tempDir();
      await expectReplayRejection(
        () => runReplay(options(out, {}), { gasTableProvider: FIXED_GAS_PROVIDER }),
        ModeConflictError,
        { code: "MODE_CONFLICT", mode: "executed", conflict: "no-runner" },
      );
      const noSlice = await expectReplayRejection(
        () => runReplay(options(out, { slice: undefined }), withRunner),
        ModeConflictError,
        { mode: "executed", conflict: "no-slice" },
      );
      expectOneSentenceNaming(noSlice, "--slice");
      await expectReplayRejection(() => runReplay(options(out, { mode: "modeled" }), withRunner), ModeConflictError, {
        mode: "modeled",
        conflict: "slice-without-executed",
      });
    });

    it("fails on a share or a specialty count out of range, with the setting and the value", async () => {
      const out = await tempDir();
      await expectReplayRejection(
        () => runReplay(options(out, { assumptions: { ...ASSUMPTIONS, labShare: 1.5 } }), withRunner),
        InvalidSettingError,
        { code: "INVALID_SETTING", setting: "labShare", value: 1.5, expected: "a number between 0 and 1" },
      );
      await expectReplayRejection(
        () => runReplay(options(out, { assumptions: { ...ASSUMPTIONS, prescriptionShare: Number.NaN } }), withRunner),
        InvalidSettingError,
        { setting: "prescriptionShare", value: Number.NaN },
      );
      await expectReplayRejection(
        () => runReplay(options(out, { topSpecialties: 0 }), withRunner),
        InvalidSettingError,
        { setting: "topSpecialties", value: 0, expected: "a whole number of at least 1" },
      );
    });
  });

  it("reports modeled vs executed for a slice of the real data", async () => {
    const out = await tempDir();
    const runner = new TableRunner(FIXED_GAS_TABLE);
    const result = await runReplay(
      {
        paths: [join(SHIPPED_DATA, "op", "op_group_hospital_2020-01.csv.gz")],
        outDir: out,
        mode: "executed",
        slice: { month: "2020-01", hospital: "0918" },
        strict: true,
        assumptions: ASSUMPTIONS,
        scenario: "ethereum-mainnet",
        priceOverrides: {},
      },
      { gasTableProvider: FIXED_GAS_PROVIDER, executedRunner: runner },
    );
    expect(runner.slices.map((s) => s.design)).to.deep.equal(["per-patient", "batched"]);
    expect(result.executed?.agrees).to.equal(true);
    expect(result.executed?.slice).to.equal("month=2020-01,hospital=0918");
    expect(result.executed?.patients).to.equal(runner.slices[0].patientCount);
    expect(result.executed?.patients).to.be.greaterThan(0);
  });
});
