// Organisations on separate machines: a JSON-RPC node, three key custodians (2-of-3) as separate
// processes, and a registrar, doctors, a pharmacy, a laboratory, an emergency department, patients
// and an heir, each a separate OS process with its own data directory. They share the RPC URL, the
// deployment file and the network addresses of the custodians and of each other's IPFS nodes —
// nothing else. Every read below fetches the envelope over libp2p from the writer's node and, unless
// the reader is the patient or the author, obtains the key from the custodians, who ask the chain.
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../../client/index.js";
import { EncryptionKeyring } from "../../client/key-release/encryption-keyring.js";
import { hpkeOpen } from "../../client/key-release/hpke.js";
import { decodeShareBundle, shareAad, SHARE_SEAL_INFO, combineShares } from "../../client/key-release/share-bundle.js";
import { HeliaStore } from "../../client/storage/index.js";
import { envelopeRefOf, locatorRefOf, parseCommitmentPreimage, openRecord } from "../../client/crypto/index.js";
import { parseBoundPreimage } from "../../client/crypto/commitment.js";
import { keySectionOf, recordContext } from "../../client/sdk/records/record-crypto.js";
import {
  diagnosticReport,
  medicationDispense,
  medicationRequest,
  observationNote,
  serviceRequest,
} from "../../harness/demo-resources.js";
import { startOrganisationsWorld, type OrganisationsWorld, type Party } from "../../harness/organisations.js";
import { DAY } from "../../client/time-units.js";

const REASON_UNRESPONSIVE = 1;

interface Written {
  commitment: string;
  patient: string;
}

