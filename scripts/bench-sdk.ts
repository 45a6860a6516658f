/**
 * SDK throughput benchmark against a real JSON-RPC node.
 *
 *   npx tsx scripts/bench-sdk.ts
 *
 * Starts `hardhat node` on a free port, deploys CareLedger, and measures:
 * - putRecordsPerSecond: one record at a time, awaited (validate, seal, wrap, store, anchor, receipt);
 * - putBatchRecordsPerSecond: records sealed and stored, one anchorBatch per batch;
 * - readRecordsPerSecond: access check on-chain, fetch, commitment check, unwrap, decrypt.
 * Writes reports/sdk.json (BENCH_REPORTS_DIR moves it) and exits non-zero when a bar is missed.
 * BENCH_SINGLE_PUTS (60), BENCH_BATCHES (4), BENCH_BATCH_SIZE (250), BENCH_READS (1000),
 * BENCH_READ_CONCURRENCY (16) set the sizes.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import { JsonRpcProvider, Wallet } from "ethers";

import { CareLedger, ProviderKind, deployCareLedger, type FhirResource } from "../client/index.js";
import { LocalDiskStore } from "../client/storage/index.js";
import { devAccountKey, startHardhatNode } from "../harness/hardhat-node.js";

const SINGLE_PUTS = Number(process.env.BENCH_SINGLE_PUTS ?? 60);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 4);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 250);
const READS = Number(process.env.BENCH_READS ?? 1000);
const READ_CONCURRENCY = Number(process.env.BENCH_READ_CONCURRENCY ?? 16);
const PATIENTS = 8;
const REPORTS_DIR = process.env.BENCH_REPORTS_DIR ?? "reports";
const BARS = { putBatchRecordsPerSecond: 200, readRecordsPerSecond: 200 } as const;

function observation(index: number): FhirResource {
  return {
    resourceType: "Observation",
    identifier: [{ system: "urn:example:bench", value: `bench-${index}` }],
    status: "final",
    code: { coding: [{ system: "http://loinc.org", code: "8867-4", display: "Heart rate" }] },
    subject: { reference: `Patient/bench-${index % PATIENTS}` },
    effectiveDateTime: "2024-03-02T07:45:00+01:00",
    valueQuantity: {
      value: 60 + (index % 40),
      unit: "beats/minute",
      system: "http://unitsofmeasure.org",
      code: "/min",
    },
  };
}

/** Wall time, and the CPU time this process spent (every thread: main and crypto workers). */
async function timed<T>(action: () => Promise<T>): Promise<{ result: T; seconds: number; cpuSeconds: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await action();
  const used = process.cpuUsage(cpu);
  return { result, seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

const node = await startHardhatNode();
const directory = await mkdtemp(join(tmpdir(), "careledger-bench-"));
const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, batchStallTime: 0, staticNetwork: true });
try {
  const admin = new Wallet(devAccountKey(0), provider);
  const contracts = await deployCareLedger(admin);
  const store = await LocalDiskStore.open(join(directory, "store"));
  const connect = (index: number): Promise<CareLedger> =>
    CareLedger.connect({
      signer: new Wallet(devAccountKey(index), provider),
      addresses: contracts,
      store,
      dataDir: join(directory, `client-${index}`),
    });
  const registrar = await connect(0);
  const doctor = await connect(1);
  const patients = await Promise.all(Array.from({ length: PATIENTS }, (_, i) => connect(10 + i)));
  await registrar.registrar.registerProvider({ account: doctor.address, kind: ProviderKind.Doctor });

  // Warm up (JIT, worker start, fee cache).
  await doctor.doctor.putRecord({ patient: patients[0].address, resource: observation(-1) });

  // One at a time, awaited.
  const single = await timed(async () => {
    const results = [];
    for (let i = 0; i < SINGLE_PUTS; i++) {
      results.push(
        await doctor.doctor.putRecord({ patient: patients[i % PATIENTS].address, resource: observation(i) }),
      );
    }
    return results;
  });

  // Batched anchoring.
  const batched = await timed(async () => {
    const results = [];
    for (let b = 0; b < BATCHES; b++) {
      results.push(
        await doctor.doctor.putRecordsBatch({
          records: Array.from({ length: BATCH_SIZE }, (_, i) => {
            const index = 100_000 + b * BATCH_SIZE + i;
            return { patient: patients[index % PATIENTS].address, resource: observation(index) };
          }),
        }),
      );
    }
    return results;
  });
  const batchRecords = batched.result.flatMap((batch) => batch.records);

  // Reads by the patients (each reads its own records): half single-anchored, half batched.
  const targets = [
    ...single.result.map((record) => ({ patient: record.patient, commitment: record.commitment })),
    ...batchRecords.map((record) => ({ patient: record.patient, commitment: record.commitment })),
  ];
  const byAddress = new Map(patients.map((ledger) => [ledger.address, ledger]));
  const plan = Array.from({ length: READS }, (_, i) => targets[i % targets.length]);
  const reads = await timed(async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < plan.length) {
        const target = plan[next++];
        const reader = byAddress.get(target.patient);
        if (reader === undefined) throw new Error("no reader");
        await reader.patient.readRecord({ commitment: target.commitment });
      }
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  });
  const sequentialReads = await timed(async () => {
    for (const target of plan.slice(0, 200)) {
      await byAddress.get(target.patient)?.patient.readRecord({ commitment: target.commitment });
    }
  });

  const report = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", node: process.version },
    transport: "hardhat node over JSON-RPC (automine)",
    store: "LocalDiskStore (fsync per object)",
    putRecordsPerSecond: Number((SINGLE_PUTS / single.seconds).toFixed(1)),
    putBatchRecordsPerSecond: Number((batchRecords.length / batched.seconds).toFixed(1)),
    readRecordsPerSecond: Number((READS / reads.seconds).toFixed(1)),
    readRecordsPerSecondSequential: Number((200 / sequentialReads.seconds).toFixed(1)),
    counts: {
      singlePuts: SINGLE_PUTS,
      batches: BATCHES,
      batchSize: BATCH_SIZE,
      batchRecords: batchRecords.length,
      reads: READS,
      readConcurrency: READ_CONCURRENCY,
      sequentialReads: 200,
    },
    // CPU seconds of this process per operation (all threads): what the machine's cores must supply.
    cpuMillisecondsPerOperation: {
      singlePut: Number(((single.cpuSeconds / SINGLE_PUTS) * 1000).toFixed(2)),
      batchRecord: Number(((batched.cpuSeconds / batchRecords.length) * 1000).toFixed(2)),
      read: Number(((reads.cpuSeconds / READS) * 1000).toFixed(2)),
    },
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    durationsSeconds: {
      singlePuts: Number(single.seconds.toFixed(3)),
      batches: Number(batched.seconds.toFixed(3)),
      reads: Number(reads.seconds.toFixed(3)),
      sequentialReads: Number(sequentialReads.seconds.toFixed(3)),
    },
    gas: {
      perSinglePut: Number(single.result[0]?.gasUsed ?? 0n),
      perBatch: Number(batched.result[0]?.gasUsed ?? 0n),
    },
    bars: BARS,
  };
  await mkdir(REPORTS_DIR, { recursive: true });
  await writeFile(join(REPORTS_DIR, "sdk.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  for (const ledger of [registrar, doctor, ...patients]) await ledger.close();
  await store.close();
  const missed = (Object.keys(BARS) as (keyof typeof BARS)[]).filter((bar) => report[bar] < BARS[bar]);
  if (missed.length > 0) {
    console.error(`Below the bar: ${missed.join(", ")}`);
    process.exitCode = 1;
  }
} finally {
  provider.destroy();
  await node.stop();
  await rm(directory, { recursive: true, force: true });
}
