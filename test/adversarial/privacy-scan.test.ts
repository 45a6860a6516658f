/**
 * Privacy leak scan. The demo story (register providers, prescribe, consent, dispense, order and post a
 * lab result, share it, break the glass, revoke, let the prescription expire, tamper with a payload and
 * audit) runs through the SDK on an in-process chain with the synthetic resources of
 * harness/demo-resources.ts. Then everything that left the SDK is collected:
 *
 * - calldata: the input of every transaction of every block (eth_getBlockByNumber with full txs);
 * - event-logs: topics and data of every log (eth_getLogs from block 0);
 * - storage: every storage slot any transaction wrote, key and value before and after, from EDR's
 *   `debug_traceTransaction` with the prestateTracer in diffMode (one trace per transaction);
 * - sdk-errors: message, stack, fields and causes of every error the SDK threw during the run;
 * - console: everything written to stdout and stderr while the story ran (the SDK's and the key
 *   custodians', which run in this process);
 * - store-at-rest: every file under the data directory (envelopes, commitment locators, manifests,
 *   each party's encryption keyring and write journal, the custodians' directories);
 * - custodian-logs: every file of the three key custodians (their keyrings and durable release logs);
 * - custodian-traffic: every request and answer between the SDK and the custodians, recorded by an
 *   HTTP proxy in front of each (release requests, sealed shares, release-log queries).
 *
 * Each DEMO_PLAINTEXT string is searched in every haystack as UTF-8 (case-insensitively), lower and
 * upper case, UTF-16LE, hex text, base64, and as keccak256/sha256 of the string; so are the words of
 * those strings and, for each resource, its canonical JSON and the keccak256/sha256 of its canonical
 * and JSON.stringify forms. Every (needle, haystack) pair is one attack, stopped when nothing is found.
 * Positive controls (a commitment in calldata and logs, the author's address in storage) prove the
 * haystacks hold what they should (and the custodians' log and traffic name the note they released).
 * Finally, no commitment equals a hash of its plaintext, and one
 * resource written twice gets two different commitments (the salt).
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { format } from "node:util";

import { expect } from "chai";
import { Wallet, getBytes, keccak256, parseEther, type Provider } from "ethers";
import { network } from "hardhat";

import {
  AccessDeniedError,
  CareLedger,
  CareLedgerError,
  ContractRevertError,
  HipaaRole,
  ProviderForm,
  ProviderKind,
  Purpose,
  RecordType,
  addressesOf,
  deployCareLedger,
  validateAndSerialize,
  type CareLedgerContracts,
} from "../../client/index.js";
import { locatorRefOf, parseBoundPreimage } from "../../client/crypto/commitment.js";
import { LocalDiskStore } from "../../client/storage/index.js";
import { CustodianService, type RunningCustodian } from "../../client/key-release/custodian-service.js";
import {
  DEMO_PLAINTEXT,
  diagnosticReport,
  medicationDispense,
  medicationRequest,
  observationNote,
  serviceRequest,
} from "../../harness/demo-resources.js";
import { devAccountKey } from "../helpers/node.js";
import { recordAttack } from "./tally.js";
import { DAY } from "../../client/time-units.js";

const CATEGORY = "privacy-leak";
/** A reason code from the deployment's published list: 1 = unresponsive patient. */
const REASON_UNRESPONSIVE = 1;

type HaystackKind =
  | "calldata"
  | "event-logs"
  | "storage"
  | "sdk-errors"
  | "console"
  | "store-at-rest"
  | "custodian-logs"
  | "custodian-traffic";
const HAYSTACK_KINDS: readonly HaystackKind[] = [
  "calldata",
  "event-logs",
  "storage",
  "sdk-errors",
  "console",
  "store-at-rest",
  "custodian-logs",
  "custodian-traffic",
];
const CUSTODIAN_COUNT = 3;

/** A constructor `instanceof` can test against (CareLedgerError's constructor is protected). */
type ErrorClass = Function & { readonly prototype: Error };