describe("organisations on separate machines (processes, directories, loopback network)", function () {
  this.timeout(600_000);

  let world: OrganisationsWorld;
  const party: Record<string, Party> = {};
  /** Every read through the custodians that the chain allowed: `requester|commitment|purpose`. */
  const allowedReads = new Set<string>();

  const readAs = async (reader: Party, written: Written, purpose: Purpose, role = "doctor") => {
    const result = await reader.call<{ author: string; recordType: number; resource: { resourceType: string } }>(
      role,
      "readRecord",
      { patient: written.patient, commitment: written.commitment, purpose },
    );
    allowedReads.add(`${reader.address}|${written.commitment}|${purpose}`);
    return result;
  };
  const refusal = async (reader: Party, written: Written, purpose: Purpose) =>
    (
      await reader.failure("doctor", "readRecord", {
        patient: written.patient,
        commitment: written.commitment,
        purpose,
      })
    ).name;
  const advance = async (seconds: number) => {
    await world.node.provider.send("evm_increaseTime", [seconds]);
    await world.node.provider.send("evm_mine", []);
  };
  const now = async () => (await world.node.provider.getBlock("latest"))?.timestamp ?? 0;
  const note = async (author: Party, patient: Party): Promise<Written> => {
    const written = await author.call<{ commitment: string }>("doctor", "putRecord", {
      patient: patient.address,
      resource: observationNote(patient.address),
      recordType: RecordType.ClinicalNote,
    });
    return { commitment: written.commitment, patient: patient.address };
  };

  before(async function () {
    world = await startOrganisationsWorld();
    for (const name of [
      "registrar",
      "doctor",
      "doctor2",
      "pharmacy",
      "lab",
      "emergency",
      "patient",
      "patient2",
      "heir",
      "stranger",
      "hospital",
      "hospitalDoctor",
    ] as const) {
      party[name] = await world.startParty(name);
    }
    const registrations: [string, ProviderKind, ProviderForm][] = [
      ["doctor", ProviderKind.Doctor, ProviderForm.Practitioner],
      ["doctor2", ProviderKind.Doctor, ProviderForm.Practitioner],
      ["pharmacy", ProviderKind.Pharmacy, ProviderForm.Organisation],
      ["lab", ProviderKind.Laboratory, ProviderForm.Organisation],
      ["emergency", ProviderKind.EmergencyDepartment, ProviderForm.Organisation],
      ["hospital", ProviderKind.Hospital, ProviderForm.Organisation],
    ];
    for (const [name, kind, form] of registrations) {
      await party.registrar.call("registrar", "registerProvider", {
        account: party[name].address,
        kind,
        form,
        hipaa: HipaaRole.CoveredEntity,
      });
    }
    await party.registrar.call("registrar", "registerProvider", {
      account: party.hospitalDoctor.address,
      kind: ProviderKind.Doctor,
      form: ProviderForm.Practitioner,
      hipaa: HipaaRole.CoveredEntity,
      organisation: party.hospital.address,
    });
  });

  after(async function () {
    await world?.close();
  });

  it("prescription, patient consent, then the pharmacy reads and dispenses", async function () {
    const expiresAt = (await now()) + 14 * DAY;
    const rx = await party.doctor.call<{ prescription: string }>("doctor", "issuePrescription", {
      patient: party.patient.address,
      medicationRequest: medicationRequest(party.patient.address),
      terms: { pharmacy: party.pharmacy.address, quantity: 30, refills: 0, expiresAt },
    });
    const written = { commitment: rx.prescription, patient: party.patient.address };
    expect(await refusal(party.pharmacy, written, Purpose.Dispensing)).to.equal("AccessDeniedError");

    await party.patient.call("patient", "grantConsent", {
      grantee: party.pharmacy.address,
      scope: { record: rx.prescription },
      purpose: Purpose.Dispensing,
    });
    const read = await readAs(party.pharmacy, written, Purpose.Dispensing, "pharmacy");
    expect(read.resource.resourceType).to.equal("MedicationRequest");
    expect(read.author).to.equal(party.doctor.address);
    expect(read.recordType).to.equal(RecordType.Prescription);

    const dispensed = await party.pharmacy.call<{ totalDispensed: number }>("pharmacy", "dispensePrescription", {
      patient: party.patient.address,
      prescription: rx.prescription,
      amount: 10,
      medicationDispense: medicationDispense(party.patient.address, rx.prescription, 10),
    });
    expect(Number(dispensed.totalDispensed)).to.equal(10);
  });

  it("lab order, result, the patient is alerted and reads, shares with a second doctor who reads", async function () {
    await party.patient.alerts();
    const order = await party.doctor.call<{ order: string }>("doctor", "orderLabTest", {
      patient: party.patient.address,
      serviceRequest: serviceRequest(party.patient.address),
      laboratory: party.lab.address,
    });
    const posted = await party.lab.call<{ result: string }>("laboratory", "postLabResult", {
      patient: party.patient.address,
      order: order.order,
      diagnosticReport: diagnosticReport(party.patient.address, order.order),
    });
    const written = { commitment: posted.result, patient: party.patient.address };
    let alerted = false;
    for (let attempt = 0; attempt < 100 && !alerted; attempt += 1) {
      alerted = (await party.patient.alerts()).some((alert) => alert.kind === "lab-result");
      if (!alerted) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(alerted, "the patient's process received the LabResultPosted alert").to.equal(true);

    const own = await party.patient.call<{ resource: { resourceType: string }; author: string }>(
      "patient",
      "readRecord",
      { commitment: posted.result },
    );
    expect(own.resource.resourceType).to.equal("DiagnosticReport");
    expect(own.author).to.equal(party.lab.address);

    expect(await refusal(party.doctor2, written, Purpose.Treatment)).to.equal("AccessDeniedError");
    await party.patient.call("patient", "grantConsent", {
      grantee: party.doctor2.address,
      scope: { record: posted.result },
      purpose: Purpose.Treatment,
    });
    const shared = await readAs(party.doctor2, written, Purpose.Treatment);
    expect(shared.resource.resourceType).to.equal("DiagnosticReport");
    expect(shared.author).to.equal(party.lab.address);
  });

  it("the emergency department is refused before break-glass, reads during it, and is refused after", async function () {
    const written = await note(party.doctor, party.patient);
    expect(await refusal(party.emergency, written, Purpose.Emergency)).to.equal("AccessDeniedError");

    await party.emergency.call("emergency", "openEmergencyAccess", {
      patient: party.patient.address,
      reasonCode: REASON_UNRESPONSIVE,
      durationSeconds: 60 * 60,
    });
    const read = await readAs(party.emergency, written, Purpose.Emergency, "emergency");
    expect(read.resource.resourceType).to.equal("Observation");

    await advance(60 * 60 + 1);
    expect(await refusal(party.emergency, written, Purpose.Emergency)).to.equal("AccessDeniedError");
  });

  it("an heir reads after the recorded death, and could not before", async function () {
    await party.patient2.call("patient", "designateHeir", { heir: party.heir.address });
    const written = await note(party.doctor, party.patient2);
    expect(await refusal(party.heir, written, Purpose.Inheritance)).to.equal("AccessDeniedError");

    await party.registrar.call("registrar", "recordDeath", { patient: party.patient2.address });
    // A recorded death opens nothing to heirs while the patient may still contest it (7 days).
    expect(await refusal(party.heir, written, Purpose.Inheritance)).to.equal("AccessDeniedError");
    await advance(7 * DAY + 1);
    const read = await readAs(party.heir, written, Purpose.Inheritance);
    expect(read.resource.resourceType).to.equal("Observation");
  });

  it("a check-in opens the hospital's doctors for 24 hours and then closes", async function () {
    const written = await note(party.doctor, party.patient);
    expect(await refusal(party.hospitalDoctor, written, Purpose.Treatment)).to.equal("AccessDeniedError");

    const visit = await party.patient.call("patient", "signCheckIn", { hospital: party.hospital.address });
    await party.hospital.call("hospital", "recordCheckIn", { patient: party.patient.address, visit });
    const read = await readAs(party.hospitalDoctor, written, Purpose.Treatment);
    expect(read.resource.resourceType).to.equal("Observation");

    await advance(DAY + 1);
    expect(await refusal(party.hospitalDoctor, written, Purpose.Treatment)).to.equal("AccessDeniedError");
  });

  it("a record anchored in a batch is read on another machine from the location its writer handed over", async function () {
    const batch = await party.doctor.call<{
      root: string;
      records: { patient: string; commitment: string; recordType: number; sensitive: boolean; proof: string[] }[];
    }>("doctor", "putRecordsBatch", {
      records: [0, 1, 2].map(() => ({
        patient: party.patient.address,
        resource: observationNote(party.patient.address),
        recordType: RecordType.ClinicalNote,
      })),
    });
    const leaf = batch.records[1];
    const location = { root: batch.root, recordType: leaf.recordType, sensitive: leaf.sensitive, proof: leaf.proof };
    const read = (reader: Party) =>
      reader.call<{ resource: { resourceType: string }; author: string }>("doctor", "readRecord", {
        patient: leaf.patient,
        commitment: leaf.commitment,
        purpose: Purpose.Treatment,
        batch: location,
      });
    // Without a grant the custodians refuse; with a record-level grant the second doctor reads.
    const before = await party.doctor2.failure("doctor", "readRecord", {
      patient: leaf.patient,
      commitment: leaf.commitment,
      purpose: Purpose.Treatment,
      batch: location,
    });
    expect(before.name).to.equal("AccessDeniedError");
    await party.patient.call("patient", "grantConsent", {
      grantee: party.doctor2.address,
      scope: { record: leaf.commitment },
      purpose: Purpose.Treatment,
    });
    const shared = await read(party.doctor2);
    allowedReads.add(`${party.doctor2.address}|${leaf.commitment}|${Purpose.Treatment}`);
    expect(shared.resource.resourceType).to.equal("Observation");
    expect(shared.author).to.equal(party.doctor.address);
  });

  it("revoked grantees, strangers and suspended providers get nothing from any custodian", async function () {
    const written = await note(party.doctor, party.patient);
    const grant = await party.patient.call<{ grantId: string }>("patient", "grantConsent", {
      grantee: party.doctor2.address,
      scope: { record: written.commitment },
      purpose: Purpose.Treatment,
    });
    await readAs(party.doctor2, written, Purpose.Treatment);
    await party.patient.call("patient", "revokeConsent", { grantId: grant.grantId });
    expect(await refusal(party.doctor2, written, Purpose.Treatment)).to.equal("AccessDeniedError");
    expect(await refusal(party.stranger, written, Purpose.Treatment)).to.equal("AccessDeniedError");

    const third = await note(party.doctor, party.patient);
    await party.patient.call("patient", "grantConsent", {
      grantee: party.lab.address,
      scope: { record: third.commitment },
      purpose: Purpose.Treatment,
    });
    await party.registrar.call("registrar", "suspendProvider", {
      account: party.lab.address,
      reasonCode: `0x${"00".repeat(31)}01`,
    });
    try {
      expect(await refusal(party.lab, third, Purpose.Treatment)).to.equal("AccessDeniedError");
    } finally {
      await party.registrar.call("registrar", "reinstateProvider", { account: party.lab.address });
    }
  });

  it("a custodian colluding with a reader the chain denies cannot decrypt", async function () {
    const written = await note(party.doctor, party.patient);
    // The colluders' machine: a fresh IPFS node that peers with the doctor's, and custodian 0's keys.
    const attacker = await HeliaStore.open(join(world.root, "attacker-ipfs"), {
      network: { listen: ["/ip4/127.0.0.1/tcp/0"], peers: await party.doctor.multiaddrs(), fetchTimeoutMs: 10_000 },
    });
    try {
      // From the record commitment on the chain: its preimage names the content commitment, whose
      // preimage names the envelope.
      const { contentCommitment } = parseBoundPreimage(await attacker.get(locatorRefOf(written.commitment)));
      const preimage = parseCommitmentPreimage(await attacker.get(locatorRefOf(contentCommitment)));
      const envelope = await attacker.get(envelopeRefOf(preimage.envelopeHash));
      const { section, salt } = keySectionOf(envelope);
      const bundle = decodeShareBundle(section.custodianBundle);
      const custodian = world.custodians[0];
      const keyring = await EncryptionKeyring.open(join(custodian.dataDir, "custodian-keys.json"), custodian.address);
      const mine = bundle.shares.find((share) => share.custodian === custodian.address);
      if (mine === undefined) throw new Error("custodian 0 holds no share");
      const binding = {
        chainId: (await world.node.provider.getNetwork()).chainId,
        registry: await world.contracts.registry.getAddress(),
        patient: written.patient,
        salt,
        author: party.doctor.address,
      };
      const share = await hpkeOpen(
        (keyring.byVersion(mine.keyVersion) ?? keyring.current()).privateKey,
        mine.sealed,
        SHARE_SEAL_INFO,
        shareAad(binding, custodian.address, mine.index, bundle.threshold, bundle.shares.length),
      );
      // One genuine share plus a guess at a second is not the key: the envelope refuses to open.
      const guess = Uint8Array.from(share);
      guess[guess.length - 1] = (share[share.length - 1] % 255) + 1;
      guess[0] ^= 0x5a;
      const wrongKey = await combineShares([share, guess]);
      const context = recordContext(
        binding.chainId,
        binding.registry,
        written.patient,
        party.doctor.address,
        RecordType.ClinicalNote,
      );
      expect(() => openRecord({ envelopeBytes: envelope, dataKey: wrongKey, context })).to.throw();
      // And the denied reader gets nothing from the other custodians.
      expect(await refusal(party.stranger, written, Purpose.Treatment)).to.equal("AccessDeniedError");
    } finally {
      await attacker.close();
    }
  });

  it("reads work with one custodian down and fail with a typed error with two down", async function () {
    const written = await note(party.doctor, party.patient);
    await party.patient.call("patient", "grantConsent", {
      grantee: party.doctor2.address,
      scope: { record: written.commitment },
      purpose: Purpose.Treatment,
    });
    const [first, second] = world.custodians;
    await first.kill();
    try {
      expect((await readAs(party.doctor2, written, Purpose.Treatment)).resource.resourceType).to.equal("Observation");
      await second.kill();
      const failure = await party.doctor2.failure("doctor", "readRecord", {
        patient: written.patient,
        commitment: written.commitment,
        purpose: Purpose.Treatment,
      });
      expect(failure.name).to.equal("KeyReleaseUnavailableError");
      expect(failure.code).to.equal("KEY_RELEASE_UNAVAILABLE");
    } finally {
      await first.restart();
      await second.restart();
    }
    expect((await readAs(party.doctor2, written, Purpose.Treatment)).resource.resourceType).to.equal("Observation");
  });

  it("a custodian killed mid-request keeps its key share and its log across the restart", async function () {
    const written = await note(party.doctor, party.patient);
    await party.patient.call("patient", "grantConsent", {
      grantee: party.doctor2.address,
      scope: { record: written.commitment },
      purpose: Purpose.Treatment,
    });
    const victim = world.custodians[2];
    const logPath = join(victim.dataDir, "releases.jsonl");
    const reads = Array.from({ length: 8 }, () =>
      readAs(party.doctor2, written, Purpose.Treatment).then(
        () => true,
        () => false,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await victim.kill();
    const outcomes = await Promise.all(reads);
    // Two custodians remain: every read still succeeds.
    expect(outcomes.filter(Boolean)).to.have.length(8);
    const logBefore = await readFile(logPath, "utf8").catch(() => "");
    await victim.restart();
    const logAfter = await readFile(logPath, "utf8");
    const complete = (text: string) => text.split("\n").filter((line) => line.endsWith("}")).length;
    expect(complete(logAfter)).to.be.at.least(complete(logBefore));

    // The restarted custodian still opens shares sealed to its key before the kill: with the other two
    // down, it and one more must answer.
    await world.custodians[0].kill();
    try {
      expect((await readAs(party.doctor2, written, Purpose.Treatment)).resource.resourceType).to.equal("Observation");
    } finally {
      await world.custodians[0].restart();
    }
  });

  it("every release in the custodians' logs matches a read the chain allowed, and nothing else", async function () {
    const written = await note(party.doctor, party.patient);
    await party.patient.call("patient", "grantConsent", {
      grantee: party.doctor2.address,
      scope: { record: written.commitment },
      purpose: Purpose.Treatment,
    });
    await readAs(party.doctor2, written, Purpose.Treatment);
    expect(await refusal(party.stranger, written, Purpose.Treatment)).to.equal("AccessDeniedError");

    const listing = await party.patient.call<{
      entries: { requester: string; commitment: string; purpose: number; blockNumber: number; custodian: string }[];
    }>("patient", "listReleases");
    expect(listing.entries.length).to.be.greaterThan(0);
    for (const entry of listing.entries) {
      expect(
        allowedReads.has(`${entry.requester}|${entry.commitment}|${entry.purpose}`),
        JSON.stringify(entry),
      ).to.equal(true);
      expect(entry.requester).to.not.equal(party.stranger.address);
    }
    const forThisRead = listing.entries.filter((entry) => entry.commitment === written.commitment);
    expect(forThisRead.length).to.be.at.least(2);
  });
});
