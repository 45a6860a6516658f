import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Signer } from "ethers";

import { BatchTree, type BatchLeaf } from "../../client/batch-tree.js";
import { ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../../client/care-types.js";
import type { CareLedgerContracts } from "../../client/deploy.js";
import { signGrantConsent } from "../../client/eip712.js";
import { gasOf, type GasEntry } from "./gas-report.js";

const DAY = 24 * 60 * 60;
/** Records and grants of other patients written before measuring, so storage is not empty. */
const BACKGROUND_PATIENTS = 16;
export const BATCH_SIZE = 1024;

function randomCommitment(ethers: HardhatEthers): string {
  return ethers.hexlify(ethers.randomBytes(32));
}

/** Measures the core operations: record anchoring, batches, corrections and consent. */
export async function measureCoreGas(
  ethers: HardhatEthers,
  core: CareLedgerContracts,
): Promise<Record<string, GasEntry>> {
  const [admin, doctor, pharmacy, relayer, ...patients] = await ethers.getSigners();
  const { directory, registry, consent } = core;

  await (
    await directory.registerProvider(
      doctor,
      ProviderKind.Doctor,
      ProviderForm.Practitioner,
      HipaaRole.CoveredEntity,
      ethers.ZeroAddress,
    )
  ).wait();
  await (
    await directory.registerProvider(
      pharmacy,
      ProviderKind.Pharmacy,
      ProviderForm.Organisation,
      HipaaRole.CoveredEntity,
      ethers.ZeroAddress,
    )
  ).wait();

  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  for (let i = 0; i < BACKGROUND_PATIENTS; i++) {
    const other = ethers.Wallet.createRandom().address;
    await (
      await registry.connect(doctor).anchorRecord(other, randomCommitment(ethers), RecordType.ClinicalNote, false)
    ).wait();
  }

  const patient = patients[0] as Signer;
  const patientAddress = await patient.getAddress();
  const ops: Record<string, GasEntry> = {};

  const first = randomCommitment(ethers);
  ops.anchorRecord = {
    gasUsed: await gasOf(registry.connect(doctor).anchorRecord(patientAddress, first, RecordType.ClinicalNote, false)),
    note: "provider anchors one record: one new slot and one event",
  };
  ops.anchorRecordSelfWellness = {
    gasUsed: await gasOf(
      registry.connect(patient).anchorRecord(patientAddress, randomCommitment(ethers), RecordType.Wellness, false),
    ),
    note: "patient anchors their own wellness record",
  };
  ops.amendRecord = {
    gasUsed: await gasOf(registry.connect(doctor).amendRecord(patientAddress, first, randomCommitment(ethers), false)),
    note: "author corrects a record: new version, old one flagged superseded",
  };

  const batchGas = async (size: number): Promise<number> => {
    const leaves: BatchLeaf[] = Array.from({ length: size }, () => ({
      patient: ethers.Wallet.createRandom().address,
      commitment: randomCommitment(ethers),
      recordType: RecordType.Referral,
      sensitive: false,
    }));
    const tree = new BatchTree(leaves);
    return gasOf(registry.connect(doctor).anchorBatch(tree.root, size));
  };
  const singleGas = await batchGas(1);
  const batchedGas = await batchGas(BATCH_SIZE);
  ops.anchorBatch1 = { gasUsed: singleGas, note: "one record under a Merkle root (the fixed cost of a batch)" };
  ops.anchorBatch1024 = { gasUsed: batchedGas, note: `${BATCH_SIZE} records under one Merkle root` };
  ops.anchorBatchPerRecord = {
    gasUsed: Math.ceil(batchedGas / BATCH_SIZE),
    note: "anchorBatch1024 divided by 1,024 (average; the marginal cost of one more record is about zero)",
  };

  const request = {
    grantee: pharmacy.address,
    scope: ConsentScope.RecordType,
    scopeValue: ethers.zeroPadValue(ethers.toBeHex(RecordType.Prescription), 32),
    purpose: Purpose.Dispensing,
    validFrom: now,
    validUntil: now + 30 * DAY,
  };
  const grantGas = await gasOf(consent.connect(patient).grantConsent(patientAddress, request));
  ops.grantConsent = { gasUsed: grantGas, note: "patient grants a record type to a pharmacy for dispensing" };
  const grantId = await consent.grantIdOf(request.grantee, request.scope, request.scopeValue, request.purpose);
  ops.revokeConsent = {
    gasUsed: await gasOf(consent.connect(patient).revokeConsent(patientAddress, grantId)),
    note: "patient revokes the grant",
  };

  // Relayed grants: the patient's first signature pays for a new nonce slot; later ones do not.
  const signer = ethers.Wallet.createRandom();
  const bySig = async (grantee: string): Promise<number> => {
    const req = {
      ...request,
      grantee,
      scope: ConsentScope.AllRecords,
      scopeValue: ethers.ZeroHash,
      purpose: Purpose.Treatment,
    };
    const deadline = now + DAY;
    const signature = await signGrantConsent(signer, consent, signer.address, req, deadline);
    return gasOf(consent.connect(relayer).grantConsentBySig(signer.address, req, deadline, signature));
  };
  ops.grantConsentBySigFirst = {
    gasUsed: await bySig(doctor.address),
    note: "relayed grant, patient's first signature (nonce slot created)",
  };
  ops.grantConsentBySig = {
    gasUsed: await bySig(pharmacy.address),
    note: "relayed grant, patient has signed before",
  };
  // Each account publishes its X25519 key once, and again only to rotate it.
  const key = (seed: number) => ethers.zeroPadValue(ethers.toBeHex(seed), 32);
  ops.publishEncryptionKey = {
    gasUsed: await gasOf(core.keyRegistry.connect(patient).publishEncryptionKey(key(1))),
    note: "an account's first encryption key (version and key slots created)",
  };
  ops.rotateEncryptionKey = {
    gasUsed: await gasOf(core.keyRegistry.connect(patient).publishEncryptionKey(key(2))),
    note: "a new key version; the old one stays readable",
  };
  return ops;
}
