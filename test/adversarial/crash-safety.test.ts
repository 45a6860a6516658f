/**
 * Crash safety of storage. A `hardhat node` (a child process, so the chain outlives the writer) holds
 * the contracts; a writer child process (fixtures/crash-writer.ts) writes 1,000 records through the
 * SDK with a LocalDiskStore and a write journal on disk, several at a time, printing an ACK line after
 * each write resolved. The parent SIGKILLs the writer on a schedule planned before the first run from a
 * seeded generator, and starts it again with the records not yet acknowledged, until 1,000 are. Each
 * kill is one injected fault. Most kills land while writes are in flight: the writer is killed the
 * moment its n-th acknowledgement of the run arrives, with a dozen more writes at every stage of the
 * pipeline. Some land during start-up (connect, keyring and its publication, store open): at a drawn delay after the
 * spawn, or at READY if that comes first. No trigger depends on a throughput estimate, so the number
 * of kills and the records written under them do not depend on the machine's speed or load. Then:
 *
 * - exactly the planned number of kills landed, of each kind, and at least 700 records were
 *   acknowledged under them;
 * - every acknowledged record reads back (readRecord as the patient) and equals what was written, and
 *   the ones resumed after a kill (and a sample of the rest) also read back for a grantee through the
 *   three key custodians: the key split stored with a resumed write still opens it;
 * - the integrity audit finds no altered or missing record and no unreadable stored object;
 * - no record was anchored twice: one RecordAnchored log per commitment, and every anchored
 *   commitment is one the writer acknowledged (a record sealed again after a crash and anchored a
 *   second time would leave a commitment nobody acknowledged);
 * - the journal files and the writer's encryption keyring still parse, and the keyring's key is the one
 *   the registry publishes for the writer;
 * - records lost = acknowledged but not readable intact (must be 0).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { JsonRpcProvider, Network, Wallet, hexlify, parseEther } from "ethers";

import {
  CARELEDGER_INTERFACES,
  CareLedger,
  HipaaRole,
  NotFoundError,
  ProviderForm,
  ProviderKind,
  Purpose,
  RecordNotFoundError,
  addressesOf,
  deployCareLedger,
  locatorRefOf,
  type AuditReport,
  type CareLedgerAddresses,
  type CareLedgerOptions,
} from "../../client/index.js";
import { LocalDiskStore } from "../../client/storage/index.js";
import { CustodianService, type RunningCustodian } from "../../client/key-release/custodian-service.js";
import { EncryptionKeyring } from "../../client/key-release/encryption-keyring.js";
import { EncryptionKeyRegistry__factory } from "../../typechain-types/index.js";
import { BlocksOnlyStore } from "../client/sdk/helpers/stores.js";
import { devAccountKey, startHardhatNode, type HardhatNode } from "../helpers/node.js";
import { crashRecord, type CrashWriterConfig } from "./fixtures/crash-writer.js";
import { recordAttack, recordFault, recordLoss } from "./tally.js";

const CATEGORY = "crash-safety";
const TOTAL_RECORDS = 1_000;
const SEED = 0xc4a5_4001;
/** Writes the child keeps in flight: many stages of the pipeline are cut by every kill. */
const CONCURRENCY = 12;
/** SIGKILLs injected, whatever the machine's speed: each restart costs a 2-7 s start-up of the writer. */
const KILLS = 15;
/** Every this many kills, one lands during start-up instead of while writes are in flight. */
const STARTUP_KILL_EVERY = 5;
/**
 * The kills while writing are spread over this many acknowledgements: the seeded generator cuts the
 * span into uneven parts, one per kill, and the writer is killed on the last acknowledgement of its
 * part. The records after the span (300, less the few acknowledged between a trigger and its kill) are
 * written by the last run, which nothing kills.
 */
const KILL_SPAN_RECORDS = 700;
/** A start-up kill lands this long after the spawn, drawn from [0, window), or at READY when sooner. */
const STARTUP_KILL_WINDOW_MS = 3_000;
/** Concurrent reads when verifying. */
const READ_CONCURRENCY = 8;
/** Besides every resumed write, one record in this many is read through the custodians too. */
const CUSTODIAN_READ_EVERY = 25;
const CUSTODIAN_COUNT = 3;
const WRITER = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "crash-writer.ts");
const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ACCOUNTS = { admin: 0, writer: 1, patient: 2, grantee: 3 } as const;
const RECORD_ANCHORED = CARELEDGER_INTERFACES.registry.getEvent("RecordAnchored")?.topicHash as string;

