import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";

import {
  AccessBasis,
  Capability,
  ConsentScope,
  HipaaRole,
  ProviderForm,
  ProviderKind,
  Purpose,
  RecordFlag,
  RecordType,
} from "../../client/care-types.js";
import { deployCareLedger } from "../../client/deploy.js";
import { DAY, HOUR } from "../../client/time-units.js";

// client/care-types.ts mirrors contracts/libraries/CareTypes.sol by hand. The contracts expose the bit
// tables as public getters; an enum's size shows only in what a contract accepts (the ABI decoder
// refuses a value past the last member) and, for AccessBasis, in what it answers.

const { ethers, networkHelpers } = await network.create();

/** The public getter that carries each TypeScript capability bit (keyed by the table, so a new entry needs one). */
const CAPABILITY_GETTERS = {
  ManageConsent: "CAPABILITY_MANAGE_CONSENT",
  Erase: "CAPABILITY_ERASE",
  Read: "CAPABILITY_READ",
} as const satisfies Record<keyof typeof Capability, string>;

/** The public getter that carries each TypeScript record flag bit. */
const FLAG_GETTERS = {
  Sensitive: "FLAG_SENSITIVE",
  Erased: "FLAG_ERASED",
  Superseded: "FLAG_SUPERSEDED",
} as const satisfies Record<keyof typeof RecordFlag, string>;

/** The numeric values of a TypeScript enum (its reverse mapping's keys are left out). */
function valuesOf(enumeration: Record<string, string | number>): number[] {
  return Object.values(enumeration).filter((value): value is number => typeof value === "number");
}

function maxOf(enumeration: Record<string, string | number>): number {
  return Math.max(...valuesOf(enumeration));
}

function bitsOf(table: Record<string, number>): number {
  return Object.values(table).reduce((all, bit) => all | bit, 0);
}

/** Each value is a single bit, and no two share one. */
function expectOneBitEach(bits: readonly number[]): void {
  for (const bit of bits) expect(bit & (bit - 1), `${bit} is one bit`).to.equal(0);
  expect(new Set(bits).size).to.equal(bits.length);
}

async function fixture() {
  const [deployer, patient, doctor, delegate, grantee, emergencyDepartment, stranger, spare] =
    await ethers.getSigners();
  const contracts = await deployCareLedger(deployer);
  const { directory, registry } = contracts;
  const register = async (account: string, kind: ProviderKind) =>
    (
      await directory.registerProvider(account, {
        kind,
        form: ProviderForm.Practitioner,
        hipaa: HipaaRole.CoveredEntity,
        organisation: ethers.ZeroAddress,
      })
    ).wait();
  await register(doctor.address, ProviderKind.Doctor);
  await register(emergencyDepartment.address, ProviderKind.EmergencyDepartment);

  const content = id("care-types: clinical note");
  await (await registry.connect(doctor).anchorRecord(patient, content, RecordType.ClinicalNote, false)).wait();
  const record = await registry.recordCommitmentOf(doctor, content);
  const now = await networkHelpers.time.latest();
  return { ...contracts, patient, doctor, delegate, grantee, emergencyDepartment, stranger, spare, record, now };
}

