import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Signer } from "ethers";

import { BatchTree, type BatchLeaf } from "../../client/batch-tree.js";
import { ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../../client/care-types.js";
import { recordCommitmentOf } from "../../client/crypto/commitment.js";
import type { CareLedgerContracts } from "../../client/deploy.js";
import { signGrantConsent } from "../../client/eip712.js";
import { DAY } from "../../client/time-units.js";
import { gasEntry, measure, perUnit, type GasEntry, type Measured } from "./gas-report.js";

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
  // Signer 0 deployed the contracts; the measured parties start at 1.
  const [, doctor, pharmacy, relayer, ...patients] = await ethers.getSigners();
  const { directory, registry, consent } = core;

  for (const [account, kind, form] of [
    [doctor, ProviderKind.Doctor, ProviderForm.Practitioner],
    [pharmacy, ProviderKind.Pharmacy, ProviderForm.Organisation],
  ] as const) {
    const profile = { kind, form, hipaa: HipaaRole.CoveredEntity, organisation: ethers.ZeroAddress };
    await (await directory.registerProvider(account, profile)).wait();
  }

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
  ops.anchorRecord = gasEntry(
    await measure(
      ethers.provider,
      registry.connect(doctor).anchorRecord(patientAddress, first, RecordType.ClinicalNote, false),
    ),
    "provider anchors one record: one new slot and one event",
  );
  ops.anchorRecordSelfWellness = gasEntry(
    await measure(
      ethers.provider,
      registry.connect(patient).anchorRecord(patientAddress, randomCommitment(ethers), RecordType.Wellness, false),
    ),
    "patient anchors their own wellness record",
  );
  ops.amendRecord = gasEntry(
    await measure(
      ethers.provider,
      registry
        .connect(doctor)
        .amendRecord(
          patientAddress,
          recordCommitmentOf(await doctor.getAddress(), first),
          randomCommitment(ethers),
          false,
        ),
    ),
    "author corrects a record: new version, old one flagged superseded",
  );

  const batchGas = async (size: number): Promise<Measured> => {
    const leaves: BatchLeaf[] = Array.from({ length: size }, () => ({
      patient: ethers.Wallet.createRandom().address,
      commitment: randomCommitment(ethers),
      recordType: RecordType.Referral,
      sensitive: false,
    }));
    const tree = new BatchTree(leaves);
    return measure(ethers.provider, registry.connect(doctor).anchorBatch(tree.root, size));
  };
  const singleGas = await batchGas(1);
  const batchedGas = await batchGas(BATCH_SIZE);
  ops.anchorBatch1 = gasEntry(singleGas, "one record under a Merkle root (the fixed cost of a batch)");
  ops.anchorBatch1024 = gasEntry(batchedGas, `${BATCH_SIZE} records under one Merkle root`);
  ops.anchorBatchPerRecord = gasEntry(
    perUnit(batchedGas, BATCH_SIZE),
    "anchorBatch1024 divided by 1,024 (average; the marginal cost of one more record is about zero)",
  );

  const request = {
    grantee: pharmacy.address,
    scope: ConsentScope.RecordType,
    scopeValue: ethers.zeroPadValue(ethers.toBeHex(RecordType.Prescription), 32),
    purpose: Purpose.Dispensing,
    validFrom: now,
    validUntil: now + 30 * DAY,
  };
  ops.grantConsent = gasEntry(
    await measure(ethers.provider, consent.connect(patient).grantConsent(patientAddress, request)),
    "patient grants a record type to a pharmacy for dispensing",
  );
  const grantId = await consent.grantIdOf(request.grantee, request.scope, request.scopeValue, request.purpose);
  ops.revokeConsent = gasEntry(
    await measure(ethers.provider, consent.connect(patient).revokeConsent(patientAddress, grantId)),
    "patient revokes the grant",
  );

  // Relayed grants: the patient's first signature pays for a new nonce slot; later ones do not.
  const signer = ethers.Wallet.createRandom();
  const bySig = async (grantee: string): Promise<Measured> => {
    const req = {
      ...request,
      grantee,
      scope: ConsentScope.AllRecords,
      scopeValue: ethers.ZeroHash,
      purpose: Purpose.Treatment,
    };
    const deadline = now + DAY;
    const signature = await signGrantConsent(signer, consent, signer.address, req, deadline);
    return measure(
      ethers.provider,
      consent.connect(relayer).grantConsentBySig(signer.address, req, deadline, signature),
    );
  };
  ops.grantConsentBySigFirst = gasEntry(
    await bySig(doctor.address),
    "relayed grant, patient's first signature (nonce slot created)",
  );
  ops.grantConsentBySig = gasEntry(await bySig(pharmacy.address), "relayed grant, patient has signed before");
  // Each account publishes its X25519 key once, and again only to rotate it.
  const key = (seed: number) => ethers.zeroPadValue(ethers.toBeHex(seed), 32);
  ops.publishEncryptionKey = gasEntry(
    await measure(ethers.provider, core.keyRegistry.connect(patient).publishEncryptionKey(key(1))),
    "an account's first encryption key (version and key slots created)",
  );
  ops.rotateEncryptionKey = gasEntry(
    await measure(ethers.provider, core.keyRegistry.connect(patient).publishEncryptionKey(key(2))),
    "a new key version; the old one stays readable",
  );
  return ops;
}
