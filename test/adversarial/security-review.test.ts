/**
 * The attacks of the external security review (issue 11) against the contracts, each performed for
 * real against a deployment and shown to fail now: a typed custom error with its arguments, or no
 * access. Every attack is counted in the adversarial tally under one category per finding, so
 * `npm run test:adversarial` lists them in its summary table.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { AccessBasis, Capability } from "../../client/care-types.js";
import {
  commitmentOf,
  ConsentScope,
  DAY,
  grantRequest,
  HOUR,
  Purpose,
  receiptOf,
  RecordType,
} from "../helpers/care-ledger.js";
import { deployWorkflowWorld, fundedWallet } from "../helpers/workflow-fixture.js";
import { recordAttack } from "./tally.js";

const { ethers, networkHelpers } = await network.create();

const YEAR = 365 * DAY;
const VETO_PERIOD = 7 * DAY;
const ALL_CAPABILITIES = Capability.ManageConsent | Capability.Erase | Capability.Read;

/**
 * Runs one attack: `refused` performs it and asserts that it failed. The attack counts as stopped
 * when every assertion held; a failed assertion counts it as not stopped and fails the test.
 */
async function attack(category: string, name: string, refused: () => Promise<void>): Promise<void> {
  try {
    await refused();
  } catch (error) {
    recordAttack(category, false, name);
    throw error;
  }
  recordAttack(category, true);
}

async function fixture() {
  const world = await deployWorkflowWorld(ethers);
  const { registry, admin, doctor, patient } = world;
  const minor = await fundedWallet(ethers, admin, "review/minor");
  const guardian = await fundedWallet(ethers, admin, "review/guardian");
  const lawyer = await fundedWallet(ethers, admin, "review/lawyer");
  const accomplice = await fundedWallet(ethers, admin, "review/accomplice");
  const note = commitmentOf("review/note");
  const sensitiveNote = commitmentOf("review/sensitive-note");
  const minorNote = commitmentOf("review/minor-note");
  await receiptOf(registry.connect(doctor).anchorRecord(patient.address, note, RecordType.ClinicalNote, false));
  await receiptOf(registry.connect(doctor).anchorRecord(patient.address, sensitiveNote, RecordType.ClinicalNote, true));
  await receiptOf(registry.connect(doctor).anchorRecord(minor.address, minorNote, RecordType.ClinicalNote, false));
  const start = await networkHelpers.time.latest();
  return { ...world, minor, guardian, lawyer, accomplice, note, sensitiveNote, minorNote, start };
}

type Fixture = Awaited<ReturnType<typeof fixture>>;

describe("Security review: the review's attacks on the contracts are refused", function () {
  let f: Fixture;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  /** Records `guardian` over `minor` through the registrar and has the minor's account accept it. */
  async function acceptedGuardianship(minorUntil = f.start + 5 * YEAR): Promise<void> {
    await receiptOf(f.delegation.connect(f.registrar).recordGuardian(f.minor.address, f.guardian.address, minorUntil));
    await receiptOf(f.delegation.connect(f.minor).acceptGuardian(f.guardian.address));
  }

  describe("guardian: the registrar makes itself guardian of an adult", function () {
    const CATEGORY = "guardian";

    it("refuses the registrar as anyone's guardian", async function () {
      await attack(CATEGORY, "registrar records itself as an adult's guardian", async () => {
        const { delegation, registrar, patient } = f;
        await expect(delegation.connect(registrar).recordGuardian(patient.address, registrar.address, f.start + YEAR))
          .to.be.revertedWithCustomError(delegation, "PatientDelegationRegistrarAsGuardian")
          .withArgs(registrar.address);
      });
    });

    it("gives an accomplice the registrar records as an adult's guardian nothing during the veto period", async function () {
      await attack(CATEGORY, "registrar-recorded guardian reads and grants at once", async () => {
        const { delegation, consent, registrar, patient, accomplice, sensitiveNote } = f;
        await receiptOf(delegation.connect(registrar).recordGuardian(patient.address, accomplice.address, f.start + YEAR));
        expect(await delegation.isDelegate(patient.address, accomplice.address, Capability.Read)).to.equal(false);
        expect(await consent.canAccess(accomplice.address, patient.address, sensitiveNote, Purpose.Treatment)).to.equal(
          false,
        );
        const now = await networkHelpers.time.latest();
        await expect(consent.connect(accomplice).grantConsent(patient.address, grantRequest(f.doctor.address, now)))
          .to.be.revertedWithCustomError(consent, "ConsentNotPatientOrDelegate")
          .withArgs(accomplice.address, patient.address);
      });
    });

    it("lets the adult veto it, after which no registrar-recorded guardianship takes effect without the adult", async function () {
      await attack(CATEGORY, "registrar re-records a vetoed guardianship and waits the veto period out", async () => {
        const { delegation, consent, registrar, patient, accomplice, guardian, sensitiveNote } = f;
        await receiptOf(delegation.connect(registrar).recordGuardian(patient.address, accomplice.address, f.start + YEAR));
        await expect(delegation.connect(patient).vetoGuardian(accomplice.address))
          .to.emit(delegation, "GuardianVetoed")
          .withArgs(patient.address, accomplice.address);
        for (const who of [accomplice, guardian]) {
          await receiptOf(delegation.connect(registrar).recordGuardian(patient.address, who.address, f.start + YEAR));
        }
        await networkHelpers.time.increase(VETO_PERIOD + DAY);
        for (const who of [accomplice, guardian]) {
          expect(await delegation.isDelegate(patient.address, who.address, Capability.Read)).to.equal(false);
          expect(await consent.canAccess(who.address, patient.address, sensitiveNote, Purpose.Treatment)).to.equal(false);
        }
      });
    });

    it("never gives a guardian erasure, even once in effect", async function () {
      await attack(CATEGORY, "guardian erases the minor's record", async () => {
        await acceptedGuardianship();
        const { registry, delegation, guardian, minor, minorNote } = f;
        expect(await delegation.isDelegate(minor.address, guardian.address, Capability.Erase)).to.equal(false);
        await expect(registry.connect(guardian).eraseRecord(minor.address, minorNote))
          .to.be.revertedWithCustomError(registry, "RecordRegistryNotPatientOrDelegate")
          .withArgs(guardian.address, minor.address);
        expect((await registry.recordOf(minor.address, minorNote)).flags).to.equal(0n);
      });
    });
  });
});
