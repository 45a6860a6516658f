// npm run demo — the whole CareLedger story on the embedded default: an in-process EVM (Hardhat's
// EDR), the contracts deployed fresh, a new encrypted store on local disk, and real transactions.
// Each step prints what happened and its gas; the run ends with a gas table and a short HSE replay.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { HDNodeWallet, Mnemonic, type Provider } from "ethers";
import { network } from "hardhat";

import {
  CareLedger,
  ContractRevertError,
  AccessDeniedError,
  HipaaRole,
  LocalDiskStore,
  ProviderForm,
  ProviderKind,
  Purpose,
  RecordType,
  addressesOf,
  deployCareLedger,
  type CareLedgerContracts,
} from "../client/index.js";
import { CustodianService, type RunningCustodian } from "../client/key-release/custodian-service.js";
import { main as replayMain } from "./replay.js";
import {
  diagnosticReport,
  medicationDispense,
  medicationRequest,
  observationNote,
  serviceRequest,
} from "./lib/demo-resources.js";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const DAY = 24 * 60 * 60;
/** A reason code from the deployment's published list: 1 = unresponsive patient. */
const REASON_UNRESPONSIVE = 1;

const gasRows: { step: string; gas: bigint }[] = [];
let stepNumber = 0;

function step(title: string): void {
  stepNumber += 1;
  console.log(`\n${stepNumber}. ${title}`);
}

function done(what: string, gas?: bigint): void {
  if (gas !== undefined) gasRows.push({ step: what, gas });
  console.log(`   ✔ ${what}${gas === undefined ? "" : `  (${gas.toLocaleString("en-US")} gas)`}`);
}

function refused(what: string, error: unknown): void {
  if (error instanceof ContractRevertError) {
    console.log(`   ✘ ${what}: refused by ${error.contract} with ${error.errorName}`);
  } else if (error instanceof AccessDeniedError) {
    console.log(`   ✘ ${what}: refused by the access rule (${error.name})`);
  } else {
    throw error;
  }
}

async function expectRefusal(what: string, attempt: () => Promise<unknown>): Promise<void> {
  try {
    await attempt();
  } catch (error) {
    refused(what, error);
    return;
  }
  throw new Error(`The demo expected "${what}" to be refused, and it was not.`);
}