interface Ack {
  readonly commitment: string;
  readonly transactionHash: string;
  readonly resumed: boolean;
}

/** Where one planned SIGKILL lands. */
type PlannedKill =
  | { readonly phase: "start-up"; readonly afterSpawnMs: number }
  | { readonly phase: "writing"; readonly afterAcks: number };

interface RunOutcome {
  readonly killed: boolean;
  readonly ready: boolean;
  readonly done: boolean;
  readonly acks: number;
  readonly errors: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
}

function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The kills, planned before the first run: the same list on every machine and every run. */
function killSchedule(random: () => number): PlannedKill[] {
  const phases = Array.from({ length: KILLS }, (_, i) => ((i + 1) % STARTUP_KILL_EVERY === 0 ? "start-up" : "writing"));
  const weights = phases.map((phase) => (phase === "writing" ? 0.5 + random() : 0));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let cumulative = 0;
  let cut = 0;
  return phases.map((phase, i): PlannedKill => {
    if (phase === "start-up") return { phase, afterSpawnMs: Math.floor(random() * STARTUP_KILL_WINDOW_MS) };
    cumulative += weights[i];
    const next = Math.round((KILL_SPAN_RECORDS * cumulative) / total);
    const afterAcks = next - cut;
    cut = next;
    return { phase, afterAcks };
  });
}

function topicOf(address: string): string {
  return `0x${"0".repeat(24)}${address.slice(2).toLowerCase()}`;
}

