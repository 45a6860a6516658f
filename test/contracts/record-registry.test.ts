import { expect } from "chai";
import { AbiCoder, id, keccak256, ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { BatchTree, type BatchLeaf } from "../../client/batch-tree.js";
import { Capability, RecordFlag } from "../../client/care-types.js";
import { RecordRegistry__factory } from "../../typechain-types/index.js";
import { describeAdminHandover } from "../helpers/admin-handover.js";
import {
  ADMIN_DELAY,
  commitmentOf,
  recordCommitmentOf,
  DAY,
  deployCareLedgerWorld,
  minedAt,
  reasonCodeOf,
  RecordType,
  structOf,
} from "../helpers/care-ledger.js";

const { ethers, networkHelpers } = await network.create();

const RETENTION_AFTER_DEATH = 20 * 365 * DAY;
const CLINICAL_TYPES = [
  RecordType.ClinicalNote,
  RecordType.Prescription,
  RecordType.Dispense,
  RecordType.LabOrder,
  RecordType.LabResult,
  RecordType.Wellness,
  RecordType.Referral,
  RecordType.Imaging,
  RecordType.Immunization,
  RecordType.Allergy,
  RecordType.Other,
] as const;

/** A record as plain values, for deep comparison with `recordOf`. */
function recordEntry(
  author: string,
  anchoredAt: number,
  recordType: RecordType,
  flags: number,
  version: number,
): Record<string, bigint | string> {
  return {
    author,
    anchoredAt: BigInt(anchoredAt),
    recordType: BigInt(recordType),
    flags: BigInt(flags),
    version: BigInt(version),
  };
}

/** The leaf hash computed off-chain, as OpenZeppelin's StandardMerkleTree does. */
function leafHashOf(leaf: BatchLeaf): string {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["address", "bytes32", "uint8", "bool"],
    [leaf.patient, leaf.commitment, leaf.recordType, leaf.sensitive],
  );
  return keccak256(keccak256(encoded));
}

async function fixture() {
  const world = await deployCareLedgerWorld(ethers);
  const { registry, delegation, admin, doctor, lab, patient, otherPatient, delegate, reader } = world;
  const [workflow] = (await ethers.getSigners()).slice(13);
  const start = await networkHelpers.time.latest();
  const delegationEnd = start + 365 * DAY;
  await (
    await delegation
      .connect(patient)
      .appointDelegate(delegate.address, Capability.ManageConsent | Capability.Erase | Capability.Read, delegationEnd)
  ).wait();
  await (await delegation.connect(patient).appointDelegate(reader.address, Capability.Read, delegationEnd)).wait();
  const WORKFLOW_ROLE = await registry.WORKFLOW_ROLE();
  await (await registry.connect(admin).grantRole(WORKFLOW_ROLE, workflow.address)).wait();

  // The doctor anchors the content commitment; the registry names the record by the record commitment.
  const noteContent = commitmentOf("note");
  const note = recordCommitmentOf(doctor.address, noteContent);
  const noteAnchoredAt = await minedAt(
    ethers,
    registry.connect(doctor).anchorRecord(patient.address, noteContent, RecordType.ClinicalNote, false),
  );

  const batchLeaves: BatchLeaf[] = [
    {
      patient: patient.address,
      commitment: commitmentOf("batch/1"),
      recordType: RecordType.LabResult,
      sensitive: false,
    },
    {
      patient: patient.address,
      commitment: commitmentOf("batch/2"),
      recordType: RecordType.LabResult,
      sensitive: true,
    },
    {
      patient: otherPatient.address,
      commitment: commitmentOf("batch/3"),
      recordType: RecordType.LabResult,
      sensitive: false,
    },
  ];
  const tree = new BatchTree(batchLeaves);
  const batchAnchoredAt = await minedAt(ethers, registry.connect(lab).anchorBatch(tree.root, tree.size));
  // The registry names the batch by its root bound to the lab, and each leaf by the lab's record commitment.
  const batch = { root: recordCommitmentOf(lab.address, tree.root), merkleRoot: tree.root, size: tree.size };
  const leafRecord = (leaf: BatchLeaf): string => recordCommitmentOf(lab.address, leaf.commitment);
  const proofOf = (leaf: BatchLeaf): string[] => tree.proof(leaf.patient, leaf.commitment);

  const newLeaves: BatchLeaf[] = Array.from({ length: 5 }, (_, i) => ({
    patient: patient.address,
    commitment: commitmentOf(`new-batch/${i}`),
    recordType: RecordType.Imaging,
    sensitive: i % 2 === 0,
  }));
  const newBatch = new BatchTree(newLeaves);

  return {
    ...world,
    workflow,
    WORKFLOW_ROLE,
    delegationEnd,
    note,
    noteContent,
    noteAnchoredAt,
    batch,
    leafRecord,
    batchLeaves,
    batchAnchoredAt,
    proofOf,
    newBatch,
    newLeaves,
  };
}

