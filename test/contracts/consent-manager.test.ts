import { expect } from "chai";
import { MaxUint256, ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { Capability } from "../../client/care-types.js";
import { ConsentManager__factory, TestAccessSource__factory } from "../../typechain-types/index.js";
import type { TestAccessSource } from "../../typechain-types/index.js";
import { describeAdminHandover } from "../helpers/admin-handover.js";
import {
  ADMIN_DELAY,
  commitmentOf,
  ConsentScope,
  DAY,
  deployCareLedgerWorld,
  grantIdOf,
  grantIdOfRequest,
  grantRequest,
  Purpose,
  RecordType,
  recordTypeScope,
  structOf,
  type GrantRequest,
} from "../helpers/care-ledger.js";

const { ethers, networkHelpers } = await network.create();

const MAX_ACCESS_SOURCES = 8;
const GRANTABLE_PURPOSES = [
  Purpose.Treatment,
  Purpose.Dispensing,
  Purpose.Emergency,
  Purpose.Research,
  Purpose.Payment,
  Purpose.Inheritance,
] as const;

/** A grant as plain values, for deep comparison with `grantOf`. */
function grantEntry(
  grantee: string,
  validFrom: number,
  validUntil: number,
  revoked: boolean,
): Record<string, bigint | string | boolean> {
  return { grantee, validFrom: BigInt(validFrom), validUntil: BigInt(validUntil), revoked };
}

async function fixture() {
  const world = await deployCareLedgerWorld(ethers);
  const { registry, delegation, doctor, patient, delegate, reader } = world;
  const start = await networkHelpers.time.latest();
  const delegationEnd = start + 365 * DAY;
  await (
    await delegation
      .connect(patient)
      .appointDelegate(delegate.address, Capability.ManageConsent | Capability.Erase | Capability.Read, delegationEnd)
  ).wait();
  await (await delegation.connect(patient).appointDelegate(reader.address, Capability.Read, delegationEnd)).wait();
  const note = commitmentOf("note");
  await (await registry.connect(doctor).anchorRecord(patient.address, note, RecordType.ClinicalNote, false)).wait();
  const sources: TestAccessSource[] = [];
  for (let i = 0; i <= MAX_ACCESS_SOURCES; i++) {
    const source = await new TestAccessSource__factory(world.admin).deploy();
    await source.waitForDeployment();
    sources.push(source);
  }
  const sourceAddresses = await Promise.all(sources.map((s) => s.getAddress()));
  const now = await networkHelpers.time.latest();
  return { ...world, delegationEnd, note, sources, sourceAddresses, now };
}

describe("ConsentManager", function () {
  let f: Awaited<ReturnType<typeof fixture>>;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  describe("deployment", function () {
    it("exposes the registry, directory and delegation registry it reads, and the access-source limit", async function () {
      const { consent, registry, directory, delegation } = f;
      expect(await consent.registry()).to.equal(await registry.getAddress());
      expect(await consent.directory()).to.equal(await directory.getAddress());
      expect(await consent.delegation()).to.equal(await delegation.getAddress());
      expect(await consent.MAX_ACCESS_SOURCES()).to.equal(BigInt(MAX_ACCESS_SOURCES));
      expect(await consent.accessSources()).to.deep.equal([]);
    });

    it("rejects a zero directory, registry or delegation registry", async function () {
      const { admin, directory, registry, delegation } = f;
      const factory = new ConsentManager__factory(admin);
      const [d, r, p] = [await directory.getAddress(), await registry.getAddress(), await delegation.getAddress()];
      for (const args of [
        [ZeroAddress, r, p],
        [d, ZeroAddress, p],
        [d, r, ZeroAddress],
      ]) {
        await expect(
          factory.deploy(admin.address, ADMIN_DELAY, args[0], args[1], args[2]),
        ).to.be.revertedWithCustomError(factory, "ConsentZeroAddress");
      }
    });
  });

  describe("grantConsent", function () {
    describe("by the patient", function () {
      it("returns the grant id, announces the grant and stores it", async function () {
        const { consent, patient, pharmacy, now } = f;
        const request = grantRequest(pharmacy.address, now, {
          scope: ConsentScope.RecordType,
          scopeValue: recordTypeScope(RecordType.Prescription),
          purpose: Purpose.Dispensing,
          validUntil: now + 7 * DAY,
        });
        const grantId = grantIdOfRequest(request);
        expect(await consent.connect(patient).grantConsent.staticCall(patient.address, request)).to.equal(grantId);
        await expect(consent.connect(patient).grantConsent(patient.address, request))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            patient.address,
            pharmacy.address,
            grantId,
            ConsentScope.RecordType,
            recordTypeScope(RecordType.Prescription),
            Purpose.Dispensing,
            now,
            now + 7 * DAY,
          );
        expect(structOf(await consent.grantOf(patient.address, grantId))).to.deep.equal(
          grantEntry(pharmacy.address, now, now + 7 * DAY, false),
        );
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
      });

      const validScopes: { title: string; scope: ConsentScope; value: () => string }[] = [
        { title: "one anchored record", scope: ConsentScope.Record, value: () => f.note },
        {
          title: "one record not anchored (existence is the SDK's check)",
          scope: ConsentScope.Record,
          value: () => commitmentOf("not-anchored"),
        },
        {
          title: "the lowest record type",
          scope: ConsentScope.RecordType,
          value: () => recordTypeScope(RecordType.ClinicalNote),
        },
        {
          title: "the highest record type",
          scope: ConsentScope.RecordType,
          value: () => recordTypeScope(RecordType.Other),
        },
        { title: "all records", scope: ConsentScope.AllRecords, value: () => ZeroHash },
      ];
      for (const { title, scope, value } of validScopes) {
        it(`grants the scope ${title}`, async function () {
          const { consent, patient, doctor, now } = f;
          const request = grantRequest(doctor.address, now, { scope, scopeValue: value() });
          await expect(consent.connect(patient).grantConsent(patient.address, request))
            .to.emit(consent, "ConsentGranted")
            .withArgs(
              patient.address,
              doctor.address,
              grantIdOfRequest(request),
              scope,
              value(),
              Purpose.Treatment,
              now,
              now + 30 * DAY,
            );
          expect(await consent.isGrantActive(patient.address, grantIdOfRequest(request))).to.equal(true);
        });
      }

      for (const purpose of GRANTABLE_PURPOSES) {
        it(`grants all records for the purpose ${Purpose[purpose]}`, async function () {
          const { consent, patient, doctor, now } = f;
          const request = grantRequest(doctor.address, now, { purpose });
          const grantId = grantIdOf(doctor.address, ConsentScope.AllRecords, ZeroHash, purpose);
          expect(await consent.connect(patient).grantConsent.staticCall(patient.address, request)).to.equal(grantId);
          await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
          expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
        });
      }

      it("grants legal representation for one record", async function () {
        const { consent, patient, stranger, note, now } = f;
        const request = grantRequest(stranger.address, now, {
          scope: ConsentScope.Record,
          scopeValue: note,
          purpose: Purpose.LegalRepresentation,
        });
        await expect(consent.connect(patient).grantConsent(patient.address, request))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            patient.address,
            stranger.address,
            grantIdOfRequest(request),
            ConsentScope.Record,
            note,
            Purpose.LegalRepresentation,
            now,
            now + 30 * DAY,
          );
      });

      it("grants a period that starts in the future, inactive until it starts", async function () {
        const { consent, patient, doctor, now } = f;
        const request = grantRequest(doctor.address, now, { validFrom: now + DAY, validUntil: now + 2 * DAY });
        await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
        expect(await consent.isGrantActive(patient.address, grantIdOfRequest(request))).to.equal(false);
        await networkHelpers.time.increaseTo(now + DAY);
        expect(await consent.isGrantActive(patient.address, grantIdOfRequest(request))).to.equal(true);
      });

      it("grants a period that started in the past and has not ended", async function () {
        const { consent, patient, doctor, now } = f;
        const request = grantRequest(doctor.address, now, { validFrom: 0, validUntil: now + DAY });
        await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
        expect(structOf(await consent.grantOf(patient.address, grantIdOfRequest(request)))).to.deep.equal(
          grantEntry(doctor.address, 0, now + DAY, false),
        );
        expect(await consent.isGrantActive(patient.address, grantIdOfRequest(request))).to.equal(true);
      });

      it("keeps the same grant id for another patient in a separate grant", async function () {
        const { consent, patient, otherPatient, doctor, now } = f;
        const request = grantRequest(doctor.address, now);
        await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
        expect(await consent.isGrantActive(otherPatient.address, grantIdOfRequest(request))).to.equal(false);
        expect((await consent.grantOf(otherPatient.address, grantIdOfRequest(request))).grantee).to.equal(ZeroAddress);
      });
    });

    describe("by a delegate", function () {
      it("lets a delegate with the consent capability grant for the patient", async function () {
        const { consent, patient, delegate, doctor, now } = f;
        const request = grantRequest(doctor.address, now);
        expect(await consent.connect(delegate).grantConsent.staticCall(patient.address, request)).to.equal(
          grantIdOfRequest(request),
        );
        await expect(consent.connect(delegate).grantConsent(patient.address, request))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            patient.address,
            doctor.address,
            grantIdOfRequest(request),
            ConsentScope.AllRecords,
            ZeroHash,
            Purpose.Treatment,
            now,
            now + 30 * DAY,
          );
        expect(await consent.isGrantActive(patient.address, grantIdOfRequest(request))).to.equal(true);
      });

      it("refuses a delegate with the read capability only", async function () {
        const { consent, patient, reader, doctor, now } = f;
        await expect(consent.connect(reader).grantConsent(patient.address, grantRequest(doctor.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(reader.address, patient.address);
      });

      it("refuses a delegate whose delegation has ended", async function () {
        const { consent, patient, delegate, doctor, delegationEnd } = f;
        await networkHelpers.time.increaseTo(delegationEnd);
        await expect(
          consent.connect(delegate).grantConsent(patient.address, grantRequest(doctor.address, delegationEnd)),
        )
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(delegate.address, patient.address);
      });
    });

    describe("by anyone else", function () {
      it("refuses a stranger", async function () {
        const { consent, patient, stranger, now } = f;
        await expect(consent.connect(stranger).grantConsent(patient.address, grantRequest(stranger.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(stranger.address, patient.address);
      });

      it("refuses the author of the patient's records", async function () {
        const { consent, patient, doctor, pharmacy, now } = f;
        await expect(consent.connect(doctor).grantConsent(patient.address, grantRequest(pharmacy.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(doctor.address, patient.address);
      });

      it("refuses a zero patient", async function () {
        const { consent, stranger, now } = f;
        await expect(consent.connect(stranger).grantConsent(ZeroAddress, grantRequest(stranger.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(stranger.address, ZeroAddress);
      });
    });

    describe("with an invalid request", function () {
      it("refuses a zero grantee", async function () {
        const { consent, patient, now } = f;
        await expect(
          consent.connect(patient).grantConsent(patient.address, grantRequest(ZeroAddress, now)),
        ).to.be.revertedWithCustomError(consent, "ConsentZeroAddress");
      });

      it("refuses a grant to the patient themself", async function () {
        const { consent, patient, now } = f;
        await expect(consent.connect(patient).grantConsent(patient.address, grantRequest(patient.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentSelfGrant")
          .withArgs(patient.address);
      });

      it("refuses the purpose None", async function () {
        const { consent, patient, doctor, now } = f;
        await expect(
          consent
            .connect(patient)
            .grantConsent(patient.address, grantRequest(doctor.address, now, { purpose: Purpose.None })),
        )
          .to.be.revertedWithCustomError(consent, "ConsentInvalidPurpose")
          .withArgs(Purpose.None);
      });

      const invalidPeriods: { title: string; period: (now: number) => [number, number] }[] = [
        { title: "an empty period", period: (now) => [now + DAY, now + DAY] },
        { title: "a period that ends before it starts", period: (now) => [now + 2 * DAY, now + DAY] },
        { title: "a period already over", period: (now) => [now - 2 * DAY, now - DAY] },
        { title: "a period ending in the block's second", period: (now) => [now - DAY, now + 1] },
      ];
      for (const { title, period } of invalidPeriods) {
        it(`refuses ${title}`, async function () {
          const { consent, patient, doctor, now } = f;
          const [validFrom, validUntil] = period(now);
          await networkHelpers.time.setNextBlockTimestamp(now + 1);
          await expect(
            consent
              .connect(patient)
              .grantConsent(patient.address, grantRequest(doctor.address, now, { validFrom, validUntil })),
          )
            .to.be.revertedWithCustomError(consent, "ConsentInvalidPeriod")
            .withArgs(validFrom, validUntil);
        });
      }

      const invalidScopes: { title: string; scope: ConsentScope; value: () => string; purpose?: Purpose }[] = [
        { title: "the scope None", scope: ConsentScope.None, value: () => ZeroHash },
        { title: "the scope None with a value", scope: ConsentScope.None, value: () => f.note },
        { title: "a record scope with a zero commitment", scope: ConsentScope.Record, value: () => ZeroHash },
        {
          title: "a record-type scope of type None",
          scope: ConsentScope.RecordType,
          value: () => recordTypeScope(RecordType.None),
        },
        {
          title: "a record-type scope past the last type",
          scope: ConsentScope.RecordType,
          value: () => recordTypeScope(RecordType.Other + 1),
        },
        {
          title: "a record-type scope of the largest word",
          scope: ConsentScope.RecordType,
          value: () => recordTypeScope(MaxUint256),
        },
        { title: "an all-records scope with a value", scope: ConsentScope.AllRecords, value: () => f.note },
        {
          title: "legal representation over a record type",
          scope: ConsentScope.RecordType,
          value: () => recordTypeScope(RecordType.ClinicalNote),
          purpose: Purpose.LegalRepresentation,
        },
        {
          title: "legal representation over all records",
          scope: ConsentScope.AllRecords,
          value: () => ZeroHash,
          purpose: Purpose.LegalRepresentation,
        },
      ];
      for (const { title, scope, value, purpose } of invalidScopes) {
        it(`refuses ${title}`, async function () {
          const { consent, patient, doctor, now } = f;
          const request = grantRequest(doctor.address, now, {
            scope,
            scopeValue: value(),
            purpose: purpose ?? Purpose.Treatment,
          });
          await expect(consent.connect(patient).grantConsent(patient.address, request))
            .to.be.revertedWithCustomError(consent, "ConsentInvalidScope")
            .withArgs(scope, value());
        });
      }

      it("refuses a scope outside the enumeration when decoding the call", async function () {
        const { consent, patient, doctor, now } = f;
        const request = grantRequest(doctor.address, now, { scope: ConsentScope.AllRecords + 1 });
        await expect(consent.connect(patient).grantConsent(patient.address, request)).to.be.revertedWithoutReason(
          ethers,
        );
      });
    });

    describe("with an existing grant", function () {
      let request: GrantRequest;
      let grantId: string;

      beforeEach(async function () {
        const { consent, patient, doctor, now } = f;
        request = grantRequest(doctor.address, now);
        grantId = grantIdOfRequest(request);
        await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
      });

      it("replaces the period when granted again", async function () {
        const { consent, patient, doctor, now } = f;
        const renewed = { ...request, validFrom: now + DAY, validUntil: now + 90 * DAY };
        expect(await consent.connect(patient).grantConsent.staticCall(patient.address, renewed)).to.equal(grantId);
        await expect(consent.connect(patient).grantConsent(patient.address, renewed))
          .to.emit(consent, "ConsentGranted")
          .withArgs(
            patient.address,
            doctor.address,
            grantId,
            ConsentScope.AllRecords,
            ZeroHash,
            Purpose.Treatment,
            now + DAY,
            now + 90 * DAY,
          );
        expect(structOf(await consent.grantOf(patient.address, grantId))).to.deep.equal(
          grantEntry(doctor.address, now + DAY, now + 90 * DAY, false),
        );
      });

      it("reactivates the grant when granted again after a revocation", async function () {
        const { consent, patient, doctor, now } = f;
        await (await consent.connect(patient).revokeConsent(patient.address, grantId)).wait();
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(false);
        await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
        expect(structOf(await consent.grantOf(patient.address, grantId))).to.deep.equal(
          grantEntry(doctor.address, now, now + 30 * DAY, false),
        );
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
      });

      it("keeps a grant for another purpose separate", async function () {
        const { consent, patient, doctor, now } = f;
        const research = grantRequest(doctor.address, now, { purpose: Purpose.Research });
        await (await consent.connect(patient).grantConsent(patient.address, research)).wait();
        await (await consent.connect(patient).revokeConsent(patient.address, grantIdOfRequest(research))).wait();
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(true);
      });
    });
  });

  describe("revokeConsent", function () {
    describe("with an active grant", function () {
      let grantId: string;

      beforeEach(async function () {
        const { consent, patient, doctor, now } = f;
        const request = grantRequest(doctor.address, now);
        grantId = grantIdOfRequest(request);
        await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
      });

      it("lets the patient revoke it at once", async function () {
        const { consent, patient, doctor, now } = f;
        await expect(consent.connect(patient).revokeConsent(patient.address, grantId))
          .to.emit(consent, "ConsentRevoked")
          .withArgs(patient.address, doctor.address, grantId);
        expect(structOf(await consent.grantOf(patient.address, grantId))).to.deep.equal(
          grantEntry(doctor.address, now, now + 30 * DAY, true),
        );
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(false);
      });

      it("lets a delegate with the consent capability revoke it", async function () {
        const { consent, patient, delegate, doctor } = f;
        await expect(consent.connect(delegate).revokeConsent(patient.address, grantId))
          .to.emit(consent, "ConsentRevoked")
          .withArgs(patient.address, doctor.address, grantId);
        expect((await consent.grantOf(patient.address, grantId)).revoked).to.equal(true);
      });

      it("revokes a grant whose period is already over", async function () {
        const { consent, patient, doctor, now } = f;
        await networkHelpers.time.increaseTo(now + 31 * DAY);
        await expect(consent.connect(patient).revokeConsent(patient.address, grantId))
          .to.emit(consent, "ConsentRevoked")
          .withArgs(patient.address, doctor.address, grantId);
      });

      it("refuses revoking twice", async function () {
        const { consent, patient } = f;
        await (await consent.connect(patient).revokeConsent(patient.address, grantId)).wait();
        await expect(consent.connect(patient).revokeConsent(patient.address, grantId))
          .to.be.revertedWithCustomError(consent, "ConsentAlreadyRevoked")
          .withArgs(patient.address, grantId);
      });

      it("refuses a stranger", async function () {
        const { consent, patient, stranger } = f;
        await expect(consent.connect(stranger).revokeConsent(patient.address, grantId))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(stranger.address, patient.address);
      });

      it("refuses the grantee", async function () {
        const { consent, patient, doctor } = f;
        await expect(consent.connect(doctor).revokeConsent(patient.address, grantId))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(doctor.address, patient.address);
      });

      it("refuses a delegate with the read capability only", async function () {
        const { consent, patient, reader } = f;
        await expect(consent.connect(reader).revokeConsent(patient.address, grantId))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(reader.address, patient.address);
      });
    });

    describe("without a grant", function () {
      it("refuses a grant id that was never granted", async function () {
        const { consent, patient, doctor } = f;
        const grantId = grantIdOf(doctor.address, ConsentScope.AllRecords, ZeroHash, Purpose.Research);
        await expect(consent.connect(patient).revokeConsent(patient.address, grantId))
          .to.be.revertedWithCustomError(consent, "ConsentGrantNotFound")
          .withArgs(patient.address, grantId);
      });
    });
  });

  describe("isGrantActive", function () {
    let grantId: string;
    let validFrom: number;
    let validUntil: number;

    beforeEach(async function () {
      const { consent, patient, doctor, now } = f;
      validFrom = now + DAY;
      validUntil = now + 3 * DAY;
      const request = grantRequest(doctor.address, now, { validFrom, validUntil });
      grantId = grantIdOfRequest(request);
      await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
    });

    const moments: { title: string; at: () => number; active: boolean }[] = [
      { title: "before the start", at: () => validFrom - 1, active: false },
      { title: "at the start", at: () => validFrom, active: true },
      { title: "inside the period", at: () => validFrom + DAY, active: true },
      { title: "in the last second", at: () => validUntil - 1, active: true },
      { title: "at the end", at: () => validUntil, active: false },
      { title: "after the end", at: () => validUntil + DAY, active: false },
    ];
    for (const { title, at, active } of moments) {
      it(`is ${active} ${title}`, async function () {
        const { consent, patient } = f;
        await networkHelpers.time.increaseTo(at());
        expect(await consent.isGrantActive(patient.address, grantId)).to.equal(active);
      });
    }

    it("is false for an unknown grant", async function () {
      const { consent, patient } = f;
      expect(await consent.isGrantActive(patient.address, commitmentOf("no-grant"))).to.equal(false);
    });
  });

  describe("grantIdOf", function () {
    it("hashes grantee, scope, scope value and purpose as the SDK does", async function () {
      const { consent, doctor, pharmacy, note } = f;
      const cases: [string, ConsentScope, string, Purpose][] = [
        [doctor.address, ConsentScope.AllRecords, ZeroHash, Purpose.Treatment],
        [pharmacy.address, ConsentScope.RecordType, recordTypeScope(RecordType.Prescription), Purpose.Dispensing],
        [doctor.address, ConsentScope.Record, note, Purpose.Emergency],
      ];
      const ids = new Set<string>();
      for (const [grantee, scope, value, purpose] of cases) {
        const id = await consent.grantIdOf(grantee, scope, value, purpose);
        expect(id).to.equal(grantIdOf(grantee, scope, value, purpose));
        ids.add(id);
      }
      expect(ids.size).to.equal(cases.length);
    });
  });

  describe("hasConsent", function () {
    // Asks about the fixture's note for its patient; each test states the record's type and sensitivity.
    function hasConsent(accessor: string, recordType: RecordType, sensitive: boolean, purpose: Purpose) {
      const { consent, patient, note } = f;
      return consent.hasConsent({
        accessor,
        patient: patient.address,
        commitment: note,
        recordType,
        sensitive,
        purpose,
      });
    }

    it("is true for a record-type grant covering a non-sensitive record", async function () {
      const { consent, patient, pharmacy, now } = f;
      await (
        await consent.connect(patient).grantConsent(
          patient.address,
          grantRequest(pharmacy.address, now, {
            scope: ConsentScope.RecordType,
            scopeValue: recordTypeScope(RecordType.Prescription),
            purpose: Purpose.Dispensing,
          }),
        )
      ).wait();
      expect(await hasConsent(pharmacy.address, RecordType.Prescription, false, Purpose.Dispensing)).to.equal(true);
      expect(await hasConsent(pharmacy.address, RecordType.Prescription, true, Purpose.Dispensing)).to.equal(false);
      expect(await hasConsent(pharmacy.address, RecordType.ClinicalNote, false, Purpose.Dispensing)).to.equal(false);
      expect(await hasConsent(pharmacy.address, RecordType.Prescription, false, Purpose.Treatment)).to.equal(false);
    });

    it("is true for a record grant even when the record is sensitive", async function () {
      const { consent, patient, pharmacy, note, now } = f;
      await (
        await consent
          .connect(patient)
          .grantConsent(
            patient.address,
            grantRequest(pharmacy.address, now, { scope: ConsentScope.Record, scopeValue: note }),
          )
      ).wait();
      expect(await hasConsent(pharmacy.address, RecordType.ClinicalNote, true, Purpose.Treatment)).to.equal(true);
    });

    it("ignores every basis other than a grant", async function () {
      const { patient, doctor, reader } = f;
      for (const account of [patient, doctor, reader]) {
        expect(await hasConsent(account.address, RecordType.ClinicalNote, false, Purpose.Treatment)).to.equal(false);
      }
    });

    it("is false once the grant is revoked", async function () {
      const { consent, patient, pharmacy, now } = f;
      const request = grantRequest(pharmacy.address, now);
      await (await consent.connect(patient).grantConsent(patient.address, request)).wait();
      await (await consent.connect(patient).revokeConsent(patient.address, grantIdOfRequest(request))).wait();
      expect(await hasConsent(pharmacy.address, RecordType.ClinicalNote, false, Purpose.Treatment)).to.equal(false);
    });
  });

  describe("invalidateNonce", function () {
    it("consumes the caller's current nonce only", async function () {
      const { consent, patient, otherPatient } = f;
      expect(await consent.nonces(patient.address)).to.equal(0n);
      await (await consent.connect(patient).invalidateNonce()).wait();
      await (await consent.connect(patient).invalidateNonce()).wait();
      expect(await consent.nonces(patient.address)).to.equal(2n);
      expect(await consent.nonces(otherPatient.address)).to.equal(0n);
    });
  });

  describe("addAccessSource", function () {
    describe("by the admin", function () {
      it("registers a source", async function () {
        const { consent, admin, sourceAddresses } = f;
        await expect(consent.connect(admin).addAccessSource(sourceAddresses[0]))
          .to.emit(consent, "AccessSourceAdded")
          .withArgs(sourceAddresses[0]);
        expect(await consent.accessSources()).to.deep.equal([sourceAddresses[0]]);
      });

      it(`registers up to ${MAX_ACCESS_SOURCES} sources and refuses one more`, async function () {
        const { consent, admin, sourceAddresses } = f;
        for (const source of sourceAddresses.slice(0, MAX_ACCESS_SOURCES)) {
          await (await consent.connect(admin).addAccessSource(source)).wait();
        }
        expect(await consent.accessSources()).to.deep.equal(sourceAddresses.slice(0, MAX_ACCESS_SOURCES));
        await expect(consent.connect(admin).addAccessSource(sourceAddresses[MAX_ACCESS_SOURCES]))
          .to.be.revertedWithCustomError(consent, "ConsentTooManyAccessSources")
          .withArgs(MAX_ACCESS_SOURCES);
      });

      it("refuses a source already registered", async function () {
        const { consent, admin, sourceAddresses } = f;
        await (await consent.connect(admin).addAccessSource(sourceAddresses[0])).wait();
        await expect(consent.connect(admin).addAccessSource(sourceAddresses[0]))
          .to.be.revertedWithCustomError(consent, "ConsentAccessSourceState")
          .withArgs(sourceAddresses[0], true);
      });

      it("refuses the zero address", async function () {
        const { consent, admin } = f;
        await expect(consent.connect(admin).addAccessSource(ZeroAddress)).to.be.revertedWithCustomError(
          consent,
          "ConsentZeroAddress",
        );
      });
    });

    it("refuses an account without the admin role", async function () {
      const { consent, registrar, sourceAddresses } = f;
      await expect(consent.connect(registrar).addAccessSource(sourceAddresses[0]))
        .to.be.revertedWithCustomError(consent, "AccessControlUnauthorizedAccount")
        .withArgs(registrar.address, await consent.DEFAULT_ADMIN_ROLE());
    });
  });

  describe("removeAccessSource", function () {
    describe("with registered sources", function () {
      beforeEach(async function () {
        const { consent, admin, sourceAddresses } = f;
        for (const source of sourceAddresses.slice(0, 3)) {
          await (await consent.connect(admin).addAccessSource(source)).wait();
        }
      });

      it("removes a source, moving the last one into its place", async function () {
        const { consent, admin, sourceAddresses } = f;
        await expect(consent.connect(admin).removeAccessSource(sourceAddresses[0]))
          .to.emit(consent, "AccessSourceRemoved")
          .withArgs(sourceAddresses[0]);
        expect(await consent.accessSources()).to.deep.equal([sourceAddresses[2], sourceAddresses[1]]);
      });

      it("removes the last source", async function () {
        const { consent, admin, sourceAddresses } = f;
        await (await consent.connect(admin).removeAccessSource(sourceAddresses[2])).wait();
        expect(await consent.accessSources()).to.deep.equal(sourceAddresses.slice(0, 2));
      });

      it("frees a place for another source once at the limit", async function () {
        const { consent, admin, sourceAddresses } = f;
        for (const source of sourceAddresses.slice(3, MAX_ACCESS_SOURCES)) {
          await (await consent.connect(admin).addAccessSource(source)).wait();
        }
        await (await consent.connect(admin).removeAccessSource(sourceAddresses[1])).wait();
        await expect(consent.connect(admin).addAccessSource(sourceAddresses[MAX_ACCESS_SOURCES]))
          .to.emit(consent, "AccessSourceAdded")
          .withArgs(sourceAddresses[MAX_ACCESS_SOURCES]);
        expect(await consent.accessSources()).to.have.length(MAX_ACCESS_SOURCES);
      });

      it("refuses a source that is not registered", async function () {
        const { consent, admin, sourceAddresses } = f;
        await expect(consent.connect(admin).removeAccessSource(sourceAddresses[5]))
          .to.be.revertedWithCustomError(consent, "ConsentAccessSourceState")
          .withArgs(sourceAddresses[5], false);
      });

      it("refuses an account without the admin role", async function () {
        const { consent, stranger, sourceAddresses } = f;
        await expect(consent.connect(stranger).removeAccessSource(sourceAddresses[0]))
          .to.be.revertedWithCustomError(consent, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, await consent.DEFAULT_ADMIN_ROLE());
      });
    });
  });

  describeAdminHandover(async () => {
    const { consent, admin, newAdmin, stranger } = await networkHelpers.loadFixture(fixture);
    return { contract: consent, admin, newAdmin, stranger, delay: ADMIN_DELAY };
  }, networkHelpers);
});