/** One byte pattern to look for, and whether it is text (searched case-insensitively). */
interface Needle {
  readonly label: string;
  readonly bytes: Buffer;
  readonly text: boolean;
}

interface Haystack {
  readonly kind: HaystackKind;
  readonly raw: Buffer;
  /** `raw` with ASCII letters lower-cased, for case-insensitive text search. */
  readonly lower: Buffer;
  /** How many items (transactions, logs, slots, errors, writes, files) it was built from. */
  readonly items: number;
}

/** What the prestateTracer in diffMode returns for one transaction. */
interface PrestateDiff {
  readonly pre: Readonly<Record<string, { readonly storage?: Readonly<Record<string, string>> }>>;
  readonly post: Readonly<Record<string, { readonly storage?: Readonly<Record<string, string>> }>>;
}

interface RpcBlock {
  readonly transactions: readonly { readonly hash: string; readonly input: string }[];
}

interface RpcLog {
  readonly topics: readonly string[];
  readonly data: string;
}

function lowerAscii(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i += 1) if (out[i] >= 0x41 && out[i] <= 0x5a) out[i] += 0x20;
  return out;
}

function haystackOf(kind: HaystackKind, parts: readonly Uint8Array[], items: number): Haystack {
  // A separator that no needle contains keeps matches from spanning two parts.
  const raw = Buffer.concat(parts.flatMap((part) => [Buffer.from(part), Buffer.from([0xff, 0x00, 0xff])]));
  return { kind, raw, lower: lowerAscii(raw), items };
}

function contains(haystack: Haystack, needle: Needle): boolean {
  if (haystack.raw.includes(needle.bytes)) return true;
  return needle.text && haystack.lower.includes(lowerAscii(needle.bytes));
}

function sha256(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest();
}

function keccak(bytes: Uint8Array): Buffer {
  return Buffer.from(getBytes(keccak256(bytes)));
}

/** Every form a plaintext string could take if it leaked. */
function needlesOfString(name: string, value: string): Needle[] {
  const utf8 = Buffer.from(value, "utf8");
  const lower = Buffer.from(value.toLowerCase(), "utf8");
  return [
    { label: `${name} utf-8`, bytes: utf8, text: true },
    { label: `${name} lowercase`, bytes: lower, text: false },
    { label: `${name} uppercase`, bytes: Buffer.from(value.toUpperCase(), "utf8"), text: false },
    { label: `${name} utf-16le`, bytes: Buffer.from(value, "utf16le"), text: true },
    { label: `${name} hex text`, bytes: Buffer.from(utf8.toString("hex"), "ascii"), text: true },
    { label: `${name} base64`, bytes: Buffer.from(utf8.toString("base64"), "ascii"), text: false },
    { label: `${name} keccak256`, bytes: keccak(utf8), text: false },
    { label: `${name} sha256`, bytes: sha256(utf8), text: false },
    { label: `${name} keccak256 of lowercase`, bytes: keccak(lower), text: false },
    { label: `${name} sha256 of lowercase`, bytes: sha256(lower), text: false },
  ];
}

/** The distinctive words of the plaintext (five characters or more), in case part of a value leaks. */
function wordNeedles(): Needle[] {
  const words = new Set<string>();
  for (const value of Object.values(DEMO_PLAINTEXT)) {
    for (const word of value.split(/\s+/)) if (word.length >= 5) words.add(word);
  }
  return [...words].map((word) => ({ label: `word "${word}"`, bytes: Buffer.from(word, "utf8"), text: true }));
}

/** The canonical JSON (what the SDK encrypts and commits to) and JSON.stringify of each resource. */
function resourceNeedles(resources: ReadonlyMap<string, object>): Needle[] {
  const needles: Needle[] = [];
  for (const [name, resource] of resources) {
    const canonical = Buffer.from(validateAndSerialize(resource).canonicalBytes);
    const stringified = Buffer.from(JSON.stringify(resource), "utf8");
    needles.push(
      { label: `${name} canonical JSON`, bytes: canonical, text: true },
      { label: `${name} keccak256(canonical JSON)`, bytes: keccak(canonical), text: false },
      { label: `${name} sha256(canonical JSON)`, bytes: sha256(canonical), text: false },
      { label: `${name} keccak256(JSON.stringify)`, bytes: keccak(stringified), text: false },
      { label: `${name} sha256(JSON.stringify)`, bytes: sha256(stringified), text: false },
    );
  }
  return needles;
}

