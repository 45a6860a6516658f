/**
 * Hostile input corpus for the SDK. Malformed and oversized FHIR, prototype-pollution keys, exotic
 * objects, odd Unicode, truncated, altered and substituted content in the store, wrong and invalid
 * encryption keyrings, invalid custodian configurations, invalid addresses and out-of-range arguments
 * are handed to the SDK's public API on an in-process chain with three key custodians. Each one must be refused with a typed CareLedgerError subclass and leave everything
 * as it was: the block number, the writers' nonces, the store's objects, the records the store lists and
 * the write journal are compared before and after (so no transaction was sent and nothing was written
 * half-way). One recorded attack each. An argument of the wrong shape (an invalid address, commitment,
 * quantity, an empty batch) must be the SDK's InvalidArgumentError, as client/errors.ts defines it.
 *
 * Three cases go beyond refusal: an element named "constructor" holding a "prototype" (json-shape.ts says
 * constructor-style tricks fail), a Proxy that shows the validator one value and the serialiser
 * another (the bytes committed must be the bytes validated), and a forged manifest claiming another
 * author and record type (a read must report what the chain says, not what the store claims).
 *
 * Odd Unicode that FHIR R4 allows in free text (bidirectional controls for Arabic and Hebrew, combining
 * marks, astral characters) is not an error: it must be written completely and read back byte for byte.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet, ZeroAddress, hexlify, id, parseEther, randomBytes, type Provider } from "ethers";
import { network } from "hardhat";

import {
  CareLedger,
  CareLedgerError,
  ContractRevertError,
  DecryptionError,
  HipaaRole,
  IntegrityError,
  InvalidArgumentError,
  InvalidFhirResourceError,
  MAX_JSON_DEPTH,
  MAX_PAYLOAD_BYTES,
  PayloadTooLargeError,
  ProviderForm,
  ProviderKind,
  PublicKeyNotRegisteredError,
  Purpose,
  RecordNotFoundError,
  RecordType,
  AccessDeniedError,
  StorageError,
  addressesOf,
  deployCareLedger,
  locatorRefOf,
  validateAndSerialize,
  validateResource,
  type CareLedgerAddresses,
  type CareLedgerOptions,
  type RecordWriteResult,
} from "../../client/index.js";
import { RECORD_ENVELOPE_HEADER_LENGTH } from "../../client/crypto/envelope-format.js";
import { decodeLedgerObject, encodeLedgerObject, type RecordManifest } from "../../client/sdk/records/manifest.js";
import { LocalDiskStore } from "../../client/storage/index.js";
import { CustodianService, type RunningCustodian } from "../../client/key-release/custodian-service.js";
import {
  medicationRequest,
  observation,
  oversizedObservation,
  serviceRequest,
} from "../client/sdk/helpers/fixtures.js";
import { devAccountKey } from "../helpers/node.js";
import { recordAttack } from "./tally.js";

const CATEGORY = "hostile-sdk-input";
const ACCOUNTS = { admin: 0, doctor: 1, patient: 2, stranger: 3, pharmacy: 4, lab: 5 } as const;
const CUSTODIAN_COUNT = 3;
const TWO_MIB = 2 * 1024 * 1024;

/** A constructor `instanceof` can test against (CareLedgerError's constructor is protected). */
type ErrorClass = Function & { readonly prototype: Error };

/** Everything a refused call must leave as it was. */
interface Snapshot {
  readonly block: number;
  readonly nonces: readonly number[];
  readonly storeRefs: readonly string[];
  readonly listed: readonly string[];
  readonly journal: readonly string[];
}

/** One hostile input: what to call, and which typed error must come back. */
interface HostileCase {
  readonly title: string;
  readonly expected: ErrorClass;
  readonly run: () => Promise<unknown>;
  /** Tamper with the store before the call (not part of the compared state) and undo it after. */
  readonly setup?: () => Promise<void>;
  readonly cleanup?: () => Promise<void>;
}

function describeError(error: unknown): string {
  if (error === undefined) return "accepted (no error)";
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.constructor.name}${typeof code === "string" ? ` (${code})` : ""}`;
  }
  return `a thrown ${typeof error}`;
}

/** A resource nested `depth` levels deep through extensions (each extension holds the next). */
function deeplyNested(depth: number): Record<string, unknown> {
  let extension: Record<string, unknown> = { url: "http://example.org/leaf", valueString: "leaf" };
  for (let i = 0; i < depth; i += 1) extension = { url: `http://example.org/level-${i}`, extension: [extension] };
  return { ...observation("deep"), extension: [extension] };
}

/** A resource with one element replaced (or added), keeping the fixture's other fields. */
function withElement(name: string, value: unknown): Record<string, unknown> {
  return { ...observation(`with-${name}`), [name]: value };
}

