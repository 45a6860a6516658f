import { expect } from "chai";
import {
  AbiCoder,
  concat,
  hexlify,
  keccak256,
  toBeHex,
  toUtf8Bytes,
  zeroPadValue,
  ZeroAddress,
  ZeroHash,
  type BaseContract,
  type EventFragment,
  type TransactionReceipt,
} from "ethers";
import { network } from "hardhat";

import { BatchTree, type BatchLeaf } from "../../client/batch-tree.js";
import { Capability } from "../../client/care-types.js";
import { signGrantConsent } from "../../client/eip712.js";
import {
  commitmentOf,
  recordCommitmentOf,
  ConsentScope,
  DAY,
  deployCareLedgerWorld,
  grantIdOfRequest,
  grantRequest,
  HipaaRole,
  ProviderForm,
  ProviderKind,
  Purpose,
  reasonCodeOf,
  receiptOf,
  RecordType,
  recordTypeScope,
} from "../helpers/care-ledger.js";

const { ethers, networkHelpers } = await network.create();

/** Static ABI types that carry only addresses, hashes, enums, flags, counters and times. */
const ALLOWED_EVENT_TYPES = new Set(["address", "bytes32", "bool", "uint8", "uint16", "uint32", "uint40", "uint48"]);
/** How far to look for a mapping's base slot (the contracts declare a handful of state variables). */
const MAX_BASE_SLOT = 64;

const coder = AbiCoder.defaultAbiCoder();

interface ExpectedLog {
  event: string;
  indexed: unknown[];
  data: unknown[];
}

/**
 * Asserts that `receipt` holds exactly these logs from `contract`, in order, each with exactly the
 * topics and the ABI-encoded data of the expected fields: nothing more can hide in a log.
 */
function expectExactLogs(receipt: TransactionReceipt, contract: BaseContract, expected: ExpectedLog[]): void {
  const address = String(contract.target).toLowerCase();
  const logs = receipt.logs.filter((log) => log.address.toLowerCase() === address);
  expect(logs.map((log) => contract.interface.parseLog(log)?.name)).to.deep.equal(expected.map((e) => e.event));
  logs.forEach((log, i) => {
    const { event, indexed, data } = expected[i];
    const fragment = contract.interface.getEvent(event);
    if (fragment === null) throw new Error(`Unknown event ${event}.`);
    const indexedTypes = fragment.inputs.filter((input) => input.indexed).map((input) => input.type);
    const dataTypes = fragment.inputs.filter((input) => !input.indexed).map((input) => input.type);
    expect(log.topics).to.deep.equal([
      fragment.topicHash,
      ...indexedTypes.map((type, j) => coder.encode([type], [indexed[j]])),
    ]);
    expect(log.data).to.equal(coder.encode(dataTypes, data));
  });
}

/** Packs values into one 32-byte word, the first field in the lowest bytes, as Solidity does. */
function packed(fields: [value: bigint | number | string | boolean, bits: number][]): string {
  let word = 0n;
  let shift = 0n;
  for (const [value, bits] of fields) {
    const n = typeof value === "boolean" ? (value ? 1n : 0n) : BigInt(value);
    word |= n << shift;
    shift += BigInt(bits);
  }
  return zeroPadValue(toBeHex(word), 32);
}

/** The storage slot of `mapping[keys[0]][keys[1]]...` declared at slot `base`. */
function mappingSlot(base: number, keys: [type: string, value: string][]): string {
  let slot = zeroPadValue(toBeHex(base), 32);
  for (const [type, value] of keys) {
    slot = keccak256(coder.encode([type, "bytes32"], [value, slot]));
  }
  return slot;
}

