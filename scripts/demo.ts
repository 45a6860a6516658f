// npm run demo — the whole CareLedger story on the embedded default: an in-process EVM (Hardhat's
// EDR) served over JSON-RPC on 127.0.0.1, the contracts deployed fresh, three key custodians and
// every party (registrar, doctors, pharmacy, laboratory, emergency department, patient) as separate
// processes with their own data directories, exchanging records over IPFS on loopback. Each step
// prints what happened and its gas; the run ends with a gas table and a short HSE replay.
import path from "node:path";

import { JsonRpcProvider, Wallet } from "ethers";
import { network } from "hardhat";

import { HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../client/index.js";
import { devAccountKey } from "../harness/hardhat-node.js";
import { serveJsonRpc } from "../harness/json-rpc-bridge.js";
import { PartyCallError, startOrganisationsWorld, type Party } from "../harness/organisations.js";
import { main as replayMain } from "../replay/cli.js";
import {
  diagnosticReport,
  medicationDispense,
  medicationRequest,
  observationNote,
  serviceRequest,
} from "../harness/demo-resources.js";
import { DAY, HOUR } from "../client/time-units.js";

/** A reason code from the deployment's published list: 1 = unresponsive patient. */
const REASON_UNRESPONSIVE = 1;

const gasRows: { step: string; gas: bigint }[] = [];
let stepNumber = 0;

function step(title: string): void {
  stepNumber += 1;
  console.log(`\n${stepNumber}. ${title}`);
}

function done(what: string, gas?: unknown): void {
  const used = gas === undefined ? undefined : BigInt(String(gas));
  if (used !== undefined) gasRows.push({ step: what, gas: used });
  console.log(`   ✔ ${what}${used === undefined ? "" : `  (${used.toLocaleString("en-US")} gas)`}`);
}

async function expectRefusal(what: string, attempt: () => Promise<unknown>): Promise<void> {
  try {
    await attempt();
  } catch (error) {
    if (!(error instanceof PartyCallError)) throw error;
    const { name, errorName } = error.error;
    console.log(`   ✘ ${what}: refused (${errorName === undefined ? name : `${name}: ${errorName}`})`);
    return;
  }
  throw new Error(`The demo expected "${what}" to be refused, and it was not.`);
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log("CareLedger demo: an in-process EVM, fresh contracts, every party in its own process.");
  const connection = await network.create();
  const bridge = await serveJsonRpc(connection.provider);
  const provider = new JsonRpcProvider(bridge.url, undefined, { cacheTimeout: -1 });
  const chain = {
    url: bridge.url,
    provider,
    wallet: (index: number) => new Wallet(devAccountKey(index), provider),
    stop: async () => {
      provider.destroy();
      await bridge.close();
      await connection.close();
    },
  };

  step("Deploy the contracts; start three key custodians (any 2 of 3 release a record key)");
  const world = await startOrganisationsWorld({ chain });
  try {
    done(`${Object.keys(world.contracts).length} contracts deployed; chain served on ${bridge.url}`);
    for (const custodian of world.custodians) {
      done(`custodian ${custodian.address.slice(0, 10)}… listening on ${custodian.url} (own directory)`);
    }
    await story(world.startParty, async (seconds) => {
      await provider.send("evm_increaseTime", [seconds]);
      await provider.send("evm_mine", []);
    });
    console.log(`\n   Every party ran in its own process with its own directory under ${world.root}.`);
  } finally {
    await world.close();
  }

  console.log("\nGas of every transaction above (receipt.gasUsed, 21,000 base included):");
  const width = Math.max(...gasRows.map((r) => r.step.length));
  for (const row of gasRows) {
    console.log(`   ${row.step.padEnd(width)}  ${row.gas.toLocaleString("en-US").padStart(9)}`);
  }
  const total = gasRows.reduce((sum, r) => sum + r.gas, 0n);
  console.log(`   ${"total".padEnd(width)}  ${total.toLocaleString("en-US").padStart(9)}`);

  step("A short HSE cost replay (January 2020 outpatients, gas measured from the contracts)");
  const out = path.resolve("reports", "demo-replay");
  const code = await replayMain(["data/hse/op/op_group_hospital_2020-01.csv.gz", "--out", out, "--quiet"], {
    stdout: process.stdout,
    stderr: process.stderr,
    env: { ...process.env, CI: "true" },
  });
  if (code !== 0) throw new Error("The HSE replay failed.");

  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

type Gas = { gasUsed: string };

async function story(
  startParty: (
    name: "registrar" | "doctor" | "doctor2" | "pharmacy" | "lab" | "emergency" | "patient",
  ) => Promise<Party>,
  advance: (seconds: number) => Promise<void>,
): Promise<void> {
  step("Each organisation starts on its own: own keys, own IPFS node, peers by address");
  const registrar = await startParty("registrar");
  const doctor = await startParty("doctor");
  const secondDoctor = await startParty("doctor2");
  const pharmacy = await startParty("pharmacy");
  const lab = await startParty("lab");
  const ed = await startParty("emergency");
  const patient = await startParty("patient");
  done("registrar, two doctors, a pharmacy, a laboratory, an emergency department and a patient's phone");
  const patientAddress = patient.address;

  step("The registrar registers a doctor, a pharmacy, a laboratory and an emergency department");
  for (const [who, party, kind, form] of [
    ["doctor", doctor, ProviderKind.Doctor, ProviderForm.Practitioner],
    ["second doctor", secondDoctor, ProviderKind.Doctor, ProviderForm.Practitioner],
    ["pharmacy", pharmacy, ProviderKind.Pharmacy, ProviderForm.Organisation],
    ["laboratory", lab, ProviderKind.Laboratory, ProviderForm.Organisation],
    ["emergency department", ed, ProviderKind.EmergencyDepartment, ProviderForm.Organisation],
  ] as const) {
    const result = await registrar.call<Gas>("registrar", "registerProvider", {
      account: party.address,
      kind,
      form,
      hipaa: HipaaRole.CoveredEntity,
    });
    done(`registered the ${who} ${party.address.slice(0, 10)}…`, result.gasUsed);
  }
  await patient.alerts();

  step("The doctor writes a prescription (FHIR MedicationRequest, encrypted before it leaves)");
  const chainNow = Math.floor(Date.now() / 1000);
  const rx = await doctor.call<Gas & { prescription: string }>("doctor", "issuePrescription", {
    patient: patientAddress,
    medicationRequest: medicationRequest(patientAddress),
    terms: { pharmacy: pharmacy.address, quantity: 30, refills: 0, expiresAt: chainNow + 14 * DAY },
  });
  done(`prescription ${rx.prescription.slice(0, 12)}… for 30 units at the designated pharmacy`, rx.gasUsed);
  await expectRefusal("the pharmacy reading it before the patient consents", () =>
    pharmacy.call("pharmacy", "readRecord", { patient: patientAddress, commitment: rx.prescription }),
  );

  step("The patient consents to the pharmacy dispensing it");
  const grant = await patient.call<Gas & { grantId: string }>("patient", "grantConsent", {
    grantee: pharmacy.address,
    scope: { record: rx.prescription },
    purpose: Purpose.Dispensing,
    durationSeconds: 30 * DAY,
  });
  done(`consent ${grant.grantId.slice(0, 12)}… (no key moves: the custodians ask the chain)`, grant.gasUsed);

  step("The pharmacy fetches the prescription from the doctor's node, gets the key from 2 of 3 custodians");
  const read = await pharmacy.call<{ resource: { resourceType: string }; author: string }>("pharmacy", "readRecord", {
    patient: patientAddress,
    commitment: rx.prescription,
  });
  done(`read a ${read.resource.resourceType} by ${read.author.slice(0, 10)}… (author from the chain)`);
  const dispense = (amount: number) =>
    pharmacy.call<Gas>("pharmacy", "dispensePrescription", {
      patient: patientAddress,
      prescription: rx.prescription,
      amount,
      medicationDispense: medicationDispense(patientAddress, rx.prescription, amount),
    });
  const dispensed = await dispense(20);
  done(`dispensed 20 of 30 units (MedicationDispense record anchored)`, dispensed.gasUsed);
  await expectRefusal("a second dispense of 20 units, beyond the 10 left", () => dispense(20));

  step("The laboratory posts a result; the patient's phone is alerted and reads it");
  const order = await doctor.call<Gas & { order: string }>("doctor", "orderLabTest", {
    patient: patientAddress,
    serviceRequest: serviceRequest(patientAddress),
    laboratory: lab.address,
  });
  done(`the doctor ordered a test at the laboratory`, order.gasUsed);
  const result = await lab.call<Gas & { result: string }>("laboratory", "postLabResult", {
    patient: patientAddress,
    order: order.order,
    diagnosticReport: diagnosticReport(patientAddress, order.order),
  });
  done(`the laboratory posted the result`, result.gasUsed);
  let alerted = false;
  for (let attempt = 0; attempt < 200 && !alerted; attempt += 1) {
    alerted = (await patient.alerts()).some((alert) => alert.kind === "lab-result");
    if (!alerted) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!alerted) throw new Error("The patient was not alerted of the lab result.");
  console.log("   ✔ patient alerted: lab result posted");
  const report = await patient.call<{ resource: { resourceType: string } }>("patient", "readRecord", {
    commitment: result.result,
  });
  done(`the patient read the ${report.resource.resourceType} with their own key`);
  const share = await patient.call<Gas>("patient", "grantConsent", {
    grantee: secondDoctor.address,
    scope: { record: result.result },
    purpose: Purpose.Treatment,
  });
  done(`the patient shared the result with a second doctor`, share.gasUsed);
  const seen = await secondDoctor.call<{ resource: { resourceType: string } }>("doctor", "readRecord", {
    patient: patientAddress,
    commitment: result.result,
  });
  done(`the second doctor read it (${seen.resource.resourceType})`);

  step("The patient is unconscious: the emergency department breaks the glass");
  const note = await doctor.call<Gas & { commitment: string }>("doctor", "putRecord", {
    patient: patientAddress,
    resource: observationNote(patientAddress),
    recordType: RecordType.ClinicalNote,
  });
  done(`the doctor anchored a clinical record`, note.gasUsed);
  const emergencyRead = () =>
    ed.call<{ resource: { resourceType: string } }>("emergency", "readRecord", {
      patient: patientAddress,
      commitment: note.commitment,
      purpose: Purpose.Emergency,
    });
  await expectRefusal("the emergency department reading before break-glass", emergencyRead);
  const session = await ed.call<Gas>("emergency", "openEmergencyAccess", {
    patient: patientAddress,
    reasonCode: REASON_UNRESPONSIVE,
    durationSeconds: 6 * HOUR,
  });
  done(`break-glass session open for 6 hours (reason code ${REASON_UNRESPONSIVE})`, session.gasUsed);
  const glassRead = await emergencyRead();
  done(`the emergency department read the ${glassRead.resource.resourceType}, with no action of the patient`);
  await advance(6 * HOUR + 1);
  await expectRefusal("the emergency department reading after the session ended", emergencyRead);

  step("The patient revokes the pharmacy's consent; the pharmacy is refused");
  const revoked = await patient.call<Gas>("patient", "revokeConsent", { grantId: grant.grantId });
  done(`consent revoked`, revoked.gasUsed);
  await expectRefusal("the pharmacy reading the prescription again", () =>
    pharmacy.call("pharmacy", "readRecord", { patient: patientAddress, commitment: rx.prescription }),
  );

  step("Time passes: the prescription expires");
  await advance(15 * DAY);
  await expectRefusal("a dispense after expiry", () => dispense(5));

  step("The patient reviews who obtained keys to their records, and the doctor audits its store");
  const releases = await patient.call<{ entries: { requester: string; purpose: number }[] }>("patient", "listReleases");
  const requesters = new Set(releases.entries.map((entry) => entry.requester.slice(0, 10)));
  done(`${releases.entries.length} releases logged by the custodians, to ${[...requesters].join(", ")}…`);
  const audit = await doctor.call<{ counts: Record<string, number> }>("", "audit", {
    patient: patientAddress,
    author: doctor.address,
  });
  const counts = Object.entries(audit.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  done(`the doctor's store against the chain's records by the doctor: ${counts}`);
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
