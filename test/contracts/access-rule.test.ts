import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { BatchTree, type BatchLeaf } from "../../client/batch-tree.js";
import { AccessBasis, Capability } from "../../client/care-types.js";
import { TestAccessSource__factory } from "../../typechain-types/index.js";
import {
  commitmentOf,
  recordCommitmentOf,
  ConsentScope,
  DAY,
  deployCareLedgerWorld,
  grantIdOf,
  grantRequest,
  HipaaRole,
  ProviderForm,
  ProviderKind,
  Purpose,
  reasonCodeOf,
  RecordType,
  recordTypeScope,
} from "../helpers/care-ledger.js";

const { ethers, networkHelpers } = await network.create();

const GRANT_LENGTH = 30 * DAY;

async function fixture() {
  const world = await deployCareLedgerWorld(ethers);
  const { directory, delegation, registry, consent, admin, registrar, hospital, doctor, pharmacy, lab, patient } =
    world;
  const { otherPatient, delegate, reader } = world;
  const [specialist, researcher, insurer, consentManagerOnly] = (await ethers.getSigners()).slice(13);
  await (
    await directory.connect(registrar).registerProvider(specialist, {
      kind: ProviderKind.Doctor,
      form: ProviderForm.Practitioner,
      hipaa: HipaaRole.CoveredEntity,
      organisation: hospital,
    })
  ).wait();

  const start = await networkHelpers.time.latest();
  const delegationEnd = start + 365 * DAY;
  const asPatient = delegation.connect(patient);
  await (await asPatient.appointDelegate(delegate, Capability.ManageConsent | Capability.Read, delegationEnd)).wait();
  await (await asPatient.appointDelegate(reader, Capability.Read, delegationEnd)).wait();
  await (await asPatient.appointDelegate(consentManagerOnly, Capability.ManageConsent, delegationEnd)).wait();

  const contents = {
    note: commitmentOf("note"),
    prescription: commitmentOf("prescription"),
    psychiatry: commitmentOf("psychiatry"),
    erased: commitmentOf("erased"),
    firstVersion: commitmentOf("discharge/v1"),
    secondVersion: commitmentOf("discharge/v2"),
    wellness: commitmentOf("wellness"),
    otherPatients: commitmentOf("other-patient"),
    unknown: commitmentOf("unknown"),
  };
  // Every record is named by its author's record commitment (the patient's for wellness).
  const records = Object.fromEntries(
    Object.entries(contents).map(([name, content]) => [
      name,
      recordCommitmentOf(name === "wellness" ? patient.address : doctor.address, content),
    ]),
  ) as Record<keyof typeof contents, string>;
  const asDoctor = registry.connect(doctor);
  await (await asDoctor.anchorRecord(patient, contents.note, RecordType.ClinicalNote, false)).wait();
  await (await asDoctor.anchorRecord(patient, contents.prescription, RecordType.Prescription, false)).wait();
  await (await asDoctor.anchorRecord(patient, contents.psychiatry, RecordType.ClinicalNote, true)).wait();
  await (await asDoctor.anchorRecord(patient, contents.erased, RecordType.ClinicalNote, false)).wait();
  await (await registry.connect(patient).eraseRecord(patient, records.erased)).wait();
  await (await asDoctor.anchorRecord(patient, contents.firstVersion, RecordType.Referral, false)).wait();
  await (await asDoctor.amendRecord(patient, records.firstVersion, contents.secondVersion, false)).wait();
  await (await registry.connect(patient).anchorRecord(patient, contents.wellness, RecordType.Wellness, false)).wait();
  await (await asDoctor.anchorRecord(otherPatient, contents.otherPatients, RecordType.ClinicalNote, false)).wait();

  const batchLeaves: BatchLeaf[] = [
    {
      patient: patient.address,
      commitment: commitmentOf("batch/plain"),
      recordType: RecordType.LabResult,
      sensitive: false,
    },
    {
      patient: patient.address,
      commitment: commitmentOf("batch/sensitive"),
      recordType: RecordType.LabResult,
      sensitive: true,
    },
    {
      patient: otherPatient.address,
      commitment: commitmentOf("batch/other"),
      recordType: RecordType.LabResult,
      sensitive: false,
    },
  ];
  const tree = new BatchTree(batchLeaves);
  await (await registry.connect(lab).anchorBatch(tree.root, tree.size)).wait();
  // The registry names the batch by its root bound to the lab, and each leaf by the lab's record commitment.
  const batch = {
    root: recordCommitmentOf(lab.address, tree.root),
    size: tree.size,
    proof: (leafPatient: string, commitment: string): string[] => tree.proof(leafPatient, commitment),
  };

  const now = await networkHelpers.time.latest();
  const grant = consent.connect(patient);
  const grants = {
    pharmacy: grantRequest(pharmacy.address, now, {
      scope: ConsentScope.RecordType,
      scopeValue: recordTypeScope(RecordType.Prescription),
      purpose: Purpose.Dispensing,
      validUntil: now + GRANT_LENGTH,
    }),
    specialist: grantRequest(specialist.address, now, { validUntil: now + GRANT_LENGTH }),
    researcher: grantRequest(researcher.address, now, {
      scope: ConsentScope.Record,
      scopeValue: records.psychiatry,
      purpose: Purpose.Research,
      validUntil: now + GRANT_LENGTH,
    }),
    researcherBatch: grantRequest(researcher.address, now, {
      scope: ConsentScope.Record,
      scopeValue: recordCommitmentOf(lab.address, batchLeaves[1].commitment),
      purpose: Purpose.Research,
      validUntil: now + GRANT_LENGTH,
    }),
    insurer: grantRequest(insurer.address, now, {
      purpose: Purpose.Payment,
      validFrom: now + DAY,
      validUntil: now + 2 * DAY,
    }),
    lab: grantRequest(lab.address, now, {
      scope: ConsentScope.Record,
      scopeValue: records.note,
      validUntil: now + GRANT_LENGTH,
    }),
  };
  for (const request of Object.values(grants)) {
    await (await grant.grantConsent(patient, request)).wait();
  }

  const source = await new TestAccessSource__factory(admin).deploy();
  const otherSource = await new TestAccessSource__factory(admin).deploy();
  await source.waitForDeployment();
  await otherSource.waitForDeployment();

  return {
    ...world,
    specialist,
    researcher,
    insurer,
    consentManagerOnly,
    delegationEnd,
    records,
    batch,
    batchLeaves,
    grantedAt: now,
    source,
    otherSource,
  };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;
type RecordName = keyof Fixture["records"];

interface AccessCase {
  title: string;
  accessor: (f: Fixture) => string;
  record: RecordName;
  /** The record's patient; `patient` unless said. */
  patient?: (f: Fixture) => string;
  purpose: Purpose;
  setup?: (f: Fixture) => Promise<void>;
  basis: AccessBasis;
}

async function suspend(f: Fixture, account: string): Promise<void> {
  await (await f.directory.connect(f.registrar).suspendProvider(account, reasonCodeOf("test"))).wait();
}

const ACCESS_CASES: AccessCase[] = [
  // The patient.
  {
    title: "the patient reads their own record",
    accessor: (f) => f.patient.address,
    record: "note",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Patient,
  },
  {
    title: "the patient reads their own sensitive record",
    accessor: (f) => f.patient.address,
    record: "psychiatry",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Patient,
  },
  {
    title: "the patient reads their own record for any purpose",
    accessor: (f) => f.patient.address,
    record: "note",
    purpose: Purpose.Research,
    basis: AccessBasis.Patient,
  },
  {
    title: "the patient reads their self-authored wellness record",
    accessor: (f) => f.patient.address,
    record: "wellness",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Patient,
  },
  {
    title: "a patient who is also a suspended provider still reads their own record",
    accessor: (f) => f.patient.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: async (f) => {
      await (
        await f.directory.connect(f.registrar).registerProvider(f.patient, {
          kind: ProviderKind.Doctor,
          form: ProviderForm.Practitioner,
          hipaa: HipaaRole.CoveredEntity,
          organisation: ZeroAddress,
        })
      ).wait();
      await suspend(f, f.patient.address);
    },
    basis: AccessBasis.Patient,
  },
  {
    title: "a patient cannot read another patient's record",
    accessor: (f) => f.patient.address,
    record: "otherPatients",
    patient: (f) => f.otherPatient.address,
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  // The author.
  {
    title: "the author reads the record",
    accessor: (f) => f.doctor.address,
    record: "note",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Author,
  },
  {
    title: "the author reads a sensitive record they wrote",
    accessor: (f) => f.doctor.address,
    record: "psychiatry",
    purpose: Purpose.Research,
    basis: AccessBasis.Author,
  },
  {
    title: "a suspended author is refused",
    accessor: (f) => f.doctor.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: (f) => suspend(f, f.doctor.address),
    basis: AccessBasis.None,
  },
  {
    title: "an author whose organisation is suspended is refused",
    accessor: (f) => f.doctor.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: (f) => suspend(f, f.hospital.address),
    basis: AccessBasis.None,
  },
  // Delegates.
  {
    title: "a delegate with the read capability reads the record",
    accessor: (f) => f.delegate.address,
    record: "note",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Delegate,
  },
  {
    title: "a read-only delegate reads a sensitive record",
    accessor: (f) => f.reader.address,
    record: "psychiatry",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Delegate,
  },
  {
    title: "a delegate without the read capability is refused",
    accessor: (f) => f.consentManagerOnly.address,
    record: "note",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "a delegate whose delegation has ended is refused",
    accessor: (f) => f.reader.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: async (f) => networkHelpers.time.increaseTo(f.delegationEnd),
    basis: AccessBasis.None,
  },
  {
    title: "a removed delegate is refused",
    accessor: (f) => f.reader.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: async (f) => {
      await (await f.delegation.connect(f.patient).removeDelegate(f.reader)).wait();
    },
    basis: AccessBasis.None,
  },
  // Grants, by scope and purpose.
  {
    title: "a record-type grantee reads a record of that type for the purpose",
    accessor: (f) => f.pharmacy.address,
    record: "prescription",
    purpose: Purpose.Dispensing,
    basis: AccessBasis.Consent,
  },
  {
    title: "a record-type grantee is refused for another purpose",
    accessor: (f) => f.pharmacy.address,
    record: "prescription",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "a record-type grantee is refused a record of another type",
    accessor: (f) => f.pharmacy.address,
    record: "note",
    purpose: Purpose.Dispensing,
    basis: AccessBasis.None,
  },
  {
    title: "a record-type grantee is refused once the patient marks the record sensitive",
    accessor: (f) => f.pharmacy.address,
    record: "prescription",
    purpose: Purpose.Dispensing,
    setup: async (f) => {
      await (await f.registry.connect(f.patient).setRecordSensitivity(f.patient, f.records.prescription, true)).wait();
    },
    basis: AccessBasis.None,
  },
  {
    title: "an all-records grantee reads a clinical note",
    accessor: (f) => f.specialist.address,
    record: "note",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Consent,
  },
  {
    title: "an all-records grantee reads a wellness record",
    accessor: (f) => f.specialist.address,
    record: "wellness",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Consent,
  },
  {
    title: "an all-records grantee is refused a sensitive record",
    accessor: (f) => f.specialist.address,
    record: "psychiatry",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "an all-records grantee is refused for another purpose",
    accessor: (f) => f.specialist.address,
    record: "note",
    purpose: Purpose.Emergency,
    basis: AccessBasis.None,
  },
  {
    title: "a grantee of one patient is refused another patient's record",
    accessor: (f) => f.specialist.address,
    record: "otherPatients",
    patient: (f) => f.otherPatient.address,
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "a record grantee reads that sensitive record",
    accessor: (f) => f.researcher.address,
    record: "psychiatry",
    purpose: Purpose.Research,
    basis: AccessBasis.Consent,
  },
  {
    title: "a record grantee is refused that record for another purpose",
    accessor: (f) => f.researcher.address,
    record: "psychiatry",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "a record grantee is refused other records",
    accessor: (f) => f.researcher.address,
    record: "note",
    purpose: Purpose.Research,
    basis: AccessBasis.None,
  },
  {
    title: "an organisation holding a record grant reads that record",
    accessor: (f) => f.lab.address,
    record: "note",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Consent,
  },
  // Grant periods and revocation.
  {
    title: "a grantee is refused before the grant starts",
    accessor: (f) => f.insurer.address,
    record: "note",
    purpose: Purpose.Payment,
    basis: AccessBasis.None,
  },
  {
    title: "a grantee reads from the second the grant starts",
    accessor: (f) => f.insurer.address,
    record: "note",
    purpose: Purpose.Payment,
    setup: async (f) => networkHelpers.time.increaseTo(f.grantedAt + DAY),
    basis: AccessBasis.Consent,
  },
  {
    title: "a grantee reads in the grant's last second",
    accessor: (f) => f.specialist.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: async (f) => networkHelpers.time.increaseTo(f.grantedAt + GRANT_LENGTH - 1),
    basis: AccessBasis.Consent,
  },
  {
    title: "a grantee is refused once the grant has expired",
    accessor: (f) => f.specialist.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: async (f) => networkHelpers.time.increaseTo(f.grantedAt + GRANT_LENGTH),
    basis: AccessBasis.None,
  },
  {
    title: "a grantee is refused once the grant is revoked",
    accessor: (f) => f.specialist.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: async (f) => {
      const grantId = grantIdOf(f.specialist.address, ConsentScope.AllRecords, ethers.ZeroHash, Purpose.Treatment);
      await (await f.consent.connect(f.patient).revokeConsent(f.patient, grantId)).wait();
    },
    basis: AccessBasis.None,
  },
  // Suspended grantees.
  {
    title: "a suspended grantee is refused",
    accessor: (f) => f.specialist.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: (f) => suspend(f, f.specialist.address),
    basis: AccessBasis.None,
  },
  {
    title: "a grantee whose organisation is suspended is refused",
    accessor: (f) => f.specialist.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: (f) => suspend(f, f.hospital.address),
    basis: AccessBasis.None,
  },
  {
    title: "a suspended organisation holding a grant is refused",
    accessor: (f) => f.lab.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: (f) => suspend(f, f.lab.address),
    basis: AccessBasis.None,
  },
  {
    title: "a reinstated grantee reads again",
    accessor: (f) => f.specialist.address,
    record: "note",
    purpose: Purpose.Treatment,
    setup: async (f) => {
      await suspend(f, f.hospital.address);
      await (await f.directory.connect(f.registrar).reinstateProvider(f.hospital)).wait();
    },
    basis: AccessBasis.Consent,
  },
  // Erased, superseded and unknown records.
  {
    title: "the patient is refused an erased record",
    accessor: (f) => f.patient.address,
    record: "erased",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "the author is refused an erased record",
    accessor: (f) => f.doctor.address,
    record: "erased",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "a delegate is refused an erased record",
    accessor: (f) => f.delegate.address,
    record: "erased",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "a grantee is refused an erased record",
    accessor: (f) => f.specialist.address,
    record: "erased",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "the patient reads a superseded version",
    accessor: (f) => f.patient.address,
    record: "firstVersion",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Patient,
  },
  {
    title: "the author reads a superseded version",
    accessor: (f) => f.doctor.address,
    record: "firstVersion",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Author,
  },
  {
    title: "a grantee reads a superseded version",
    accessor: (f) => f.specialist.address,
    record: "firstVersion",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Consent,
  },
  {
    title: "a grantee reads the correction",
    accessor: (f) => f.specialist.address,
    record: "secondVersion",
    purpose: Purpose.Treatment,
    basis: AccessBasis.Consent,
  },
  {
    title: "the patient is refused an unknown record",
    accessor: (f) => f.patient.address,
    record: "unknown",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "an all-records grantee is refused an unknown record",
    accessor: (f) => f.specialist.address,
    record: "unknown",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  // Degenerate queries.
  {
    title: "the zero accessor is refused",
    accessor: () => ZeroAddress,
    record: "note",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
  {
    title: "the purpose None is refused even to the patient",
    accessor: (f) => f.patient.address,
    record: "note",
    purpose: Purpose.None,
    basis: AccessBasis.None,
  },
  {
    title: "the purpose None is refused even to the author",
    accessor: (f) => f.doctor.address,
    record: "note",
    purpose: Purpose.None,
    basis: AccessBasis.None,
  },
  {
    title: "a stranger is refused",
    accessor: (f) => f.stranger.address,
    record: "note",
    purpose: Purpose.Treatment,
    basis: AccessBasis.None,
  },
];

describe("Access rule (ConsentManager.canAccess and accessBasis)", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  async function expectBasis(
    accessor: string,
    patient: string,
    commitment: string,
    purpose: Purpose,
    basis: AccessBasis,
  ) {
    expect(await f.consent.accessBasis(accessor, patient, commitment, purpose)).to.equal(BigInt(basis));
    expect(await f.consent.canAccess(accessor, patient, commitment, purpose)).to.equal(basis !== AccessBasis.None);
  }

  describe("for a single record", function () {
    for (const c of ACCESS_CASES) {
      it(`${c.title}: ${AccessBasis[c.basis]}`, async function () {
        if (c.setup !== undefined) await c.setup(f);
        const patient = c.patient === undefined ? f.patient.address : c.patient(f);
        await expectBasis(c.accessor(f), patient, f.records[c.record], c.purpose, c.basis);
      });
    }

    it("opens a record grant made before the record was anchored once it is anchored", async function () {
      const { consent, registry, patient, doctor, stranger, grantedAt } = f;
      const laterContent = commitmentOf("anchored-later");
      const later = recordCommitmentOf(doctor.address, laterContent);
      const request = grantRequest(stranger.address, grantedAt, {
        scope: ConsentScope.Record,
        scopeValue: later,
        validUntil: grantedAt + GRANT_LENGTH,
      });
      await (await consent.connect(patient).grantConsent(patient, request)).wait();
      await expectBasis(stranger.address, patient.address, later, Purpose.Treatment, AccessBasis.None);
      await (await registry.connect(doctor).anchorRecord(patient, laterContent, RecordType.ClinicalNote, true)).wait();
      await expectBasis(stranger.address, patient.address, later, Purpose.Treatment, AccessBasis.Consent);
    });
  });

  describe("with a workflow access source", function () {
    it("opens access the source grants, passing the record's real attributes", async function () {
      const { consent, admin, source, stranger, patient, records } = f;
      await (await consent.connect(admin).addAccessSource(source)).wait();
      await (
        await source.setAnswer(
          {
            accessor: stranger,
            patient: patient,
            commitment: records.psychiatry,
            recordType: RecordType.ClinicalNote,
            sensitive: true,
            purpose: Purpose.Emergency,
          },
          true,
        )
      ).wait();
      await expectBasis(stranger.address, patient.address, records.psychiatry, Purpose.Emergency, AccessBasis.Workflow);
      await expectBasis(stranger.address, patient.address, records.psychiatry, Purpose.Treatment, AccessBasis.None);
      await expectBasis(stranger.address, patient.address, records.note, Purpose.Emergency, AccessBasis.None);
    });

    it("asks every source until one answers", async function () {
      const { consent, admin, source, otherSource, stranger, patient, records } = f;
      await (await consent.connect(admin).addAccessSource(source)).wait();
      await (await consent.connect(admin).addAccessSource(otherSource)).wait();
      await expectBasis(stranger.address, patient.address, records.note, Purpose.Emergency, AccessBasis.None);
      await (await otherSource.setAnswerAll(true)).wait();
      await expectBasis(stranger.address, patient.address, records.note, Purpose.Emergency, AccessBasis.Workflow);
    });

    it("reports the earlier basis when a source would also answer", async function () {
      const { consent, admin, source, patient, doctor, specialist, records } = f;
      await (await consent.connect(admin).addAccessSource(source)).wait();
      await (await source.setAnswerAll(true)).wait();
      await expectBasis(patient.address, patient.address, records.note, Purpose.Treatment, AccessBasis.Patient);
      await expectBasis(doctor.address, patient.address, records.note, Purpose.Treatment, AccessBasis.Author);
      await expectBasis(specialist.address, patient.address, records.note, Purpose.Treatment, AccessBasis.Consent);
    });

    it("cannot open access to a suspended provider", async function () {
      const { consent, admin, source, specialist, hospital, patient, records } = f;
      await (await consent.connect(admin).addAccessSource(source)).wait();
      await (await source.setAnswerAll(true)).wait();
      await suspend(f, hospital.address);
      await expectBasis(specialist.address, patient.address, records.note, Purpose.Treatment, AccessBasis.None);
    });

    it("cannot open an erased or unknown record, nor answer the zero accessor or the purpose None", async function () {
      const { consent, admin, source, stranger, patient, records } = f;
      await (await consent.connect(admin).addAccessSource(source)).wait();
      await (await source.setAnswerAll(true)).wait();
      await expectBasis(stranger.address, patient.address, records.erased, Purpose.Emergency, AccessBasis.None);
      await expectBasis(stranger.address, patient.address, records.unknown, Purpose.Emergency, AccessBasis.None);
      await expectBasis(ZeroAddress, patient.address, records.note, Purpose.Emergency, AccessBasis.None);
      await expectBasis(stranger.address, patient.address, records.note, Purpose.None, AccessBasis.None);
    });

    it("stops answering once the admin removes it", async function () {
      const { consent, admin, source, stranger, patient, records } = f;
      await (await consent.connect(admin).addAccessSource(source)).wait();
      await (await source.setAnswerAll(true)).wait();
      await (await consent.connect(admin).removeAccessSource(source)).wait();
      await expectBasis(stranger.address, patient.address, records.note, Purpose.Emergency, AccessBasis.None);
    });

    it("is not asked while it is not registered", async function () {
      const { source, stranger, patient, records } = f;
      await (await source.setAnswerAll(true)).wait();
      await expectBasis(stranger.address, patient.address, records.note, Purpose.Emergency, AccessBasis.None);
    });
  });

  describe("for a batched record (canAccessBatchRecord)", function () {
    const proofOf = (leaf: BatchLeaf): string[] => f.batch.proof(leaf.patient, leaf.commitment);

    interface BatchCase {
      title: string;
      accessor: (f: Fixture) => string;
      leaf: number;
      purpose: Purpose;
      setup?: (f: Fixture) => Promise<void>;
      allowed: boolean;
    }

    const BATCH_CASES: BatchCase[] = [
      {
        title: "the patient reads a batched record",
        accessor: (f) => f.patient.address,
        leaf: 0,
        purpose: Purpose.Treatment,
        allowed: true,
      },
      {
        title: "the patient reads a sensitive batched record",
        accessor: (f) => f.patient.address,
        leaf: 1,
        purpose: Purpose.Treatment,
        allowed: true,
      },
      {
        title: "the batch's author reads a record in it",
        accessor: (f) => f.lab.address,
        leaf: 1,
        purpose: Purpose.Treatment,
        allowed: true,
      },
      {
        title: "a suspended batch author is refused",
        accessor: (f) => f.lab.address,
        leaf: 0,
        purpose: Purpose.Treatment,
        setup: (f) => suspend(f, f.lab.address),
        allowed: false,
      },
      {
        title: "a delegate reads a batched record",
        accessor: (f) => f.reader.address,
        leaf: 1,
        purpose: Purpose.Treatment,
        allowed: true,
      },
      {
        title: "an all-records grantee reads a non-sensitive batched record",
        accessor: (f) => f.specialist.address,
        leaf: 0,
        purpose: Purpose.Treatment,
        allowed: true,
      },
      {
        title: "an all-records grantee is refused a sensitive batched record",
        accessor: (f) => f.specialist.address,
        leaf: 1,
        purpose: Purpose.Treatment,
        allowed: false,
      },
      {
        title: "a record grantee reads that sensitive batched record",
        accessor: (f) => f.researcher.address,
        leaf: 1,
        purpose: Purpose.Research,
        allowed: true,
      },
      {
        title: "a grantee of one patient is refused another patient's batched record",
        accessor: (f) => f.specialist.address,
        leaf: 2,
        purpose: Purpose.Treatment,
        allowed: false,
      },
      {
        title: "a stranger is refused",
        accessor: (f) => f.stranger.address,
        leaf: 0,
        purpose: Purpose.Treatment,
        allowed: false,
      },
      {
        title: "the zero accessor is refused",
        accessor: () => ZeroAddress,
        leaf: 0,
        purpose: Purpose.Treatment,
        allowed: false,
      },
      {
        title: "the purpose None is refused",
        accessor: (f) => f.patient.address,
        leaf: 0,
        purpose: Purpose.None,
        allowed: false,
      },
      {
        title: "an erased batched record is refused to the patient",
        accessor: (f) => f.patient.address,
        leaf: 0,
        purpose: Purpose.Treatment,
        setup: async (f) => {
          const leaf = f.batchLeaves[0];
          await (
            await f.registry
              .connect(f.patient)
              .eraseBatchRecord(f.batch.root, leaf, f.batch.proof(leaf.patient, leaf.commitment))
          ).wait();
        },
        allowed: false,
      },
      {
        title: "an erased batched record is refused to the batch's author",
        accessor: (f) => f.lab.address,
        leaf: 0,
        purpose: Purpose.Treatment,
        setup: async (f) => {
          const leaf = f.batchLeaves[0];
          await (
            await f.registry
              .connect(f.patient)
              .eraseBatchRecord(f.batch.root, leaf, f.batch.proof(leaf.patient, leaf.commitment))
          ).wait();
        },
        allowed: false,
      },
    ];

    for (const c of BATCH_CASES) {
      it(`${c.title}: ${c.allowed ? "allowed" : "refused"}`, async function () {
        if (c.setup !== undefined) await c.setup(f);
        const leaf = f.batchLeaves[c.leaf];
        expect(
          await f.consent.canAccessBatchRecord(c.accessor(f), f.batch.root, leaf, proofOf(leaf), c.purpose),
        ).to.equal(c.allowed);
      });
    }

    it("refuses a leaf whose sensitive flag was cleared to pass a broader grant", async function () {
      const { consent, specialist, batch, batchLeaves } = f;
      const leaf = batchLeaves[1];
      const forged = { ...leaf, sensitive: false };
      expect(
        await consent.canAccessBatchRecord(specialist, batch.root, forged, proofOf(leaf), Purpose.Treatment),
      ).to.equal(false);
    });

    it("refuses the patient a leaf with another leaf's proof", async function () {
      const { consent, patient, batch, batchLeaves } = f;
      expect(
        await consent.canAccessBatchRecord(
          patient,
          batch.root,
          batchLeaves[0],
          proofOf(batchLeaves[1]),
          Purpose.Treatment,
        ),
      ).to.equal(false);
    });

    it("refuses the patient a valid proof against a root that was never anchored", async function () {
      const { consent, patient, batchLeaves } = f;
      const tree = new BatchTree(batchLeaves.slice(0, 2));
      const leaf = batchLeaves[0];
      expect(
        await consent.canAccessBatchRecord(
          patient,
          tree.root,
          leaf,
          tree.proof(leaf.patient, leaf.commitment),
          Purpose.Treatment,
        ),
      ).to.equal(false);
    });

    it("lets a workflow access source open a batched record", async function () {
      const { consent, admin, source, stranger, batch, batchLeaves } = f;
      await (await consent.connect(admin).addAccessSource(source)).wait();
      await (await source.setAnswerAll(true)).wait();
      const leaf = batchLeaves[1];
      expect(await consent.canAccessBatchRecord(stranger, batch.root, leaf, proofOf(leaf), Purpose.Emergency)).to.equal(
        true,
      );
    });
  });
});
