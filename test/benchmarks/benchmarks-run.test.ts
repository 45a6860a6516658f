import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The benchmarks are not part of CI's timing, so nothing else notices when one stops running at all
// (a protocol change once left `bench:release` refused by every custodian). These runs use tiny
// sizes and check that each benchmark completes and reports; the numbers are the benchmarks' job.

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runScript(script: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      env: { ...process.env, CI: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("benchmarks run end to end (tiny sizes)", function () {
  this.timeout(300_000);
  let dir: string;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "careledger-bench-run-"));
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs a benchmark script with its reports in a folder of its own, and reads back the report it wrote. */
  async function runBenchmark(script: string, reportFile: string, env: Record<string, string>) {
    const reports = await mkdtemp(join(dir, "reports-"));
    const run = await runScript(script, { BENCH_REPORTS_DIR: reports, ...env });
    return { run, readReport: async () => JSON.parse(await readFile(join(reports, reportFile), "utf8")) as unknown };
  }

  it("bench:release recovers every key through the custodian processes and writes its report", async function () {
    const { run, readReport } = await runBenchmark("scripts/bench-release.ts", "release.json", {
      BENCH_RELEASE_SAMPLES: "3",
      BENCH_RELEASE_CONCURRENCY: "2",
      BENCH_RELEASE_SECONDS: "1",
    });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/Aims (met|missed on this machine)/);
    const report = (await readReport()) as {
      custodians: number;
      threshold: number;
      samples: number;
      throughput: { recoveries: number };
    };
    expect(report).to.include({ custodians: 3, threshold: 2, samples: 3 });
    expect(report.throughput.recoveries).to.be.greaterThan(0);
  });

  it("bench:sdk writes, batches and reads records through the SDK and writes its report", async function () {
    const { run, readReport } = await runBenchmark("scripts/bench-sdk.ts", "sdk.json", {
      BENCH_SINGLE_PUTS: "3",
      BENCH_BATCHES: "1",
      BENCH_BATCH_SIZE: "5",
      BENCH_READS: "8",
      BENCH_READ_CONCURRENCY: "2",
    });
    // A missed speed bar exits 1 with one line saying so; anything else on stderr is a failure.
    if (run.code !== 0) {
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr.trim(), run.stderr).to.match(/^Below the bar: [a-zA-Z, ]+$/);
    }
    const report = (await readReport()) as {
      counts: { singlePuts: number; batchRecords: number; reads: number };
    };
    expect(report.counts).to.include({ singlePuts: 3, batchRecords: 5, reads: 8 });
  });
});