/** JSON of an error's own fields, its stack and its causes: everything a log line could carry. */
function errorText(error: unknown, depth = 0): string {
  if (depth > 4 || error === undefined || error === null) return "";
  if (typeof error !== "object") return String(error);
  const record = error as Record<string, unknown>;
  let fields: string;
  try {
    fields = JSON.stringify(record, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  } catch {
    fields = "";
  }
  const own = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : "";
  return [own, fields, format("%o", error), errorText(record.cause, depth + 1), errorText(record.error, depth + 1)]
    .filter((part) => part !== "")
    .join("\n");
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Everything written to stdout and stderr until `stop()`, still passed through. */
function captureOutput(): { chunks: string[]; stop: () => void } {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return (originals[i] as (chunk: string | Uint8Array, ...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  return {
    chunks,
    stop: () => {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    },
  };
}

/** A recording HTTP proxy in front of a custodian: every request it relays, and every answer. */
interface RecordingProxy {
  readonly url: string;
  close(): Promise<void>;
}

async function recordingProxy(target: string, exchanges: Buffer[]): Promise<RecordingProxy> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      exchanges.push(Buffer.from(`${request.method ?? ""} ${request.url ?? ""}`, "utf8"), body);
      const relay = async (): Promise<void> => {
        const answer = await fetch(new URL(request.url ?? "/", target), {
          method: request.method,
          headers: { "content-type": request.headers["content-type"] ?? "application/json" },
          ...(request.method === "GET" || request.method === "HEAD" ? {} : { body }),
        });
        const bytes = Buffer.from(await answer.arrayBuffer());
        exchanges.push(bytes);
        response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
        response.end(bytes);
      };
      relay().catch(() => {
        response.writeHead(502);
        response.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function chainNow(provider: Provider): Promise<number> {
  const block = await provider.getBlock("latest");
  if (block === null) throw new Error("The node returned no block.");
  return block.timestamp;
}

/** Waits for `condition`; the deadline only guards against a hang, so it is generous for a loaded machine. */
async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("The expected alert did not arrive.");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("privacy leak scan of the demo story", function () {
  this.timeout(240_000);

  /** Resources the story wrote, by name, exactly as handed to the SDK. */
  const resources = new Map<string, object>();
  /** Commitments the SDK returned, by what they anchor. */
  const commitments = new Map<string, string>();
  const errors: unknown[] = [];
  const haystacks = new Map<HaystackKind, Haystack>();
  let doctorAddress = "";
  let storageSlots = 0;
  let dataDir = "";
  let custodianDir = "";
  /** Bodies of every request to and answer from a custodian. */
  const custodianExchanges: Buffer[] = [];
  let closeNetwork: () => Promise<void> = async () => undefined;

  /** Runs an attempt the story expects to be refused, keeping the SDK's error for the scan. */
  async function refused(attempt: () => Promise<unknown>, expected: ErrorClass) {
    try {
      await attempt();
    } catch (error) {
      errors.push(error);
      expect(error).to.be.instanceOf(expected);
      return;
    }
    expect.fail("the story expected this step to be refused");
  }

  before(async function () {
    const connection = await network.create();
    closeNetwork = () => connection.close();
    const provider = connection.ethers.provider;
    const wallets = [0, 1, 2, 3, 4, 5, 6].map((i) => new Wallet(devAccountKey(i), provider));
    const [registrarKey, doctorKey, pharmacyKey, labKey, edKey, patientKey, secondDoctorKey] = wallets;
    doctorAddress = doctorKey.address;
    dataDir = await mkdtemp(join(tmpdir(), "careledger-privacy-"));
    custodianDir = join(dataDir, "custodians");
    const store = await LocalDiskStore.open(join(dataDir, "store"));
    const contracts: CareLedgerContracts = await deployCareLedger(registrarKey);
    const addresses = await addressesOf(contracts);

    const output = captureOutput();
    const clients: CareLedger[] = [];
    const custodians: RunningCustodian[] = [];
    const proxies: RecordingProxy[] = [];
    try {
      for (let index = 0; index < CUSTODIAN_COUNT; index += 1) {
        const account = Wallet.createRandom().connect(provider);
        await (await registrarKey.sendTransaction({ to: account.address, value: parseEther("1") })).wait();
        const custodian = await CustodianService.start({
          dataDir: join(custodianDir, String(index)),
          provider,
          addresses,
          signer: account,
        });
        custodians.push(custodian);
        proxies.push(await recordingProxy(custodian.url, custodianExchanges));
      }
      const connect = async (name: string, signer: Wallet): Promise<CareLedger> => {
        const client = await CareLedger.connect({
          signer,
          addresses: contracts,
          store,
          dataDir: join(dataDir, "clients", name),
          custodians: custodians.map((custodian, index) => ({ url: proxies[index].url, address: custodian.address })),
        });
        clients.push(client);
        return client;
      };
      const registrar = await connect("registrar", registrarKey);
      const doctor = await connect("doctor", doctorKey);
      const pharmacy = await connect("pharmacy", pharmacyKey);
      const lab = await connect("lab", labKey);
      const ed = await connect("emergency", edKey);
      const patient = await connect("patient", patientKey);
      const secondDoctor = await connect("second-doctor", secondDoctorKey);
      const patientAddress = patient.address;

      for (const [account, kind, form] of [
        [doctorKey.address, ProviderKind.Doctor, ProviderForm.Practitioner],
        [secondDoctorKey.address, ProviderKind.Doctor, ProviderForm.Practitioner],
        [pharmacyKey.address, ProviderKind.Pharmacy, ProviderForm.Organisation],
        [labKey.address, ProviderKind.Laboratory, ProviderForm.Organisation],
        [edKey.address, ProviderKind.EmergencyDepartment, ProviderForm.Organisation],
      ] as const) {
        await registrar.registrar.registerProvider({ account, kind, form, hipaa: HipaaRole.CoveredEntity });
      }

      const alerts: string[] = [];
      const unsubscribe = await patient.subscribe(
        { patient: patientAddress, pollingIntervalMs: 50 },
        {
          onLabResult: () => void alerts.push("lab result"),
          onEmergencyAccess: () => void alerts.push("break-glass"),
          onDispense: () => void alerts.push("dispense"),
        },
      );

      // Prescription, consent to dispense, a read, a dispense and an over-dispense.
      const rxResource = medicationRequest(patientAddress);
      resources.set("MedicationRequest", rxResource);
      const rx = await doctor.doctor.issuePrescription({
        patient: patientAddress,
        medicationRequest: rxResource,
        terms: {
          pharmacy: pharmacyKey.address,
          quantity: 30,
          refills: 0,
          expiresAt: (await chainNow(provider)) + 14 * DAY,
        },
      });
      commitments.set("prescription", rx.prescription);
      const dispensingGrant = await patient.patient.grantConsent({
        grantee: pharmacyKey.address,
        scope: { record: rx.prescription },
        purpose: Purpose.Dispensing,
        durationSeconds: 30 * DAY,
      });
      const readRx = await pharmacy.pharmacy.readRecord({ patient: patientAddress, commitment: rx.prescription });
      expect(readRx.resource).to.deep.equal(rxResource);
      const dispenseResource = medicationDispense(patientAddress, rx.prescription, 20);
      resources.set("MedicationDispense", dispenseResource);
      const dispense = await pharmacy.pharmacy.dispensePrescription({
        patient: patientAddress,
        prescription: rx.prescription,
        amount: 20,
        medicationDispense: dispenseResource,
      });
      commitments.set("dispense", dispense.commitment);
      await refused(
        () =>
          pharmacy.pharmacy.dispensePrescription({
            patient: patientAddress,
            prescription: rx.prescription,
            amount: 20,
            medicationDispense: medicationDispense(patientAddress, rx.prescription, 20),
          }),
        ContractRevertError,
      );

      // Lab order, result, alert, the patient's read, a share with a second doctor and its read.
      const orderResource = serviceRequest(patientAddress);
      resources.set("ServiceRequest", orderResource);
      const order = await doctor.doctor.orderLabTest({
        patient: patientAddress,
        serviceRequest: orderResource,
        laboratory: labKey.address,
      });
      commitments.set("lab order", order.order);
      const reportResource = diagnosticReport(patientAddress, order.order);
      resources.set("DiagnosticReport", reportResource);
      const result = await lab.laboratory.postLabResult({
        patient: patientAddress,
        order: order.order,
        diagnosticReport: reportResource,
      });
      commitments.set("lab result", result.result);
      await waitFor(() => alerts.includes("lab result"));
      const report = await patient.readRecord({ patient: patientAddress, commitment: result.result });
      expect(report.resource).to.deep.equal(reportResource);
      await patient.patient.grantConsent({
        grantee: secondDoctorKey.address,
        scope: { record: result.result },
        purpose: Purpose.Treatment,
      });
      const seen = await secondDoctor.readRecord({ patient: patientAddress, commitment: result.result });
      expect(seen.resource).to.deep.equal(reportResource);

      // A clinical note, refused to the ED until it breaks the glass.
      const noteResource = observationNote(patientAddress);
      resources.set("Observation", noteResource);
      const note = await doctor.doctor.putRecord({
        patient: patientAddress,
        resource: noteResource,
        recordType: RecordType.ClinicalNote,
      });
      commitments.set("note", note.commitment);
      // The anchoring's calldata carries the content commitment the record commitment binds.
      commitments.set(
        "note content",
        parseBoundPreimage(await store.get(locatorRefOf(note.commitment))).contentCommitment,
      );
      await refused(
        () =>
          ed.emergency.readRecord({ patient: patientAddress, commitment: note.commitment, purpose: Purpose.Emergency }),
        AccessDeniedError,
      );
      await ed.emergency.openEmergencyAccess({
        patient: patientAddress,
        reasonCode: REASON_UNRESPONSIVE,
        durationSeconds: 6 * 60 * 60,
      });
      const emergencyRead = await ed.emergency.readRecord({
        patient: patientAddress,
        commitment: note.commitment,
        purpose: Purpose.Emergency,
      });
      expect(emergencyRead.resource).to.deep.equal(noteResource);
      await waitFor(() => alerts.includes("break-glass"));

      // The same note written again on purpose (another idempotency key): the salt must differ.
      const again = await doctor.doctor.putRecord({
        patient: patientAddress,
        resource: noteResource,
        recordType: RecordType.ClinicalNote,
        idempotencyKey: "privacy-scan/same-note-again",
      });
      commitments.set("note written again", again.commitment);

      // Revocation, refusal, expiry.
      await patient.patient.revokeConsent({ grantId: dispensingGrant.grantId });
      await refused(
        () => pharmacy.pharmacy.readRecord({ patient: patientAddress, commitment: rx.prescription }),
        AccessDeniedError,
      );
      await connection.provider.request({ method: "evm_increaseTime", params: [15 * DAY] });
      await connection.provider.request({ method: "evm_mine", params: [] });
      await refused(
        () =>
          pharmacy.pharmacy.dispensePrescription({
            patient: patientAddress,
            prescription: rx.prescription,
            amount: 5,
            medicationDispense: medicationDispense(patientAddress, rx.prescription, 5),
          }),
        ContractRevertError,
      );

      // Invalid resources whose bad values and keys are plaintext: the typed errors must not echo them.
      for (const hostile of [
        { ...observationNote(patientAddress), status: DEMO_PLAINTEXT.patientName },
        { ...observationNote(patientAddress), effectiveDateTime: DEMO_PLAINTEXT.patientMrn },
        { ...observationNote(patientAddress), [DEMO_PLAINTEXT.diagnosis]: DEMO_PLAINTEXT.drug },
        { ...medicationRequest(patientAddress), intent: DEMO_PLAINTEXT.test },
        { ...diagnosticReport(patientAddress, order.order), issued: DEMO_PLAINTEXT.resultValue },
      ]) {
        await refused(() => doctor.doctor.putRecord({ patient: patientAddress, resource: hostile }), CareLedgerError);
      }

      // Tampering caught by the audit (the demo's last step).
      const altered = store.pathOf(note.envelopeRef);
      const bytes = await readFile(altered);
      bytes[bytes.length - 1] ^= 0xff;
      await writeFile(altered, bytes);
      const audit = await patient.audit({ patient: patientAddress });
      expect(audit.counts.altered).to.be.at.least(1);
      await refused(
        () => patient.readRecord({ patient: patientAddress, commitment: note.commitment }),
        CareLedgerError,
      );
      // The patient's audit trail of access through the custodians.
      const releases = await patient.patient.listReleases();
      expect(releases.failed).to.deep.equal([]);
      expect(releases.entries.map((entry) => entry.requester)).to.include.members([
        pharmacyKey.address,
        secondDoctorKey.address,
        edKey.address,
      ]);
      unsubscribe();
    } catch (error) {
      errors.push(error);
      throw error;
    } finally {
      output.stop();
      for (const client of clients) await client.close();
      for (const proxy of proxies) await proxy.close();
      await Promise.allSettled(custodians.map((custodian) => custodian.close()));
      await store.close();
      haystacks.set(
        "console",
        haystackOf("console", [Buffer.from(output.chunks.join(""), "utf8")], output.chunks.length),
      );
    }

    // Calldata of every transaction, and the storage each one wrote.
    const head = await provider.getBlockNumber();
    const calldata: Buffer[] = [];
    const storage: Buffer[] = [];
    for (let number = 0; number <= head; number += 1) {
      const block = (await provider.send("eth_getBlockByNumber", [`0x${number.toString(16)}`, true])) as RpcBlock;
      for (const tx of block.transactions) {
        calldata.push(Buffer.from(getBytes(tx.input)));
        const diff = (await provider.send("debug_traceTransaction", [
          tx.hash,
          { tracer: "prestateTracer", tracerConfig: { diffMode: true } },
        ])) as PrestateDiff;
        for (const side of [diff.pre, diff.post]) {
          for (const account of Object.values(side)) {
            for (const [slot, value] of Object.entries(account.storage ?? {})) {
              storage.push(Buffer.from(getBytes(slot)), Buffer.from(getBytes(value)));
            }
          }
        }
        storageSlots += Object.values(diff.post).reduce(
          (n, account) => n + Object.keys(account.storage ?? {}).length,
          0,
        );
      }
    }
    haystacks.set("calldata", haystackOf("calldata", calldata, calldata.length));
    haystacks.set("storage", haystackOf("storage", storage, storageSlots));
    const logs = (await provider.send("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }])) as RpcLog[];
    haystacks.set(
      "event-logs",
      haystackOf(
        "event-logs",
        logs.flatMap((log) => [...log.topics.map((topic) => getBytes(topic)), getBytes(log.data)]),
        logs.length,
      ),
    );
    haystacks.set(
      "sdk-errors",
      haystackOf(
        "sdk-errors",
        errors.map((error) => Buffer.from(errorText(error), "utf8")),
        errors.length,
      ),
    );
    const files = await filesUnder(dataDir);
    haystacks.set(
      "store-at-rest",
      haystackOf("store-at-rest", await Promise.all(files.map((f) => readFile(f))), files.length),
    );
    const custodianFiles = await filesUnder(custodianDir);
    haystacks.set(
      "custodian-logs",
      haystackOf("custodian-logs", await Promise.all(custodianFiles.map((f) => readFile(f))), custodianFiles.length),
    );
    haystacks.set("custodian-traffic", haystackOf("custodian-traffic", custodianExchanges, custodianExchanges.length));
  });

  after(async function () {
    await closeNetwork();
    if (dataDir !== "") await rm(dataDir, { recursive: true, force: true });
  });

  it("collects every transaction, log, written storage slot, error, output line and stored file", function () {
    expect(resources.size).to.equal(5);
    expect(haystacks.get("calldata")?.items).to.be.greaterThan(20);
    expect(haystacks.get("event-logs")?.items).to.be.greaterThan(20);
    expect(storageSlots).to.be.greaterThan(20);
    // The story's refusals and the hostile resources.
    expect(haystacks.get("sdk-errors")?.items).to.equal(10);
    expect(haystacks.get("store-at-rest")?.items).to.be.greaterThan(20);
    // Each custodian's keyring and release log; requests and answers of every release and query.
    expect(haystacks.get("custodian-logs")?.items).to.equal(2 * CUSTODIAN_COUNT);
    expect(haystacks.get("custodian-traffic")?.items).to.be.greaterThan(6 * CUSTODIAN_COUNT);
    // Positive controls: what must be there is found, so an empty search means something.
    const note = Buffer.from(getBytes(commitments.get("note") as string));
    const noteContent = Buffer.from(getBytes(commitments.get("note content") as string));
    const control = (label: string, bytes: Buffer): Needle => ({ label, bytes, text: false });
    expect(contains(haystacks.get("calldata") as Haystack, control("note content commitment", noteContent))).to.equal(
      true,
    );
    expect(contains(haystacks.get("event-logs") as Haystack, control("note commitment", note))).to.equal(true);
    const author = Buffer.from(getBytes(doctorAddress));
    expect(contains(haystacks.get("storage") as Haystack, control("author address", author))).to.equal(true);
    // Text search: manifests and typed errors name the commitment in hex.
    const noteHex: Needle = {
      label: "note commitment hex",
      bytes: Buffer.from((commitments.get("note") as string).slice(2).toUpperCase(), "ascii"),
      text: true,
    };
    expect(contains(haystacks.get("store-at-rest") as Haystack, noteHex)).to.equal(true);
    expect(contains(haystacks.get("sdk-errors") as Haystack, noteHex)).to.equal(true);
    // The emergency department read the note through the custodians: they logged and relayed it.
    expect(contains(haystacks.get("custodian-logs") as Haystack, noteHex)).to.equal(true);
    expect(contains(haystacks.get("custodian-traffic") as Haystack, noteHex)).to.equal(true);
  });

  it("finds no plaintext, in any encoding or hash, in any haystack", function () {
    const needles = [
      ...Object.entries(DEMO_PLAINTEXT).flatMap(([name, value]) => needlesOfString(name, value)),
      ...wordNeedles(),
      ...resourceNeedles(resources),
    ];
    const hits: string[] = [];
    for (const kind of HAYSTACK_KINDS) {
      const haystack = haystacks.get(kind) as Haystack;
      for (const needle of needles) {
        const found = contains(haystack, needle);
        recordAttack(CATEGORY, !found, `${needle.label} found in ${kind}`);
        if (found) hits.push(`${needle.label} in ${kind}`);
      }
    }
    expect(hits).to.deep.equal([]);
  });

  it("anchors salted commitments that match no hash of the plaintext resource", function () {
    const hashes = new Set<string>();
    for (const resource of resources.values()) {
      const canonical = validateAndSerialize(resource).canonicalBytes;
      const stringified = Buffer.from(JSON.stringify(resource), "utf8");
      for (const bytes of [canonical, stringified]) {
        hashes.add(keccak256(bytes).toLowerCase());
        hashes.add(`0x${sha256(bytes).toString("hex")}`);
      }
    }
    for (const [what, commitment] of commitments) {
      const matches = hashes.has(commitment.toLowerCase());
      recordAttack(CATEGORY, !matches, `the ${what} commitment is an unsalted hash of its resource`);
      expect(matches, what).to.equal(false);
    }
    const same = commitments.get("note") !== commitments.get("note written again");
    recordAttack(CATEGORY, same, "one resource written twice got the same commitment (no salt)");
    expect(same).to.equal(true);
  });
});