function withoutElement(name: string): Record<string, unknown> {
  const resource: Record<string, unknown> = { ...observation(`without-${name}`) };
  delete resource[name];
  return resource;
}

function withNote(text: string): Record<string, unknown> {
  return { ...observation(`note-${text.length}`), note: [{ text }] };
}

describe("hostile input to the SDK", function () {
  this.timeout(180_000);

  let provider: Provider;
  let closeNetwork: () => Promise<void> = async () => undefined;
  let directory: string;
  let store: LocalDiskStore;
  let addresses: CareLedgerAddresses;
  const custodians: RunningCustodian[] = [];
  let doctor: CareLedger;
  let patient: CareLedger;
  let stranger: CareLedger;
  let patientAddress: string;
  /** A record the corpus tampers with in the store. */
  let base: RecordWriteResult;
  const extraClients: CareLedger[] = [];

  async function snapshot(): Promise<Snapshot> {
    const storeRefs: string[] = [];
    for await (const ref of store.list()) storeRefs.push(ref);
    return {
      block: await provider.getBlockNumber(),
      nonces: await Promise.all(
        [ACCOUNTS.doctor, ACCOUNTS.patient, ACCOUNTS.stranger].map((i) =>
          provider.getTransactionCount(new Wallet(devAccountKey(i)).address, "pending"),
        ),
      ),
      storeRefs: storeRefs.sort(),
      listed: (await doctor.listRecords({ patient: patientAddress })).map((record) => record.commitment).sort(),
      journal: (await readdir(join(directory, "journal"), { recursive: true })).sort(),
    };
  }

  const keyringPath = (account: keyof typeof ACCOUNTS): string =>
    join(directory, "clients", account, "encryption-keys.json");

  async function client(account: keyof typeof ACCOUNTS, options: Partial<CareLedgerOptions> = {}) {
    const ledger = await CareLedger.connect({
      signer: new Wallet(devAccountKey(ACCOUNTS[account]), provider),
      addresses,
      store,
      dataDir: join(directory, "clients", account),
      journal: join(directory, "journal", account),
      custodians: custodians.map((custodian) => ({ url: custodian.url, address: custodian.address })),
      ...options,
    });
    extraClients.push(ledger);
    return ledger;
  }

  /** Writes a keyring file (JSON text, or any object) for the patient and returns its path. */
  let keyringFiles = 0;
  async function keyringFile(content: unknown): Promise<string> {
    keyringFiles += 1;
    const path = join(directory, "hostile-keyrings", `${keyringFiles}.json`);
    await mkdir(join(directory, "hostile-keyrings"), { recursive: true });
    await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  }

  /** The account and keys of the patient's real keyring file, to derive hostile variants from. */
  async function patientKeyring(): Promise<{ account: string; keys: { version: number; privateKey: string }[] }> {
    const file = JSON.parse(await readFile(keyringPath("patient"), "utf8")) as {
      account: string;
      keys: { version: number; privateKey: string }[];
    };
    return { account: file.account, keys: file.keys };
  }

  /** Runs one hostile case and checks the typed error and the untouched state. */
  async function attack(hostile: HostileCase): Promise<void> {
    await hostile.setup?.();
    try {
      const before = await snapshot();
      let error: unknown;
      try {
        await hostile.run();
      } catch (caught) {
        error = caught;
      }
      const after = await snapshot();
      const typed = error instanceof CareLedgerError && error instanceof hostile.expected;
      const unchanged = JSON.stringify(after) === JSON.stringify(before);
      recordAttack(
        CATEGORY,
        typed && unchanged,
        `${hostile.title}: ${describeError(error)}${unchanged ? "" : "; state changed (sent or stored)"}`,
      );
      expect(describeError(error)).to.not.equal("accepted (no error)");
      expect(error, describeError(error)).to.be.instanceOf(CareLedgerError);
      expect(error, describeError(error)).to.be.instanceOf(hostile.expected);
      expect(after).to.deep.equal(before);
    } finally {
      await hostile.cleanup?.();
    }
  }

  function cases(title: string, list: readonly HostileCase[]): void {
    describe(title, function () {
      for (const hostile of list) {
        it(`refuses ${hostile.title}`, async function () {
          await attack(hostile);
        });
      }
    });
  }

  const putRecord =
    (resource: unknown, extra: { recordType?: RecordType; patient?: string } = {}) =>
    () =>
      doctor.doctor.putRecord({ patient: extra.patient ?? patientAddress, resource, recordType: extra.recordType });

  before(async function () {
    const connection = await network.create();
    closeNetwork = () => connection.close();
    provider = connection.ethers.provider;
    directory = await mkdtemp(join(tmpdir(), "careledger-hostile-"));
    store = await LocalDiskStore.open(join(directory, "store"));
    const admin = new Wallet(devAccountKey(ACCOUNTS.admin), provider);
    const contracts = await deployCareLedger(admin);
    addresses = await addressesOf(contracts);
    for (let index = 0; index < CUSTODIAN_COUNT; index += 1) {
      const custodian = Wallet.createRandom().connect(provider);
      await (await admin.sendTransaction({ to: custodian.address, value: parseEther("1") })).wait();
      custodians.push(
        await CustodianService.start({
          dataDir: join(directory, "custodians", String(index)),
          provider,
          addresses,
          signer: custodian,
        }),
      );
    }
    const registrar = await client("admin");
    for (const [account, kind, form] of [
      ["doctor", ProviderKind.Doctor, ProviderForm.Practitioner],
      ["pharmacy", ProviderKind.Pharmacy, ProviderForm.Organisation],
      ["lab", ProviderKind.Laboratory, ProviderForm.Organisation],
    ] as const) {
      await registrar.registrar.registerProvider({
        account: new Wallet(devAccountKey(ACCOUNTS[account])).address,
        kind,
        form,
        hipaa: HipaaRole.CoveredEntity,
      });
    }
    doctor = await client("doctor");
    patient = await client("patient");
    stranger = await client("stranger");
    await client("pharmacy");
    await client("lab");
    patientAddress = patient.address;
    base = await doctor.doctor.putRecord({ patient: patientAddress, resource: observation("hostile-base") });
  });

  after(async function () {
    for (const ledger of extraClients) await ledger.close().catch(() => undefined);
    await Promise.allSettled(custodians.map((custodian) => custodian.close()));
    await store?.close();
    await closeNetwork();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  cases("malformed FHIR", [
    { title: "a string instead of a resource", expected: InvalidFhirResourceError, run: putRecord("Observation") },
    { title: "null instead of a resource", expected: InvalidFhirResourceError, run: putRecord(null) },
    { title: "an array of resources", expected: InvalidFhirResourceError, run: putRecord([observation("a")]) },
    {
      title: "a resource without resourceType",
      expected: InvalidFhirResourceError,
      run: putRecord(withoutElement("resourceType")),
    },
    {
      title: "a numeric resourceType",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("resourceType", 7)),
    },
    {
      title: "a lower-case resourceType",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("resourceType", "observation")),
    },
    {
      title: "a resourceType carrying punctuation and spaces",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("resourceType", "Observation; DROP TABLE")),
    },
    {
      title: "an unknown resource type with an invalid element name",
      expected: InvalidFhirResourceError,
      run: putRecord({ resourceType: "Zebra", "stripe-count": 12 }),
    },
    {
      title: "an Observation without its required status",
      expected: InvalidFhirResourceError,
      run: putRecord(withoutElement("status")),
    },
    {
      title: "an Observation without its required code",
      expected: InvalidFhirResourceError,
      run: putRecord(withoutElement("code")),
    },
    { title: "a numeric status", expected: InvalidFhirResourceError, run: putRecord(withElement("status", 5)) },
    {
      title: "a status outside its value set",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("status", "maybe")),
    },
    {
      title: "a dateTime that is not a date",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("effectiveDateTime", "yesterday")),
    },
    {
      title: "a quantity whose value is a string",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("valueQuantity", { value: "72", unit: "beats/minute" })),
    },
    {
      title: "two values for one choice element",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("valueString", "also a string")),
    },
    {
      title: "a single value where an array is required",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("identifier", { system: "urn:example", value: "x" })),
    },
    { title: "an empty string", expected: InvalidFhirResourceError, run: putRecord(withElement("language", "")) },
    { title: "an empty object", expected: InvalidFhirResourceError, run: putRecord(withElement("meta", {})) },
    { title: "an empty array", expected: InvalidFhirResourceError, run: putRecord(withElement("note", [])) },
    { title: "a null element", expected: InvalidFhirResourceError, run: putRecord(withElement("issued", null)) },
    {
      title: "a reference to a resource type the element does not allow",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("subject", { reference: "Medication/123" })),
    },
    {
      title: "a local reference to no contained resource",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("subject", { reference: "#nobody" })),
    },
    {
      title: "a contained resource that contains another (dom-2)",
      expected: InvalidFhirResourceError,
      run: putRecord(
        withElement("contained", [
          { resourceType: "Patient", id: "p1", contained: [{ resourceType: "Patient", id: "p2" }] },
        ]),
      ),
    },
    {
      title: `nesting deeper than MAX_JSON_DEPTH (${MAX_JSON_DEPTH})`,
      expected: InvalidFhirResourceError,
      run: putRecord(deeplyNested(MAX_JSON_DEPTH * 2)),
    },
    {
      title: `a 2 MiB payload (over MAX_PAYLOAD_BYTES, ${MAX_PAYLOAD_BYTES})`,
      expected: PayloadTooLargeError,
      run: putRecord(oversizedObservation("two-mib", TWO_MIB)),
    },
    {
      title: "a record type outside RecordType",
      expected: InvalidArgumentError,
      run: putRecord(observation("bad-type"), { recordType: 999 as RecordType }),
    },
    {
      title: "RecordType.None as a record type",
      expected: InvalidArgumentError,
      run: putRecord(observation("none-type"), { recordType: RecordType.None }),
    },
  ]);

  cases("prototype pollution and exotic objects", [
    {
      title: 'a "__proto__" key from JSON.parse',
      expected: InvalidFhirResourceError,
      run: putRecord(
        JSON.parse(
          `{"resourceType":"Observation","status":"final","code":{"text":"x"},"__proto__":{"polluted":"yes"}}`,
        ),
      ),
    },
    {
      title: 'a "__proto__" key nested in an element',
      expected: InvalidFhirResourceError,
      run: putRecord({ ...observation("nested-proto"), code: JSON.parse(`{"text":"x","__proto__":{"admin":true}}`) }),
    },
    {
      title: 'a "constructor" element holding a prototype',
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("constructor", { prototype: { polluted: "yes" } })),
    },
    {
      title: "a getter that throws",
      expected: InvalidFhirResourceError,
      run: putRecord(
        Object.defineProperty({ ...observation("getter") }, "status", {
          enumerable: true,
          get: () => {
            throw new Error("the getter ran");
          },
        }),
      ),
    },
    {
      title: "a class instance (Date) as a value",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("issued", new Date())),
    },
    { title: "a BigInt value", expected: InvalidFhirResourceError, run: putRecord(withElement("valueInteger", 10n)) },
    {
      title: "a function value",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("valueString", () => "x")),
    },
    {
      title: "a symbol key",
      expected: InvalidFhirResourceError,
      run: putRecord({ ...observation("symbol"), [Symbol("hidden")]: "x" }),
    },
    { title: "NaN", expected: InvalidFhirResourceError, run: putRecord(withElement("valueInteger", Number.NaN)) },
    {
      title: "Infinity",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("valueQuantity", { value: Number.POSITIVE_INFINITY })),
    },
    {
      title: "a sparse array",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("note", [{ text: "a" }, , { text: "c" }])),
    },
    {
      title: "a cyclic object",
      expected: InvalidFhirResourceError,
      run: () => {
        const code: Record<string, unknown> = { text: "cycle" };
        code.coding = [{ system: "urn:x", code: "y", extension: [code] }];
        return doctor.doctor.putRecord({ patient: patientAddress, resource: withElement("code", code) });
      },
    },
  ]);

  cases("odd Unicode where FHIR forbids it", [
    {
      title: "a lone high surrogate in free text",
      expected: InvalidFhirResourceError,
      run: putRecord(withNote("pain \ud800 level")),
    },
    {
      title: "a lone low surrogate in a code",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("code", { coding: [{ system: "http://loinc.org", code: "8867\udc004" }] })),
    },
    { title: "a NUL character in free text", expected: InvalidFhirResourceError, run: putRecord(withNote("a\u0000b")) },
    { title: "a BEL control character", expected: InvalidFhirResourceError, run: putRecord(withNote("ring\u0007")) },
    {
      title: "a right-to-left override in an id",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("id", "obs\u202e1-2")),
    },
    {
      title: "a right-to-left override in an element name",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("status\u202e", "final")),
    },
    {
      title: "a right-to-left override in the resourceType",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("resourceType", "Obs\u202eervation")),
    },
    {
      title: "a right-to-left override in a reference",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("subject", { reference: "Patient/p\u202e1" })),
    },
    {
      title: "a zero-width space in a dateTime",
      expected: InvalidFhirResourceError,
      run: putRecord(withElement("effectiveDateTime", "2024-03-02\u200bT07:45:00Z")),
    },
  ]);

  describe("odd Unicode that FHIR allows in free text", function () {
    for (const [title, text] of [
      ["right-to-left and isolate controls", "Patient reports \u202eniap tsehc\u202c; \u2067دواء\u2069 given"],
      ["Hebrew and Arabic text", "כאב ראש — صداع"],
      ["combining marks left unnormalised", "Zoe\u0308 (decomposed) vs Zoë (composed)"],
      ["astral characters", "🩺💊 pain 𝟕/10"],
      ["a byte-order mark and a zero-width joiner", "\ufeffstart\u200dend"],
    ] as const) {
      it(`writes ${title} completely and reads it back byte for byte`, async function () {
        const resource = withNote(text);
        let problem: string | undefined;
        try {
          const written = await doctor.doctor.putRecord({ patient: patientAddress, resource });
          const { resource: read } = await patient.readRecord({
            patient: patientAddress,
            commitment: written.commitment,
          });
          const audit = await patient.audit({ patient: patientAddress });
          const entry = audit.entries.find((e) => e.commitment === written.commitment.toLowerCase());
          const sameBytes =
            Buffer.compare(
              Buffer.from(validateAndSerialize(read).canonicalBytes),
              Buffer.from(validateAndSerialize(resource).canonicalBytes),
            ) === 0;
          const note = (read as { note?: { text?: string }[] }).note?.[0]?.text;
          if (!sameBytes || note !== text) problem = "read back differs";
          else if (entry?.status !== "intact") problem = `audit says ${entry?.status ?? "nothing"}`;
        } catch (error) {
          problem = `refused with ${describeError(error)}`;
        }
        recordAttack(CATEGORY, problem === undefined, `free text with ${title}: ${problem}`);
        expect(problem).to.equal(undefined);
      });
    }
  });

  describe("an object that answers differently on each read", function () {
    it("never commits bytes other than the ones it validated", async function () {
      // The property descriptor says "final" (what a validator reading descriptors sees); every
      // ordinary read after the first says something else.
      let reads = 0;
      const target = observation("shape-shifter");
      const shapeShifter = new Proxy(target, {
        get(object, key, receiver) {
          if (key === "status") {
            reads += 1;
            return reads === 1 ? "final" : "not-a-status";
          }
          return Reflect.get(object, key, receiver) as unknown;
        },
      });
      const before = await snapshot();
      let error: unknown;
      let problem: string | undefined;
      try {
        const written = await doctor.doctor.putRecord({ patient: patientAddress, resource: shapeShifter });
        const { resource } = await patient.readRecord({ patient: patientAddress, commitment: written.commitment });
        try {
          validateResource(resource);
        } catch (invalid) {
          problem = `a Proxy passed validation and an invalid resource was anchored (${describeError(invalid)} on read-back)`;
        }
      } catch (caught) {
        error = caught;
        const after = await snapshot();
        if (!(caught instanceof CareLedgerError)) problem = `refused with ${describeError(caught)}`;
        else if (JSON.stringify(after) !== JSON.stringify(before)) problem = "refused, but state changed";
      }
      recordAttack(CATEGORY, problem === undefined, `a Proxy resource: ${problem}`);
      expect(problem, describeError(error)).to.equal(undefined);
    });
  });

  describe("tampered content in the store", function () {
    let envelopeCopy: Buffer;
    let locatorCopy: Buffer;
    let manifestCopy: Uint8Array;
    let manifest: RecordManifest;
    let locatorRef: string;

    before(async function () {
      envelopeCopy = await readFile(store.pathOf(base.envelopeRef));
      manifestCopy = await store.get(base.manifestRef);
      manifest = decodeLedgerObject(manifestCopy) as RecordManifest;
      locatorRef = locatorRefOf(base.commitment);
      locatorCopy = await readFile(store.pathOf(locatorRef));
    });

    const restoreFiles = async (): Promise<void> => {
      await writeFile(store.pathOf(base.envelopeRef), envelopeCopy);
      await writeFile(store.pathOf(locatorRef), locatorCopy);
    };
    const readBase =
      (reader: () => CareLedger = () => patient) =>
      () =>
        reader().readRecord({ patient: patientAddress, commitment: base.commitment });

    /** A second store instance and patient client: a fresh index that has to scan the tampered store. */
    let fresh: CareLedger | undefined;
    let freshStore: LocalDiskStore | undefined;
    const forgedRefs: string[] = [];
    const forge = (change: (real: RecordManifest) => Promise<RecordManifest | undefined>) => async () => {
      const forged = await change(manifest);
      if (forged !== undefined) forgedRefs.push(await store.put(encodeLedgerObject(forged)));
      await store.delete(base.manifestRef);
      freshStore = await LocalDiskStore.open(store.directory);
      fresh = await client("patient", { store: freshStore });
    };
    /** No manifest at all: the fresh client finds the envelope through the commitment's locator. */
    const withoutManifest = (tamper: () => Promise<void>) => async () => {
      await tamper();
      await forge(async () => undefined)();
    };
    const unforge = async (): Promise<void> => {
      for (const ref of forgedRefs.splice(0)) await store.delete(ref);
      await store.put(manifestCopy);
      await restoreFiles();
      await fresh?.close();
      await freshStore?.close();
    };
    /** The envelope with one byte of the patient's sealed data key (first in the key section) flipped. */
    const envelopeWithAlteredPatientKey = (): Uint8Array => {
      const bytes = Uint8Array.from(envelopeCopy);
      const section = RECORD_ENVELOPE_HEADER_LENGTH;
      // format (1), count (1), then reader (20) and key version (4) before the sealed key.
      expect(`0x${Buffer.from(bytes.subarray(section + 2, section + 22)).toString("hex")}`).to.equal(
        patientAddress.toLowerCase(),
      );
      bytes[section + 2 + 20 + 4 + 10] ^= 0x01;
      return bytes;
    };

    it("reads the untampered record first, and through the locator alone", async function () {
      const { resource } = await readBase()();
      expect(resource).to.deep.equal(observation("hostile-base"));
      await withoutManifest(async () => undefined)();
      try {
        const read = await readBase(() => fresh as CareLedger)();
        expect(read.resource).to.deep.equal(observation("hostile-base"));
      } finally {
        await unforge();
      }
    });

    for (const hostile of [
      {
        title: "a truncated envelope",
        expected: IntegrityError,
        setup: () => truncate(store.pathOf(base.envelopeRef), Math.floor(envelopeCopy.length / 2)),
        run: readBase(),
        cleanup: restoreFiles,
      },
      {
        title: "an envelope cut to its magic bytes",
        expected: IntegrityError,
        setup: () => truncate(store.pathOf(base.envelopeRef), 4),
        run: readBase(),
        cleanup: restoreFiles,
      },
      {
        title: "one flipped ciphertext byte",
        expected: IntegrityError,
        setup: async () => {
          const bytes = Buffer.from(envelopeCopy);
          bytes[bytes.length - 20] ^= 0x01;
          await writeFile(store.pathOf(base.envelopeRef), bytes);
        },
        run: readBase(),
        cleanup: restoreFiles,
      },
      {
        title: "one flipped byte of the patient's sealed key in the envelope",
        expected: IntegrityError,
        setup: () => writeFile(store.pathOf(base.envelopeRef), envelopeWithAlteredPatientKey()),
        run: readBase(),
        cleanup: restoreFiles,
      },
      {
        title: "a deleted envelope",
        expected: RecordNotFoundError,
        setup: () => rm(store.pathOf(base.envelopeRef)),
        run: readBase(),
        cleanup: restoreFiles,
      },
      {
        title: "a truncated commitment locator, with no manifest naming the envelope",
        expected: IntegrityError,
        setup: withoutManifest(() => truncate(store.pathOf(locatorRef), 10)),
        run: readBase(() => fresh as CareLedger),
        cleanup: unforge,
      },
      {
        title: "a deleted commitment locator, with no manifest naming the envelope",
        expected: RecordNotFoundError,
        setup: withoutManifest(() => rm(store.pathOf(locatorRef))),
        run: readBase(() => fresh as CareLedger),
        cleanup: unforge,
      },
      {
        title: "a manifest substituting an envelope with a valid address but other ciphertext",
        expected: IntegrityError,
        setup: forge(async (real) => {
          const bytes = Uint8Array.from(envelopeCopy);
          bytes[bytes.length - 20] ^= 0x01;
          const envelope = await store.put(bytes);
          forgedRefs.push(envelope);
          return { ...real, envelope };
        }),
        run: readBase(() => fresh as CareLedger),
        cleanup: unforge,
      },
      {
        title: "a manifest substituting an envelope whose sealed key was altered, under a valid address",
        expected: IntegrityError,
        setup: forge(async (real) => {
          const envelope = await store.put(envelopeWithAlteredPatientKey());
          forgedRefs.push(envelope);
          return { ...real, envelope };
        }),
        run: readBase(() => fresh as CareLedger),
        cleanup: unforge,
      },
    ] satisfies HostileCase[]) {
      it(`refuses ${hostile.title}`, async function () {
        await attack(hostile);
      });
    }

    it("reports the chain's author and record type when a forged manifest claims others", async function () {
      await forge(async (real) => ({ ...real, recordType: RecordType.Prescription, author: stranger.address }))();
      let problem: string | undefined;
      try {
        const read = await readBase(() => fresh as CareLedger)();
        const sameBytes =
          Buffer.compare(
            Buffer.from(validateAndSerialize(read.resource).canonicalBytes),
            Buffer.from(validateAndSerialize(observation("hostile-base")).canonicalBytes),
          ) === 0;
        if (!sameBytes) problem = "read back differs";
        else if (read.author !== doctor.address || read.recordType !== RecordType.ClinicalNote) {
          problem = `the read reports author ${read.author} and type ${read.recordType} from the forged manifest`;
        }
      } catch (error) {
        problem = `refused with ${describeError(error)}`;
      } finally {
        await unforge();
      }
      recordAttack(CATEGORY, problem === undefined, `a manifest forging author and record type: ${problem}`);
      expect(problem).to.equal(undefined);
    });

    it("reads the record intact again once the store is restored", async function () {
      const { resource } = await readBase()();
      expect(resource).to.deep.equal(observation("hostile-base"));
    });
  });

  cases("wrong and invalid encryption keyrings", [
    {
      title: "the keyring file of another account",
      expected: InvalidArgumentError,
      run: async () => {
        const wrong = await client("patient", { keyring: keyringPath("stranger") });
        return wrong.readRecord({ patient: patientAddress, commitment: base.commitment });
      },
    },
    {
      title: "a keyring holding another key under the patient's published version",
      expected: DecryptionError,
      run: async () => {
        const file = await patientKeyring();
        for (const key of file.keys) key.privateKey = hexlify(randomBytes(32));
        const wrong = await client("patient", {
          keyring: await keyringFile({ format: "careledger-encryption-keys", version: 1, ...file }),
          publishKey: false,
        });
        return wrong.readRecord({ patient: patientAddress, commitment: base.commitment });
      },
    },
    ...(
      [
        ["a keyring file that is not JSON", () => "{not json"],
        [
          "a keyring file of another format version",
          async () => ({ format: "careledger-encryption-keys", version: 2, ...(await patientKeyring()) }),
        ],
        [
          "a keyring file with no keys",
          async () => ({ format: "careledger-encryption-keys", version: 1, ...(await patientKeyring()), keys: [] }),
        ],
        [
          "a keyring key that is too short",
          async () => ({
            format: "careledger-encryption-keys",
            version: 1,
            ...(await patientKeyring()),
            keys: [{ version: 1, privateKey: "0x1234" }],
          }),
        ],
        [
          "a keyring key that is not hex",
          async () => ({
            format: "careledger-encryption-keys",
            version: 1,
            ...(await patientKeyring()),
            keys: [{ version: 1, privateKey: `0x${"zz".repeat(32)}` }],
          }),
        ],
      ] as const
    ).map(([title, content]): HostileCase => ({
      title,
      expected: StorageError,
      run: async () => {
        const wrong = await client("patient", { keyring: await keyringFile(await content()) });
        return wrong.readRecord({ patient: patientAddress, commitment: base.commitment });
      },
    })),
    {
      title: "a stranger reading without any grant",
      expected: AccessDeniedError,
      run: () => stranger.readRecord({ patient: patientAddress, commitment: base.commitment }),
    },
  ]);

  cases("invalid custodian configurations", [
    ...(
      [
        ["a single custodian", 1, undefined],
        ["a threshold of one", CUSTODIAN_COUNT, 1],
        ["a threshold above the number of custodians", CUSTODIAN_COUNT, CUSTODIAN_COUNT + 1],
        ["a threshold of zero", CUSTODIAN_COUNT, 0],
      ] as const
    ).map(([title, count, threshold]): HostileCase => ({
      title,
      expected: InvalidArgumentError,
      run: () =>
        client("doctor", {
          custodians: custodians
            .slice(0, count)
            .map((custodian) => ({ url: custodian.url, address: custodian.address })),
          ...(threshold === undefined ? {} : { custodianThreshold: threshold }),
        }),
    })),
    {
      title: "a custodian address that is not an address",
      expected: InvalidArgumentError,
      run: () =>
        client("doctor", {
          custodians: [
            ...custodians.slice(1).map((custodian) => ({ url: custodian.url, address: custodian.address })),
            { url: custodians[0].url, address: "0x1234" },
          ],
        }),
    },
    {
      title: "a custodian that never published an encryption key, on write",
      expected: PublicKeyNotRegisteredError,
      run: async () => {
        const writer = await client("doctor", {
          custodians: [
            ...custodians.slice(1).map((custodian) => ({ url: custodian.url, address: custodian.address })),
            { url: custodians[0].url, address: Wallet.createRandom().address },
          ],
        });
        return writer.doctor.putRecord({ patient: patientAddress, resource: observation("unpublished-custodian") });
      },
    },
  ]);

  const badAddresses = [
    ["a short address", "0x1234"],
    ["an address with a bad checksum", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".replace("C5", "c5")],
    ["an address that is not hex", `0x${"zz".repeat(20)}`],
    ["an ENS name", "patient.eth"],
    ["an address in full-width digits", "０x70997970c51812dc3a010c7d01b50e0d17dc79c8"],
    ["an address with a trailing NUL", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8\u0000"],
  ] as const;

  cases("invalid addresses", [
    ...badAddresses.map(([title, address]): HostileCase => ({
      title: `${title} as the patient of a record`,
      expected: InvalidArgumentError,
      run: putRecord(observation(`address-${title}`), { patient: address }),
    })),
    {
      title: "the zero address as the patient of a record",
      expected: PublicKeyNotRegisteredError,
      run: putRecord(observation("zero-patient"), { patient: ZeroAddress }),
    },
    ...badAddresses.slice(0, 3).flatMap(([title, address]): HostileCase[] => [
      {
        title: `${title} as the grantee of a consent`,
        expected: InvalidArgumentError,
        run: () =>
          patient.patient.grantConsent({
            grantee: address,
            scope: { record: base.commitment },
            purpose: Purpose.Treatment,
          }),
      },
      {
        title: `${title} as the designated pharmacy of a prescription`,
        expected: InvalidArgumentError,
        run: () =>
          doctor.doctor.issuePrescription({
            patient: patientAddress,
            medicationRequest: medicationRequest(`pharmacy-${title}`),
            terms: { pharmacy: address, quantity: 10 },
          }),
      },
      {
        title: `${title} as the laboratory of an order`,
        expected: InvalidArgumentError,
        run: () =>
          doctor.doctor.orderLabTest({
            patient: patientAddress,
            serviceRequest: serviceRequest(`lab-${title}`),
            laboratory: address,
          }),
      },
      {
        title: `${title} as the patient of a read`,
        expected: InvalidArgumentError,
        run: () => patient.readRecord({ patient: address, commitment: base.commitment }),
      },
    ]),
    {
      title: "the zero address as the grantee of a consent",
      expected: ContractRevertError,
      run: () =>
        patient.patient.grantConsent({
          grantee: ZeroAddress,
          scope: { record: base.commitment },
          purpose: Purpose.Treatment,
        }),
    },
  ]);

  // A hospital records the visit the patient signed; each field is checked before anything is sent.
  const validVisit = { visitId: id("hostile/visit"), expiresAt: 1_900_000_000, signature: `0x${"11".repeat(65)}` };
  const visitCases: readonly [string, unknown][] = [
    ["no signed visit", undefined],
    ["a signed visit that is a string", "visit"],
    ["a visit id that is too short", { ...validVisit, visitId: "0x1234" }],
    ["an expiry past uint40", { ...validVisit, expiresAt: 2 ** 40 }],
    ["a negative expiry", { ...validVisit, expiresAt: -1 }],
    ["a signature that is not hex", { ...validVisit, signature: "signed" }],
  ];
  cases(
    "malformed signed visits",
    visitCases.flatMap(([title, visit]) => [
      {
        title: `${title} for a check-in`,
        expected: InvalidArgumentError,
        run: () => doctor.hospital.recordCheckIn({ patient: patientAddress, visit } as never),
      },
      {
        title: `${title} for an admission`,
        expected: InvalidArgumentError,
        run: () => doctor.hospital.admitPatient({ patient: patientAddress, ward: patientAddress, visit } as never),
      },
    ]),
  );

  cases("invalid arguments around the records", [
    {
      title: "a commitment that is too short",
      expected: InvalidArgumentError,
      run: () => patient.readRecord({ patient: patientAddress, commitment: "0x1234" }),
    },
    {
      title: "a commitment that is not hex",
      expected: InvalidArgumentError,
      run: () => patient.readRecord({ patient: patientAddress, commitment: `0x${"zz".repeat(32)}` }),
    },
    {
      title: "a commitment nobody anchored",
      expected: RecordNotFoundError,
      run: () => patient.readRecord({ patient: patientAddress, commitment: id("hostile/never-anchored") }),
    },
    {
      title: "a ServiceRequest handed over as a prescription",
      expected: InvalidArgumentError,
      run: () =>
        doctor.doctor.issuePrescription({
          patient: patientAddress,
          medicationRequest: serviceRequest("wrong-kind"),
          terms: { quantity: 10 },
        }),
    },
    {
      title: "a prescription for zero units",
      expected: ContractRevertError,
      run: () =>
        doctor.doctor.issuePrescription({
          patient: patientAddress,
          medicationRequest: medicationRequest("zero-units"),
          terms: { quantity: 0 },
        }),
    },
    {
      title: "a prescription for a negative quantity",
      expected: InvalidArgumentError,
      run: () =>
        doctor.doctor.issuePrescription({
          patient: patientAddress,
          medicationRequest: medicationRequest("negative-units"),
          terms: { quantity: -1 },
        }),
    },
    {
      title: "a prescription for a fractional quantity",
      expected: InvalidArgumentError,
      run: () =>
        doctor.doctor.issuePrescription({
          patient: patientAddress,
          medicationRequest: medicationRequest("fractional-units"),
          terms: { quantity: 1.5 },
        }),
    },
    {
      title: "a batch with one malformed record among valid ones (all or nothing)",
      expected: InvalidFhirResourceError,
      run: () =>
        doctor.doctor.putRecordsBatch({
          records: [
            { patient: patientAddress, resource: observation("batch-ok-1") },
            { patient: patientAddress, resource: withElement("status", "maybe") },
            { patient: patientAddress, resource: observation("batch-ok-2") },
          ],
        }),
    },
    {
      title: "an empty batch",
      expected: InvalidArgumentError,
      run: () => doctor.doctor.putRecordsBatch({ records: [] }),
    },
    {
      title: "a consent for a negative duration",
      expected: ContractRevertError,
      run: () =>
        patient.patient.grantConsent({
          grantee: doctor.address,
          scope: { record: base.commitment },
          purpose: Purpose.Treatment,
          durationSeconds: -60,
        }),
    },
  ]);

  it("leaves Object.prototype unpolluted", function () {
    const probe: Record<string, unknown> = {};
    const clean = probe.polluted === undefined && probe.admin === undefined;
    recordAttack(CATEGORY, clean, "Object.prototype was polluted by a hostile resource");
    expect(clean).to.equal(true);
  });
});
