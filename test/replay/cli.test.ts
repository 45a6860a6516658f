import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { DEFAULT_CLI_DEPENDENCIES, main, type ReplayIo } from "../../replay/cli.js";
import { InputPathError, ModeConflictError, StrictStopError } from "../../replay/errors.js";
import { measuredGasProvider } from "../../replay/chain/measured-gas-provider.js";
import type { ExecutedRunner } from "../../replay/gas/executed-runner.js";
import type { ReplayResult } from "../../replay/replay-result.js";
import {
  FIXED_GAS_PROVIDER,
  REPO_ROOT,
  SHIPPED_DATA,
  opHospitalCsv,
  tempDir,
  writeFixture,
} from "./helpers/fixtures.js";

interface Captured {
  readonly io: ReplayIo;
  stdout(): string;
  stderr(): string;
}

function capture(isTTY = false): Captured {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: { write: (text: string) => ((out += text), true) },
      stderr: { isTTY, write: (text: string) => ((err += text), true) },
      env: {},
    },
    stdout: () => out,
    stderr: () => err,
  };
}

const GAS_JSON = JSON.stringify({
  measuredAt: "2026-11-20T00:00:00Z",
  chain: "hardhat",
  operations: {
    anchorRecord: { gasUsed: 100_000 },
    grantConsent: { gasUsed: 80_000 },
    workflowPrescription: { gasUsed: 270_000 },
    workflowLabResult: { gasUsed: 250_000 },
    "anchorBatch(1)": { gasUsed: 50_100 },
    "anchorBatch(101)": { gasUsed: 60_100 },
  },
});

const OP_2020_01 = join(SHIPPED_DATA, "op", "op_group_hospital_2020-01.csv.gz");