async function fixture() {
  const world = await deployCareLedgerWorld(ethers);
  const { directory, delegation, registry, consent, registrar, doctor, lab, pharmacy, patient, delegate, relayer } =
    world;

  // Off-chain: the record is encrypted and committed to with a salt; only the commitment travels.
  const payload = toUtf8Bytes(
    JSON.stringify({ resourceType: "Observation", subject: { display: "Jane Doe" }, code: "HIV-1 RNA", value: 0 }),
  );
  const salt = keccak256(toUtf8Bytes("careledger/test/salt"));
  const content = keccak256(concat([salt, keccak256(payload)]));
  const correctedContent = commitmentOf("corrected");
  // On-chain the records are named by the doctor's record commitments (the author bound to the content).
  const commitment = recordCommitmentOf(doctor.address, content);
  const corrected = recordCommitmentOf(doctor.address, correctedContent);

  const batchLeaves: BatchLeaf[] = [
    {
      patient: patient.address,
      commitment: commitmentOf("batch/a"),
      recordType: RecordType.LabResult,
      sensitive: false,
    },
    {
      patient: patient.address,
      commitment: commitmentOf("batch/b"),
      recordType: RecordType.LabResult,
      sensitive: true,
    },
  ];
  const tree = new BatchTree(batchLeaves);
  const batch = { root: recordCommitmentOf(lab.address, tree.root), size: tree.size };
  const now = await networkHelpers.time.latest();
  const delegationEnd = now + 365 * DAY;
  const pharmacyGrant = grantRequest(pharmacy.address, now, {
    scope: ConsentScope.RecordType,
    scopeValue: recordTypeScope(RecordType.Prescription),
    purpose: Purpose.Dispensing,
  });
  const labGrant = grantRequest(lab.address, now, { purpose: Purpose.Treatment });
  const deadline = now + DAY;
  const reason = reasonCodeOf("licence-review");

  const receipts = {
    anchor: await receiptOf(registry.connect(doctor).anchorRecord(patient, content, RecordType.LabResult, false)),
    batch: await receiptOf(registry.connect(lab).anchorBatch(tree.root, tree.size)),
    appoint: await receiptOf(
      delegation.connect(patient).appointDelegate(delegate, Capability.ManageConsent | Capability.Read, delegationEnd),
    ),
    grant: await receiptOf(consent.connect(patient).grantConsent(patient, pharmacyGrant)),
    grantBySig: await receiptOf(
      consent
        .connect(relayer)
        .grantConsentBySig(
          patient,
          labGrant,
          deadline,
          await signGrantConsent(patient, consent, patient.address, labGrant, deadline),
        ),
    ),
    amend: await receiptOf(registry.connect(doctor).amendRecord(patient, commitment, correctedContent, false)),
    sensitivity: await receiptOf(registry.connect(delegate).setRecordSensitivity(patient, corrected, true)),
    erase: await receiptOf(registry.connect(patient).eraseRecord(patient, commitment)),
    revoke: await receiptOf(consent.connect(patient).revokeConsent(patient, grantIdOfRequest(pharmacyGrant))),
    suspend: await receiptOf(directory.connect(registrar).suspendProvider(lab, reason)),
  };
  const timeOf = async (receipt: TransactionReceipt): Promise<number> => {
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    if (block === null) throw new Error("The block is missing.");
    return block.timestamp;
  };
  const times = {
    batch: await timeOf(receipts.batch),
    appoint: await timeOf(receipts.appoint),
    amend: await timeOf(receipts.amend),
  };
  return {
    ...world,
    payload,
    commitment,
    corrected,
    batch,
    delegationEnd,
    pharmacyGrant,
    labGrant,
    reason,
    receipts,
    times,
  };
}