function wallet(index: number, provider: Provider): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), `m/44'/60'/0'/0/${index}`).connect(provider);
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log("CareLedger demo: an in-process EVM, fresh contracts, a fresh encrypted store.");
  const { ethers, provider: hardhatProvider } = await network.create();
  const provider = ethers.provider;
  const [registrarKey, doctorKey, pharmacyKey, labKey, edKey, patientKey, secondDoctorKey] = [0, 1, 2, 3, 4, 5, 6].map(
    (i) => wallet(i, provider),
  );
  const dataDir = await mkdtemp(path.join(tmpdir(), "careledger-demo-"));
  const store = await LocalDiskStore.open(path.join(dataDir, "store"));

  step("Deploy the contracts");
  const contracts: CareLedgerContracts = await deployCareLedger(registrarKey);
  done(`${Object.keys(contracts).length} contracts deployed and wired; data in ${dataDir}`);

  step("Three key custodians start (2 of 3 release a record key, only when the chain allows)");
  const custodians: RunningCustodian[] = [];
  for (const index of [7, 8, 9]) {
    custodians.push(
      await CustodianService.start({
        dataDir: path.join(dataDir, `custodian-${index}`),
        provider,
        addresses: await addressesOf(contracts),
        signer: wallet(index, provider),
      }),
    );
    done(
      `custodian ${custodians[custodians.length - 1].address.slice(0, 10)}… on ${custodians[custodians.length - 1].url}`,
    );
  }
  const endpoints = custodians.map((custodian) => ({ url: custodian.url, address: custodian.address }));

  const connect = (signer: HDNodeWallet, name: string): Promise<CareLedger> =>
    CareLedger.connect({
      signer,
      addresses: contracts,
      store,
      dataDir: path.join(dataDir, name),
      journal: false,
      custodians: endpoints,
      custodianThreshold: 2,
    });
  const registrar = await connect(registrarKey, "registrar");
  const doctor = await connect(doctorKey, "doctor");
  const pharmacy = await connect(pharmacyKey, "pharmacy");
  const lab = await connect(labKey, "laboratory");
  const ed = await connect(edKey, "emergency");
  const patient = await connect(patientKey, "patient");
  const secondDoctor = await connect(secondDoctorKey, "second-doctor");
  const patientAddress = patient.address;

  step("The registrar registers a doctor, a pharmacy, a laboratory and an emergency department");
  for (const [who, account, kind, form] of [
    ["doctor", doctorKey.address, ProviderKind.Doctor, ProviderForm.Practitioner],
    ["second doctor", secondDoctorKey.address, ProviderKind.Doctor, ProviderForm.Practitioner],
    ["pharmacy", pharmacyKey.address, ProviderKind.Pharmacy, ProviderForm.Organisation],
    ["laboratory", labKey.address, ProviderKind.Laboratory, ProviderForm.Organisation],
    ["emergency department", edKey.address, ProviderKind.EmergencyDepartment, ProviderForm.Organisation],
  ] as const) {
    const result = await registrar.registrar.registerProvider({ account, kind, form, hipaa: HipaaRole.CoveredEntity });
    done(`registered the ${who} ${account.slice(0, 10)}…`, result.gasUsed);
  }

  const alerts: string[] = [];
  const unsubscribe = await patient.subscribe(
    { patient: patientAddress, pollingIntervalMs: 50 },
    {
      onLabResult: () => void alerts.push("lab result posted"),
      onEmergencyAccess: (a) => void alerts.push(`break-glass opened by ${a.provider.slice(0, 10)}…`),
      onDispense: (a) => void alerts.push(`${a.amount} units dispensed`),
    },
  );

  step("The doctor writes a prescription (FHIR MedicationRequest, encrypted before it leaves)");
  const rx = await doctor.doctor.issuePrescription({
    patient: patientAddress,
    medicationRequest: medicationRequest(patientAddress),
    terms: { pharmacy: pharmacyKey.address, quantity: 30, refills: 0, expiresAt: (await now(provider)) + 14 * DAY },
  });
  done(`prescription ${rx.prescription.slice(0, 12)}… for 30 units at the designated pharmacy`, rx.gasUsed);

  step("The patient consents to the pharmacy dispensing it");
  const dispensingGrant = await patient.patient.grantConsent({
    grantee: pharmacyKey.address,
    scope: { record: rx.prescription },
    purpose: Purpose.Dispensing,
    durationSeconds: 30 * DAY,
  });
  done(
    `consent ${dispensingGrant.grantId.slice(0, 12)}… (no key moves: the custodians ask the chain)`,
    dispensingGrant.gasUsed,
  );

  step("The pharmacy reads and verifies the prescription, then dispenses part of it");
  const read = await pharmacy.pharmacy.readRecord({ patient: patientAddress, commitment: rx.prescription });
  done(`read a ${read.resource.resourceType}: key released by 2 of 3 custodians, commitment and tag verified`);
  const dispense = await pharmacy.pharmacy.dispensePrescription({
    patient: patientAddress,
    prescription: rx.prescription,
    amount: 20,
    medicationDispense: medicationDispense(patientAddress, rx.prescription, 20),
  });
  done(`dispensed 20 of 30 units (MedicationDispense record anchored)`, dispense.gasUsed);

  await expectRefusal("a second dispense of 20 units, beyond the 10 left", () =>
    pharmacy.pharmacy.dispensePrescription({
      patient: patientAddress,
      prescription: rx.prescription,
      amount: 20,
      medicationDispense: medicationDispense(patientAddress, rx.prescription, 20),
    }),
  );

  step("The laboratory posts a result; the patient is alerted and reads it");
  const order = await doctor.doctor.orderLabTest({
    patient: patientAddress,
    serviceRequest: serviceRequest(patientAddress),
    laboratory: labKey.address,
  });
  done(`the doctor ordered a test at the laboratory`, order.gasUsed);
  const result = await lab.laboratory.postLabResult({
    patient: patientAddress,
    order: order.order,
    diagnosticReport: diagnosticReport(patientAddress, order.order),
  });
  done(`the laboratory posted the result`, result.gasUsed);
  await waitFor(() => alerts.includes("lab result posted"));
  console.log(`   ✔ patient alerted: ${alerts.join("; ")}`);
  const report = await patient.readRecord({ patient: patientAddress, commitment: result.result });
  done(`the patient read the ${report.resource.resourceType}`);
  const share = await patient.patient.grantConsent({
    grantee: secondDoctorKey.address,
    scope: { record: result.result },
    purpose: Purpose.Treatment,
  });
  done(`the patient shared the result with a second doctor`, share.gasUsed);
  const seen = await secondDoctor.readRecord({ patient: patientAddress, commitment: result.result });
  done(`the second doctor read it (${seen.resource.resourceType})`);

  step("The emergency department breaks the glass; the patient sees it");
  const note = await doctor.doctor.putRecord({
    patient: patientAddress,
    resource: observationNote(patientAddress),
    recordType: RecordType.ClinicalNote,
  });
  done(`the doctor anchored a clinical record`, note.gasUsed);
  await expectRefusal("the emergency department reading before break-glass", () =>
    ed.emergency.readRecord({ patient: patientAddress, commitment: note.commitment, purpose: Purpose.Emergency }),
  );
  const session = await ed.emergency.openEmergencyAccess({
    patient: patientAddress,
    reasonCode: REASON_UNRESPONSIVE,
    durationSeconds: 6 * 60 * 60,
  });
  done(`break-glass session open for 6 hours (reason code ${session.reasonCode})`, session.gasUsed);
  const emergencyRead = await ed.emergency.readRecord({
    patient: patientAddress,
    commitment: note.commitment,
    purpose: Purpose.Emergency,
  });
  done(`the emergency department read the ${emergencyRead.resource.resourceType}`);
  await waitFor(() => alerts.some((a) => a.startsWith("break-glass")));
  console.log(`   ✔ patient alerted: ${alerts.filter((a) => a.startsWith("break-glass")).join("; ")}`);

  step("The patient revokes the pharmacy's consent; the pharmacy is refused");
  const revoked = await patient.patient.revokeConsent({ grantId: dispensingGrant.grantId });
  done(`consent revoked`, revoked.gasUsed);
  await expectRefusal("the pharmacy reading the prescription again", () =>
    pharmacy.pharmacy.readRecord({ patient: patientAddress, commitment: rx.prescription }),
  );

  step("Time passes: the prescription expires");
  await hardhatProvider.request({ method: "evm_increaseTime", params: [15 * DAY] });
  await hardhatProvider.request({ method: "evm_mine", params: [] });
  await expectRefusal("a dispense after expiry", () =>
    pharmacy.pharmacy.dispensePrescription({
      patient: patientAddress,
      prescription: rx.prescription,
      amount: 5,
      medicationDispense: medicationDispense(patientAddress, rx.prescription, 5),
    }),
  );

  step("Someone alters a payload on disk; the integrity audit catches it");
  const altered = store.pathOf(note.envelopeRef);
  const bytes = await readFile(altered);
  bytes[bytes.length - 1] ^= 0xff;
  await writeFile(altered, bytes);
  const audit = await patient.audit({ patient: patientAddress });
  const counts = Object.entries(audit.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  done(`audit of the patient's records: ${counts}`);
  if ((audit.counts.altered ?? 0) < 1) throw new Error("The audit did not catch the altered payload.");

  unsubscribe();
  console.log("\nGas of every transaction above (receipt.gasUsed, 21,000 base included):");
  const width = Math.max(...gasRows.map((r) => r.step.length));
  for (const row of gasRows) {
    console.log(`   ${row.step.padEnd(width)}  ${row.gas.toLocaleString("en-US").padStart(9)}`);
  }
  const total = gasRows.reduce((sum, r) => sum + r.gas, 0n);
  console.log(`   ${"total".padEnd(width)}  ${total.toLocaleString("en-US").padStart(9)}`);

  const releases = await patient.patient.listReleases();
  console.log(`   ✔ the custodians' logs show ${releases.entries.length} key releases for the patient's records`);
  for (const client of [registrar, doctor, pharmacy, lab, ed, patient, secondDoctor]) await client.close();
  for (const custodian of custodians) await custodian.close();
  await store.close();

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

async function now(provider: Provider): Promise<number> {
  const block = await provider.getBlock("latest");
  if (block === null) throw new Error("The node returned no block.");
  return block.timestamp;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("The expected alert did not arrive.");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(`\nThe demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