describe("replay CLI", function () {
  this.timeout(120_000);
  let dir: string;
  let gas: string;
  beforeEach(async () => {
    dir = await tempDir("replay-cli-");
    gas = await writeFixture(dir, "gas.json", GAS_JSON);
  });

  it("prints rows read, the sum of Total and the costs, and writes the report", async () => {
    const c = capture();
    const code = await main([OP_2020_01, "--out", join(dir, "out"), "--gas", gas], c.io);
    expect(code).to.equal(0);
    expect(c.stdout()).to.include("Read 1 files: 6,706 rows, sum of Total 556,770, 0 malformed rows skipped.");
    expect(c.stdout()).to.include("Patients costed: 556,770");
    expect(c.stdout()).to.match(/Speed: [\d,]+ rows\/s ingesting/);
    expect(c.stderr()).to.equal("");
    expect(existsSync(join(dir, "out", "report.html"))).to.equal(true);
  });

  it("prints the results as JSON with --json, applying the flags", async () => {
    const c = capture();
    const code = await main(
      [
        OP_2020_01,
        "--out",
        join(dir, "out"),
        "--gas",
        gas,
        "--json",
        "--scenario",
        "l2-rollup",
        "--gas-price-gwei",
        "0.02",
        "--eth-eur",
        "2500",
        "--prescription-share",
        "0.1",
        "--lab-share",
        "0.2",
      ],
      c.io,
    );
    expect(code).to.equal(0);
    const result = JSON.parse(c.stdout()) as ReplayResult;
    expect(result.patients).to.equal(556_770);
    expect(result.pricing).to.deep.include({
      scenario: "l2-rollup",
      gasPriceGwei: 0.02,
      ethEur: 2500,
      overridden: ["gasPriceGwei", "ethEur"],
    });
    expect(result.assumptions).to.deep.equal({ prescriptionShare: 0.1, labShare: 0.2, consentBySignature: false });
    expect(result.gasTable.anchorBatchPerRecord).to.equal(100);
  });

  it("uses the injected gas table provider when --gas is absent", async () => {
    const c = capture();
    expect(
      await main([OP_2020_01, "--out", join(dir, "out"), "--quiet"], c.io, { gasTableProvider: FIXED_GAS_PROVIDER }),
    ).to.equal(0);
    // Without an injected provider the CLI measures gas from the contracts (tested in replay-contracts.test.ts).
    expect(DEFAULT_CLI_DEPENDENCIES.gasTableProvider).to.equal(measuredGasProvider);
  });

  it("refuses executed mode when no contracts runner is given", async () => {
    const c = capture();
    expect(
      await main(
        [OP_2020_01, "--out", join(dir, "out"), "--gas", gas, "--mode", "executed", "--slice", "month=2020-01"],
        c.io,
        { gasTableProvider: FIXED_GAS_PROVIDER },
      ),
    ).to.equal(1);
    expect(c.stderr()).to.equal(`error: ${new ModeConflictError("executed", "no-runner").message}\n`);
  });

  it("runs executed mode with an injected runner and fails when it disagrees by more than 1%", async () => {
    const runner: ExecutedRunner = {
      run: (slice) =>
        Promise.resolve({ transactions: 1, gasUsed: { anchorRecord: slice.patientCount * 200_000 }, seconds: 0.1 }),
    };
    const c = capture();
    const code = await main(
      [
        OP_2020_01,
        "--out",
        join(dir, "out"),
        "--gas",
        gas,
        "--mode",
        "executed",
        "--slice",
        "month=2020-01,hospital=0918",
      ],
      c.io,
      {
        gasTableProvider: FIXED_GAS_PROVIDER,
        executedRunner: runner,
      },
    );
    expect(code).to.equal(1);
    expect(c.stderr()).to.equal(
      "error: Modeled and executed gas differ by more than 1% for the slice month=2020-01,hospital=0918; see summary.md.\n",
    );
  });

  it("warns about skipped rows and goes on, or stops at the first with --strict", async () => {
    const bad = await writeFixture(
      dir,
      "bad.csv",
      opHospitalCsv([
        "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,21",
        "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,lots",
      ]),
    );
    const lenient = capture();
    expect(await main([bad, "--out", join(dir, "out"), "--gas", gas], lenient.io)).to.equal(0);
    expect(lenient.stderr()).to.equal(
      `warning: skipped ${bad} line 3: Total "lots" is not a whole number of patients between 0 and 10000000.\n`,
    );
    expect(lenient.stdout()).to.include("1 malformed rows skipped");
    const strict = capture();
    expect(await main([bad, "--out", join(dir, "out"), "--gas", gas, "--strict"], strict.io)).to.equal(1);
    const stop = new StrictStopError({
      file: bad,
      line: 3,
      kind: "bad-total",
      reason: 'Total "lots" is not a whole number of patients between 0 and 10000000',
    });
    expect(strict.stderr()).to.equal(`error: ${stop.message}\n`);
  });

  it("rejects bad flags in one line", async () => {
    for (const argv of [
      [OP_2020_01],
      [OP_2020_01, "--out", dir, "--lab-share", "2"],
      [OP_2020_01, "--out", dir, "--scenario", "moon"],
      [OP_2020_01, "--out", dir, "--mode", "guess"],
    ]) {
      const c = capture();
      expect(await main(argv, c.io), argv.join(" ")).to.not.equal(0);
      expect(c.stderr().trim().split("\n"), argv.join(" ")).to.have.length(1);
      expect(c.stderr()).to.match(/^error: /);
    }
    const sliceWithoutExecuted = capture();
    expect(
      await main([OP_2020_01, "--out", dir, "--gas", gas, "--slice", "month=2020-01"], sliceWithoutExecuted.io),
    ).to.equal(1);
    expect(sliceWithoutExecuted.stderr()).to.equal(
      `error: ${new ModeConflictError("modeled", "slice-without-executed").message}\n`,
    );
    const missing = capture();
    expect(await main([join(dir, "nope.csv"), "--out", dir, "--gas", gas], missing.io)).to.equal(1);
    expect(missing.stderr()).to.equal(`error: ${new InputPathError("not-found", [join(dir, "nope.csv")]).message}\n`);
  });

  it("exits non-zero from a real process, with the message on stderr", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/replay.ts",
        OP_2020_01,
        "--out",
        join(dir, "out"),
        "--mode",
        "executed",
        "--gas",
        gas,
      ],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, CI: "true" },
      },
    );
    expect(run.status).to.equal(1);
    expect(run.stderr).to.include(`error: ${new ModeConflictError("executed", "no-slice").message}\n`);
    expect(run.stdout).to.equal("");
  });

  it("runs as a real process over the shipped folder", () => {
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/replay.ts", SHIPPED_DATA, "--out", join(dir, "out"), "--gas", gas],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, CI: "true" },
      },
    );
    expect(run.stderr).to.equal("");
    expect(run.status).to.equal(0);
    expect(run.stdout).to.include("Read 9 files: 254,023 rows, sum of Total 7,528,896, 0 malformed rows skipped.");
    expect(run.stdout).to.include("Patients costed: 5,340,614 (sum of Total 7,528,896 - overlap 2,188,282).");
  });
});
