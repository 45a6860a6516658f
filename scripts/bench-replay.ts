/**
 * npm run bench:replay
 *
 * Executed-replay throughput against slice length: runs executed slices of about 1,400, 4,000 and 8,000 patients of
 * the inpatient/day-case list of January 2020 through the contracts (both designs, as `--mode executed` does), and
 * the plain path for comparison (anchorRecord sent and awaited one at a time through hardhat-ethers). Writes
 * reports/replay-bench.json with the transactions per second of each and fails when the largest slice runs at less
 * than 0.8 x the smallest or 1.0 x the plain path. Progress goes to stderr every few seconds.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import path from "node:path";

import { network } from "hardhat";
import { keccak256, toUtf8Bytes, Wallet } from "ethers";

import { HipaaRole, ProviderForm, ProviderKind, RecordType } from "../client/care-types.js";
import { deployCareLedger } from "../client/deploy.js";
import { ContractsExecutedRunner } from "../replay/chain/contracts-executed-runner.js";
import { measuredGasProvider } from "../replay/chain/measured-gas-provider.js";
import { compareExecuted } from "../replay/gas/executed-comparison.js";
import type { ExecutedProgress } from "../replay/gas/executed-runner.js";
import { ingestFiles } from "../replay/ingest/ingest-files.js";
import { resolveOverlaps } from "../replay/ingest/overlap-policy.js";
import { CohortCollector } from "../replay/model/cohorts.js";
import { parseSliceSelector } from "../replay/model/patient-slice.js";
import { DEFAULT_WORKFLOW_ASSUMPTIONS } from "../replay/model/workflow-assumptions.js";
import { executedProgressLine, formatSeconds } from "../replay/progress/progress-meter.js";

const INPUT = path.resolve("data/hse/ipdc/ipdc_group_hospital_2020-01.csv.gz");
/** Specialties of IPDC January 2020 whose patients make slices of about 1,400, 4,000 and 8,000. */
const SLICES = [
  "month=2020-01,specialty=2604", // Vascular Surgery, 1,394 patients
  "month=2020-01,specialty=0100", // Cardiology, 3,933
  "month=2020-01,specialty=1700", // Ophthalmology, 7,761
];
/** anchorRecord transactions of the plain path: long enough to reach its steady rate. */
const BASELINE_TRANSACTIONS = Number(process.env.BENCH_BASELINE_TX ?? 6_000);
/** The bar of issue 12. */
const MIN_LARGEST_OVER_SMALLEST = 0.8;
const MIN_LARGEST_OVER_BASELINE = 1.0;
const PROGRESS_EVERY_MS = 5_000;

