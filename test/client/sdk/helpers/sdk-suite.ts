import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, ZeroAddress, hexlify, id, randomBytes, sha256 } from "ethers";

import {
  AccessBasis,
  AccessDeniedError,
  CareLedger,
  ConsentScope,
  ContractRevertError,
  DecryptionError,
  HipaaRole,
  IntegrityError,
  InvalidArgumentError,
  InvalidFhirResourceError,
  KeyUnavailableError,
  MAX_PAYLOAD_BYTES,
  NotFoundError,
  PayloadTooLargeError,
  ProviderForm,
  ProviderKind,
  PublicKeyNotRegisteredError,
  Purpose,
  RecordErasedError,
  RecordNotFoundError,
  RecordType,
  UnregisteredAccountError,
  grantIdOf,
  locatorRefOf,
  type CareLedgerError,
  type DispenseAlert,
  type EmergencyAccessAlert,
  type ErasureAlert,
  type GrantAlert,
  type LabResultAlert,
  type RecordAlert,
  type RevocationAlert,
} from "../../../../client/index.js";
import { parseBoundPreimage } from "../../../../client/crypto/commitment.js";
import { RECORD_ENVELOPE_HEADER_LENGTH } from "../../../../client/crypto/envelope-format.js";
import { EncryptionKeyring } from "../../../../client/key-release/encryption-keyring.js";
import { KeyReleaseDeniedError } from "../../../../client/key-release/errors.js";
import { KeyReleaseClient } from "../../../../client/key-release/key-release-client.js";
import { decodeShareBundle } from "../../../../client/key-release/share-bundle.js";
import { keySectionOf } from "../../../../client/sdk/records/record-crypto.js";
import { PatientDelegation__factory, RecordRegistry__factory } from "../../../../typechain-types/index.js";
import {
  CUSTODIAN_THRESHOLD,
  createEnvironment,
  type ActorName,
  type Backend,
  type SdkEnvironment,
  type Transport,
} from "./environment.js";
import {
  diagnosticReport,
  medicationDispense,
  medicationRequest,
  observation,
  oversizedObservation,
  serviceRequest,
} from "./fixtures.js";
import { FlakyProxy } from "./flaky-proxy.js";
import { BlocksOnlyStore, TamperingStore, deleteFile, flipByte, listing } from "./stores.js";
import { HOUR } from "../../../../client/time-units.js";

/** Thrown by fault hooks to stop a write where a crash would. */
class SimulatedCrash extends Error {}

/** Awaits a rejection and checks its class; returns the typed error. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error, `expected ${type.name}, got ${String(error)}`).to.be.instanceOf(type);
    return error as E;
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}

/** The error's message and fields, as text: payload content must never appear in it. */
function errorText(error: Error): string {
  const fields = Object.fromEntries(Object.entries(error).filter(([key]) => key !== "cause"));
  return `${error.message} ${JSON.stringify(fields, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value))}`;
}

