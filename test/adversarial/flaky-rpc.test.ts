/**
 * Flaky RPC. A `hardhat node` runs as a child process and a TCP proxy (fixtures/tcp-proxy.ts) sits
 * between it and the SDK, randomly delaying requests, closing connections without an answer and
 * resetting them — before the node sees a request, or after it answered (the answer is lost, the
 * request took effect). Three key custodians run on a direct connection, so every write also reads
 * their encryption keys from the registry through the proxy to split the record's data key among
 * them. A doctor's client connected through the proxy writes 100 records, four at a
 * time; like an application it repeats a write that failed, with the same resource (the SDK's
 * idempotency key is derived from it). Then, through a direct connection:
 *
 * - every acknowledged write is anchored exactly once (one RecordAnchored log per commitment, and no
 *   anchored commitment that was never acknowledged: a record sealed and anchored twice would leave
 *   one), and reads back intact — records lost = acknowledged but not readable;
 * - every failure the SDK surfaced on the way was a typed CareLedgerError, never a raw socket error;
 * - what cannot be retried surfaces typed: a contract revert through the flaky proxy is a
 *   ContractRevertError, a node that is never reachable (always reset, always dropped, connection
 *   refused, even while the client connects and publishes its key) is an RpcUnavailableError, and
 *   nothing is sent or stored.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Network, Wallet, id, parseEther } from "ethers";

import {
  CARELEDGER_INTERFACES,
  CareLedger,
  CareLedgerError,
  ContractRevertError,
  HipaaRole,
  ProviderForm,
  ProviderKind,
  RpcUnavailableError,
  addressesOf,
  deployCareLedger,
  type CareLedgerAddresses,
  type CareLedgerOptions,
  type RecordWriteResult,
} from "../../client/index.js";
import { LocalDiskStore } from "../../client/storage/index.js";
import { CustodianService, type RunningCustodian } from "../../client/key-release/custodian-service.js";
import { observation } from "../client/sdk/helpers/fixtures.js";
import { devAccountKey, startHardhatNode, type HardhatNode } from "../helpers/node.js";
import { TcpFaultProxy } from "./fixtures/tcp-proxy.js";
import { recordAttack, recordFault, recordLoss } from "./tally.js";

const CATEGORY = "flaky-rpc";
const WRITES = 100;
const CONCURRENCY = 4;
/** How often the application repeats a write the SDK gave up on. */
const APPLICATION_ATTEMPTS = 8;
const SEED = 0x5eedf1a;
const ACCOUNTS = { admin: 0, doctor: 1, patient: 2, stranger: 3 } as const;
const CUSTODIAN_COUNT = 3;
const RECORD_ANCHORED = CARELEDGER_INTERFACES.registry.getEvent("RecordAnchored")?.topicHash as string;

interface Ack {
  readonly index: number;
  readonly result: RecordWriteResult;
}

function label(index: number): string {
  return `flaky-rpc-${index}`;
}

function topicOf(address: string): string {
  return `0x${"0".repeat(24)}${address.slice(2).toLowerCase()}`;
}