describe("crash safety of storage under SIGKILL", function () {
  // A guard against a hang, not a speed limit: the 16 runs took 3.5-5 min with both cores busy.
  this.timeout(900_000);

  let node: HardhatNode;
  let directory: string;
  let addresses: CareLedgerAddresses;
  let chainId: bigint;
  let patientAddress: string;
  const acked = new Map<number, Ack>();
  /** An index acknowledged twice with two commitments: the same record anchored twice. */
  const conflictingAcks: string[] = [];
  const childErrors: string[] = [];
  const schedule = killSchedule(seededRandom(SEED));
  /** Kills that landed, by phase. */
  const kills = { "start-up": 0, writing: 0 };
  let runs = 0;
  let resumedAcks = 0;
  /** Records acknowledged when the last kill landed. */
  let ackedUnderKills = 0;
  let audit: AuditReport;
  let reader: CareLedger;
  let grantee: CareLedger;
  let readerStore: LocalDiskStore;
  let readerProvider: JsonRpcProvider;
  const custodians: RunningCustodian[] = [];
  const custodianEndpoints = (): { url: string; address: string }[] =>
    custodians.map((custodian) => ({ url: custodian.url, address: custodian.address }));

  /** Starts the writer with every record not yet acknowledged; kills it where `kill` says, when given. */
  function runWriter(configPath: string, kill: PlannedKill | undefined): Promise<RunOutcome> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", WRITER, configPath], {
        cwd: PROJECT_ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, FORCE_COLOR: "0" },
      });
      let killed = false;
      let ready = false;
      let done = false;
      let acks = 0;
      const errors: string[] = [];
      let pendingText = "";
      let stderr = "";
      let timer: NodeJS.Timeout | undefined;
      const killNow = (): void => {
        if (child.exitCode === null && child.signalCode === null) {
          killed = child.kill("SIGKILL");
        }
      };
      if (kill?.phase === "start-up") timer = setTimeout(killNow, kill.afterSpawnMs);
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        pendingText += chunk;
        const lines = pendingText.split("\n");
        // The last piece has no newline yet: an ACK cut by the kill is not an acknowledgement.
        pendingText = lines.pop() ?? "";
        for (const text of lines) {
          const [kind, ...fields] = text.trim().split(" ");
          if (kind === "READY") {
            ready = true;
            // A start-up kill whose delay outlasts the start-up lands now, before the first write.
            if (kill?.phase === "start-up") killNow();
          } else if (kind === "ACK") {
            const index = Number(fields[0]);
            const ack: Ack = {
              commitment: fields[1].toLowerCase(),
              transactionHash: fields[2],
              resumed: fields[3] === "1",
            };
            const earlier = acked.get(index);
            if (earlier !== undefined && earlier.commitment !== ack.commitment) {
              conflictingAcks.push(`record #${index} acknowledged as ${earlier.commitment} and ${ack.commitment}`);
            }
            if (earlier === undefined) acked.set(index, ack);
            if (ack.resumed) resumedAcks += 1;
            acks += 1;
            if (kill?.phase === "writing" && acks === kill.afterAcks) killNow();
          } else if (kind === "ERR") {
            errors.push(fields.join(" "));
          } else if (kind === "DONE") {
            done = true;
          }
        }
      });
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (chunk: string) => {
        stderr = (stderr + chunk).slice(-4_000);
      });
      child.once("error", reject);
      // "close": the process exited and every line it wrote was read.
      child.once("close", (exitCode) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve({ killed, ready, done, acks, errors, exitCode, stderr });
      });
    });
  }

  before(async function () {
    node = await startHardhatNode();
    chainId = (await node.provider.getNetwork()).chainId;
    directory = await mkdtemp(join(tmpdir(), "careledger-crash-"));
    const admin = node.wallet(ACCOUNTS.admin);
    const contracts = await deployCareLedger(admin);
    addresses = await addressesOf(contracts);
    const storeDir = join(directory, "store");
    readerProvider = new JsonRpcProvider(node.url, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
    readerStore = await LocalDiskStore.open(storeDir);
    // The custodians outlive every writer run, as a deployment's custodians outlive its clients.
    for (let index = 0; index < CUSTODIAN_COUNT; index += 1) {
      const account = Wallet.createRandom().connect(readerProvider);
      await (await admin.sendTransaction({ to: account.address, value: parseEther("1") })).wait();
      custodians.push(
        await CustodianService.start({
          dataDir: join(directory, "custodians", String(index)),
          provider: readerProvider,
          addresses,
          signer: account,
        }),
      );
    }
    const registrar = await CareLedger.connect({
      signer: new Wallet(devAccountKey(ACCOUNTS.admin), readerProvider),
      addresses,
      store: readerStore,
      dataDir: join(directory, "registrar"),
      journal: false,
    });
    await registrar.registrar.registerProvider({
      account: node.wallet(ACCOUNTS.writer).address,
      kind: ProviderKind.Doctor,
      form: ProviderForm.Practitioner,
      hipaa: HipaaRole.CoveredEntity,
    });
    await registrar.close();
    // The patient publishes its key (every record's key is sealed to it) and reads everything back
    // later; a grantee of all its records reads through the custodians.
    const readerOptions = (account: number, name: string): CareLedgerOptions => ({
      signer: new Wallet(devAccountKey(account), readerProvider),
      addresses,
      store: readerStore,
      dataDir: join(directory, name),
      journal: false,
      custodians: custodianEndpoints(),
    });
    reader = await CareLedger.connect(readerOptions(ACCOUNTS.patient, "patient"));
    patientAddress = reader.address;
    grantee = await CareLedger.connect(readerOptions(ACCOUNTS.grantee, "grantee"));
    await reader.patient.grantConsent({ grantee: grantee.address, scope: "all", purpose: Purpose.Treatment });

    const configPath = join(directory, "writer.json");
    while (acked.size < TOTAL_RECORDS) {
      const pending = Array.from({ length: TOTAL_RECORDS }, (_, i) => i).filter((i) => !acked.has(i));
      const config: CrashWriterConfig = {
        url: node.url,
        chainId: chainId.toString(),
        addresses,
        storeDir,
        custodians: custodianEndpoints(),
        journalDir: join(directory, "journal"),
        dataDir: join(directory, "writer"),
        writerKey: devAccountKey(ACCOUNTS.writer),
        patient: patientAddress,
        pending,
        concurrency: CONCURRENCY,
      };
      await writeFile(configPath, JSON.stringify(config));
      // One run per planned kill, then runs that nothing kills. A kill that did not land (the writer
      // finished first) is not counted, and the count check below reports it.
      const kill = schedule[runs];
      runs += 1;
      if (kill?.phase === "writing" && kill.afterAcks >= pending.length) {
        throw new Error(`The kill schedule outruns the records: ${kill.afterAcks} of ${pending.length} pending.`);
      }
      const outcome = await runWriter(configPath, kill);
      childErrors.push(...outcome.errors);
      if (outcome.killed && kill !== undefined) {
        ackedUnderKills = acked.size;
        kills[kill.phase] += 1;
        recordFault(CATEGORY);
      } else if (outcome.exitCode !== 0 || !outcome.done) {
        throw new Error(`The writer failed on its own (exit ${outcome.exitCode}): ${outcome.stderr}`);
      } else if (outcome.errors.length > 0 && outcome.acks === 0) {
        throw new Error(`The writer makes no progress: ${outcome.errors.join("; ")}`);
      }
    }
    audit = await reader.audit({ patient: patientAddress });
  });

  after(async function () {
    await reader?.close();
    await grantee?.close();
    await Promise.allSettled(custodians.map((custodian) => custodian.close()));
    await readerStore?.close();
    readerProvider?.destroy();
    await node?.stop();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  it("injects every planned kill, spread over most of the 1,000 records", function () {
    const planned = { "start-up": 0, writing: 0 };
    for (const kill of schedule) planned[kill.phase] += 1;
    console.log(
      `      ${kills["start-up"] + kills.writing} SIGKILLs (${kills["start-up"]} during start-up, ${kills.writing} while writing) over ${runs} runs; ${acked.size} records acknowledged (${ackedUnderKills} when the last kill landed), ${resumedAcks} by resuming a journalled write`,
    );
    expect(acked.size).to.equal(TOTAL_RECORDS);
    expect(kills).to.deep.equal(planned);
    expect(planned).to.deep.equal({
      "start-up": KILLS / STARTUP_KILL_EVERY,
      writing: KILLS - KILLS / STARTUP_KILL_EVERY,
    });
    // Every kill while writing waited for its share of the span, so the kills cover the span at least.
    expect(ackedUnderKills).to.be.at.least(KILL_SPAN_RECORDS);
  });

  it("reads back every acknowledged record intact", async function () {
    let lost = 0;
    const problems: string[] = [];
    const stored = new Map(
      (await reader.listRecords({ patient: patientAddress })).map((record) => [
        record.commitment.toLowerCase(),
        record,
      ]),
    );
    /** What a failed read was missing: the envelope, or the manifest naming it. */
    const missingPart = (commitment: string, error: unknown): string => {
      if (!(error instanceof RecordNotFoundError || error instanceof NotFoundError)) return "";
      return stored.has(commitment) ? " (envelope missing)" : " (no manifest)";
    };
    const queue = [...acked].sort(([a], [b]) => a - b);
    const worker = async (): Promise<void> => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const [index, ack] = item;
        try {
          const { resource } = await reader.readRecord({ patient: patientAddress, commitment: ack.commitment });
          expect(resource).to.deep.equal(crashRecord(index));
        } catch (error) {
          lost += 1;
          const name = error instanceof Error ? error.constructor.name : String(error);
          const how = ack.resumed ? "resumed after a kill" : "written in one go";
          problems.push(`record #${index} (${how}): ${name}${missingPart(ack.commitment, error)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, () => worker()));
    recordLoss(CATEGORY, lost);
    recordAttack(
      CATEGORY,
      lost === 0,
      `${lost} acknowledged records do not read back intact (${problems.slice(0, 3).join("; ")})`,
    );
    expect(problems).to.deep.equal([]);
  });

  it("opens every resumed record, and a sample of the rest, for a grantee through the custodians", async function () {
    const chosen = [...acked]
      .filter(([index, ack]) => ack.resumed || index % CUSTODIAN_READ_EVERY === 0)
      .sort(([a], [b]) => a - b);
    let lost = 0;
    const problems: string[] = [];
    const queue = [...chosen];
    const worker = async (): Promise<void> => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        const [index, ack] = item;
        try {
          const read = await grantee.readRecord({ patient: patientAddress, commitment: ack.commitment });
          expect(read.resource).to.deep.equal(crashRecord(index));
        } catch (error) {
          lost += 1;
          const name = error instanceof Error ? error.constructor.name : String(error);
          problems.push(`record #${index} (${ack.resumed ? "resumed after a kill" : "written in one go"}): ${name}`);
        }
      }
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, () => worker()));
    console.log(
      `      ${chosen.length} records read through the custodians (${chosen.filter(([, ack]) => ack.resumed).length} resumed)`,
    );
    recordLoss(CATEGORY, lost);
    recordAttack(
      CATEGORY,
      lost === 0,
      `${lost} acknowledged records do not open through the custodians (${problems.slice(0, 3).join("; ")})`,
    );
    expect(chosen.length).to.be.at.least(TOTAL_RECORDS / CUSTODIAN_READ_EVERY);
    expect(problems).to.deep.equal([]);
  });

  it("leaves no altered, missing or unreadable entry for the audit", function () {
    const corrupt = audit.entries.filter((entry) => entry.status === "altered" || entry.status === "missing");
    const intact = new Set(audit.entries.filter((e) => e.status === "intact").map((e) => e.commitment.toLowerCase()));
    const notIntact = [...acked.values()].filter((ack) => !intact.has(ack.commitment));
    const clean = corrupt.length === 0 && audit.unreadableRefs.length === 0 && notIntact.length === 0;
    recordAttack(
      CATEGORY,
      clean,
      `audit after kills: ${corrupt.length} altered/missing, ${audit.unreadableRefs.length} unreadable refs, ${notIntact.length} acknowledged records not intact`,
    );
    console.log(`      audit: ${JSON.stringify(audit.counts)}`);
    expect(corrupt).to.deep.equal([]);
    expect(audit.unreadableRefs).to.deep.equal([]);
    expect(notIntact).to.deep.equal([]);
  });

  it("anchors no record twice", async function () {
    const logs = await readerProvider.getLogs({
      address: addresses.registry,
      fromBlock: 0,
      toBlock: "latest",
      topics: [RECORD_ANCHORED, topicOf(patientAddress)],
    });
    const times = new Map<string, number>();
    for (const log of logs) times.set(log.topics[2].toLowerCase(), (times.get(log.topics[2].toLowerCase()) ?? 0) + 1);
    const repeated = [...times].filter(([, n]) => n > 1);
    const ackedCommitments = new Set([...acked.values()].map((ack) => ack.commitment));
    // Which record an unacknowledged anchor holds: decrypt it and look up its label.
    const extra: string[] = [];
    for (const commitment of times.keys()) {
      if (ackedCommitments.has(commitment)) continue;
      let label = "unreadable";
      try {
        const { resource } = await reader.readRecord({ patient: patientAddress, commitment });
        label = JSON.stringify((resource as { identifier?: { value?: string }[] }).identifier?.[0]?.value);
      } catch (error) {
        label = error instanceof Error ? error.constructor.name : String(error);
      }
      extra.push(`${commitment} (${label})`);
    }
    const once = repeated.length === 0 && extra.length === 0 && conflictingAcks.length === 0;
    recordAttack(
      CATEGORY,
      once,
      `records anchored twice after kills: ${extra.length} unacknowledged anchors, ${conflictingAcks.length} conflicting ACKs`,
    );
    expect(repeated).to.deep.equal([]);
    expect(conflictingAcks).to.deep.equal([]);
    expect(extra).to.deep.equal([]);
    expect(times.size).to.equal(TOTAL_RECORDS);
  });

  it("keeps the journal and the writer's keyring parseable, the keyring's key published, and every write error typed", async function () {
    const journalDir = join(directory, "journal");
    const broken: string[] = [];
    for (const name of await readdir(journalDir, { recursive: true })) {
      if (!name.endsWith(".json")) continue;
      try {
        JSON.parse(await readFile(join(journalDir, name), "utf8"));
      } catch {
        broken.push(name);
      }
    }
    const writer = node.wallet(ACCOUNTS.writer).address;
    let keysIntact = false;
    try {
      const keyring = await EncryptionKeyring.open(join(directory, "writer", "encryption-keys.json"), writer);
      const registry = EncryptionKeyRegistry__factory.connect(addresses.keyRegistry, readerProvider);
      const [version, publicKey] = await registry.currentEncryptionKey(writer);
      const current = keyring.current();
      keysIntact =
        version !== 0n &&
        Number(version) === current.version &&
        publicKey.toLowerCase() === hexlify(current.publicKey).toLowerCase();
    } catch {
      keysIntact = false;
    }
    const untyped = childErrors.filter((error) => error.endsWith("untyped"));
    recordAttack(
      CATEGORY,
      broken.length === 0 && keysIntact,
      `${broken.length} journal files corrupt after kills; writer keyring ${keysIntact ? "intact" : "unusable or not the published key"}`,
    );
    recordAttack(
      CATEGORY,
      untyped.length === 0,
      `writer saw untyped errors after kills: ${untyped.slice(0, 3).join("; ")}`,
    );
    expect(broken).to.deep.equal([]);
    expect(keysIntact).to.equal(true);
    expect(untyped).to.deep.equal([]);
  });
  /**
   * The same crash, placed deterministically: the writer persists the envelope, the commitment's
   * locator (its preimage, stored under an address derived from the commitment) and the manifest in
   * parallel with the journal entry, so a kill can land when the manifest, the envelope and the journal
   * are on disk but the locator is not. The SDK's `faults.afterStore` hook stops the write before the
   * send (as a kill would), the locator is removed (as if its rename never happened), and the write is
   * repeated: the record it acknowledges must read back for a reader who knows only the commitment, as
   * one on another machine does (a store that serves blocks by address and lists nothing).
   */
  it("resumes a write whose crash left the commitment locator unwritten, and the record reads back from its commitment", async function () {
    class SimulatedCrash extends Error {}
    let journalled: string | undefined;
    const options = {
      addresses,
      store: readerStore,
      dataDir: join(directory, "writer-direct"),
      journal: join(directory, "journal-direct"),
      custodians: custodianEndpoints(),
    };
    const crashing = await CareLedger.connect({
      ...options,
      signer: new Wallet(devAccountKey(ACCOUNTS.writer), readerProvider),
      faults: {
        afterStore: ({ commitments }) => {
          journalled = commitments[0];
          throw new SimulatedCrash("killed after the record was stored and journalled");
        },
      },
    });
    const resource = crashRecord(TOTAL_RECORDS + 1);
    let crashed = false;
    try {
      await crashing.doctor.putRecord({ patient: patientAddress, resource });
    } catch (error) {
      crashed = error instanceof SimulatedCrash;
    } finally {
      await crashing.close();
    }
    expect(crashed).to.equal(true);
    const locator = locatorRefOf(journalled as string);
    expect(await readerStore.has(locator)).to.equal(true);
    await rm(readerStore.pathOf(locator));

    const resumed = await CareLedger.connect({
      ...options,
      signer: new Wallet(devAccountKey(ACCOUNTS.writer), readerProvider),
    });
    const remote = await CareLedger.connect({
      signer: new Wallet(devAccountKey(ACCOUNTS.patient), readerProvider),
      addresses,
      store: new BlocksOnlyStore(readerStore),
      dataDir: join(directory, "patient"),
      journal: false,
    });
    let problem: string | undefined;
    try {
      const ack = await resumed.doctor.putRecord({ patient: patientAddress, resource });
      try {
        const { resource: read } = await remote.readRecord({ patient: patientAddress, commitment: ack.commitment });
        expect(read).to.deep.equal(resource);
      } catch (error) {
        const name = error instanceof Error ? error.constructor.name : String(error);
        problem =
          `the repeated write resumed the journalled commitment (resumed=${ack.resumed}, same commitment=` +
          `${ack.commitment.toLowerCase() === journalled?.toLowerCase()}) and anchored it although its locator ` +
          `was never stored; a reader with only the commitment cannot find the envelope (${name})`;
      }
    } finally {
      await resumed.close();
      await remote.close();
    }
    recordFault(CATEGORY);
    recordLoss(CATEGORY, problem === undefined ? 0 : 1);
    recordAttack(CATEGORY, problem === undefined, problem);
    expect(problem).to.equal(undefined);
  });
});
