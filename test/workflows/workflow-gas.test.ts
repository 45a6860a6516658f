import { expect } from "chai";
import hre, { network } from "hardhat";

import { deployCareLedger } from "../../client/deploy.js";
import { measureCoreGas } from "../../replay/gas/core-gas.js";
import { checkCeilings, GAS_CEILINGS, type GasReport } from "../../replay/gas/gas-report.js";
import { measureWorkflowGas } from "../../replay/gas/workflow-gas.js";

const { ethers, networkHelpers } = await network.create();

/**
 * Coverage instrumentation adds gas to every instrumented contract, so under `--coverage` the
 * ceilings say nothing about the shipped bytecode: those checks skip, the measurement still runs.
 */
const INSTRUMENTED = hre.globalOptions.coverage;
/** Every transaction pays at least the intrinsic 21,000 gas. */
const INTRINSIC_GAS = 21_000;

/**
 * Measures exactly what `scripts/bench-gas.ts` measures, on a fresh deployment: the core operations,
 * then the clinical workflows on the same contracts. Gas is deterministic on the in-process network,
 * so a regression past a ceiling fails CI instead of waiting for someone to run the benchmark.
 */
async function fixture(): Promise<{ report: GasReport }> {
  const [deployer] = await ethers.getSigners();
  const core = await deployCareLedger(deployer);
  const operations = {
    ...(await measureCoreGas(ethers, core)),
    ...(await measureWorkflowGas(ethers, core)),
  };
  return { report: { network: "hardhat (EDR, in-process)", measuredAt: new Date(0).toISOString(), operations } };
}

describe("Gas ceilings", function () {
  let report: GasReport;

  beforeEach(async function () {
    ({ report } = await networkHelpers.loadFixture(fixture));
  });

  it("measures every operation that has a ceiling", function () {
    expect(Object.keys(report.operations)).to.include.members(Object.keys(GAS_CEILINGS));
  });

  it("reports no operation over its ceiling", function () {
    if (INSTRUMENTED) this.skip();
    expect(checkCeilings(report)).to.deep.equal([]);
  });

  for (const [name, ceiling] of Object.entries(GAS_CEILINGS)) {
    it(`keeps ${name} under ${ceiling.toLocaleString("en-US")} gas`, function () {
      const entry = report.operations[name];
      expect(entry, `${name} was not measured`).to.not.equal(undefined);
      if (INSTRUMENTED) this.skip();
      expect(entry.gasUsed).to.be.at.most(ceiling);
      // A per-record share of a batch is a fraction of one transaction; anything else is a receipt.
      if (!name.endsWith("PerRecord")) expect(entry.gasUsed).to.be.at.least(INTRINSIC_GAS);
      else expect(entry.gasUsed).to.be.greaterThan(0);
    });
  }

  it("adds the workflow totals up from their parts", function () {
    const { operations } = report;
    expect(operations.workflowPrescription.gasUsed).to.be.greaterThan(
      operations.issuePrescription.gasUsed + operations.dispensePrescription.gasUsed,
    );
    expect(operations.workflowLabResult.gasUsed).to.be.greaterThan(
      operations.orderLabTest.gasUsed + operations.postLabResult.gasUsed,
    );
  });
});