/** Waits for `condition`; the deadline only guards against a hang, so it is generous for a loaded machine. */
async function eventually(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let labelCounter = 0;
/** A unique marker that goes into a resource (and must never show up outside its ciphertext). */
function label(prefix: string): string {
  labelCounter++;
  return `PAYLOAD-MARKER-${prefix}-${labelCounter}-${Date.now()}`;
}

/**
 * The SDK suite, run the same way against every {transport} x {backend} combination. Each
 * `describe` builds on the deployment made in `before`; tests that need isolation use their own
 * patient.
 */
export function describeSdkSuite(transport: Transport, backend: Backend): void {
  describe(`CareLedger SDK (${transport}, ${backend})`, function () {
    let env: SdkEnvironment;
    const ledgers = new Map<ActorName, CareLedger>();
    const ledger = (name: ActorName): CareLedger => {
      const found = ledgers.get(name);
      if (found === undefined) throw new Error(`no ledger for ${name}`);
      return found;
    };
    const address = (name: ActorName): string => env.actor(name).address;
    const nonceOf = (name: ActorName): Promise<number> => env.provider.getTransactionCount(address(name), "pending");
    const anchoredLogs = async (commitment: string): Promise<number> => {
      const registry = RecordRegistry__factory.connect(env.addresses.registry, env.provider);
      return (await registry.queryFilter(registry.filters.RecordAnchored(undefined, commitment), 0, "latest")).length;
    };
    const keyringPath = (name: ActorName): string => join(env.directory, "clients", name, "encryption-keys.json");
    /** The accounts the envelope's key section seals the data key to directly. */
    const directReaders = async (envelopeRef: string): Promise<string[]> =>
      keySectionOf(await env.store.get(envelopeRef)).section.direct.map((key) => key.reader);
    /**
     * Asks the custodians for a record's key as `name` straight through the release protocol, without
     * the SDK's own canAccess check first: what a client that skips the access rule would get.
     */
    const releaseDirectly = async (
      name: ActorName,
      patient: string,
      commitment: string,
      purpose: Purpose,
      envelope: Uint8Array,
    ): Promise<Uint8Array> => {
      const { section, salt } = keySectionOf(envelope);
      const client = new KeyReleaseClient({
        custodians: env.custodians.map((custodian) => ({ url: custodian.url, address: custodian.address })),
        threshold: CUSTODIAN_THRESHOLD,
        signer: env.actor(name).signer,
        keyring: await EncryptionKeyring.open(keyringPath(name), address(name)),
        chainId: (await env.provider.getNetwork()).chainId,
        addresses: { consent: env.addresses.consent },
      });
      return client.recoverDataKey({
        patient,
        commitment,
        purpose,
        salt,
        envelopeHash: sha256(envelope),
        bundle: decodeShareBundle(section.custodianBundle),
      });
    };
    /** The custodians that logged a release of `commitment` to `requester`, from the patient's listing. */
    const releasesTo = async (
      patient: ActorName,
      requester: ActorName,
      commitment: string,
      purpose: Purpose,
    ): Promise<string[]> => {
      const listing = await ledger(patient).patient.listReleases();
      expect(listing.failed).to.deep.equal([]);
      return [
        ...new Set(
          listing.entries
            .filter(
              (entry) =>
                entry.requester === address(requester) &&
                entry.commitment === commitment.toLowerCase() &&
                entry.purpose === purpose,
            )
            .map((entry) => entry.custodian),
        ),
      ];
    };

    before(async function () {
      this.timeout(180_000);
      env = await createEnvironment(transport, backend);
      const connected: ActorName[] = [
        "admin",
        "doctor",
        "doctor2",
        "doctor3",
        "pharmacy",
        "pharmacy2",
        "lab",
        "emergency",
        "hospital",
        "ward",
        "patient",
        "patient2",
        "patient3",
        "delegate",
        "relayer",
        "stranger",
        "writer",
      ];
      for (const name of connected) ledgers.set(name, await env.connect(name));
      const registrar = ledger("admin").registrar;
      await registrar.registerProvider({ account: address("hospital"), kind: ProviderKind.Hospital });
      await registrar.registerProvider({
        account: address("ward"),
        kind: ProviderKind.Hospital,
        organisation: address("hospital"),
      });
      for (const [name, organisation] of [
        ["doctor", "hospital"],
        ["doctor2", undefined],
        ["doctor3", "ward"],
        ["writer", undefined],
      ] as const) {
        await registrar.registerProvider({
          account: address(name),
          kind: ProviderKind.Doctor,
          ...(organisation === undefined ? {} : { organisation: address(organisation) }),
        });
      }
      await registrar.registerProvider({ account: address("pharmacy"), kind: ProviderKind.Pharmacy });
      await registrar.registerProvider({ account: address("lab"), kind: ProviderKind.Laboratory });
      await registrar.registerProvider({ account: address("emergency"), kind: ProviderKind.EmergencyDepartment });
    });

    after(async function () {
      this.timeout(60_000);
      for (const client of ledgers.values()) await client.close();
      await env?.close();
    });

    describe("registrar", function () {
      it("registers a provider and returns the entry decoded from ProviderRegistered", async function () {
        const result = await ledger("admin").registrar.registerProvider({
          account: address("pharmacy2"),
          kind: ProviderKind.Pharmacy,
        });
        expect(result).to.include({
          account: address("pharmacy2"),
          kind: ProviderKind.Pharmacy,
          form: ProviderForm.Organisation,
          hipaa: HipaaRole.CoveredEntity,
          organisation: ZeroAddress,
        });
        expect(result.gasUsed > 0n).to.equal(true);
        const entry = await ledger("admin").registrar.providerOf(address("pharmacy2"));
        expect(entry.kind).to.equal(ProviderKind.Pharmacy);
      });

      it("turns a duplicate registration into ContractRevertError with the decoded arguments", async function () {
        const error = await rejection(
          ledger("admin").registrar.registerProvider({ account: address("doctor"), kind: ProviderKind.Doctor }),
          ContractRevertError,
        );
        expect(error.contract).to.equal("directory");
        expect(error.errorName).to.equal("ProviderDirectoryAlreadyRegistered");
        expect(error.args).to.deep.equal([address("doctor")]);
        expect(error.namedArgs).to.deep.equal({ account: address("doctor") });
      });

      it("decodes OpenZeppelin's errors too: a non-registrar gets AccessControlUnauthorizedAccount", async function () {
        const error = await rejection(
          ledger("stranger").registrar.registerProvider({ account: address("stranger"), kind: ProviderKind.Doctor }),
          ContractRevertError,
        );
        expect(error.errorName).to.equal("AccessControlUnauthorizedAccount");
        expect(error.args[0]).to.equal(address("stranger"));
      });

      it("suspends a provider, which can no longer write, and reinstates it", async function () {
        await ledger("admin").registrar.suspendProvider({ account: address("doctor2"), reasonCode: "review" });
        const error = await rejection(
          ledger("doctor2").doctor.putRecord({
            patient: address("patient"),
            resource: observation(label("suspended")),
          }),
          UnregisteredAccountError,
        );
        expect(error).to.include({ account: address("doctor2"), expected: "provider", actual: "None" });
        await ledger("admin").registrar.reinstateProvider({ account: address("doctor2") });
        expect((await ledger("admin").registrar.providerOf(address("doctor2"))).suspended).to.equal(false);
      });
    });

    describe("records", function () {
      let commitment: string;
      let resource: ReturnType<typeof observation>;

      before(async function () {
        resource = observation(label("records"));
        commitment = (await ledger("doctor").doctor.putRecord({ patient: address("patient"), resource })).commitment;
      });

      it("seals, stores and anchors a record and returns what the registry assigned", async function () {
        const fresh = observation(label("put"));
        const result = await ledger("doctor").doctor.putRecord({ patient: address("patient"), resource: fresh });
        expect(result).to.include({
          patient: address("patient"),
          author: address("doctor"),
          recordType: RecordType.ClinicalNote,
          sensitive: false,
          reused: false,
          resumed: false,
        });
        expect(result.commitment).to.match(/^0x[0-9a-f]{64}$/);
        expect(result.gasUsed > 0n).to.equal(true);
        // The key is sealed to the patient and the author only; everyone else asks the custodians.
        expect(result.readers).to.have.members([address("patient"), address("doctor")]);
        expect(await directReaders(result.envelopeRef)).to.have.members([address("patient"), address("doctor")]);
        expect(keySectionOf(await env.store.get(result.envelopeRef)).section.custodianBundle.length).to.be.greaterThan(
          0,
        );
        const onChain = await ledger("doctor").recordOf({ patient: address("patient"), commitment: result.commitment });
        expect(onChain).to.include({ author: address("doctor"), recordType: RecordType.ClinicalNote, version: 1 });
        expect(await env.store.has(result.envelopeRef)).to.equal(true);
        expect(await env.store.has(result.manifestRef)).to.equal(true);
        expect(await env.store.has(locatorRefOf(result.commitment))).to.equal(true);
      });

      it("lets the patient read it back, verified and decrypted", async function () {
        const read = await ledger("patient").patient.readRecord({ commitment });
        expect(read.resource).to.deep.equal(resource);
        expect(read).to.include({ author: address("doctor"), recordType: RecordType.ClinicalNote, anchor: "record" });
        expect(await ledger("patient").accessBasis({ patient: address("patient"), commitment })).to.equal(
          AccessBasis.Patient,
        );
      });

      it("finds the envelope from the commitment alone, as a reader on another machine does", async function () {
        const remote = await env.connect("patient", { store: new BlocksOnlyStore(env.store), journal: false });
        try {
          expect(await remote.listRecords({ patient: address("patient") })).to.deep.equal([]);
          const read = await remote.patient.readRecord({ commitment });
          expect(read.resource).to.deep.equal(resource);
          const stored = await ledger("patient").patient.listRecords();
          expect(read.envelopeRef).to.equal(stored.find((record) => record.commitment === commitment)?.envelopeRef);
          expect(read).to.include({ author: address("doctor"), recordType: RecordType.ClinicalNote });
        } finally {
          await remote.close();
        }
      });

      it("refuses another doctor with AccessDeniedError naming accessor, patient, commitment and purpose", async function () {
        const error = await rejection(
          ledger("doctor2").doctor.readRecord({ patient: address("patient"), commitment }),
          AccessDeniedError,
        );
        expect(error).to.include({
          accessor: address("doctor2"),
          patient: address("patient"),
          commitment,
          purpose: Purpose.Treatment,
        });
      });

      it("returns the first result when the same write is repeated, anchoring nothing", async function () {
        const before = await nonceOf("doctor");
        const again = await ledger("doctor").doctor.putRecord({ patient: address("patient"), resource });
        expect(again).to.include({ commitment, reused: true, resumed: true });
        expect(await nonceOf("doctor")).to.equal(before);
        expect(await anchoredLogs(commitment)).to.equal(1);
      });

      it("corrects a record with a new version; both stay on-chain", async function () {
        const original = await ledger("doctor").doctor.putRecord({
          patient: address("patient"),
          resource: observation(label("to-amend")),
        });
        const corrected = observation(label("amended"));
        const amended = await ledger("doctor").doctor.amendRecord({
          patient: address("patient"),
          previous: original.commitment,
          resource: corrected,
        });
        expect(amended).to.include({ previousCommitment: original.commitment, version: 2 });
        const previous = await ledger("doctor").recordOf({
          patient: address("patient"),
          commitment: original.commitment,
        });
        expect(previous.superseded).to.equal(true);
        const read = await ledger("patient").patient.readRecord({ commitment: amended.commitment });
        expect(read.resource).to.deep.equal(corrected);
      });

      it("reads with a signer that cannot export its key, through the account's own encryption keyring", async function () {
        // On EDR the patient is Hardhat's own signer; on JSON-RPC patient2 is a JsonRpcSigner.
        const result = await ledger("doctor").doctor.putRecord({
          patient: address("patient2"),
          resource: observation(label("remote-signer")),
        });
        const read = await ledger("patient2").patient.readRecord({ commitment: result.commitment });
        expect(read.commitment).to.equal(result.commitment);
      });
    });

    describe("prescriptions", function () {
      let prescription: string;
      let prescriptionEnvelope: Uint8Array;
      let grantId: string;
      const rx = medicationRequest(label("rx"));

      it("issues a prescription and returns its id and terms from PrescriptionIssued", async function () {
        const now = Number((await env.provider.getBlock("latest"))?.timestamp);
        const issued = await ledger("doctor").doctor.issuePrescription({
          patient: address("patient"),
          medicationRequest: rx,
          terms: { pharmacy: address("pharmacy"), quantity: 30, refills: 1, expiresAt: now + 30 * 24 * HOUR },
        });
        prescription = issued.prescription;
        prescriptionEnvelope = await env.store.get(issued.envelopeRef);
        expect(issued.commitment).to.equal(prescription);
        expect(issued.recordType).to.equal(RecordType.Prescription);
        expect(issued.terms).to.deep.equal({
          pharmacy: address("pharmacy"),
          expiresAt: now + 30 * 24 * HOUR,
          quantity: 30,
          refills: 1,
        });
      });

      it("keeps the pharmacy out until the patient consents, and writes nothing when dispensing is refused", async function () {
        await rejection(
          ledger("pharmacy").pharmacy.readRecord({ patient: address("patient"), commitment: prescription }),
          AccessDeniedError,
        );
        // The custodians ask the chain themselves: skipping the SDK's check gets the pharmacy nothing.
        const denied = await rejection(
          releaseDirectly("pharmacy", address("patient"), prescription, Purpose.Dispensing, prescriptionEnvelope),
          KeyReleaseDeniedError,
        );
        expect(denied.denied).to.be.at.least(env.custodians.length - CUSTODIAN_THRESHOLD + 1);
        const stored = await listing(env.store);
        const nonce = await nonceOf("pharmacy");
        const error = await rejection(
          ledger("pharmacy").pharmacy.dispensePrescription({
            patient: address("patient"),
            prescription,
            amount: 10,
            medicationDispense: medicationDispense(label("refused")),
          }),
          ContractRevertError,
        );
        expect(error.errorName).to.equal("PrescriptionNoPatientConsent");
        expect(error.args).to.deep.equal([address("patient"), address("pharmacy")]);
        expect(await listing(env.store)).to.deep.equal(stored);
        expect(await nonceOf("pharmacy")).to.equal(nonce);
      });

      it("lets the patient grant dispensing consent, which stores nothing and seals no key to the pharmacy", async function () {
        const stored = await listing(env.store);
        const granted = await ledger("patient").patient.grantConsent({
          grantee: address("pharmacy"),
          scope: { record: prescription },
          purpose: Purpose.Dispensing,
        });
        grantId = granted.grantId;
        expect(grantId).to.equal(grantIdOf(address("pharmacy"), ConsentScope.Record, prescription, Purpose.Dispensing));
        expect(granted).to.include({
          patient: address("patient"),
          grantee: address("pharmacy"),
          scope: ConsentScope.Record,
        });
        expect(await listing(env.store)).to.deep.equal(stored);
        expect(keySectionOf(prescriptionEnvelope).section.direct.map((key) => key.reader)).to.have.members([
          address("patient"),
          address("doctor"),
        ]);
      });

      it("lets the pharmacy read the prescription through the custodians, and dispense it", async function () {
        const read = await ledger("pharmacy").pharmacy.readRecord({
          patient: address("patient"),
          commitment: prescription,
        });
        expect(read.resource).to.deep.equal(rx);
        expect((await releasesTo("patient", "pharmacy", prescription, Purpose.Dispensing)).length).to.be.at.least(
          CUSTODIAN_THRESHOLD,
        );
        const dispense = medicationDispense(label("dispense"));
        const dispensed = await ledger("pharmacy").pharmacy.dispensePrescription({
          patient: address("patient"),
          prescription,
          amount: 10,
          medicationDispense: dispense,
        });
        expect(dispensed).to.include({
          prescription,
          pharmacy: address("pharmacy"),
          amount: 10,
          totalDispensed: 10,
          recordType: RecordType.Dispense,
        });
        const progress = await ledger("pharmacy").pharmacy.prescriptionOf({
          patient: address("patient"),
          prescription,
        });
        expect(progress).to.include({ dispensed: 10, remaining: 50 });
        const patientView = await ledger("patient").patient.readRecord({ commitment: dispensed.commitment });
        expect(patientView.resource).to.deep.equal(dispense);
      });

      it("refuses to dispense more than a fill, with the quantities in the error", async function () {
        const error = await rejection(
          ledger("pharmacy").pharmacy.dispensePrescription({
            patient: address("patient"),
            prescription,
            amount: 31,
            medicationDispense: medicationDispense(label("too-much")),
          }),
          ContractRevertError,
        );
        expect(error.errorName).to.equal("PrescriptionQuantityExceeded");
        expect(error.namedArgs).to.deep.include({ amount: 31n, quantity: 30n, remaining: 50n });
      });

      it("refuses a pharmacy the prescriber did not authorise", async function () {
        const error = await rejection(
          ledger("pharmacy2").pharmacy.dispensePrescription({
            patient: address("patient"),
            prescription,
            amount: 1,
            medicationDispense: medicationDispense(label("other-pharmacy")),
          }),
          ContractRevertError,
        );
        expect(error.errorName).to.equal("PrescriptionPharmacyNotAuthorised");
      });

      it("stops the pharmacy's reads once the patient revokes, at the custodians too", async function () {
        const revoked = await ledger("patient").patient.revokeConsent({ grantId });
        expect(revoked).to.include({ grantId, patient: address("patient"), grantee: address("pharmacy") });
        await rejection(
          ledger("pharmacy").pharmacy.readRecord({ patient: address("patient"), commitment: prescription }),
          AccessDeniedError,
        );
        // The pharmacy still holds the envelope; no custodian releases its key any more.
        await rejection(
          releaseDirectly("pharmacy", address("patient"), prescription, Purpose.Dispensing, prescriptionEnvelope),
          KeyReleaseDeniedError,
        );
      });

      it("lists the patient's grants from the chain, the revoked one inactive", async function () {
        const grants = await ledger("patient").patient.listGrants();
        const dispensing = grants.find((grant) => grant.grantId === grantId);
        expect(dispensing).to.include({
          grantee: address("pharmacy"),
          purpose: Purpose.Dispensing,
          scopeValue: prescription,
          active: false,
        });
        expect(new Set(grants.map((grant) => grant.grantId)).size, "each grant once").to.equal(grants.length);
        // Only the patient's own grants: another account sees none of them.
        const others = await ledger("pharmacy").patient.listGrants();
        expect(others.map((grant) => grant.grantId)).to.not.include(grantId);
      });
    });

    describe("laboratory", function () {
      let order: string;
      let result: string;
      const report = diagnosticReport(label("report"));

      it("orders a test at one laboratory and posts its result", async function () {
        const ordered = await ledger("doctor").doctor.orderLabTest({
          patient: address("patient"),
          serviceRequest: serviceRequest(label("order")),
          laboratory: address("lab"),
        });
        order = ordered.order;
        expect(ordered).to.include({ laboratory: address("lab"), recordType: RecordType.LabOrder });
        const posted = await ledger("lab").laboratory.postLabResult({
          patient: address("patient"),
          order,
          diagnosticReport: report,
        });
        result = posted.result;
        expect(posted).to.include({ order, recordType: RecordType.LabResult, author: address("lab") });
        // Nothing is sealed to the ordering doctor: the workflow opens the result to them on-chain.
        expect(posted.readers).to.have.members([address("patient"), address("lab")]);
        expect(await directReaders(posted.envelopeRef)).to.not.include(address("doctor"));
      });

      it("lets the patient and the ordering doctor (through the custodians) read the result", async function () {
        expect((await ledger("patient").patient.readRecord({ commitment: result })).resource).to.deep.equal(report);
        const doctorView = await ledger("doctor").doctor.readRecord({
          patient: address("patient"),
          commitment: result,
        });
        expect(doctorView.resource).to.deep.equal(report);
        expect(doctorView).to.include({ author: address("lab"), recordType: RecordType.LabResult });
        expect(await ledger("doctor").accessBasis({ patient: address("patient"), commitment: result })).to.equal(
          AccessBasis.Workflow,
        );
        expect((await releasesTo("patient", "doctor", result, Purpose.Treatment)).length).to.be.at.least(
          CUSTODIAN_THRESHOLD,
        );
      });

      it("lets the patient share the result with a second doctor, who can then read it", async function () {
        await rejection(
          ledger("doctor2").doctor.readRecord({ patient: address("patient"), commitment: result }),
          AccessDeniedError,
        );
        const stored = await listing(env.store);
        const granted = await ledger("patient").patient.grantConsent({
          grantee: address("doctor2"),
          scope: { record: result },
          purpose: Purpose.Treatment,
        });
        expect(granted).to.include({ grantee: address("doctor2"), scope: ConsentScope.Record, scopeValue: result });
        expect(await listing(env.store)).to.deep.equal(stored);
        const read = await ledger("doctor2").doctor.readRecord({ patient: address("patient"), commitment: result });
        expect(read.resource).to.deep.equal(report);
      });

      it("refuses a second result for the same order", async function () {
        const error = await rejection(
          ledger("lab").laboratory.postLabResult({
            patient: address("patient"),
            order,
            diagnosticReport: diagnosticReport(label("second")),
          }),
          ContractRevertError,
        );
        expect(error.errorName).to.equal("LabOrderNotPending");
      });

      it("corrects the result with a new version against the same order, which the patient reads", async function () {
        const corrected = await ledger("lab").laboratory.correctLabResult({
          patient: address("patient"),
          previousResult: result,
          diagnosticReport: diagnosticReport(label("corrected")),
        });
        expect(corrected.order).to.equal(order);
        expect(corrected.result).to.not.equal(result);
        const read = await ledger("patient").patient.readRecord({ commitment: corrected.result });
        expect(read.author).to.equal(address("lab"));
        expect(read.recordType).to.equal(RecordType.LabResult);
        // A bad resource is refused before anything is asked of the chain.
        await rejection(
          ledger("lab").laboratory.correctLabResult({
            patient: address("patient"),
            previousResult: corrected.result,
            diagnosticReport: { resourceType: "Observation" },
          }),
          InvalidArgumentError,
        );
      });
    });

    describe("emergency access", function () {
      let commitment: string;
      let envelope: Uint8Array;
      const resource = observation(label("emergency"));

      before(async function () {
        const posted = await ledger("doctor").doctor.putRecord({ patient: address("patient3"), resource });
        commitment = posted.commitment;
        envelope = await env.store.get(posted.envelopeRef);
      });

      it("keeps the emergency department out without a session, at the custodians too", async function () {
        await rejection(
          ledger("emergency").emergency.readRecord({ patient: address("patient3"), commitment }),
          AccessDeniedError,
        );
        await rejection(
          releaseDirectly("emergency", address("patient3"), commitment, Purpose.Emergency, envelope),
          KeyReleaseDeniedError,
        );
        expect(keySectionOf(envelope).section.direct.map((key) => key.reader)).to.not.include(address("emergency"));
      });

      it("opens break-glass access, returning expiry and count from EmergencyAccessOpened, and reads", async function () {
        const opened = await ledger("emergency").emergency.openEmergencyAccess({
          patient: address("patient3"),
          reasonCode: 7,
          durationSeconds: HOUR,
        });
        expect(opened).to.include({
          patient: address("patient3"),
          provider: address("emergency"),
          reasonCode: 7,
          count: 1,
        });
        const block = await env.provider.getBlock(opened.blockNumber);
        expect(opened.expiresAt).to.equal(Number(block?.timestamp) + HOUR);
        const read = await ledger("emergency").emergency.readRecord({ patient: address("patient3"), commitment });
        expect(read).to.include({ purpose: Purpose.Emergency });
        expect(read.resource).to.deep.equal(resource);
        expect((await releasesTo("patient3", "emergency", commitment, Purpose.Emergency)).length).to.be.at.least(
          CUSTODIAN_THRESHOLD,
        );
        const all = await ledger("emergency").emergency.readPatientRecords({ patient: address("patient3") });
        expect(all.records.map((record) => record.commitment)).to.include(commitment);
      });

      it("closes the session, after which reads are refused again, at the custodians too", async function () {
        await ledger("emergency").emergency.closeEmergencyAccess({ patient: address("patient3") });
        await rejection(
          ledger("emergency").emergency.readRecord({ patient: address("patient3"), commitment }),
          AccessDeniedError,
        );
        await rejection(
          releaseDirectly("emergency", address("patient3"), commitment, Purpose.Emergency, envelope),
          KeyReleaseDeniedError,
        );
      });
    });

    describe("consent", function () {
      it("relays a grant the patient signed, with the id the patient computed", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient"),
          resource: observation(label("signed")),
          recordType: RecordType.Imaging,
        });
        const stored = await listing(env.store);
        const signed = await ledger("patient").patient.signGrant({
          grantee: address("doctor3"),
          scope: { recordType: RecordType.Imaging },
          purpose: Purpose.Treatment,
        });
        // A signature opens nothing until it is relayed: nothing stored, the custodians refuse.
        expect(await listing(env.store)).to.deep.equal(stored);
        await rejection(
          ledger("doctor3").doctor.readRecord({ patient: address("patient"), commitment: posted.commitment }),
          AccessDeniedError,
        );
        await rejection(
          releaseDirectly(
            "doctor3",
            address("patient"),
            posted.commitment,
            Purpose.Treatment,
            await env.store.get(posted.envelopeRef),
          ),
          KeyReleaseDeniedError,
        );
        const relayed = await ledger("relayer").relayer.grantConsentBySig({ signed });
        expect(relayed.grantId).to.equal(signed.grantId);
        expect(relayed).to.include({
          patient: address("patient"),
          grantee: address("doctor3"),
          scope: ConsentScope.RecordType,
        });
        const read = await ledger("doctor3").doctor.readRecord({
          patient: address("patient"),
          commitment: posted.commitment,
        });
        expect(read.commitment).to.equal(posted.commitment);
      });

      it("refuses a signed grant past its deadline with ConsentExpiredSignature", async function () {
        const now = Number((await env.provider.getBlock("latest"))?.timestamp);
        const signed = await ledger("patient").patient.signGrant({
          grantee: address("doctor3"),
          scope: "all",
          purpose: Purpose.Research,
          deadline: now - 1,
        });
        const error = await rejection(ledger("relayer").relayer.grantConsentBySig({ signed }), ContractRevertError);
        expect(error.errorName).to.equal("ConsentExpiredSignature");
        expect(error.args).to.deep.equal([BigInt(now - 1)]);
      });

      it("relays a signed revocation, after which the grantee is refused", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient"),
          resource: observation(label("revoke-signed")),
          recordType: RecordType.Referral,
        });
        const granted = await ledger("patient").patient.grantConsent({
          grantee: address("doctor3"),
          scope: { recordType: RecordType.Referral },
          purpose: Purpose.Treatment,
        });
        const read = await ledger("doctor3").doctor.readRecord({
          patient: address("patient"),
          commitment: posted.commitment,
        });
        expect(read.commitment).to.equal(posted.commitment);
        const signed = await ledger("patient").patient.signRevocation({ grantId: granted.grantId });
        await ledger("relayer").relayer.revokeConsentBySig({ signed });
        await rejection(
          ledger("doctor3").doctor.readRecord({ patient: address("patient"), commitment: posted.commitment }),
          AccessDeniedError,
        );
        await rejection(
          releaseDirectly(
            "doctor3",
            address("patient"),
            posted.commitment,
            Purpose.Treatment,
            await env.store.get(posted.envelopeRef),
          ),
          KeyReleaseDeniedError,
        );
      });

      it("never opens a sensitive record to a type-wide grant, at the custodians either", async function () {
        const sensitive = await ledger("doctor").doctor.putRecord({
          patient: address("patient"),
          resource: observation(label("sensitive")),
          recordType: RecordType.Allergy,
          sensitive: true,
        });
        const granted = await ledger("patient").patient.grantConsent({
          grantee: address("doctor3"),
          scope: { recordType: RecordType.Allergy },
          purpose: Purpose.Treatment,
        });
        expect(granted.scope).to.equal(ConsentScope.RecordType);
        await rejection(
          ledger("doctor3").doctor.readRecord({ patient: address("patient"), commitment: sensitive.commitment }),
          AccessDeniedError,
        );
        await rejection(
          releaseDirectly(
            "doctor3",
            address("patient"),
            sensitive.commitment,
            Purpose.Treatment,
            await env.store.get(sensitive.envelopeRef),
          ),
          KeyReleaseDeniedError,
        );
      });
    });

    describe("delegation, guardianship and death", function () {
      it("lets a delegate with the consent capability grant for the patient, and a reading delegate read", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient2"),
          resource: observation(label("delegate-read")),
        });
        await rejection(
          ledger("delegate").delegate.forPatient(address("patient2")).readRecord({ commitment: posted.commitment }),
          AccessDeniedError,
        );
        const stored = await listing(env.store);
        const appointed = await ledger("patient2").patient.appointDelegate({
          delegate: address("delegate"),
          capabilities: ["ManageConsent", "Read"],
        });
        expect(appointed).to.include({ patient: address("patient2"), delegate: address("delegate"), capabilities: 5 });
        expect(await listing(env.store)).to.deep.equal(stored);
        const read = await ledger("delegate").delegate.forPatient(address("patient2")).readRecord({
          commitment: posted.commitment,
        });
        expect(read.commitment).to.equal(posted.commitment);
        expect((await releasesTo("patient2", "delegate", posted.commitment, read.purpose)).length).to.be.at.least(
          CUSTODIAN_THRESHOLD,
        );
        const info = await ledger("delegate").delegate.delegationFrom(address("patient2"));
        expect(info.active).to.deep.equal({ manageConsent: true, erase: false, read: true });
        const granted = await ledger("delegate")
          .delegate.forPatient(address("patient2"))
          .grantConsent({
            grantee: address("doctor2"),
            scope: "all",
            purpose: Purpose.Treatment,
          });
        expect(granted.patient).to.equal(address("patient2"));
      });

      it("refuses a delegate without the erase capability", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient2"),
          resource: observation(label("delegate-erase")),
        });
        const error = await rejection(
          ledger("delegate").delegate.forPatient(address("patient2")).eraseRecord({ commitment: posted.commitment }),
          ContractRevertError,
        );
        expect(error.errorName).to.equal("RecordRegistryNotPatientOrDelegate");
        expect(error.args).to.deep.equal([address("delegate"), address("patient2")]);
      });

      it("records a guardian, who acts for the minor once the minor accepts", async function () {
        const now = Number((await env.provider.getBlock("latest"))?.timestamp);
        await ledger("admin").registrar.recordGuardian({
          minor: address("patient3"),
          guardian: address("delegate"),
          minorUntil: now + 365 * 24 * HOUR,
        });
        const grant = () =>
          ledger("delegate")
            .delegate.forPatient(address("patient3"))
            .grantConsent({
              grantee: address("doctor2"),
              scope: { recordType: RecordType.Immunization },
              purpose: Purpose.Treatment,
            });
        // The guardianship waits out the minor's veto period unless the minor accepts it.
        const error = await rejection(grant(), ContractRevertError);
        expect(error.errorName).to.equal("ConsentNotPatientOrDelegate");
        await ledger("patient3").patient.acceptGuardian({ guardian: address("delegate") });
        const granted = await grant();
        expect(granted.patient).to.equal(address("patient3"));
      });

      it("records a death: once it can no longer be contested the heir reads, and the records are retained", async function () {
        const deceased = address("stranger");
        const posted = await ledger("doctor").doctor.putRecord({
          patient: deceased,
          resource: observation(label("inheritance")),
        });
        const stored = await listing(env.store);
        const designated = await ledger("stranger").patient.designateHeir({ heir: address("delegate") });
        expect(designated.gasUsed > 0n).to.equal(true);
        // Nothing is wrapped for the heir in advance: the custodians release once the chain says so.
        expect(await listing(env.store)).to.deep.equal(stored);
        expect(await directReaders(posted.envelopeRef)).to.not.include(address("delegate"));
        const inherit = () =>
          ledger("delegate").readRecord({
            patient: deceased,
            commitment: posted.commitment,
            purpose: Purpose.Inheritance,
          });
        await rejection(inherit(), AccessDeniedError);
        await ledger("admin").registrar.recordDeath({ patient: deceased });
        // Heirs wait while the patient may still contest the recording, at the custodians too.
        await rejection(inherit(), AccessDeniedError);
        await rejection(
          releaseDirectly(
            "delegate",
            deceased,
            posted.commitment,
            Purpose.Inheritance,
            await env.store.get(posted.envelopeRef),
          ),
          KeyReleaseDeniedError,
        );
        const delegation = PatientDelegation__factory.connect(env.addresses.delegation, env.provider);
        await env.rpc("evm_increaseTime", [Number(await delegation.DEATH_CONTEST_PERIOD()) + 1]);
        await env.rpc("evm_mine");
        const read = await ledger("delegate").readRecord({
          patient: deceased,
          commitment: posted.commitment,
          purpose: Purpose.Inheritance,
        });
        expect(read.commitment).to.equal(posted.commitment);
        const error = await rejection(
          ledger("stranger").patient.eraseRecord({ commitment: posted.commitment }),
          ContractRevertError,
        );
        expect(error.errorName).to.equal("RecordRegistryRetained");
        expect(error.args[0]).to.equal(deceased);
      });
    });

    describe("care relationships", function () {
      it("opens the family doctor's access to earlier records without storing a key", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient3"),
          resource: observation(label("family")),
        });
        await rejection(
          ledger("doctor2").doctor.readRecord({ patient: address("patient3"), commitment: posted.commitment }),
          AccessDeniedError,
        );
        const stored = await listing(env.store);
        const set = await ledger("patient3").patient.setFamilyDoctor({ doctor: address("doctor2") });
        expect(set.gasUsed > 0n).to.equal(true);
        expect(await listing(env.store)).to.deep.equal(stored);
        const read = await ledger("doctor2").doctor.readRecord({
          patient: address("patient3"),
          commitment: posted.commitment,
        });
        expect(read.commitment).to.equal(posted.commitment);
        expect(
          await ledger("doctor2").accessBasis({ patient: address("patient3"), commitment: posted.commitment }),
        ).to.equal(AccessBasis.Workflow);
      });

      it("seals new records to patient and author only; the family doctor reads them through the custodians", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient3"),
          resource: observation(label("family-new")),
        });
        expect(posted.readers).to.have.members([address("patient3"), address("doctor")]);
        const read = await ledger("doctor2").doctor.readRecord({
          patient: address("patient3"),
          commitment: posted.commitment,
        });
        expect(read.commitment).to.equal(posted.commitment);
        expect((await releasesTo("patient3", "doctor2", posted.commitment, Purpose.Treatment)).length).to.be.at.least(
          CUSTODIAN_THRESHOLD,
        );
      });

      it("requires the patient's one-time unlock when asked, and accepts it once", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient3"),
          resource: observation(label("unlock")),
        });
        await ledger("patient3").patient.setUnlockRequired({ required: true });
        // The family doctor's grant-free access now needs the unlock (grants are not affected).
        const stored = await listing(env.store);
        const unlock = await ledger("patient3").patient.createUnlock({ doctor: address("doctor3") });
        expect(await listing(env.store)).to.deep.equal(stored);
        const unlocked = await ledger("doctor3").doctor.unlockWithCode({ unlock });
        expect(unlocked).to.include({
          patient: address("patient3"),
          doctor: address("doctor3"),
          codeId: unlock.codeId,
        });
        const error = await rejection(ledger("doctor3").doctor.unlockWithCode({ unlock }), ContractRevertError);
        expect(error.errorName).to.equal("CareRelationshipsUnlockUsed");
        // doctor3 works for the ward: an appointment today opens access, now that it is unlocked.
        await ledger("patient3").patient.recordAppointment({ doctor: address("doctor3") });
        const read = await ledger("doctor3").doctor.readRecord({
          patient: address("patient3"),
          commitment: posted.commitment,
        });
        expect(read.commitment).to.equal(posted.commitment);
        await ledger("patient3").patient.setUnlockRequired({ required: false });
      });

      it("opens access to the hospital's doctors on check-in and admission the patient signed", async function () {
        const checkIn = await ledger("hospital").hospital.recordCheckIn({
          patient: address("patient2"),
          visit: await ledger("patient2").patient.signCheckIn({ hospital: address("hospital") }),
        });
        const block = await env.provider.getBlock(checkIn.blockNumber);
        expect(checkIn).to.include({ patient: address("patient2"), hospital: address("hospital") });
        expect(checkIn.until).to.equal(Number(block?.timestamp) + 24 * HOUR);
        await ledger("hospital").hospital.admitPatient({
          patient: address("patient2"),
          ward: address("ward"),
          visit: await ledger("patient2").patient.signAdmission({ ward: address("ward") }),
        });
        const posted = await ledger("doctor2").doctor.putRecord({
          patient: address("patient2"),
          resource: observation(label("ward")),
        });
        expect(
          await ledger("doctor3").accessBasis({ patient: address("patient2"), commitment: posted.commitment }),
        ).to.equal(AccessBasis.Workflow);
        const read = await ledger("doctor3").doctor.readRecord({
          patient: address("patient2"),
          commitment: posted.commitment,
        });
        expect(read.author).to.equal(address("doctor2"));
        await ledger("hospital").hospital.dischargePatient({ patient: address("patient2"), ward: address("ward") });
      });
    });

    describe("erasure", function () {
      it("erases a record, destroys envelope, locator and manifest, and proves it", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient"),
          resource: observation(label("erase")),
        });
        await ledger("patient").patient.grantConsent({
          grantee: address("doctor3"),
          scope: { record: posted.commitment },
          purpose: Purpose.Treatment,
        });
        // A copy of the envelope made while the grant was open.
        const copy = await env.store.get(posted.envelopeRef);
        const proof = await ledger("patient").patient.eraseRecord({ commitment: posted.commitment });
        expect(proof).to.include({
          patient: address("patient"),
          commitment: posted.commitment,
          erasedBy: address("patient"),
          verifiedAbsent: true,
          alreadyErased: false,
        });
        expect(proof.destroyedRefs).to.include.members([
          posted.envelopeRef,
          posted.manifestRef,
          locatorRefOf(posted.commitment),
        ]);
        for (const ref of proof.destroyedRefs) {
          await rejection(env.store.get(ref), NotFoundError);
        }
        for (const name of ["patient", "doctor", "doctor3", "emergency"] as const) {
          await rejection(
            ledger(name).readRecord({ patient: address("patient"), commitment: posted.commitment }),
            RecordErasedError,
          );
        }
        // Whoever kept a copy of the envelope gets no key for it any more.
        await rejection(
          releaseDirectly("doctor3", address("patient"), posted.commitment, Purpose.Treatment, copy),
          KeyReleaseDeniedError,
        );
      });

      it("finishes an interrupted erasure when repeated", async function () {
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient"),
          resource: observation(label("erase-twice")),
        });
        const registry = RecordRegistry__factory.connect(env.addresses.registry, env.actor("patient").signer);
        await (await registry.eraseRecord(address("patient"), posted.commitment)).wait();
        const proof = await ledger("patient").patient.eraseRecord({ commitment: posted.commitment });
        expect(proof).to.include({ alreadyErased: true, verifiedAbsent: true });
        expect(proof.destroyedRefs).to.include.members([posted.envelopeRef, locatorRefOf(posted.commitment)]);
      });
    });

    describe("batches", function () {
      it("anchors many records under one root and reads them through canAccessBatchRecord", async function () {
        const resources = [0, 1, 2, 3].map((i) => observation(label(`batch-${i}`)));
        const batch = await ledger("doctor").doctor.putRecordsBatch({
          records: resources.map((resource, i) => ({
            patient: address(i % 2 === 0 ? "patient" : "patient2"),
            resource,
          })),
        });
        expect(batch).to.include({ size: 4, author: address("doctor"), reused: false });
        expect(batch.records).to.have.length(4);
        for (const record of batch.records) expect(record.proof.length).to.be.greaterThan(0);
        const first = batch.records.find((record) => record.patient === address("patient"));
        if (first === undefined) throw new Error("no record of the patient");
        const read = await ledger("patient").patient.readRecord({ commitment: first.commitment });
        expect(read.anchor).to.equal("batch");
        expect(resources).to.deep.include(read.resource);
        await rejection(
          ledger("doctor2").doctor.readRecord({ patient: address("patient"), commitment: first.commitment }),
          AccessDeniedError,
        );
        const stored = await listing(env.store);
        await ledger("patient").patient.grantConsent({
          grantee: address("doctor2"),
          scope: { record: first.commitment },
          purpose: Purpose.Treatment,
        });
        expect(await listing(env.store)).to.deep.equal(stored);
        const granteeRead = await ledger("doctor2").doctor.readRecord({
          patient: address("patient"),
          commitment: first.commitment,
        });
        expect(granteeRead).to.include({ commitment: first.commitment, anchor: "batch", author: address("doctor") });
        const released = (await ledger("patient").patient.listReleases()).entries.filter(
          (entry) => entry.requester === address("doctor2") && entry.commitment === first.commitment,
        );
        expect(released.length).to.be.at.least(CUSTODIAN_THRESHOLD);
        for (const entry of released) expect(entry.batchRoot).to.equal(batch.root.toLowerCase());
        const proof = await ledger("patient").patient.eraseRecord({ commitment: first.commitment });
        expect(proof.verifiedAbsent).to.equal(true);
        await rejection(ledger("patient").patient.readRecord({ commitment: first.commitment }), RecordErasedError);
      });
    });

    describe("audit", function () {
      it("reports each record as intact, altered, missing, unanchored or erased", async function () {
        const doctor = ledger("doctor").doctor;
        const patient = address("patient4");
        ledgers.set("patient4", await env.connect("patient4"));
        const intact = await doctor.putRecord({ patient, resource: observation(label("intact")) });
        const altered = await doctor.putRecord({ patient, resource: observation(label("altered")) });
        const missing = await doctor.putRecord({ patient, resource: observation(label("missing")) });
        const erased = await doctor.putRecord({ patient, resource: observation(label("erased")) });
        await ledger("patient4").patient.eraseRecord({ commitment: erased.commitment });
        let unanchored = "";
        const crashing = await env.connect("doctor", {
          journal: join(env.directory, "journals", "audit-crash"),
          faults: {
            afterStore: ({ commitments }) => {
              unanchored = commitments[0];
              throw new SimulatedCrash();
            },
          },
        });
        await rejection(
          crashing.doctor.putRecord({ patient, resource: observation(label("unanchored")) }),
          SimulatedCrash,
        );
        await flipByte(env.blobPath(altered.envelopeRef));
        await deleteFile(env.blobPath(missing.envelopeRef));

        const report = await ledger("doctor").audit({ patient });
        const status = (commitment: string): string | undefined =>
          report.entries.find((entry) => entry.commitment === commitment)?.status;
        expect(status(intact.commitment)).to.equal("intact");
        expect(status(altered.commitment)).to.equal("altered");
        expect(status(missing.commitment)).to.equal("missing");
        expect(status(unanchored)).to.equal("unanchored");
        expect(status(erased.commitment)).to.equal("erased");
        expect(report.entries.find((entry) => entry.commitment === erased.commitment)?.detail).to.equal(
          "payload-destroyed",
        );
        expect(report.counts).to.deep.equal({ intact: 1, altered: 1, missing: 1, unanchored: 1, erased: 1 });
        await crashing.close();
      });
    });

    describe("alerts", function () {
      it("calls typed handlers for what concerns a patient, and stops on unsubscribe", async function () {
        const patient = address("patient2");
        const seen = {
          records: [] as RecordAlert[],
          grants: [] as GrantAlert[],
          revocations: [] as RevocationAlert[],
          emergencies: [] as EmergencyAccessAlert[],
          dispenses: [] as DispenseAlert[],
          results: [] as LabResultAlert[],
          erasures: [] as ErasureAlert[],
        };
        const errors: unknown[] = [];
        const unsubscribe = await ledger("patient2").subscribe(
          { patient, pollingIntervalMs: 100 },
          {
            onRecord: (alert) => void seen.records.push(alert),
            onGrant: (alert) => void seen.grants.push(alert),
            onRevocation: (alert) => void seen.revocations.push(alert),
            onEmergencyAccess: (alert) => void seen.emergencies.push(alert),
            onDispense: (alert) => void seen.dispenses.push(alert),
            onLabResult: (alert) => void seen.results.push(alert),
            onErasure: (alert) => void seen.erasures.push(alert),
            onError: (error) => void errors.push(error),
          },
        );
        const providerResults: LabResultAlert[] = [];
        const unsubscribeProvider = await ledger("doctor").subscribe(
          { provider: address("doctor"), pollingIntervalMs: 100 },
          { onLabResult: (alert) => void providerResults.push(alert) },
        );
        const record = await ledger("doctor").doctor.putRecord({ patient, resource: observation(label("alert")) });
        const rx = await ledger("doctor").doctor.issuePrescription({
          patient,
          medicationRequest: medicationRequest(label("alert-rx")),
          terms: { quantity: 5 },
        });
        const grant = await ledger("patient2").patient.grantConsent({
          grantee: address("pharmacy"),
          scope: { record: rx.prescription },
          purpose: Purpose.Dispensing,
        });
        await ledger("pharmacy").pharmacy.dispensePrescription({
          patient,
          prescription: rx.prescription,
          amount: 5,
          medicationDispense: medicationDispense(label("alert-dispense")),
        });
        await ledger("patient2").patient.revokeConsent({ grantId: grant.grantId });
        await ledger("emergency").emergency.openEmergencyAccess({ patient, reasonCode: 3 });
        const order = await ledger("doctor").doctor.orderLabTest({
          patient,
          serviceRequest: serviceRequest(label("alert-order")),
          laboratory: address("lab"),
        });
        const posted = await ledger("lab").laboratory.postLabResult({
          patient,
          order: order.order,
          diagnosticReport: diagnosticReport(label("alert-result")),
        });
        await ledger("patient2").patient.eraseRecord({ commitment: record.commitment });

        await eventually(
          () =>
            seen.erasures.length >= 1 &&
            seen.results.length >= 1 &&
            seen.emergencies.length >= 1 &&
            seen.revocations.length >= 1 &&
            seen.dispenses.length >= 1 &&
            providerResults.length >= 1,
        );
        expect(errors).to.deep.equal([]);
        expect(seen.records.map((alert) => alert.commitment)).to.include.members([record.commitment, rx.commitment]);
        const recordAlert = seen.records.find((alert) => alert.commitment === record.commitment);
        expect(recordAlert).to.include({ patient, author: address("doctor"), recordType: RecordType.ClinicalNote });
        expect(seen.grants.find((alert) => alert.grantId === grant.grantId)).to.include({
          grantee: address("pharmacy"),
          purpose: Purpose.Dispensing,
        });
        expect(seen.revocations[0]).to.include({ grantId: grant.grantId, grantee: address("pharmacy") });
        expect(seen.dispenses[0]).to.include({
          prescription: rx.prescription,
          amount: 5,
          pharmacy: address("pharmacy"),
        });
        expect(seen.emergencies[0]).to.include({ provider: address("emergency"), reasonCode: 3 });
        expect(seen.results[0]).to.include({ order: order.order, result: posted.result });
        expect(seen.erasures[0]).to.include({ commitment: record.commitment, by: patient });
        expect(providerResults.map((alert) => alert.result)).to.include(posted.result);

        await unsubscribe();
        await unsubscribeProvider();
        const count = seen.records.length;
        await ledger("doctor").doctor.putRecord({ patient, resource: observation(label("after-unsubscribe")) });
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(seen.records.length).to.equal(count);
      });
    });

    describe("robust sending", function () {
      it("sends 20 concurrent writes from one signer with distinct nonces", async function () {
        const writer = ledger("writer");
        const first = await nonceOf("writer");
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            writer.doctor.putRecord({ patient: address("patient3"), resource: observation(label(`concurrent-${i}`)) }),
          ),
        );
        expect(new Set(results.map((result) => result.commitment)).size).to.equal(20);
        const nonces = await Promise.all(
          results.map(async (result) => (await env.provider.getTransaction(result.transactionHash))?.nonce),
        );
        expect([...nonces].sort((a, b) => Number(a) - Number(b))).to.deep.equal(
          Array.from({ length: 20 }, (_, i) => first + i),
        );
        for (const result of results) expect(await anchoredLogs(result.commitment)).to.equal(1);
      });

      it("shares the nonce manager between two clients of one signer", async function () {
        const second = await env.connect("writer", { journal: false });
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 === 0 ? ledger("writer") : second).doctor.putRecord({
              patient: address("patient3"),
              resource: observation(label(`two-clients-${i}`)),
            }),
          ),
        );
        expect(results).to.have.length(10);
        await second.close();
      });

      it("repeats a write that crashed between storing and anchoring without anchoring twice", async function () {
        const journal = join(env.directory, "journals", "crash-before-send");
        let journalled = "";
        const crashing = await env.connect("writer", {
          journal,
          faults: {
            afterStore: ({ commitments }) => {
              journalled = commitments[0];
              throw new SimulatedCrash();
            },
          },
        });
        const resource = observation(label("crash-before-send"));
        const nonce = await nonceOf("writer");
        await rejection(crashing.doctor.putRecord({ patient: address("patient3"), resource }), SimulatedCrash);
        expect(await nonceOf("writer")).to.equal(nonce);
        expect(
          (await ledger("writer").recordOf({ patient: address("patient3"), commitment: journalled })).author,
        ).to.equal(ZeroAddress);
        await crashing.close();

        const restarted = await env.connect("writer", { journal });
        const result = await restarted.doctor.putRecord({ patient: address("patient3"), resource });
        expect(result).to.include({ commitment: journalled, resumed: true, reused: false });
        expect(await anchoredLogs(journalled)).to.equal(1);
        const again = await restarted.doctor.putRecord({ patient: address("patient3"), resource });
        expect(again).to.include({ commitment: journalled, reused: true });
        expect(await anchoredLogs(journalled)).to.equal(1);
        await restarted.close();
      });

      it("repeats a write that crashed after anchoring, before the journal completed, without a second transaction", async function () {
        const journal = join(env.directory, "journals", "crash-after-send");
        let sentHash = "";
        const crashing = await env.connect("writer", {
          journal,
          faults: {
            afterBroadcast: ({ transactionHash }) => {
              sentHash = transactionHash;
              throw new SimulatedCrash();
            },
          },
        });
        const resource = observation(label("crash-after-send"));
        await rejection(crashing.doctor.putRecord({ patient: address("patient3"), resource }), SimulatedCrash);
        await crashing.close();
        const nonce = await nonceOf("writer");
        const restarted = await env.connect("writer", { journal });
        // The journal only says "prepared": the record is found on-chain, with the first transaction.
        const result = await restarted.doctor.putRecord({ patient: address("patient3"), resource });
        expect(result).to.include({ transactionHash: sentHash, reused: true, resumed: true });
        expect(await nonceOf("writer")).to.equal(nonce);
        expect(await anchoredLogs(result.commitment)).to.equal(1);
        await restarted.close();
      });

      it("maps RecordRegistryAlreadyAnchored from a concurrent anchoring to the existing record", async function () {
        const registry = RecordRegistry__factory.connect(env.addresses.registry, env.actor("writer").signer);
        let racingHash = "";
        const racing = await env.connect("writer", {
          journal: false,
          faults: {
            afterStore: async ({ commitments }) => {
              // Another process of the same author anchors the journalled record's content commitment
              // first (named by the record commitment's stored preimage).
              const { contentCommitment } = parseBoundPreimage(await env.store.get(locatorRefOf(commitments[0])));
              const tx = await registry.anchorRecord(
                address("patient3"),
                contentCommitment,
                RecordType.ClinicalNote,
                false,
              );
              racingHash = (await tx.wait())?.hash ?? "";
            },
          },
        });
        const result = await racing.doctor.putRecord({
          patient: address("patient3"),
          resource: observation(label("race")),
        });
        expect(result).to.include({ reused: true, transactionHash: racingHash });
        expect(await anchoredLogs(result.commitment)).to.equal(1);
        await racing.close();
      });

      it("makes a repeated batch idempotent too", async function () {
        const records = [0, 1].map((i) => ({
          patient: address("patient3"),
          resource: observation(label(`batch-again-${i}`)),
        }));
        const first = await ledger("writer").doctor.putRecordsBatch({
          records,
          idempotencyKey: `batch-${label("key")}`,
        });
        const nonce = await nonceOf("writer");
        const again = await ledger("writer").doctor.putRecordsBatch({ records, idempotencyKey: first.idempotencyKey });
        expect(again).to.include({ root: first.root, reused: true });
        expect(await nonceOf("writer")).to.equal(nonce);
      });

      if (transport === "json-rpc") {
        it("retries transient RPC failures (HTTP 503) and never retries a revert", async function () {
          const proxy = await FlakyProxy.start(env.url as string);
          const provider = new JsonRpcProvider(proxy.url, undefined, { cacheTimeout: -1, batchMaxCount: 1 });
          try {
            const flaky = await env.connect("doctor2", {
              signer: new Wallet(env.actor("doctor2").privateKey, provider),
              journal: false,
              retry: { baseDelayMs: 5, maxDelayMs: 20, retries: 6 },
            });
            proxy.failEvery = 3;
            const posted = await flaky.doctor.putRecord({
              patient: address("patient2"),
              resource: observation(label("flaky")),
            });
            const read = await flaky.doctor.readRecord({ patient: address("patient2"), commitment: posted.commitment });
            expect(read.commitment).to.equal(posted.commitment);
            expect(proxy.failures).to.be.greaterThan(0);
            expect(await anchoredLogs(posted.commitment)).to.equal(1);

            proxy.failEvery = 0;
            const estimates = proxy.count("eth_estimateGas");
            await rejection(
              flaky.registrar.registerProvider({ account: address("stranger"), kind: ProviderKind.Doctor }),
              ContractRevertError,
            );
            expect(proxy.count("eth_estimateGas")).to.equal(estimates + 1);
            await flaky.close();
          } finally {
            provider.destroy();
            await proxy.stop();
          }
        });

        it("waits for the requested confirmations", async function () {
          const miner = setInterval(() => void env.rpc("evm_mine").catch(() => undefined), 100);
          try {
            const posted = await ledger("doctor").doctor.putRecord({
              patient: address("patient2"),
              resource: observation(label("confirmations")),
              confirmations: 3,
            });
            const head = await env.provider.getBlockNumber();
            expect(head - posted.blockNumber + 1).to.be.at.least(3);
          } finally {
            clearInterval(miner);
          }
        });
      }
    });

    describe("bad input", function () {
      /** Runs a failing write and checks that the store and the signer's nonce did not move. */
      async function refusedWithoutWriting<E extends Error>(
        actor: ActorName,
        call: () => Promise<unknown>,
        type: new (...args: never[]) => E,
      ): Promise<E> {
        const stored = await listing(env.store);
        const nonce = await nonceOf(actor);
        const error = await rejection(call(), type);
        expect(await listing(env.store)).to.deep.equal(stored);
        expect(await nonceOf(actor)).to.equal(nonce);
        return error;
      }

      it("rejects malformed FHIR, naming the element, with nothing written", async function () {
        const marker = label("malformed");
        const resource: Record<string, unknown> = { ...observation(marker) };
        delete resource.status;
        const error = await refusedWithoutWriting(
          "doctor",
          () => ledger("doctor").doctor.putRecord({ patient: address("patient"), resource }),
          InvalidFhirResourceError,
        );
        expect(error).to.include({ path: "Observation.status", violation: "required" });
        expect(errorText(error)).to.not.include(marker);
      });

      it("rejects an oversized payload, stating the limit, with nothing written", async function () {
        const marker = label("oversized");
        const error = await refusedWithoutWriting(
          "doctor",
          () =>
            ledger("doctor").doctor.putRecord({
              patient: address("patient"),
              resource: oversizedObservation(marker, MAX_PAYLOAD_BYTES),
            }),
          PayloadTooLargeError,
        );
        expect(error.limit).to.equal(MAX_PAYLOAD_BYTES);
        expect(error.size).to.be.greaterThan(MAX_PAYLOAD_BYTES);
        expect(error.message).to.include(String(MAX_PAYLOAD_BYTES));
        expect(errorText(error)).to.not.include(marker);
      });

      it("rejects a workflow resource of the wrong FHIR type, with nothing written", async function () {
        const error = await refusedWithoutWriting(
          "doctor",
          () =>
            ledger("doctor").doctor.issuePrescription({
              patient: address("patient"),
              medicationRequest: observation(label("wrong-type")),
              terms: { quantity: 1 },
            }),
          InvalidArgumentError,
        );
        expect(error.argument).to.equal("medicationRequest");
      });

      it("rejects an unregistered account, with nothing written", async function () {
        const marker = label("unregistered");
        const error = await refusedWithoutWriting(
          "stranger",
          () => ledger("stranger").doctor.putRecord({ patient: address("patient"), resource: observation(marker) }),
          UnregisteredAccountError,
        );
        expect(error).to.include({ account: address("stranger"), actual: "None" });
        const asPharmacy = await refusedWithoutWriting(
          "doctor",
          () =>
            ledger("doctor").pharmacy.dispensePrescription({
              patient: address("patient"),
              prescription: id("no-such-prescription"),
              amount: 1,
              medicationDispense: medicationDispense(marker),
            }),
          UnregisteredAccountError,
        );
        expect(asPharmacy).to.include({ expected: "Pharmacy", actual: "Doctor" });
      });

      it("rejects a patient without a registered public key, with nothing written", async function () {
        const nobody = Wallet.createRandom().address;
        const error = await refusedWithoutWriting(
          "doctor",
          () => ledger("doctor").doctor.putRecord({ patient: nobody, resource: observation(label("no-key")) }),
          PublicKeyNotRegisteredError,
        );
        expect(error.account).to.equal(nobody);
      });

      it("rejects malformed arguments with InvalidArgumentError naming them, with nothing written or resolved", async function () {
        const cases: [string, () => Promise<unknown>][] = [
          [
            "patient",
            () => ledger("doctor").doctor.putRecord({ patient: "0x1234", resource: observation(label("a")) }),
          ],
          [
            "patient",
            () =>
              ledger("doctor").doctor.putRecord({
                patient: address("patient").toLowerCase().replace("0x", "0X"),
                resource: observation(label("b")),
              }),
          ],
          [
            "grantee",
            () =>
              ledger("patient").patient.grantConsent({
                grantee: "vitalik.eth",
                scope: "all",
                purpose: Purpose.Treatment,
              }),
          ],
          [
            "scope.record",
            () =>
              ledger("patient").patient.grantConsent({
                grantee: address("doctor"),
                scope: { record: "0x12" },
                purpose: Purpose.Treatment,
              }),
          ],
          [
            "purpose",
            () =>
              ledger("patient").patient.grantConsent({
                grantee: address("doctor"),
                scope: "all",
                purpose: 99 as Purpose,
              }),
          ],
          ["commitment", () => ledger("patient").patient.readRecord({ commitment: "not hex" })],
          [
            "terms.quantity",
            () =>
              ledger("doctor").doctor.issuePrescription({
                patient: address("patient"),
                medicationRequest: medicationRequest(label("c")),
                terms: { quantity: -1 },
              }),
          ],
          ["records", () => ledger("doctor").doctor.putRecordsBatch({ records: [] })],
        ];
        for (const [argument, call] of cases) {
          const error = await refusedWithoutWriting("doctor", call, InvalidArgumentError);
          expect(error.argument).to.equal(argument);
        }
      });

      it("reports an unknown record as RecordNotFoundError on the chain", async function () {
        const unknown = id("never-anchored");
        const error = await rejection(
          ledger("patient").patient.readRecord({ commitment: unknown }),
          RecordNotFoundError,
        );
        expect(error).to.include({ location: "chain", patient: address("patient"), commitment: unknown });
      });

      describe("on read", function () {
        let posted: Awaited<ReturnType<CareLedger["doctor"]["putRecord"]>>;
        const marker = label("read-errors");

        before(async function () {
          posted = await ledger("doctor").doctor.putRecord({
            patient: address("patient"),
            resource: observation(marker),
          });
        });

        it("refuses another account's keyring file at connect with InvalidArgumentError", async function () {
          const error = await rejection(
            env.connect("patient", { keyring: keyringPath("patient2"), publishKey: false, journal: false }),
            InvalidArgumentError,
          );
          expect(error.argument).to.equal("keyring");
        });

        it("refuses a keyring whose key is not the one the patient published with DecryptionError", async function () {
          // The patient's own keyring file, with every private key replaced: same account and versions.
          const file = JSON.parse(await readFile(keyringPath("patient"), "utf8")) as {
            keys: { version: number; privateKey: string }[];
          };
          for (const key of file.keys) key.privateKey = hexlify(randomBytes(32));
          const forged = join(env.directory, "forged-patient-keys.json");
          await writeFile(forged, JSON.stringify(file));
          const wrongKey = await env.connect("patient", { keyring: forged, publishKey: false, journal: false });
          try {
            const error = await rejection(
              wrongKey.patient.readRecord({ commitment: posted.commitment }),
              DecryptionError,
            );
            expect(error.format).to.equal("hpke");
            expect(errorText(error)).to.not.include(marker);
          } finally {
            await wrongKey.close();
          }
        });

        it("refuses a grantee whose client has no custodians with KeyUnavailableError, and reads with them", async function () {
          const withoutCustodians = await env.connect("relayer", { custodians: [], journal: false });
          await ledger("patient").patient.grantConsent({
            grantee: address("relayer"),
            scope: { record: posted.commitment },
            purpose: Purpose.Payment,
          });
          const read = {
            patient: address("patient"),
            commitment: posted.commitment,
            purpose: Purpose.Payment,
          };
          try {
            const error = await rejection(withoutCustodians.readRecord(read), KeyUnavailableError);
            // Nothing was sealed to the relayer: the zero address as recipient says so.
            expect(error).to.include({ reader: address("relayer"), recipient: ZeroAddress });
          } finally {
            await withoutCustodians.close();
          }
          expect((await ledger("relayer").readRecord(read)).commitment).to.equal(posted.commitment);
        });

        it("catches a truncated envelope served by a store that does not verify, by its commitment", async function () {
          const tampering = new TamperingStore(env.store);
          tampering.tamper(posted.envelopeRef, (bytes) => bytes.subarray(0, bytes.length - 1));
          const reader = await env.connect("patient", { store: tampering, journal: false });
          const error = await rejection(reader.patient.readRecord({ commitment: posted.commitment }), IntegrityError);
          expect(error).to.include({ subject: "record-commitment", expected: posted.commitment });
          await reader.close();
        });

        it("catches an altered sealed key served by a store that does not verify, by its commitment", async function () {
          const tampering = new TamperingStore(env.store);
          // A byte of the first sealed key in the envelope's key section (format, count, reader, version, key).
          tampering.tamper(posted.envelopeRef, (bytes) => {
            const copy = bytes.slice();
            copy[RECORD_ENVELOPE_HEADER_LENGTH + 2 + 20 + 4 + 8] ^= 0x01;
            return copy;
          });
          const reader = await env.connect("patient", { store: tampering, journal: false });
          try {
            const error = await rejection(reader.patient.readRecord({ commitment: posted.commitment }), IntegrityError);
            expect(error).to.include({ subject: "record-commitment", expected: posted.commitment });
          } finally {
            await reader.close();
          }
        });

        it("catches ciphertext altered on disk with IntegrityError", async function () {
          await flipByte(env.blobPath(posted.envelopeRef));
          const error = await rejection(
            ledger("patient").patient.readRecord({ commitment: posted.commitment }),
            IntegrityError,
          );
          expect(error.subject).to.equal("content-address");
          expect(errorText(error)).to.not.include(marker);
        });
      });

      it("never puts payload content in journals, keyrings, custodians' release logs or stored objects in the clear", async function () {
        const marker = label("leak-check");
        const posted = await ledger("doctor").doctor.putRecord({
          patient: address("patient"),
          resource: observation(marker),
        });
        await ledger("patient").patient.grantConsent({
          grantee: address("doctor3"),
          scope: { record: posted.commitment },
          purpose: Purpose.Treatment,
        });
        await ledger("doctor3").doctor.readRecord({ patient: address("patient"), commitment: posted.commitment });
        const files = await filesUnder(env.directory);
        expect(files.filter((file) => file.includes(join(env.directory, "custodians")))).to.not.deep.equal([]);
        for (const file of files) {
          const text = (await readFile(file)).toString("latin1");
          expect(text.includes(marker), file).to.equal(false);
        }
      });
    });

    describe("errors", function () {
      it("are CareLedgerErrors with a code", async function () {
        const error: CareLedgerError = await rejection(
          ledger("patient").patient.readRecord({ commitment: id("unknown-again") }),
          RecordNotFoundError,
        );
        expect(error.code).to.equal("RECORD_NOT_FOUND");
      });
    });
  });
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
