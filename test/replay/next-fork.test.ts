import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import type { GasTable } from "../../replay/gas/gas-table.js";
import { runReplay } from "../../replay/replay.js";
import { expectClose } from "./helpers/expect-close.js";
import { FIXED_GAS_TABLE, SHIPPED_DATA, tempDir } from "./helpers/fixtures.js";

const ONE_FILE = join(SHIPPED_DATA, "op", "op_group_hospital_2020-01.csv.gz");
const ASSUMPTIONS = { prescriptionShare: 0.3, labShare: 0.5, consentBySignature: false };

/** Round next-fork figures, different from today's, so the expectations are worked out by hand. */
const WITH_NEXT_FORK: GasTable = {
  ...FIXED_GAS_TABLE,
  amsterdam: {
    anchorRecord: 130_000,
    grantConsent: 135_000,
    workflowPrescription: 570_000,
    workflowLabResult: 640_000,
    anchorBatchFixed: 130_000,
    anchorBatchPerRecord: 130,
    rules: "test rules",
    asOf: "2026-11",
  },
};

async function replayWith(table: GasTable) {
  const out = await tempDir("replay-next-fork-");
  const result = await runReplay(
    {
      paths: [ONE_FILE],
      outDir: out,
      mode: "modeled",
      strict: true,
      assumptions: ASSUMPTIONS,
      scenario: "ethereum-mainnet",
      priceOverrides: {},
    },
    { gasTableProvider: { gasTable: () => Promise.resolve(table) }, now: () => new Date("2026-12-01T00:00:00Z") },
  );
  return { out, result };
}

describe("the replay's next-fork (Amsterdam) money scenario", function () {
  this.timeout(120_000);

  it("costs the same operation counts with the next fork's figures and prices them at today's scenario", async function () {
    const { result } = await replayWith(WITH_NEXT_FORK);
    const fork = result.nextFork;
    if (fork === undefined) throw new Error("no next-fork scenario");
    const today = result.designs.perPatient;
    expect(fork.perPatient.counts).to.deep.equal(today.counts);
    expect(fork.perPatient.gas).to.equal(
      today.counts.anchorRecord * 130_000 +
        today.counts.grantConsent * 135_000 +
        today.counts.workflowPrescription * 570_000 +
        today.counts.workflowLabResult * 640_000,
    );
    expectClose(fork.perPatient.eth, (fork.perPatient.gas * 2) / 1e9, 1e-6);
    expect(fork.batched.gas).to.be.greaterThan(result.designs.batched.gas);
    expect(fork.rules).to.equal("test rules");
  });

  it("states the scenario, its rules and their date in the report and the printed lines", async function () {
    const { out } = await replayWith(WITH_NEXT_FORK);
    const summary = await readFile(join(out, "summary.md"), "utf8");
    expect(summary).to.include("Under the next fork (Amsterdam, draft rules as of 2026-11: test rules)");
    expect(summary).to.include("Today's rules (Osaka) stay the default");
  });

  it("leaves the scenario out when the gas source derived no next-fork figures", async function () {
    const { result, out } = await replayWith(FIXED_GAS_TABLE);
    expect(result.nextFork).to.equal(undefined);
    expect(await readFile(join(out, "summary.md"), "utf8")).to.not.include("next fork");
  });
});
