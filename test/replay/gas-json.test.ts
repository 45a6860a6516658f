import { utimes } from "node:fs/promises";

import { expect } from "chai";

import { expectClose } from "./helpers/expect-close.js";

import { GasTableError, type GasTableProblem } from "../../replay/errors.js";
import { loadGasJson, parseGasJson } from "../../replay/gas/gas-json.js";
import { gasJsonProvider } from "../../replay/gas/gas-table-provider.js";
import { expectOneSentenceNaming, expectReplayError, expectReplayRejection } from "./helpers/expect-replay-error.js";
import { tempDir, writeFixture } from "./helpers/fixtures.js";

const BASE = {
  anchorRecord: { gasUsed: 96_000 },
  grantConsent: { gasUsed: 78_000 },
  workflowPrescription: { gasUsed: 265_000 },
  workflowLabResult: { gasUsed: 245_000 },
};

function parse(document: unknown): ReturnType<typeof parseGasJson> {
  return parseGasJson(JSON.stringify(document), "gas.json");
}

function expectError(run: () => unknown, problem: GasTableProblem, operations: readonly string[] = []): GasTableError {
  return expectReplayError(run, GasTableError, { code: "INVALID_GAS_TABLE", source: "gas.json", problem, operations });
}

describe("gas.json loader", () => {
  it("reads the benchmark format and derives the batch line from two measured sizes", () => {
    const table = parse({
      measuredAt: "2026-11-20T10:00:00Z",
      network: "hardhat",
      chainId: 31337,
      operations: {
        ...BASE,
        grantConsentBySig: { gasUsed: 88_000 },
        "anchorBatch(1)": { gasUsed: 52_200 },
        "anchorBatch(100)": { gasUsed: 60_120 },
        revokeConsent: { gasUsed: 31_000 },
      },
    });
    expect(table.anchorRecord).to.equal(96_000);
    expect(table.grantConsentBySig).to.equal(88_000);
    expect(table.anchorBatchPerRecord).to.equal(80); // (60,120 - 52,200) / 99
    expect(table.anchorBatchFixed).to.equal(52_120);
    expect(table.other).to.deep.equal({ revokeConsent: 31_000 });
    expect(table.provenance).to.deep.equal({
      source: "gas.json",
      measuredAt: "2026-11-20T10:00:00Z",
      chain: "hardhat",
      chainId: 31337,
      notes: undefined,
    });
  });

  it("uses the smallest and the largest of several batch sizes, named in any style or by a records field", () => {
    const table = parse({
      operations: {
        ...BASE,
        anchorBatch_10: { gasUsed: 60_000 },
        "anchorBatch:50": { gasUsed: 64_000 },
        anchorBatchLarge: { gasUsed: 100_000, records: 510 },
      },
    });
    expect(table.anchorBatchPerRecord).to.equal(80); // (100,000 - 60,000) / 500
    expect(table.anchorBatchFixed).to.equal(59_200);
  });

  it("prefers explicit anchorBatchFixed and anchorBatchPerRecord", () => {
    const table = parse({
      operations: { ...BASE, anchorBatchFixed: { gasUsed: 45_000 }, anchorBatchPerRecord: { gasUsed: "12.5" } },
    });
    expect([table.anchorBatchFixed, table.anchorBatchPerRecord]).to.deep.equal([45_000, 12.5]);
    expect(table.grantConsentBySig).to.equal(undefined);
  });

  it("names every missing operation, in one sentence naming the file", () => {
    const error = expectError(() => parse({ operations: { anchorRecord: { gasUsed: 1 } } }), "missing-operations", [
      "grantConsent",
      "workflowPrescription",
      "workflowLabResult",
      "anchorBatchFixed",
      "anchorBatchPerRecord",
    ]);
    expectOneSentenceNaming(error, "gas.json");
  });

  it("refuses to split one measured batch size into fixed and per-record costs", () => {
    // The benchmark's anchorBatchPerRecord is anchorBatch1024 / 1024, an average, not a marginal cost.
    expectError(
      () =>
        parse({ operations: { ...BASE, anchorBatch1024: { gasUsed: 53_127 }, anchorBatchPerRecord: { gasUsed: 52 } } }),
      "one-batch-size",
      ["anchorBatch1024"],
    );
    const table = parse({
      operations: {
        ...BASE,
        anchorBatch1: { gasUsed: 53_000 },
        anchorBatch1024: { gasUsed: 53_127 },
        anchorBatchPerRecord: { gasUsed: 52 },
      },
    });
    expectClose(table.anchorBatchFixed, 53_000 - 127 / 1023, 1e-9);
    expectClose(table.anchorBatchPerRecord, 127 / 1023, 1e-12);
    expect(table.other).to.deep.equal({ anchorBatchPerRecord: 52 });
  });

  it("rejects malformed documents with the problem and the operation at fault", () => {
    expectError(() => parseGasJson("{", "gas.json"), "not-json");
    expectError(() => parse({ ops: {} }), "no-operations");
    expectError(() => parse({ operations: { ...BASE, anchorRecord: { gasUsed: -1 } } }), "bad-value", ["anchorRecord"]);
    expectError(() => parse({ operations: { ...BASE, anchorRecord: 5 } }), "not-an-object", ["anchorRecord"]);
    expectError(
      () =>
        parse({
          operations: { ...BASE, "anchorBatch(1)": { gasUsed: 60_000 }, "anchorBatch(10)": { gasUsed: 50_000 } },
        }),
      "batch-line-negative",
      ["anchorBatch(1)", "anchorBatch(10)"],
    );
  });

  it("loads a file, standing in the modification time when the file has no date", async () => {
    const dir = await tempDir();
    const path = await writeFixture(
      dir,
      "gas.json",
      JSON.stringify({
        operations: { ...BASE, anchorBatchFixed: { gasUsed: 1 }, anchorBatchPerRecord: { gasUsed: 2 } },
      }),
    );
    const when = new Date("2026-11-02T03:04:05Z");
    await utimes(path, when, when);
    const table = await gasJsonProvider(path).gasTable();
    expect(table.provenance.measuredAt).to.equal("2026-11-02T03:04:05.000Z (file modification time)");
    expect(table.provenance.source).to.equal(path);
    await expectReplayRejection(() => loadGasJson(`${path}.missing`), GasTableError, {
      source: `${path}.missing`,
      problem: "unreadable",
      operations: [],
    });
  });
});