describe("RecordRegistry", function () {
  let f: Awaited<ReturnType<typeof fixture>>;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  describe("deployment", function () {
    it("exposes the flag bits and the workflow role", async function () {
      const { registry } = f;
      expect(await registry.FLAG_SENSITIVE()).to.equal(BigInt(RecordFlag.Sensitive));
      expect(await registry.FLAG_ERASED()).to.equal(BigInt(RecordFlag.Erased));
      expect(await registry.FLAG_SUPERSEDED()).to.equal(BigInt(RecordFlag.Superseded));
      expect(await registry.WORKFLOW_ROLE()).to.equal(id("WORKFLOW_ROLE"));
    });

    it("rejects a zero directory or a zero delegation registry", async function () {
      const { admin, directory, delegation } = f;
      const factory = new RecordRegistry__factory(admin);
      await expect(
        factory.deploy(admin.address, ADMIN_DELAY, ZeroAddress, await delegation.getAddress()),
      ).to.be.revertedWithCustomError(factory, "RecordRegistryZeroAddress");
      await expect(
        factory.deploy(admin.address, ADMIN_DELAY, await directory.getAddress(), ZeroAddress),
      ).to.be.revertedWithCustomError(factory, "RecordRegistryZeroAddress");
    });
  });

  describe("anchorRecord", function () {
    describe("by an active provider", function () {
      for (const sensitive of [false, true]) {
        it(`anchors a ${sensitive ? "sensitive" : "non-sensitive"} record`, async function () {
          const { registry, doctor, patient } = f;
          const commitment = commitmentOf(`referral/${sensitive}`);
          const tx = registry.connect(doctor).anchorRecord(patient.address, commitment, RecordType.Referral, sensitive);
          const record = recordCommitmentOf(doctor.address, commitment);
          await expect(tx)
            .to.emit(registry, "RecordAnchored")
            .withArgs(patient.address, record, doctor.address, RecordType.Referral, sensitive);
          const anchoredAt = await minedAt(ethers, tx);
          expect(await registry.recordCommitmentOf(doctor.address, commitment)).to.equal(record);
          expect(structOf(await registry.recordOf(patient.address, record))).to.deep.equal(
            recordEntry(doctor.address, anchoredAt, RecordType.Referral, sensitive ? RecordFlag.Sensitive : 0, 1),
          );
        });
      }

      for (const recordType of CLINICAL_TYPES) {
        it(`anchors a record of type ${RecordType[recordType]}`, async function () {
          const { registry, lab, patient } = f;
          const commitment = commitmentOf(`type/${recordType}`);
          await expect(registry.connect(lab).anchorRecord(patient.address, commitment, recordType, false))
            .to.emit(registry, "RecordAnchored")
            .withArgs(patient.address, recordCommitmentOf(lab.address, commitment), lab.address, recordType, false);
          expect(
            (await registry.recordOf(patient.address, recordCommitmentOf(lab.address, commitment))).recordType,
          ).to.equal(BigInt(recordType));
        });
      }

      it("anchors the same commitment separately for another patient", async function () {
        const { registry, doctor, otherPatient, note, noteContent } = f;
        await expect(
          registry.connect(doctor).anchorRecord(otherPatient.address, noteContent, RecordType.ClinicalNote, true),
        )
          .to.emit(registry, "RecordAnchored")
          .withArgs(otherPatient.address, note, doctor.address, RecordType.ClinicalNote, true);
        expect((await registry.recordOf(otherPatient.address, note)).flags).to.equal(BigInt(RecordFlag.Sensitive));
      });
    });

    describe("by the patient", function () {
      it("anchors the patient's own wellness record", async function () {
        const { registry, patient } = f;
        const commitment = commitmentOf("steps");
        const tx = registry.connect(patient).anchorRecord(patient.address, commitment, RecordType.Wellness, false);
        const record = recordCommitmentOf(patient.address, commitment);
        await expect(tx)
          .to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, record, patient.address, RecordType.Wellness, false);
        expect(structOf(await registry.recordOf(patient.address, record))).to.deep.equal(
          recordEntry(patient.address, await minedAt(ethers, tx), RecordType.Wellness, 0, 1),
        );
      });

      for (const recordType of [RecordType.ClinicalNote, RecordType.Prescription, RecordType.LabResult]) {
        it(`refuses a self-authored record of type ${RecordType[recordType]}`, async function () {
          const { registry, patient } = f;
          await expect(registry.connect(patient).anchorRecord(patient.address, commitmentOf("self"), recordType, false))
            .to.be.revertedWithCustomError(registry, "RecordRegistrySelfAuthoredType")
            .withArgs(recordType);
        });
      }

      it("refuses a wellness record about someone else", async function () {
        const { registry, patient, otherPatient } = f;
        await expect(
          registry.connect(patient).anchorRecord(otherPatient.address, commitmentOf("x"), RecordType.Wellness, false),
        )
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(patient.address);
      });
    });

    describe("by an account that may not write", function () {
      it("refuses an unregistered account", async function () {
        const { registry, stranger, patient } = f;
        await expect(
          registry.connect(stranger).anchorRecord(patient.address, commitmentOf("x"), RecordType.ClinicalNote, false),
        )
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(stranger.address);
      });

      it("refuses a suspended provider", async function () {
        const { registry, directory, registrar, lab, patient } = f;
        await (await directory.connect(registrar).suspendProvider(lab.address, reasonCodeOf("audit"))).wait();
        await expect(
          registry.connect(lab).anchorRecord(patient.address, commitmentOf("x"), RecordType.LabResult, false),
        )
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(lab.address);
      });

      it("refuses a practitioner of a suspended organisation", async function () {
        const { registry, directory, registrar, hospital, doctor, patient } = f;
        await (await directory.connect(registrar).suspendProvider(hospital.address, reasonCodeOf("audit"))).wait();
        await expect(
          registry.connect(doctor).anchorRecord(patient.address, commitmentOf("x"), RecordType.ClinicalNote, false),
        )
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(doctor.address);
      });
    });

    describe("with invalid inputs", function () {
      it("refuses the zero patient", async function () {
        const { registry, doctor } = f;
        await expect(
          registry.connect(doctor).anchorRecord(ZeroAddress, commitmentOf("x"), RecordType.ClinicalNote, false),
        ).to.be.revertedWithCustomError(registry, "RecordRegistryZeroAddress");
      });

      it("refuses the zero commitment", async function () {
        const { registry, doctor, patient } = f;
        await expect(
          registry.connect(doctor).anchorRecord(patient.address, ZeroHash, RecordType.ClinicalNote, false),
        ).to.be.revertedWithCustomError(registry, "RecordRegistryZeroCommitment");
      });

      it("refuses the record type None", async function () {
        const { registry, doctor, patient } = f;
        await expect(registry.connect(doctor).anchorRecord(patient.address, commitmentOf("x"), RecordType.None, false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryInvalidType")
          .withArgs(RecordType.None);
      });
    });

    describe("with a record already anchored", function () {
      it("refuses the same record twice and keeps the first", async function () {
        const { registry, doctor, patient, note, noteContent, noteAnchoredAt } = f;
        await expect(
          registry.connect(doctor).anchorRecord(patient.address, noteContent, RecordType.ClinicalNote, false),
        )
          .to.be.revertedWithCustomError(registry, "RecordRegistryAlreadyAnchored")
          .withArgs(patient.address, note);
        expect(structOf(await registry.recordOf(patient.address, note))).to.deep.equal(
          recordEntry(doctor.address, noteAnchoredAt, RecordType.ClinicalNote, 0, 1),
        );
      });

      it("gives another provider anchoring the same content commitment a record of its own", async function () {
        const { registry, doctor, lab, patient, note, noteContent, noteAnchoredAt } = f;
        const labs = recordCommitmentOf(lab.address, noteContent);
        await expect(registry.connect(lab).anchorRecord(patient.address, noteContent, RecordType.LabResult, true))
          .to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, labs, lab.address, RecordType.LabResult, true);
        expect(labs).to.not.equal(note);
        expect(structOf(await registry.recordOf(patient.address, note))).to.deep.equal(
          recordEntry(doctor.address, noteAnchoredAt, RecordType.ClinicalNote, 0, 1),
        );
      });
    });
  });

  describe("anchorRecordFor", function () {
    describe("by a workflow contract", function () {
      it("anchors the record under the author it names", async function () {
        const { registry, workflow, pharmacy, patient } = f;
        const commitment = commitmentOf("dispense");
        const record = recordCommitmentOf(pharmacy.address, commitment);
        // The workflow keys its own state by the name the registry returns.
        const asWorkflow = registry.connect(workflow);
        expect(
          await asWorkflow.anchorRecordFor.staticCall(
            pharmacy.address,
            patient.address,
            commitment,
            RecordType.Dispense,
            false,
          ),
        ).to.equal(record);
        const tx = asWorkflow.anchorRecordFor(
          pharmacy.address,
          patient.address,
          commitment,
          RecordType.Dispense,
          false,
        );
        await expect(tx)
          .to.emit(registry, "RecordAnchored")
          .withArgs(patient.address, record, pharmacy.address, RecordType.Dispense, false);
        expect(structOf(await registry.recordOf(patient.address, record))).to.deep.equal(
          recordEntry(pharmacy.address, await minedAt(ethers, tx), RecordType.Dispense, 0, 1),
        );
      });

      it("refuses a zero author", async function () {
        const { registry, workflow, patient } = f;
        await expect(
          registry
            .connect(workflow)
            .anchorRecordFor(ZeroAddress, patient.address, commitmentOf("x"), RecordType.Dispense, false),
        ).to.be.revertedWithCustomError(registry, "RecordRegistryZeroAddress");
      });

      it("refuses a record already anchored", async function () {
        const { registry, workflow, doctor, patient, note, noteContent } = f;
        await expect(
          registry
            .connect(workflow)
            .anchorRecordFor(doctor.address, patient.address, noteContent, RecordType.Other, false),
        )
          .to.be.revertedWithCustomError(registry, "RecordRegistryAlreadyAnchored")
          .withArgs(patient.address, note);
      });
    });

    describe("without the workflow role", function () {
      it("refuses an active provider", async function () {
        const { registry, doctor, patient, WORKFLOW_ROLE } = f;
        await expect(
          registry
            .connect(doctor)
            .anchorRecordFor(doctor.address, patient.address, commitmentOf("x"), RecordType.ClinicalNote, false),
        )
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(doctor.address, WORKFLOW_ROLE);
      });

      it("refuses a workflow whose role the admin revoked", async function () {
        const { registry, admin, workflow, doctor, patient, WORKFLOW_ROLE } = f;
        await expect(registry.connect(admin).revokeRole(WORKFLOW_ROLE, workflow.address))
          .to.emit(registry, "RoleRevoked")
          .withArgs(WORKFLOW_ROLE, workflow.address, admin.address);
        await expect(
          registry
            .connect(workflow)
            .anchorRecordFor(doctor.address, patient.address, commitmentOf("x"), RecordType.ClinicalNote, false),
        )
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(workflow.address, WORKFLOW_ROLE);
      });
    });
  });

  describe("amendRecord", function () {
    describe("by the author", function () {
      for (const sensitive of [false, true]) {
        it(`anchors a ${sensitive ? "sensitive" : "non-sensitive"} version 2 and marks version 1 superseded`, async function () {
          const { registry, doctor, patient, note, noteAnchoredAt } = f;
          const corrected = recordCommitmentOf(doctor.address, commitmentOf("note/v2"));
          const tx = registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("note/v2"), sensitive);
          await expect(tx)
            .to.emit(registry, "RecordAmended")
            .withArgs(patient.address, corrected, note, doctor.address, 2, sensitive);
          expect(structOf(await registry.recordOf(patient.address, corrected))).to.deep.equal(
            recordEntry(
              doctor.address,
              await minedAt(ethers, tx),
              RecordType.ClinicalNote,
              sensitive ? RecordFlag.Sensitive : 0,
              2,
            ),
          );
          expect(structOf(await registry.recordOf(patient.address, note))).to.deep.equal(
            recordEntry(doctor.address, noteAnchoredAt, RecordType.ClinicalNote, RecordFlag.Superseded, 1),
          );
        });
      }

      it("corrects the newest version again, incrementing the version each time", async function () {
        const { registry, doctor, patient, note } = f;
        const v2 = recordCommitmentOf(doctor.address, commitmentOf("note/v2"));
        const v3 = recordCommitmentOf(doctor.address, commitmentOf("note/v3"));
        await (
          await registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("note/v2"), false)
        ).wait();
        await expect(registry.connect(doctor).amendRecord(patient.address, v2, commitmentOf("note/v3"), false))
          .to.emit(registry, "RecordAmended")
          .withArgs(patient.address, v3, v2, doctor.address, 3, false);
        expect((await registry.recordOf(patient.address, v3)).version).to.equal(3n);
        expect((await registry.recordOf(patient.address, v2)).flags).to.equal(BigInt(RecordFlag.Superseded));
      });

      it("keeps the sensitive flag on the superseded version and carries it to the correction", async function () {
        const { registry, doctor, patient } = f;
        const v1 = recordCommitmentOf(doctor.address, commitmentOf("sensitive/v1"));
        const v2 = recordCommitmentOf(doctor.address, commitmentOf("sensitive/v2"));
        await (
          await registry
            .connect(doctor)
            .anchorRecord(patient.address, commitmentOf("sensitive/v1"), RecordType.Imaging, true)
        ).wait();
        await expect(registry.connect(doctor).amendRecord(patient.address, v1, commitmentOf("sensitive/v2"), false))
          .to.emit(registry, "RecordAmended")
          .withArgs(patient.address, v2, v1, doctor.address, 2, true);
        expect((await registry.recordOf(patient.address, v1)).flags).to.equal(
          BigInt(RecordFlag.Sensitive | RecordFlag.Superseded),
        );
        expect((await registry.recordOf(patient.address, v2)).flags).to.equal(BigInt(RecordFlag.Sensitive));
      });

      it("lets a patient correct their own wellness record", async function () {
        const { registry, patient } = f;
        const v1 = recordCommitmentOf(patient.address, commitmentOf("steps/v1"));
        const v2 = recordCommitmentOf(patient.address, commitmentOf("steps/v2"));
        await (
          await registry
            .connect(patient)
            .anchorRecord(patient.address, commitmentOf("steps/v1"), RecordType.Wellness, false)
        ).wait();
        await expect(registry.connect(patient).amendRecord(patient.address, v1, commitmentOf("steps/v2"), false))
          .to.emit(registry, "RecordAmended")
          .withArgs(patient.address, v2, v1, patient.address, 2, false);
        expect((await registry.recordOf(patient.address, v2)).recordType).to.equal(BigInt(RecordType.Wellness));
      });
    });

    describe("when refused", function () {
      it("refuses an active provider that is not the author", async function () {
        const { registry, lab, doctor, patient, note } = f;
        await expect(registry.connect(lab).amendRecord(patient.address, note, commitmentOf("v2"), false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotAuthor")
          .withArgs(lab.address, doctor.address);
      });

      it("refuses the patient correcting a provider's record", async function () {
        const { registry, doctor, patient, note } = f;
        await expect(registry.connect(patient).amendRecord(patient.address, note, commitmentOf("v2"), false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotAuthor")
          .withArgs(patient.address, doctor.address);
      });

      it("refuses an account that is not a provider", async function () {
        const { registry, stranger, patient, note } = f;
        await expect(registry.connect(stranger).amendRecord(patient.address, note, commitmentOf("v2"), false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(stranger.address);
      });

      it("refuses an unknown record", async function () {
        const { registry, doctor, patient } = f;
        const unknown = commitmentOf("unknown");
        await expect(registry.connect(doctor).amendRecord(patient.address, unknown, commitmentOf("v2"), false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotFound")
          .withArgs(patient.address, unknown);
      });

      it("refuses correcting the same version twice", async function () {
        const { registry, doctor, patient, note } = f;
        await (await registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("v2"), false)).wait();
        await expect(registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("v2-bis"), false))
          .to.be.revertedWithCustomError(registry, "RecordRegistrySuperseded")
          .withArgs(patient.address, note);
      });

      it("refuses an erased record", async function () {
        const { registry, doctor, patient, note } = f;
        await (await registry.connect(patient).eraseRecord(patient.address, note)).wait();
        await expect(registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("v2"), false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryErased")
          .withArgs(patient.address, note);
      });

      it("refuses a suspended author", async function () {
        const { registry, directory, registrar, doctor, patient, note } = f;
        await (await directory.connect(registrar).suspendProvider(doctor.address, reasonCodeOf("licence"))).wait();
        await expect(registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("v2"), false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(doctor.address);
      });

      it("refuses a correction whose commitment is already anchored and leaves the old version current", async function () {
        const { registry, doctor, patient, note, noteContent } = f;
        await expect(registry.connect(doctor).amendRecord(patient.address, note, noteContent, false))
          .to.be.revertedWithCustomError(registry, "RecordRegistryAlreadyAnchored")
          .withArgs(patient.address, note);
        expect((await registry.recordOf(patient.address, note)).flags).to.equal(0n);
      });

      it("refuses a zero commitment for the correction", async function () {
        const { registry, doctor, patient, note } = f;
        await expect(
          registry.connect(doctor).amendRecord(patient.address, note, ZeroHash, false),
        ).to.be.revertedWithCustomError(registry, "RecordRegistryZeroCommitment");
      });
    });
  });

  describe("amendRecordFor", function () {
    it("corrects a record on behalf of its author", async function () {
      const { registry, workflow, doctor, patient, note } = f;
      const corrected = recordCommitmentOf(doctor.address, commitmentOf("note/v2"));
      const amend = registry.connect(workflow).amendRecordFor;
      expect(await amend.staticCall(doctor.address, patient.address, note, commitmentOf("note/v2"), true)).to.equal(
        corrected,
      );
      await expect(amend(doctor.address, patient.address, note, commitmentOf("note/v2"), true))
        .to.emit(registry, "RecordAmended")
        .withArgs(patient.address, corrected, note, doctor.address, 2, true);
      expect((await registry.recordOf(patient.address, corrected)).author).to.equal(doctor.address);
      expect((await registry.recordOf(patient.address, note)).flags).to.equal(BigInt(RecordFlag.Superseded));
    });

    it("refuses an author who did not write the record", async function () {
      const { registry, workflow, lab, doctor, patient, note } = f;
      await expect(
        registry.connect(workflow).amendRecordFor(lab.address, patient.address, note, commitmentOf("v2"), false),
      )
        .to.be.revertedWithCustomError(registry, "RecordRegistryNotAuthor")
        .withArgs(lab.address, doctor.address);
    });

    it("refuses an account without the workflow role", async function () {
      const { registry, doctor, patient, note, WORKFLOW_ROLE } = f;
      await expect(
        registry.connect(doctor).amendRecordFor(doctor.address, patient.address, note, commitmentOf("v2"), false),
      )
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(doctor.address, WORKFLOW_ROLE);
    });
  });

  describe("eraseRecord", function () {
    describe("by the patient or an erase delegate", function () {
      it("lets the patient mark the record erased", async function () {
        const { registry, doctor, patient, note, noteAnchoredAt } = f;
        await expect(registry.connect(patient).eraseRecord(patient.address, note))
          .to.emit(registry, "RecordErased")
          .withArgs(patient.address, note, patient.address);
        expect(structOf(await registry.recordOf(patient.address, note))).to.deep.equal(
          recordEntry(doctor.address, noteAnchoredAt, RecordType.ClinicalNote, RecordFlag.Erased, 1),
        );
      });

      it("lets a delegate with the erase capability mark the record erased", async function () {
        const { registry, patient, delegate, note } = f;
        await expect(registry.connect(delegate).eraseRecord(patient.address, note))
          .to.emit(registry, "RecordErased")
          .withArgs(patient.address, note, delegate.address);
        expect((await registry.recordOf(patient.address, note)).flags).to.equal(BigInt(RecordFlag.Erased));
      });

      it("erases a superseded version without touching its correction", async function () {
        const { registry, doctor, patient, note } = f;
        const corrected = recordCommitmentOf(doctor.address, commitmentOf("note/v2"));
        await (
          await registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("note/v2"), false)
        ).wait();
        await (await registry.connect(patient).eraseRecord(patient.address, note)).wait();
        expect((await registry.recordOf(patient.address, note)).flags).to.equal(
          BigInt(RecordFlag.Superseded | RecordFlag.Erased),
        );
        expect((await registry.recordOf(patient.address, corrected)).flags).to.equal(0n);
      });
    });

    describe("by anyone else", function () {
      it("refuses a delegate with the read capability only", async function () {
        const { registry, patient, reader, note } = f;
        await expect(registry.connect(reader).eraseRecord(patient.address, note))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(reader.address, patient.address);
      });

      it("refuses the record's author", async function () {
        const { registry, doctor, patient, note } = f;
        await expect(registry.connect(doctor).eraseRecord(patient.address, note))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(doctor.address, patient.address);
      });

      it("refuses a delegate whose delegation has ended", async function () {
        const { registry, patient, delegate, note, delegationEnd } = f;
        await networkHelpers.time.increaseTo(delegationEnd);
        await expect(registry.connect(delegate).eraseRecord(patient.address, note))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(delegate.address, patient.address);
      });

      it("refuses another patient", async function () {
        const { registry, patient, otherPatient, note } = f;
        await expect(registry.connect(otherPatient).eraseRecord(patient.address, note))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(otherPatient.address, patient.address);
      });
    });

    describe("with a record that cannot be erased", function () {
      it("refuses an unknown record", async function () {
        const { registry, patient } = f;
        const unknown = commitmentOf("unknown");
        await expect(registry.connect(patient).eraseRecord(patient.address, unknown))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotFound")
          .withArgs(patient.address, unknown);
      });

      it("refuses erasing twice", async function () {
        const { registry, patient, note } = f;
        await (await registry.connect(patient).eraseRecord(patient.address, note)).wait();
        await expect(registry.connect(patient).eraseRecord(patient.address, note))
          .to.be.revertedWithCustomError(registry, "RecordRegistryErased")
          .withArgs(patient.address, note);
      });
    });

    describe("after the patient's death", function () {
      let diedAt: number;

      beforeEach(async function () {
        const { delegation, registrar, patient } = f;
        diedAt = await networkHelpers.time.latest();
        await (await delegation.connect(registrar).recordDeath(patient.address, diedAt)).wait();
      });

      it("refuses erasure during the retention period", async function () {
        const { registry, patient, note } = f;
        await expect(registry.connect(patient).eraseRecord(patient.address, note))
          .to.be.revertedWithCustomError(registry, "RecordRegistryRetained")
          .withArgs(patient.address, diedAt + RETENTION_AFTER_DEATH);
      });

      it("allows erasure once the retention period is over", async function () {
        const { registry, patient, note } = f;
        await networkHelpers.time.increaseTo(diedAt + RETENTION_AFTER_DEATH);
        await expect(registry.connect(patient).eraseRecord(patient.address, note))
          .to.emit(registry, "RecordErased")
          .withArgs(patient.address, note, patient.address);
      });
    });
  });

  describe("setRecordSensitivity", function () {
    describe("by the patient or a consent delegate", function () {
      it("marks a record sensitive and back", async function () {
        const { registry, patient, note } = f;
        await expect(registry.connect(patient).setRecordSensitivity(patient.address, note, true))
          .to.emit(registry, "RecordSensitivityChanged")
          .withArgs(patient.address, note, true);
        expect((await registry.recordOf(patient.address, note)).flags).to.equal(BigInt(RecordFlag.Sensitive));
        await expect(registry.connect(patient).setRecordSensitivity(patient.address, note, false))
          .to.emit(registry, "RecordSensitivityChanged")
          .withArgs(patient.address, note, false);
        expect((await registry.recordOf(patient.address, note)).flags).to.equal(0n);
      });

      it("keeps the other flags", async function () {
        const { registry, doctor, patient, note } = f;
        await (await registry.connect(doctor).amendRecord(patient.address, note, commitmentOf("v2"), false)).wait();
        await (await registry.connect(patient).setRecordSensitivity(patient.address, note, true)).wait();
        expect((await registry.recordOf(patient.address, note)).flags).to.equal(
          BigInt(RecordFlag.Superseded | RecordFlag.Sensitive),
        );
      });

      it("lets a delegate with the consent capability change it", async function () {
        const { registry, patient, delegate, note } = f;
        await expect(registry.connect(delegate).setRecordSensitivity(patient.address, note, true))
          .to.emit(registry, "RecordSensitivityChanged")
          .withArgs(patient.address, note, true);
        expect((await registry.recordOf(patient.address, note)).flags).to.equal(BigInt(RecordFlag.Sensitive));
      });
    });

    describe("when refused", function () {
      it("refuses a delegate with the read capability only", async function () {
        const { registry, patient, reader, note } = f;
        await expect(registry.connect(reader).setRecordSensitivity(patient.address, note, true))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(reader.address, patient.address);
      });

      it("refuses a delegate with the erase capability only", async function () {
        const { registry, delegation, patient, stranger, note, delegationEnd } = f;
        await (
          await delegation.connect(patient).appointDelegate(stranger.address, Capability.Erase, delegationEnd)
        ).wait();
        await expect(registry.connect(stranger).setRecordSensitivity(patient.address, note, true))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(stranger.address, patient.address);
      });

      it("refuses an unknown record", async function () {
        const { registry, patient } = f;
        const unknown = commitmentOf("unknown");
        await expect(registry.connect(patient).setRecordSensitivity(patient.address, unknown, true))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotFound")
          .withArgs(patient.address, unknown);
      });

      it("refuses an erased record", async function () {
        const { registry, patient, note } = f;
        await (await registry.connect(patient).eraseRecord(patient.address, note)).wait();
        await expect(registry.connect(patient).setRecordSensitivity(patient.address, note, true))
          .to.be.revertedWithCustomError(registry, "RecordRegistryErased")
          .withArgs(patient.address, note);
      });
    });
  });

  describe("anchorBatch", function () {
    describe("by an active provider", function () {
      it("stores the root with its author, time and size", async function () {
        const { registry, doctor, newBatch } = f;
        const tx = registry.connect(doctor).anchorBatch(newBatch.root, newBatch.size);
        const bound = recordCommitmentOf(doctor.address, newBatch.root);
        await expect(tx).to.emit(registry, "BatchAnchored").withArgs(doctor.address, bound, newBatch.size);
        expect(structOf(await registry.batchOf(bound))).to.deep.equal({
          author: doctor.address,
          anchoredAt: BigInt(await minedAt(ethers, tx)),
          size: BigInt(newBatch.size),
        });
      });

      it("reports the fixture's batch as anchored", async function () {
        const { registry, lab, batch, batchAnchoredAt } = f;
        expect(structOf(await registry.batchOf(batch.root))).to.deep.equal({
          author: lab.address,
          anchoredAt: BigInt(batchAnchoredAt),
          size: 3n,
        });
      });
    });

    describe("when refused", function () {
      it("refuses an unregistered account", async function () {
        const { registry, stranger, newBatch } = f;
        await expect(registry.connect(stranger).anchorBatch(newBatch.root, newBatch.size))
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(stranger.address);
      });

      it("refuses a patient, who may anchor only single wellness records", async function () {
        const { registry, patient, newBatch } = f;
        await expect(registry.connect(patient).anchorBatch(newBatch.root, newBatch.size))
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(patient.address);
      });

      it("refuses a suspended provider", async function () {
        const { registry, directory, registrar, lab, newBatch } = f;
        await (await directory.connect(registrar).suspendProvider(lab.address, reasonCodeOf("audit"))).wait();
        await expect(registry.connect(lab).anchorBatch(newBatch.root, newBatch.size))
          .to.be.revertedWithCustomError(registry, "RecordRegistryUnauthorizedAuthor")
          .withArgs(lab.address);
      });

      it("refuses the zero root", async function () {
        const { registry, lab } = f;
        await expect(registry.connect(lab).anchorBatch(ZeroHash, 1)).to.be.revertedWithCustomError(
          registry,
          "RecordRegistryZeroCommitment",
        );
      });

      it("refuses a batch of size zero", async function () {
        const { registry, lab, newBatch } = f;
        await expect(registry.connect(lab).anchorBatch(newBatch.root, 0)).to.be.revertedWithCustomError(
          registry,
          "RecordRegistryEmptyBatch",
        );
      });

      it("refuses a root its sender already anchored; another sender gets a batch of its own", async function () {
        const { registry, lab, doctor, batch } = f;
        await expect(registry.connect(lab).anchorBatch(batch.merkleRoot, batch.size))
          .to.be.revertedWithCustomError(registry, "RecordRegistryBatchAlreadyAnchored")
          .withArgs(batch.root);
        const doctors = recordCommitmentOf(doctor.address, batch.merkleRoot);
        await expect(registry.connect(doctor).anchorBatch(batch.merkleRoot, batch.size))
          .to.emit(registry, "BatchAnchored")
          .withArgs(doctor.address, doctors, batch.size);
        expect((await registry.batchOf(batch.root)).author).to.equal(lab.address);
        expect((await registry.batchOf(doctors)).author).to.equal(doctor.address);
      });
    });
  });

  describe("verifyBatchRecord", function () {
    it("accepts every leaf of an anchored batch with its proof", async function () {
      const { registry, batchLeaves, proofOf, batch } = f;
      for (const leaf of batchLeaves) {
        expect(await registry.verifyBatchRecord(batch.root, leaf, proofOf(leaf))).to.equal(true);
      }
    });

    it("hashes a leaf exactly as the off-chain tree does", async function () {
      const { registry, batchLeaves } = f;
      for (const leaf of batchLeaves) {
        expect(await registry.batchLeafHash(leaf)).to.equal(leafHashOf(leaf));
      }
    });

    it("accepts a single-record batch whose root is the leaf and whose proof is empty", async function () {
      const { registry, lab, patient } = f;
      const leaf: BatchLeaf = {
        patient: patient.address,
        commitment: commitmentOf("single"),
        recordType: RecordType.Immunization,
        sensitive: false,
      };
      const tree = new BatchTree([leaf]);
      expect(tree.root).to.equal(leafHashOf(leaf));
      await (await registry.connect(lab).anchorBatch(tree.root, 1)).wait();
      expect(await registry.verifyBatchRecord(recordCommitmentOf(lab.address, tree.root), leaf, [])).to.equal(true);
      expect(await registry.verifyBatchRecord(tree.root, leaf, [])).to.equal(false);
    });

    it("rejects a leaf whose attributes were altered", async function () {
      const { registry, batchLeaves, proofOf, batch } = f;
      const leaf = batchLeaves[0];
      const proof = proofOf(leaf);
      const altered: BatchLeaf[] = [
        { ...leaf, sensitive: !leaf.sensitive },
        { ...leaf, recordType: RecordType.Prescription },
        { ...leaf, commitment: commitmentOf("forged") },
        { ...leaf, patient: f.stranger.address },
      ];
      for (const forged of altered) {
        expect(await registry.verifyBatchRecord(batch.root, forged, proof)).to.equal(false);
      }
    });

    it("rejects a leaf with another leaf's proof or with no proof", async function () {
      const { registry, batchLeaves, proofOf, batch } = f;
      expect(await registry.verifyBatchRecord(batch.root, batchLeaves[0], proofOf(batchLeaves[2]))).to.equal(false);
      expect(await registry.verifyBatchRecord(batch.root, batchLeaves[0], [])).to.equal(false);
    });

    it("rejects a valid proof against a root that was never anchored", async function () {
      const { registry, newBatch, newLeaves } = f;
      const leaf = newLeaves[0];
      expect(
        await registry.verifyBatchRecord(newBatch.root, leaf, newBatch.proof(leaf.patient, leaf.commitment)),
      ).to.equal(false);
    });
  });

  describe("eraseBatchRecord", function () {
    describe("by the patient or an erase delegate", function () {
      it("lets the patient mark a batched record erased", async function () {
        const { registry, patient, batchLeaves, proofOf, batch, leafRecord } = f;
        const leaf = batchLeaves[1];
        await expect(registry.connect(patient).eraseBatchRecord(batch.root, leaf, proofOf(leaf)))
          .to.emit(registry, "RecordErased")
          .withArgs(patient.address, leafRecord(leaf), patient.address);
        expect(await registry.isBatchRecordErased(patient.address, leafRecord(leaf))).to.equal(true);
        expect(await registry.isBatchRecordErased(patient.address, leafRecord(batchLeaves[0]))).to.equal(false);
        expect(await registry.verifyBatchRecord(batch.root, leaf, proofOf(leaf))).to.equal(true);
      });

      it("lets a delegate with the erase capability mark it erased", async function () {
        const { registry, patient, delegate, batchLeaves, proofOf, batch, leafRecord } = f;
        const leaf = batchLeaves[0];
        await expect(registry.connect(delegate).eraseBatchRecord(batch.root, leaf, proofOf(leaf)))
          .to.emit(registry, "RecordErased")
          .withArgs(patient.address, leafRecord(leaf), delegate.address);
        expect(await registry.isBatchRecordErased(patient.address, leafRecord(leaf))).to.equal(true);
      });
    });

    describe("when refused", function () {
      it("refuses a delegate with the read capability only", async function () {
        const { registry, patient, reader, batchLeaves, proofOf, batch } = f;
        const leaf = batchLeaves[0];
        await expect(registry.connect(reader).eraseBatchRecord(batch.root, leaf, proofOf(leaf)))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(reader.address, patient.address);
      });

      it("refuses a patient erasing another patient's batched record", async function () {
        const { registry, patient, otherPatient, batchLeaves, proofOf, batch } = f;
        const leaf = batchLeaves[2];
        await expect(registry.connect(patient).eraseBatchRecord(batch.root, leaf, proofOf(leaf)))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(patient.address, otherPatient.address);
      });

      it("refuses a root that was never anchored", async function () {
        const { registry, patient, newBatch, newLeaves } = f;
        const leaf = newLeaves[0];
        await expect(
          registry
            .connect(patient)
            .eraseBatchRecord(newBatch.root, leaf, newBatch.proof(leaf.patient, leaf.commitment)),
        )
          .to.be.revertedWithCustomError(registry, "RecordRegistryBatchNotFound")
          .withArgs(newBatch.root);
      });

      it("refuses a proof that does not show the leaf in the batch", async function () {
        const { registry, patient, batchLeaves, proofOf, batch } = f;
        const leaf = { ...batchLeaves[0], sensitive: true };
        await expect(registry.connect(patient).eraseBatchRecord(batch.root, leaf, proofOf(batchLeaves[0])))
          .to.be.revertedWithCustomError(registry, "RecordRegistryInvalidProof")
          .withArgs(batch.root, leafHashOf(leaf));
      });

      it("refuses erasing the same batched record twice", async function () {
        const { registry, patient, batchLeaves, proofOf, batch, leafRecord } = f;
        const leaf = batchLeaves[0];
        await (await registry.connect(patient).eraseBatchRecord(batch.root, leaf, proofOf(leaf))).wait();
        await expect(registry.connect(patient).eraseBatchRecord(batch.root, leaf, proofOf(leaf)))
          .to.be.revertedWithCustomError(registry, "RecordRegistryErased")
          .withArgs(patient.address, leafRecord(leaf));
      });

      it("refuses erasure during the retention period after the patient's death", async function () {
        const { registry, delegation, registrar, patient, batchLeaves, proofOf, batch } = f;
        const diedAt = await networkHelpers.time.latest();
        await (await delegation.connect(registrar).recordDeath(patient.address, diedAt)).wait();
        const leaf = batchLeaves[0];
        await expect(registry.connect(patient).eraseBatchRecord(batch.root, leaf, proofOf(leaf)))
          .to.be.revertedWithCustomError(registry, "RecordRegistryRetained")
          .withArgs(patient.address, diedAt + RETENTION_AFTER_DEATH);
      });
    });
  });

  describe("lookups", function () {
    it("report an unknown record and an unknown batch as all zero", async function () {
      const { registry, patient, newBatch } = f;
      expect(structOf(await registry.recordOf(patient.address, commitmentOf("unknown")))).to.deep.equal(
        recordEntry(ZeroAddress, 0, RecordType.None, 0, 0),
      );
      expect(structOf(await registry.batchOf(newBatch.root))).to.deep.equal({
        author: ZeroAddress,
        anchoredAt: 0n,
        size: 0n,
      });
      expect(await registry.isBatchRecordErased(patient.address, commitmentOf("unknown"))).to.equal(false);
    });
  });

  describeAdminHandover(async () => {
    const { registry, admin, newAdmin, stranger } = await networkHelpers.loadFixture(fixture);
    return { contract: registry, admin, newAdmin, stranger, delay: ADMIN_DELAY };
  }, networkHelpers);
});