interface Rate {
  readonly transactions: number;
  readonly seconds: number;
  readonly transactionsPerSecond: number;
  /** CPU seconds (all threads of this process, EDR included) per transaction: less sensitive to other load. */
  readonly cpuMillisecondsPerTransaction: number;
  readonly peakRssMegabytes: number;
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number; cpuMs: number; rssMb: number }> {
  peakRss = 0;
  sampleRss();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  sampleRss();
  return { value, seconds, cpuMs: (used.user + used.system) / 1000, rssMb: Math.round(peakRss / 1e6) };
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function cohortsOfInput() {
  const collector = new CohortCollector();
  const summary = await ingestFiles([INPUT], { strict: true, onRow: (row, index) => collector.add(row, index) });
  log(
    `read ${path.basename(INPUT)}: ${summary.rowsRead.toLocaleString("en-IE")} rows, ` +
      `${summary.sumOfTotal.toLocaleString("en-IE")} patients in ${summary.seconds.toFixed(2)} s`,
  );
  return collector.keptCohorts(resolveOverlaps(collector.coverages()));
}

/** The plain path: one anchorRecord at a time, sent and awaited through hardhat-ethers on a default chain. */
async function baseline(transactions: number): Promise<number> {
  const connection = await network.create();
  try {
    const { ethers } = connection;
    const [deployer, doctor] = await ethers.getSigners();
    const core = await deployCareLedger(deployer);
    await (
      await core.directory.registerProvider(doctor.address, {
        kind: ProviderKind.Doctor,
        form: ProviderForm.Practitioner,
        hipaa: HipaaRole.CoveredEntity,
        organisation: ethers.ZeroAddress,
      })
    ).wait();
    const registry = core.registry.connect(doctor);
    let last = performance.now();
    const started = last;
    for (let i = 0; i < transactions; i += 1) {
      const patient = new Wallet(keccak256(toUtf8Bytes(`bench-replay:patient:${i}`))).address;
      const commitment = keccak256(toUtf8Bytes(`bench-replay:record:${i}`));
      await (await registry.anchorRecord(patient, commitment, RecordType.Referral, false)).wait();
      const now = performance.now();
      if (now - last >= PROGRESS_EVERY_MS) {
        last = now;
        sampleRss();
        const seconds = (now - started) / 1000;
        const rate = (i + 1) / seconds;
        log(
          `plain path: ${(i + 1).toLocaleString("en-IE")} of ${transactions.toLocaleString("en-IE")} tx, ` +
            `${Math.round(rate).toLocaleString("en-IE")} tx/s, about ${formatSeconds((transactions - i - 1) / rate)} left`,
        );
      }
    }
    return transactions;
  } finally {
    await connection.close();
  }
}

function rate(transactions: number, t: { seconds: number; cpuMs: number; rssMb: number }): Rate {
  return {
    transactions,
    seconds: t.seconds,
    transactionsPerSecond: transactions / t.seconds,
    cpuMillisecondsPerTransaction: t.cpuMs / transactions,
    peakRssMegabytes: t.rssMb,
  };
}

const startedAt = new Date();
const loadBefore = loadavg();
const cohorts = await cohortsOfInput();
const table = await measuredGasProvider.gasTable();
const runner = new ContractsExecutedRunner();

const slices = [];
for (const spec of SLICES) {
  let lastLog = 0;
  const onProgress = (p: ExecutedProgress): void => {
    sampleRss();
    const now = performance.now();
    if (now - lastLog < PROGRESS_EVERY_MS) return;
    lastLog = now;
    log(`${spec}: ${executedProgressLine(p)}`);
  };
  const t = await timed(() =>
    compareExecuted(cohorts, parseSliceSelector(spec), runner, table, DEFAULT_WORKFLOW_ASSUMPTIONS, { onProgress }),
  );
  const comparison = t.value;
  const transactions = comparison.designs.reduce((sum, d) => sum + d.executedTransactions, 0);
  // Throughput of the runs themselves (deployment and setup of each fresh chain excluded).
  const runSeconds = comparison.designs.reduce((sum, d) => sum + d.seconds, 0);
  const entry = {
    slice: spec,
    patients: comparison.patients,
    agrees: comparison.agrees,
    ...rate(transactions, { ...t, seconds: runSeconds }),
    secondsWithSetup: t.seconds,
    designs: comparison.designs.map((d) => ({
      design: d.design,
      transactions: d.executedTransactions,
      seconds: d.seconds,
      transactionsPerSecond: d.transactionsPerSecond,
      relativeDifference: d.relativeDifference,
      curve: d.curve,
    })),
  };
  slices.push(entry);
  log(
    `${spec}: ${entry.patients.toLocaleString("en-IE")} patients, ${transactions.toLocaleString("en-IE")} tx in ` +
      `${runSeconds.toFixed(1)} s = ${Math.round(entry.transactionsPerSecond).toLocaleString("en-IE")} tx/s ` +
      `(${entry.cpuMillisecondsPerTransaction.toFixed(2)} ms CPU/tx, peak RSS ${entry.peakRssMegabytes} MB), ` +
      `gas ${comparison.agrees ? "agrees with" : "DIFFERS FROM"} the model`,
  );
}

const b = await timed(() => baseline(BASELINE_TRANSACTIONS));
const plain = rate(b.value, b);
log(
  `plain path: ${plain.transactions.toLocaleString("en-IE")} anchorRecord in ${plain.seconds.toFixed(1)} s = ` +
    `${Math.round(plain.transactionsPerSecond).toLocaleString("en-IE")} tx/s (${plain.cpuMillisecondsPerTransaction.toFixed(2)} ms CPU/tx)`,
);

const smallest = slices[0];
const largest = slices[slices.length - 1];
const bar = {
  largestOverSmallest: largest.transactionsPerSecond / smallest.transactionsPerSecond,
  largestOverBaseline: largest.transactionsPerSecond / plain.transactionsPerSecond,
  minLargestOverSmallest: MIN_LARGEST_OVER_SMALLEST,
  minLargestOverBaseline: MIN_LARGEST_OVER_BASELINE,
};
const ok =
  bar.largestOverSmallest >= MIN_LARGEST_OVER_SMALLEST &&
  bar.largestOverBaseline >= MIN_LARGEST_OVER_BASELINE &&
  slices.every((s) => s.agrees);
const report = {
  tool: "careledger-bench-replay",
  generatedAt: startedAt.toISOString(),
  input: path.relative(process.cwd(), INPUT),
  machine: { cpus: cpus().length, loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
  notes:
    "transactionsPerSecond counts both designs of a slice over the runs' own time (each on a fresh in-process EDR " +
    "chain, setup excluded); the plain path sends and awaits one anchorRecord at a time through hardhat-ethers on a " +
    "default chain. The machine is shared: cpuMillisecondsPerTransaction is less sensitive to other load.",
  slices,
  baseline: { path: "anchorRecord sent and awaited one at a time (hardhat-ethers)", ...plain },
  bar: { ...bar, ok },
};
const out = path.resolve("reports", "replay-bench.json");
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(
  [
    ...slices.map(
      (s) =>
        `${s.slice.padEnd(32)} ${String(s.patients).padStart(6)} patients ${String(s.transactions).padStart(7)} tx ` +
        `${s.transactionsPerSecond.toFixed(0).padStart(6)} tx/s  ${s.cpuMillisecondsPerTransaction.toFixed(2)} ms CPU/tx  ` +
        `peak RSS ${s.peakRssMegabytes} MB`,
    ),
    `${"plain path (anchorRecord)".padEnd(32)} ${"".padStart(15)} ${String(plain.transactions).padStart(7)} tx ` +
      `${plain.transactionsPerSecond.toFixed(0).padStart(6)} tx/s  ${plain.cpuMillisecondsPerTransaction.toFixed(2)} ms CPU/tx`,
    `largest / smallest = ${bar.largestOverSmallest.toFixed(2)} (bar ${MIN_LARGEST_OVER_SMALLEST}), ` +
      `largest / plain path = ${bar.largestOverBaseline.toFixed(2)} (bar ${MIN_LARGEST_OVER_BASELINE}): ${ok ? "ok" : "FAILED"}`,
    `wrote ${out}`,
  ].join("\n"),
);
if (!ok) process.exitCode = 1;