describe("CareTypes: the TypeScript tables match the contracts", function () {
  let f: Awaited<ReturnType<typeof fixture>>;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  describe("Capability", function () {
    for (const [name, getter] of Object.entries(CAPABILITY_GETTERS)) {
      it(`Capability.${name} equals PatientDelegation.${getter}()`, async function () {
        const bit = Capability[name as keyof typeof Capability];
        expect(await f.delegation[getter]()).to.equal(BigInt(bit));
      });
    }

    it("gives each capability its own bit", function () {
      expectOneBitEach(Object.values(Capability));
    });

    it("covers every bit a delegation accepts, and the next bit is refused", async function () {
      const { delegation, patient, delegate, now } = f;
      const all = bitsOf(Capability);
      const validUntil = now + 30 * DAY;
      await (await delegation.connect(patient).appointDelegate(delegate, all, validUntil)).wait();
      expect((await delegation.delegationOf(patient, delegate)).capabilities).to.equal(BigInt(all));
      for (const bit of Object.values(Capability)) {
        expect(await delegation.isDelegate(patient, delegate, bit), `bit ${bit}`).to.equal(true);
      }

      const next = Math.max(...Object.values(Capability)) * 2;
      await expect(delegation.connect(patient).appointDelegate(delegate, next, validUntil))
        .to.be.revertedWithCustomError(delegation, "PatientDelegationInvalidCapabilities")
        .withArgs(next);
    });
  });

  describe("RecordFlag", function () {
    for (const [name, getter] of Object.entries(FLAG_GETTERS)) {
      it(`RecordFlag.${name} equals RecordRegistry.${getter}()`, async function () {
        const bit = RecordFlag[name as keyof typeof RecordFlag];
        expect(await f.registry[getter]()).to.equal(BigInt(bit));
      });
    }

    it("gives each flag its own bit", function () {
      expectOneBitEach(Object.values(RecordFlag));
    });

    it("names the bits a record carries when marked sensitive, amended and erased", async function () {
      const { registry, patient, doctor } = f;
      const first = id("care-types: first version");
      const second = id("care-types: second version");
      await (await registry.connect(doctor).anchorRecord(patient, first, RecordType.LabResult, true)).wait();
      const firstRecord = await registry.recordCommitmentOf(doctor, first);
      expect((await registry.recordOf(patient, firstRecord)).flags).to.equal(BigInt(RecordFlag.Sensitive));

      await (await registry.connect(doctor).amendRecord(patient, firstRecord, second, false)).wait();
      const secondRecord = await registry.recordCommitmentOf(doctor, second);
      expect((await registry.recordOf(patient, firstRecord)).flags).to.equal(
        BigInt(RecordFlag.Sensitive | RecordFlag.Superseded),
      );

      await (await registry.connect(patient).eraseRecord(patient, secondRecord)).wait();
      expect((await registry.recordOf(patient, secondRecord)).flags).to.equal(
        BigInt(RecordFlag.Sensitive | RecordFlag.Erased),
      );
    });
  });

  describe("enumerations", function () {
    const ENUMS = { ProviderKind, ProviderForm, HipaaRole, RecordType, Purpose, ConsentScope, AccessBasis };
    for (const [name, enumeration] of Object.entries(ENUMS)) {
      it(`numbers ${name} from zero without gaps, as Solidity does`, function () {
        const values = valuesOf(enumeration);
        expect(values).to.deep.equal(values.map((_, index) => index));
      });
    }

    describe("RecordType", function () {
      it("anchors a record of the last type and refuses the value past it", async function () {
        const { registry, patient, doctor } = f;
        const last = id("care-types: last type");
        await (await registry.connect(doctor).anchorRecord(patient, last, maxOf(RecordType), false)).wait();
        const record = await registry.recordCommitmentOf(doctor, last);
        expect((await registry.recordOf(patient, record)).recordType).to.equal(BigInt(maxOf(RecordType)));

        const past = id("care-types: past the last type");
        await expect(
          registry.connect(doctor).anchorRecord(patient, past, maxOf(RecordType) + 1, false),
        ).to.be.revertedWithoutReason(ethers);
      });

      it("takes the last type as a type-wide consent scope and refuses the value past it", async function () {
        const { consent, patient, grantee, now } = f;
        const request = (scopeValue: number) => ({
          grantee: grantee.address,
          scope: ConsentScope.RecordType,
          scopeValue: ethers.toBeHex(scopeValue, 32),
          purpose: Purpose.Treatment,
          validFrom: now,
          validUntil: now + DAY,
        });
        await (await consent.connect(patient).grantConsent(patient, request(maxOf(RecordType)))).wait();

        const past = request(maxOf(RecordType) + 1);
        await expect(consent.connect(patient).grantConsent(patient, past))
          .to.be.revertedWithCustomError(consent, "ConsentInvalidScope")
          .withArgs(ConsentScope.RecordType, past.scopeValue);
      });
    });

    describe("ProviderKind, ProviderForm and HipaaRole", function () {
      it("registers a provider with the last member of each and refuses the value past any of them", async function () {
        const { directory, stranger, spare } = f;
        const last = [maxOf(ProviderKind), maxOf(ProviderForm), maxOf(HipaaRole)] as const;
        const profile = ([kind, form, hipaa]: readonly number[]) => ({
          kind,
          form,
          hipaa,
          organisation: ethers.ZeroAddress,
        });
        await (await directory.registerProvider(stranger, profile(last))).wait();
        const provider = await directory.providerOf(stranger);
        expect([provider.kind, provider.form, provider.hipaa]).to.deep.equal(last.map(BigInt));

        for (let position = 0; position < last.length; position++) {
          const past = last.map((value, index) => (index === position ? value + 1 : value)) as [number, number, number];
          await expect(
            directory.registerProvider(spare, profile(past)),
            `member past the last at position ${position}`,
          ).to.be.revertedWithoutReason(ethers);
        }
      });
    });

    describe("Purpose and ConsentScope", function () {
      it("grants with the last purpose and scope and refuses the value past either", async function () {
        const { consent, patient, grantee, now } = f;
        const request = (purpose: number, scope: number) => ({
          grantee: grantee.address,
          scope,
          scopeValue: ethers.ZeroHash,
          purpose,
          validFrom: now,
          validUntil: now + DAY,
        });
        expect(maxOf(ConsentScope)).to.equal(ConsentScope.AllRecords, "the last scope takes a zero scope value");
        await (
          await consent.connect(patient).grantConsent(patient, request(maxOf(Purpose), maxOf(ConsentScope)))
        ).wait();

        await expect(
          consent.connect(patient).grantConsent(patient, request(maxOf(Purpose) + 1, maxOf(ConsentScope))),
        ).to.be.revertedWithoutReason(ethers);
        await expect(
          consent.connect(patient).grantConsent(patient, request(maxOf(Purpose), maxOf(ConsentScope) + 1)),
        ).to.be.revertedWithoutReason(ethers);
      });
    });

    describe("AccessBasis", function () {
      it("is answered with every member, and only those", async function () {
        const { consent, delegation, emergency, patient, doctor, delegate, grantee, emergencyDepartment, stranger } = f;
        const { record, now } = f;
        await (await delegation.connect(patient).appointDelegate(delegate, Capability.Read, now + DAY)).wait();
        await (
          await consent.connect(patient).grantConsent(patient, {
            grantee: grantee.address,
            scope: ConsentScope.Record,
            scopeValue: record,
            purpose: Purpose.Treatment,
            validFrom: now,
            validUntil: now + DAY,
          })
        ).wait();
        await (await emergency.connect(emergencyDepartment).openEmergencyAccess(patient, 1, HOUR)).wait();

        const answers = new Map<AccessBasis, string>([
          [AccessBasis.None, stranger.address],
          [AccessBasis.Patient, patient.address],
          [AccessBasis.Author, doctor.address],
          [AccessBasis.Delegate, delegate.address],
          [AccessBasis.Consent, grantee.address],
          [AccessBasis.Workflow, emergencyDepartment.address],
        ]);
        expect([...answers.keys()].sort((a, b) => a - b)).to.deep.equal(valuesOf(AccessBasis));
        for (const [basis, accessor] of answers) {
          const purpose = basis === AccessBasis.Workflow ? Purpose.Emergency : Purpose.Treatment;
          expect(await consent.accessBasis(accessor, patient, record, purpose), AccessBasis[basis]).to.equal(
            BigInt(basis),
          );
        }
      });
    });
  });
});