describe("Privacy of what the contracts publish", function () {
  let f: Awaited<ReturnType<typeof fixture>>;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  it("declares no event field that could carry free text or a payload", async function () {
    const { directory, delegation, registry, consent } = f;
    for (const contract of [directory, delegation, registry, consent]) {
      contract.interface.forEachEvent((event: EventFragment) => {
        for (const input of event.inputs) {
          expect(ALLOWED_EVENT_TYPES.has(input.type), `${event.name}.${input.name} is ${input.type}`).to.equal(true);
        }
      });
    }
  });

  describe("after a realistic flow", function () {
    it("logs exactly the expected addresses, hashes, enums and times", async function () {
      const { directory, delegation, registry, consent, receipts } = f;
      const { patient, doctor, lab, delegate, registrar, pharmacy, commitment, corrected, batch } = f;
      expectExactLogs(receipts.anchor, registry, [
        {
          event: "RecordAnchored",
          indexed: [patient.address, commitment, doctor.address],
          data: [RecordType.LabResult, false],
        },
      ]);
      expectExactLogs(receipts.batch, registry, [
        { event: "BatchAnchored", indexed: [lab.address, batch.root], data: [batch.size] },
      ]);
      expectExactLogs(receipts.appoint, delegation, [
        {
          event: "DelegateAppointed",
          indexed: [patient.address, delegate.address],
          data: [Capability.ManageConsent | Capability.Read, f.delegationEnd],
        },
      ]);
      for (const [receipt, request] of [
        [receipts.grant, f.pharmacyGrant],
        [receipts.grantBySig, f.labGrant],
      ] as const) {
        expectExactLogs(receipt, consent, [
          {
            event: "ConsentGranted",
            indexed: [patient.address, request.grantee, grantIdOfRequest(request)],
            data: [request.scope, request.scopeValue, request.purpose, request.validFrom, request.validUntil],
          },
        ]);
      }
      expectExactLogs(receipts.amend, registry, [
        { event: "RecordAmended", indexed: [patient.address, corrected, commitment], data: [doctor.address, 2, false] },
      ]);
      expectExactLogs(receipts.sensitivity, registry, [
        { event: "RecordSensitivityChanged", indexed: [patient.address, corrected], data: [true] },
      ]);
      expectExactLogs(receipts.erase, registry, [
        { event: "RecordErased", indexed: [patient.address, commitment, patient.address], data: [] },
      ]);
      expectExactLogs(receipts.revoke, consent, [
        {
          event: "ConsentRevoked",
          indexed: [patient.address, pharmacy.address, grantIdOfRequest(f.pharmacyGrant)],
          data: [],
        },
      ]);
      expectExactLogs(receipts.suspend, directory, [
        { event: "ProviderSuspended", indexed: [lab.address, registrar.address], data: [f.reason] },
      ]);
    });

    it("never sends or logs the payload, the subject's name or the unsalted hash", async function () {
      const { payload, receipts } = f;
      const secrets = [hexlify(payload), hexlify(toUtf8Bytes("Jane Doe")), keccak256(payload)].map((s) =>
        s.slice(2).toLowerCase(),
      );
      for (const receipt of Object.values(receipts)) {
        const tx = await ethers.provider.getTransaction(receipt.hash);
        if (tx === null) throw new Error("The transaction is missing.");
        const published = [tx.data, ...receipt.logs.flatMap((log) => [log.data, ...log.topics])].join("").toLowerCase();
        for (const secret of secrets) expect(published.includes(secret)).to.equal(false);
      }
    });

    it("stores exactly one packed slot of metadata per record, batch, grant, delegation and provider", async function () {
      const { directory, delegation, registry, consent, times } = f;
      const { patient, doctor, lab, delegate, pharmacy, corrected, batch } = f;
      const expectations: { contract: BaseContract; keys: [string, string][]; word: string }[] = [
        {
          contract: registry,
          keys: [
            ["address", patient.address],
            ["bytes32", corrected],
          ],
          word: packed([
            [doctor.address, 160],
            [times.amend, 40],
            [RecordType.LabResult, 8],
            [1, 8], // FLAG_SENSITIVE
            [2, 16],
          ]),
        },
        {
          contract: registry,
          keys: [["bytes32", batch.root]],
          word: packed([
            [lab.address, 160],
            [times.batch, 40],
            [batch.size, 32],
          ]),
        },
        {
          contract: consent,
          keys: [
            ["address", patient.address],
            ["bytes32", grantIdOfRequest(f.pharmacyGrant)],
          ],
          word: packed([
            [pharmacy.address, 160],
            [f.pharmacyGrant.validFrom, 40],
            [f.pharmacyGrant.validUntil, 40],
            [true, 8],
          ]),
        },
        {
          contract: delegation,
          keys: [
            ["address", patient.address],
            ["address", delegate.address],
          ],
          word: packed([
            [Capability.ManageConsent | Capability.Read, 8],
            [times.appoint, 40],
            [f.delegationEnd, 40],
          ]),
        },
        {
          contract: directory,
          keys: [["address", lab.address]],
          word: packed([
            [ProviderKind.Laboratory, 8],
            [ProviderForm.Organisation, 8],
            [HipaaRole.BusinessAssociate, 8],
            [true, 8],
            [(await directory.providerOf(lab)).registeredAt, 40],
            [ZeroAddress, 160],
          ]),
        },
      ];
      for (const { contract, keys, word } of expectations) {
        const address = await contract.getAddress();
        let found: string | undefined;
        for (let base = 0; base < MAX_BASE_SLOT && found === undefined; base++) {
          const slot = mappingSlot(base, keys);
          if ((await ethers.provider.getStorage(address, slot)) === word) found = slot;
        }
        expect(found, `no slot of ${address} holds ${word}`).to.not.equal(undefined);
        const next = zeroPadValue(toBeHex(BigInt(found ?? ZeroHash) + 1n), 32);
        expect(await ethers.provider.getStorage(address, next)).to.equal(ZeroHash);
      }
    });
  });
});