/** A short description of an error, for the tally's "not stopped" list. */
function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.constructor.name}${typeof code === "string" ? ` (${code})` : ""}`;
  }
  return typeof error;
}

/** Runs `attempt` and returns what it threw (undefined when it resolved). */
async function thrown(attempt: () => Promise<unknown>): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("flaky RPC between the SDK and the node", function () {
  this.timeout(300_000);

  let node: HardhatNode;
  let proxy: TcpFaultProxy;
  let directory: string;
  let store: LocalDiskStore;
  let addresses: CareLedgerAddresses;
  let chainId: bigint;
  let patientAddress: string;
  const providers: JsonRpcProvider[] = [];
  const custodians: RunningCustodian[] = [];
  /** Acknowledged writes of the profiles that already ran. */
  const allAcks: Ack[] = [];
  const clients: CareLedger[] = [];

  /** A provider through the proxy (or any URL) that never asks the network for its chain id. */
  function flakyProvider(url: string): JsonRpcProvider {
    const provider = new JsonRpcProvider(url, Network.from(chainId), {
      staticNetwork: true,
      cacheTimeout: -1,
      batchMaxCount: 1,
    });
    providers.push(provider);
    return provider;
  }

  async function connect(
    account: keyof typeof ACCOUNTS,
    provider: JsonRpcProvider,
    options: Partial<CareLedgerOptions> = {},
  ): Promise<CareLedger> {
    const client = await CareLedger.connect({
      signer: new Wallet(devAccountKey(ACCOUNTS[account]), provider),
      addresses,
      store,
      dataDir: join(directory, "clients", account),
      custodians: custodians.map((custodian) => ({ url: custodian.url, address: custodian.address })),
      ...options,
    });
    clients.push(client);
    return client;
  }

  async function anchoredCommitments(): Promise<Map<string, number>> {
    const logs = await node.provider.getLogs({
      address: addresses.registry,
      fromBlock: 0,
      toBlock: "latest",
      topics: [RECORD_ANCHORED, topicOf(patientAddress)],
    });
    const counts = new Map<string, number>();
    for (const log of logs) {
      const commitment = log.topics[2].toLowerCase();
      counts.set(commitment, (counts.get(commitment) ?? 0) + 1);
    }
    return counts;
  }

  async function storedRefs(): Promise<string[]> {
    const refs: string[] = [];
    for await (const ref of store.list()) refs.push(ref);
    return refs.sort();
  }

  before(async function () {
    node = await startHardhatNode();
    chainId = (await node.provider.getNetwork()).chainId;
    directory = await mkdtemp(join(tmpdir(), "careledger-flaky-rpc-"));
    store = await LocalDiskStore.open(join(directory, "store"));
    const admin = node.wallet(ACCOUNTS.admin);
    const contracts = await deployCareLedger(admin);
    addresses = await addressesOf(contracts);
    const direct = flakyProvider(node.url);
    for (let index = 0; index < CUSTODIAN_COUNT; index += 1) {
      const account = Wallet.createRandom().connect(direct);
      await (await admin.sendTransaction({ to: account.address, value: parseEther("1") })).wait();
      custodians.push(
        await CustodianService.start({
          dataDir: join(directory, "custodians", String(index)),
          provider: direct,
          addresses,
          signer: account,
        }),
      );
    }
    const registrar = await connect("admin", direct);
    const patient = await connect("patient", direct);
    patientAddress = patient.address;
    await registrar.registrar.registerProvider({
      account: node.wallet(ACCOUNTS.doctor).address,
      kind: ProviderKind.Doctor,
      form: ProviderForm.Practitioner,
      hipaa: HipaaRole.CoveredEntity,
    });
    proxy = await TcpFaultProxy.start({ targetPort: node.port, mode: "pass", seed: SEED, delayMs: [20, 250] });
  });

  after(async function () {
    for (const client of clients) await client.close().catch(() => undefined);
    await Promise.allSettled(custodians.map((custodian) => custodian.close()));
    for (const provider of providers) provider.destroy();
    await proxy?.stop();
    await store?.close();
    await node?.stop();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  /**
   * Two profiles of 50 writes each: a client whose own retries ride out the faults, and an impatient
   * one (one retry) behind a harsher mix, whose give-ups reach the application, which repeats the
   * write: the journal must resume it instead of sealing and anchoring the record a second time.
   */
  const PROFILES = [
    {
      name: "a client that retries patiently",
      retry: { retries: 8, baseDelayMs: 10, maxDelayMs: 250 },
      mix: { pass: 70, delay: 15, drop: 8, reset: 7 },
      first: 0,
    },
    {
      name: "an impatient client behind a harsher mix",
      retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 50 },
      mix: { pass: 55, delay: 15, drop: 15, reset: 15 },
      first: WRITES / 2,
    },
  ] as const;

  for (const profile of PROFILES) {
    describe(`with a proxy that randomly delays, drops and resets, and ${profile.name}`, function () {
      const acks: Ack[] = [];
      const untyped: string[] = [];
      const indices = Array.from({ length: WRITES / 2 }, (_, i) => profile.first + i);
      let typedFailures = 0;
      let injected = 0;
      /** Writes the application still had to repeat once the faults stopped. */
      let finishedAfterHealing = 0;

      before(async function () {
        const doctor = await connect("doctor", flakyProvider(proxy.url), { retry: profile.retry });
        proxy.mix = profile.mix;
        proxy.mode = "random";
        const faultsBefore = proxy.faults();
        const queue = [...indices];
        const worker = async (): Promise<void> => {
          for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
            for (let attempt = 1; attempt <= APPLICATION_ATTEMPTS; attempt += 1) {
              try {
                const result = await doctor.doctor.putRecord({
                  patient: patientAddress,
                  resource: observation(label(index)),
                });
                acks.push({ index, result });
                break;
              } catch (error) {
                if (error instanceof CareLedgerError) typedFailures += 1;
                else untyped.push(`write #${index}, attempt ${attempt}: ${describeError(error)}`);
              }
            }
          }
        };
        try {
          await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
        } finally {
          proxy.mode = "pass";
          injected = proxy.faults() - faultsBefore;
          for (let i = 0; i < injected; i += 1) recordFault(CATEGORY);
        }
        // Whether a write gets through within APPLICATION_ATTEMPTS under random faults is luck; what
        // must hold is that once the network heals, the application's repeat of every write it gave up
        // on completes through the journal, exactly once. So the outcome below never depends on a draw.
        for (const index of indices) {
          if (acks.some((ack) => ack.index === index)) continue;
          finishedAfterHealing += 1;
          const result = await doctor.doctor.putRecord({
            patient: patientAddress,
            resource: observation(label(index)),
          });
          acks.push({ index, result });
        }
      });

      it("injects faults of every kind", function () {
        const counts = proxy.counts();
        expect(injected).to.be.greaterThan(0);
        expect(counts.delayed, "delays").to.be.greaterThan(0);
        expect(counts.dropped, "drops").to.be.greaterThan(0);
        expect(counts.reset, "resets").to.be.greaterThan(0);
        expect(counts.afterUpstream, "answers lost after the node acted").to.be.greaterThan(0);
      });

      it("surfaces every failure as a typed CareLedgerError", function () {
        for (const detail of untyped) recordAttack(CATEGORY, false, `raw error surfaced from putRecord: ${detail}`);
        for (let i = 0; i < typedFailures; i += 1) recordAttack(CATEGORY, true);
        expect(untyped).to.deep.equal([]);
        // A write finished only after the network healed had given the application a typed error first.
        expect(finishedAfterHealing).to.be.at.most(typedFailures);
        // The impatient client's give-ups must reach the application, so its repeats go through the journal.
        if (profile.retry.retries < 2) expect(typedFailures).to.be.greaterThan(0);
      });

      it("acknowledges every write, anchors each exactly once and loses none", async function () {
        const anchored = await anchoredCommitments();
        const reader = await connect("patient", flakyProvider(node.url));
        let lost = 0;
        const problems: string[] = [];
        for (const index of indices) {
          const ack = acks.filter((a) => a.index === index);
          let problem: string | undefined;
          if (ack.length !== 1) {
            problem = `write #${index} was acknowledged ${ack.length} times`;
          } else {
            const commitment = ack[0].result.commitment.toLowerCase();
            const times = anchored.get(commitment) ?? 0;
            if (times !== 1) problem = `write #${index}'s commitment has ${times} RecordAnchored logs`;
            const read = await thrown(async () => {
              const { resource } = await reader.readRecord({ patient: patientAddress, commitment });
              expect(resource).to.deep.equal(observation(label(index)));
            });
            if (read !== undefined) {
              lost += 1;
              problem = `write #${index} was acknowledged but does not read back (${describeError(read)})`;
            }
          }
          recordAttack(CATEGORY, problem === undefined, problem);
          if (problem !== undefined) problems.push(problem);
        }
        recordLoss(CATEGORY, lost);
        expect(problems).to.deep.equal([]);
        expect(acks).to.have.length(indices.length);
      });

      it("anchors no record twice (no anchored commitment that nobody acknowledged)", async function () {
        const anchored = await anchoredCommitments();
        const acked = new Set(acksSoFar().map((ack) => ack.result.commitment.toLowerCase()));
        // A record sealed twice and anchored twice leaves a commitment nobody acknowledged.
        const extra = [...anchored.keys()].filter((commitment) => !acked.has(commitment));
        recordAttack(CATEGORY, extra.length === 0, `${extra.length} commitments anchored but never acknowledged`);
        expect(extra).to.deep.equal([]);
      });

      after(function () {
        allAcks.push(...acks);
      });
      const acksSoFar = (): Ack[] => [...allAcks, ...acks];
    });
  }

  describe("with failures that cannot be retried", function () {
    it("reports a contract revert through the flaky proxy as ContractRevertError", async function () {
      const doctor = await connect("doctor", flakyProvider(proxy.url), {
        journal: false,
        retry: { retries: 8, baseDelayMs: 10, maxDelayMs: 250 },
      });
      proxy.mode = "random";
      const faultsBefore = proxy.faults();
      const head = await node.provider.getBlockNumber();
      const attempts: [string, () => Promise<unknown>][] = [
        [
          "registerProvider by a doctor",
          () =>
            doctor.registrar.registerProvider({
              account: node.wallet(ACCOUNTS.stranger).address,
              kind: ProviderKind.Doctor,
            }),
        ],
        [
          "revokeConsent of an unknown grant",
          () => doctor.patient.revokeConsent({ grantId: id("flaky-rpc/no-such-grant") }),
        ],
      ];
      try {
        for (const [what, attempt] of attempts) {
          for (let round = 0; round < 3; round += 1) {
            const error = await thrown(attempt);
            const typed = error instanceof ContractRevertError;
            recordAttack(CATEGORY, typed, `${what} through the flaky proxy surfaced as ${describeError(error)}`);
            expect(error, what).to.be.instanceOf(ContractRevertError);
          }
        }
      } finally {
        proxy.mode = "pass";
        for (let i = proxy.faults() - faultsBefore; i > 0; i -= 1) recordFault(CATEGORY);
      }
      expect(await node.provider.getBlockNumber()).to.equal(head);
    });

    for (const mode of ["reset", "drop"] as const) {
      it(`reports a node behind a proxy that always ${mode === "reset" ? "resets" : "drops"} as RpcUnavailableError, with nothing sent or stored`, async function () {
        const doctor = await connect("doctor", flakyProvider(proxy.url), {
          journal: false,
          retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 },
        });
        const [head, refs] = [await node.provider.getBlockNumber(), await storedRefs()];
        proxy.mode = mode;
        const faultsBefore = proxy.faults();
        let write: unknown;
        let read: unknown;
        try {
          write = await thrown(() =>
            doctor.doctor.putRecord({ patient: patientAddress, resource: observation(label(1_000 + refs.length)) }),
          );
          read = await thrown(() => doctor.readRecord({ patient: patientAddress, commitment: id("flaky-rpc/any") }));
        } finally {
          proxy.mode = "pass";
          for (let i = proxy.faults() - faultsBefore; i > 0; i -= 1) recordFault(CATEGORY);
        }
        for (const [what, error] of [
          ["putRecord", write],
          ["readRecord", read],
        ] as const) {
          recordAttack(
            CATEGORY,
            error instanceof RpcUnavailableError,
            `${what} behind an always-${mode} proxy surfaced as ${describeError(error)}`,
          );
          expect(error, what).to.be.instanceOf(RpcUnavailableError);
        }
        expect(await node.provider.getBlockNumber()).to.equal(head);
        expect(await storedRefs()).to.deep.equal(refs);
      });
    }

    it("reports a refused connection as RpcUnavailableError, from connecting on", async function () {
      const closed = await TcpFaultProxy.start({ targetPort: node.port });
      const url = closed.url;
      await closed.stop();
      const head = await node.provider.getBlockNumber();
      // Connecting reads the account's published encryption key from the registry: the node is needed.
      const error = await thrown(async () => {
        const doctor = await connect("doctor", flakyProvider(url), {
          journal: false,
          retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
        });
        await doctor.doctor.putRecord({ patient: patientAddress, resource: observation(label(2_000)) });
      });
      recordFault(CATEGORY);
      recordAttack(
        CATEGORY,
        error instanceof RpcUnavailableError,
        `putRecord with the connection refused surfaced as ${describeError(error)}`,
      );
      expect(error).to.be.instanceOf(RpcUnavailableError);
      expect(await node.provider.getBlockNumber()).to.equal(head);
    });
  });
});
