import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { ContractsExecutedRunner } from "../../replay/chain/contracts-executed-runner.js";
import { measuredGasProvider } from "../../replay/chain/measured-gas-provider.js";
import type { GasTable } from "../../replay/gas/gas-table.js";
import { parseSliceSelector } from "../../replay/model/patient-slice.js";
import { DEFAULT_WORKFLOW_ASSUMPTIONS } from "../../replay/model/workflow-assumptions.js";
import { runReplay } from "../../replay/replay.js";

const IPDC_2020_01 = "data/hse/ipdc/ipdc_group_hospital_2020-01.csv.gz";

describe("replay against the contracts", function () {
  let table: GasTable;
  let dir: string;

  before(async function () {
    table = await measuredGasProvider.gasTable();
    dir = await mkdtemp(join(tmpdir(), "careledger-replay-contracts-"));
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("measures every priced operation from receipts, base cost included", function () {
    for (const gas of [table.anchorRecord, table.grantConsent, table.workflowPrescription, table.workflowLabResult]) {
      expect(gas).to.be.greaterThan(21_000);
    }
    expect(table.workflowPrescription).to.be.greaterThan(3 * 21_000);
    expect(table.anchorBatchFixed).to.be.greaterThan(21_000);
    // A Merkle root costs the same whatever it commits to.
    expect(table.anchorBatchPerRecord).to.be.lessThan(1);
    expect(table.provenance.source).to.match(/measured in this run/);
  });

  it("runs a slice as real transactions and agrees with the model within 1%", async function () {
    const runner = new ContractsExecutedRunner();
    const result = await runReplay(
      {
        paths: [IPDC_2020_01],
        outDir: join(dir, "out"),
        mode: "executed",
        slice: parseSliceSelector("month=2020-01,specialty=0700"),
        strict: false,
        assumptions: DEFAULT_WORKFLOW_ASSUMPTIONS,
        scenario: "ethereum-mainnet",
        priceOverrides: {},
      },
      { gasTableProvider: { gasTable: () => Promise.resolve(table) }, executedRunner: runner },
    );
    const executed = result.executed;
    expect(executed).to.not.equal(undefined);
    expect(executed!.patients).to.equal(275);
    expect(executed!.agrees).to.equal(true);
    for (const design of executed!.designs) {
      expect(design.executedTransactions).to.equal(design.modeledTransactions);
      expect(Math.abs(design.relativeDifference ?? 1)).to.be.lessThan(0.01);
    }
    expect(runner.lastTransactions).to.be.greaterThan(1_000);
  });
});
