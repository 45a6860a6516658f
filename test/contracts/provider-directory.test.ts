import { expect } from "chai";
import { id, ZeroAddress } from "ethers";
import { network } from "hardhat";

import { HipaaRole, ProviderForm, ProviderKind } from "../../client/care-types.js";
import { ProviderDirectory__factory } from "../../typechain-types/index.js";
import { describeAdminHandover } from "../helpers/admin-handover.js";
import { ADMIN_DELAY, minedAt, reasonCodeOf, structOf } from "../helpers/care-ledger.js";

const { ethers, networkHelpers } = await network.create();

/** How many organisations the directory follows above an account (a ward, its hospital, a group...). */
const MAX_ORGANISATION_DEPTH = 4;

const PROVIDER_KINDS = [
  ProviderKind.Doctor,
  ProviderKind.Pharmacy,
  ProviderKind.Laboratory,
  ProviderKind.EmergencyDepartment,
  ProviderKind.Hospital,
] as const;

/**
 * A registration profile: a doctor is a practitioner and every other kind an organisation, each a
 * covered entity with no parent organisation, unless `changes` says otherwise.
 */
function profile(
  kind: ProviderKind,
  changes: { form?: ProviderForm; hipaa?: HipaaRole; organisation?: string } = {},
): { kind: ProviderKind; form: ProviderForm; hipaa: HipaaRole; organisation: string } {
  const form = kind === ProviderKind.Doctor ? ProviderForm.Practitioner : ProviderForm.Organisation;
  return { kind, form, hipaa: HipaaRole.CoveredEntity, organisation: ZeroAddress, ...changes };
}

/** A directory entry as plain values, for deep comparison with `providerOf`. */
function entry(
  kind: ProviderKind,
  form: ProviderForm,
  hipaa: HipaaRole,
  suspended: boolean,
  registeredAt: number,
  organisation: string,
): Record<string, bigint | boolean | string> {
  return {
    kind: BigInt(kind),
    form: BigInt(form),
    hipaa: BigInt(hipaa),
    suspended,
    registeredAt: BigInt(registeredAt),
    organisation,
  };
}

async function fixture() {
  const [admin, registrar, hospital, doctor, pharmacy, nurse, stranger, newAdmin] = await ethers.getSigners();
  const directory = await new ProviderDirectory__factory(admin).deploy(admin.address, registrar.address, ADMIN_DELAY);
  await directory.waitForDeployment();
  const asRegistrar = directory.connect(registrar);
  const hospitalRegisteredAt = await minedAt(
    ethers,
    asRegistrar.registerProvider(hospital.address, profile(ProviderKind.Hospital)),
  );
  const doctorRegisteredAt = await minedAt(
    ethers,
    asRegistrar.registerProvider(doctor.address, profile(ProviderKind.Doctor, { organisation: hospital.address })),
  );
  const REGISTRAR_ROLE = await directory.REGISTRAR_ROLE();
  const DEFAULT_ADMIN_ROLE = await directory.DEFAULT_ADMIN_ROLE();
  return {
    directory,
    asRegistrar,
    admin,
    registrar,
    hospital,
    doctor,
    pharmacy,
    nurse,
    stranger,
    newAdmin,
    hospitalRegisteredAt,
    doctorRegisteredAt,
    REGISTRAR_ROLE,
    DEFAULT_ADMIN_ROLE,
  };
}

describe("ProviderDirectory", function () {
  let f: Awaited<ReturnType<typeof fixture>>;

  beforeEach(async function () {
    f = await networkHelpers.loadFixture(fixture);
  });

  describe("deployment", function () {
    it("names the registrar role after its hash preimage", async function () {
      expect(f.REGISTRAR_ROLE).to.equal(id("REGISTRAR_ROLE"));
    });

    it("gives the registrar role to the registrar and not to the admin", async function () {
      const { directory, admin, registrar, REGISTRAR_ROLE } = f;
      expect(await directory.hasRole(REGISTRAR_ROLE, registrar.address)).to.equal(true);
      expect(await directory.hasRole(REGISTRAR_ROLE, admin.address)).to.equal(false);
    });

    it("rejects a zero registrar", async function () {
      const { admin } = f;
      const factory = new ProviderDirectory__factory(admin);
      await expect(factory.deploy(admin.address, ZeroAddress, ADMIN_DELAY)).to.be.revertedWithCustomError(
        factory,
        "ProviderDirectoryZeroAddress",
      );
    });

    it("rejects a zero admin", async function () {
      const { admin, registrar } = f;
      const factory = new ProviderDirectory__factory(admin);
      await expect(factory.deploy(ZeroAddress, registrar.address, ADMIN_DELAY))
        .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
        .withArgs(ZeroAddress);
    });
  });

  describe("registerProvider", function () {
    describe("by the registrar", function () {
      for (const kind of PROVIDER_KINDS) {
        it(`registers an organisation of kind ${ProviderKind[kind]}`, async function () {
          const { directory, asRegistrar, pharmacy } = f;
          const tx = asRegistrar.registerProvider(pharmacy.address, profile(kind, { form: ProviderForm.Organisation }));
          await expect(tx)
            .to.emit(directory, "ProviderRegistered")
            .withArgs(pharmacy.address, kind, ZeroAddress, ProviderForm.Organisation, HipaaRole.CoveredEntity);
          const registeredAt = await minedAt(ethers, tx);
          expect(structOf(await directory.providerOf(pharmacy.address))).to.deep.equal(
            entry(kind, ProviderForm.Organisation, HipaaRole.CoveredEntity, false, registeredAt, ZeroAddress),
          );
          expect(await directory.isActiveProvider(pharmacy.address)).to.equal(true);
          expect(await directory.activeKindOf(pharmacy.address)).to.equal(BigInt(kind));
        });
      }

      it("registers a practitioner of a registered organisation", async function () {
        const { directory, asRegistrar, nurse, hospital } = f;
        const tx = asRegistrar.registerProvider(
          nurse.address,
          profile(ProviderKind.Doctor, { hipaa: HipaaRole.BusinessAssociate, organisation: hospital.address }),
        );
        await expect(tx)
          .to.emit(directory, "ProviderRegistered")
          .withArgs(
            nurse.address,
            ProviderKind.Doctor,
            hospital.address,
            ProviderForm.Practitioner,
            HipaaRole.BusinessAssociate,
          );
        const registeredAt = await minedAt(ethers, tx);
        expect(structOf(await directory.providerOf(nurse.address))).to.deep.equal(
          entry(
            ProviderKind.Doctor,
            ProviderForm.Practitioner,
            HipaaRole.BusinessAssociate,
            false,
            registeredAt,
            hospital.address,
          ),
        );
        expect(await directory.activeKindOf(nurse.address)).to.equal(BigInt(ProviderKind.Doctor));
      });

      it("registers an independent practitioner without an organisation", async function () {
        const { directory, asRegistrar, nurse } = f;
        await expect(asRegistrar.registerProvider(nurse.address, profile(ProviderKind.Doctor)))
          .to.emit(directory, "ProviderRegistered")
          .withArgs(
            nurse.address,
            ProviderKind.Doctor,
            ZeroAddress,
            ProviderForm.Practitioner,
            HipaaRole.CoveredEntity,
          );
        expect(await directory.isActiveProvider(nurse.address)).to.equal(true);
      });

      it("registers a practitioner of a suspended organisation, inactive until it is reinstated", async function () {
        const { directory, asRegistrar, nurse, hospital } = f;
        await (await asRegistrar.suspendProvider(hospital.address, reasonCodeOf("audit"))).wait();
        await (
          await asRegistrar.registerProvider(
            nurse.address,
            profile(ProviderKind.Doctor, { organisation: hospital.address }),
          )
        ).wait();
        expect(await directory.activeKindOf(nurse.address)).to.equal(BigInt(ProviderKind.None));
        await (await asRegistrar.reinstateProvider(hospital.address)).wait();
        expect(await directory.activeKindOf(nurse.address)).to.equal(BigInt(ProviderKind.Doctor));
      });

      it("lets an account the admin made registrar register providers", async function () {
        const { directory, admin, stranger, nurse, REGISTRAR_ROLE } = f;
        await expect(directory.connect(admin).grantRole(REGISTRAR_ROLE, stranger.address))
          .to.emit(directory, "RoleGranted")
          .withArgs(REGISTRAR_ROLE, stranger.address, admin.address);
        await (
          await directory
            .connect(stranger)
            .registerProvider(nurse.address, profile(ProviderKind.Laboratory, { hipaa: HipaaRole.BusinessAssociate }))
        ).wait();
        expect(await directory.activeKindOf(nurse.address)).to.equal(BigInt(ProviderKind.Laboratory));
      });
    });

    describe("when refused", function () {
      it("rejects an account without the registrar role", async function () {
        const { directory, stranger, nurse, REGISTRAR_ROLE } = f;
        await expect(directory.connect(stranger).registerProvider(nurse.address, profile(ProviderKind.Doctor)))
          .to.be.revertedWithCustomError(directory, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, REGISTRAR_ROLE);
      });

      it("rejects the admin, who does not hold the registrar role", async function () {
        const { directory, admin, nurse, REGISTRAR_ROLE } = f;
        await expect(directory.connect(admin).registerProvider(nurse.address, profile(ProviderKind.Doctor)))
          .to.be.revertedWithCustomError(directory, "AccessControlUnauthorizedAccount")
          .withArgs(admin.address, REGISTRAR_ROLE);
      });

      it("rejects an account granting the registrar role without the admin role", async function () {
        const { directory, stranger, REGISTRAR_ROLE, DEFAULT_ADMIN_ROLE } = f;
        await expect(directory.connect(stranger).grantRole(REGISTRAR_ROLE, stranger.address))
          .to.be.revertedWithCustomError(directory, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, DEFAULT_ADMIN_ROLE);
      });

      it("rejects the zero address", async function () {
        const { directory, asRegistrar } = f;
        await expect(
          asRegistrar.registerProvider(ZeroAddress, profile(ProviderKind.Doctor)),
        ).to.be.revertedWithCustomError(directory, "ProviderDirectoryZeroAddress");
      });

      it("rejects an account already registered", async function () {
        const { directory, asRegistrar, doctor } = f;
        await expect(asRegistrar.registerProvider(doctor.address, profile(ProviderKind.Pharmacy)))
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryAlreadyRegistered")
          .withArgs(doctor.address);
      });

      it("rejects the kind None", async function () {
        const { directory, asRegistrar, nurse } = f;
        await expect(
          asRegistrar.registerProvider(nurse.address, profile(ProviderKind.None, { form: ProviderForm.Practitioner })),
        )
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidKind")
          .withArgs(ProviderKind.None);
      });

      it("rejects an unregistered organisation", async function () {
        const { directory, asRegistrar, nurse, stranger } = f;
        await expect(
          asRegistrar.registerProvider(nurse.address, profile(ProviderKind.Doctor, { organisation: stranger.address })),
        )
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidOrganisation")
          .withArgs(stranger.address);
      });

      it("rejects an organisation that is a practitioner", async function () {
        const { directory, asRegistrar, nurse, doctor } = f;
        await expect(
          asRegistrar.registerProvider(nurse.address, profile(ProviderKind.Doctor, { organisation: doctor.address })),
        )
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidOrganisation")
          .withArgs(doctor.address);
      });

      it("rejects an account naming itself as its organisation", async function () {
        const { directory, asRegistrar, nurse } = f;
        await expect(
          asRegistrar.registerProvider(nurse.address, profile(ProviderKind.Hospital, { organisation: nurse.address })),
        )
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidOrganisation")
          .withArgs(nurse.address);
      });
    });
  });

  describe("updateProvider", function () {
    describe("by the registrar", function () {
      it("replaces kind, form, HIPAA role and organisation and keeps the registration time", async function () {
        const { directory, asRegistrar, doctor, doctorRegisteredAt } = f;
        await expect(
          asRegistrar.updateProvider(
            doctor.address,
            profile(ProviderKind.EmergencyDepartment, { hipaa: HipaaRole.BusinessAssociate }),
          ),
        )
          .to.emit(directory, "ProviderUpdated")
          .withArgs(
            doctor.address,
            ProviderKind.EmergencyDepartment,
            ZeroAddress,
            ProviderForm.Organisation,
            HipaaRole.BusinessAssociate,
          );
        expect(structOf(await directory.providerOf(doctor.address))).to.deep.equal(
          entry(
            ProviderKind.EmergencyDepartment,
            ProviderForm.Organisation,
            HipaaRole.BusinessAssociate,
            false,
            doctorRegisteredAt,
            ZeroAddress,
          ),
        );
        expect(await directory.activeKindOf(doctor.address)).to.equal(BigInt(ProviderKind.EmergencyDepartment));
      });

      it("keeps a suspended provider suspended", async function () {
        const { directory, asRegistrar, doctor, hospital, doctorRegisteredAt } = f;
        await (await asRegistrar.suspendProvider(doctor.address, reasonCodeOf("licence"))).wait();
        await (
          await asRegistrar.updateProvider(
            doctor.address,
            profile(ProviderKind.Doctor, { hipaa: HipaaRole.BusinessAssociate, organisation: hospital.address }),
          )
        ).wait();
        expect(structOf(await directory.providerOf(doctor.address))).to.deep.equal(
          entry(
            ProviderKind.Doctor,
            ProviderForm.Practitioner,
            HipaaRole.BusinessAssociate,
            true,
            doctorRegisteredAt,
            hospital.address,
          ),
        );
        expect(await directory.isActiveProvider(doctor.address)).to.equal(false);
      });

      it("moves a practitioner to another organisation, whose suspension then applies", async function () {
        const { directory, asRegistrar, doctor, hospital, pharmacy } = f;
        await (await asRegistrar.registerProvider(pharmacy.address, profile(ProviderKind.Pharmacy))).wait();
        await expect(
          asRegistrar.updateProvider(doctor.address, profile(ProviderKind.Doctor, { organisation: pharmacy.address })),
        )
          .to.emit(directory, "ProviderUpdated")
          .withArgs(
            doctor.address,
            ProviderKind.Doctor,
            pharmacy.address,
            ProviderForm.Practitioner,
            HipaaRole.CoveredEntity,
          );
        await (await asRegistrar.suspendProvider(hospital.address, reasonCodeOf("audit"))).wait();
        expect(await directory.activeKindOf(doctor.address)).to.equal(BigInt(ProviderKind.Doctor));
        await (await asRegistrar.suspendProvider(pharmacy.address, reasonCodeOf("audit"))).wait();
        expect(await directory.activeKindOf(doctor.address)).to.equal(BigInt(ProviderKind.None));
      });

      it("detaches a practitioner from its organisation", async function () {
        const { directory, asRegistrar, doctor, hospital } = f;
        await (await asRegistrar.updateProvider(doctor.address, profile(ProviderKind.Doctor))).wait();
        await (await asRegistrar.suspendProvider(hospital.address, reasonCodeOf("audit"))).wait();
        expect((await directory.providerOf(doctor.address)).organisation).to.equal(ZeroAddress);
        expect(await directory.isActiveProvider(doctor.address)).to.equal(true);
      });
    });

    describe("when refused", function () {
      it("rejects an account without the registrar role", async function () {
        const { directory, stranger, doctor, REGISTRAR_ROLE } = f;
        await expect(directory.connect(stranger).updateProvider(doctor.address, profile(ProviderKind.Doctor)))
          .to.be.revertedWithCustomError(directory, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, REGISTRAR_ROLE);
      });

      it("rejects an unregistered account", async function () {
        const { directory, asRegistrar, nurse } = f;
        await expect(asRegistrar.updateProvider(nurse.address, profile(ProviderKind.Doctor)))
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryNotRegistered")
          .withArgs(nurse.address);
      });

      it("rejects the kind None", async function () {
        const { directory, asRegistrar, doctor } = f;
        await expect(
          asRegistrar.updateProvider(doctor.address, profile(ProviderKind.None, { form: ProviderForm.Practitioner })),
        )
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidKind")
          .withArgs(ProviderKind.None);
      });

      it("rejects an unregistered organisation", async function () {
        const { directory, asRegistrar, doctor, stranger } = f;
        await expect(
          asRegistrar.updateProvider(doctor.address, profile(ProviderKind.Doctor, { organisation: stranger.address })),
        )
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidOrganisation")
          .withArgs(stranger.address);
      });

      it("rejects an organisation that is a practitioner", async function () {
        const { directory, asRegistrar, doctor, nurse } = f;
        await (await asRegistrar.registerProvider(nurse.address, profile(ProviderKind.Doctor))).wait();
        await expect(
          asRegistrar.updateProvider(doctor.address, profile(ProviderKind.Doctor, { organisation: nurse.address })),
        )
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidOrganisation")
          .withArgs(nurse.address);
      });

      it("rejects a registered organisation naming itself as its organisation", async function () {
        const { directory, asRegistrar, hospital } = f;
        await expect(
          asRegistrar.updateProvider(
            hospital.address,
            profile(ProviderKind.Hospital, { organisation: hospital.address }),
          ),
        )
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidOrganisation")
          .withArgs(hospital.address);
      });
    });
  });

  describe("suspendProvider", function () {
    describe("with an active provider", function () {
      it("suspends it with the registrar and the reason code in the event", async function () {
        const { directory, asRegistrar, registrar, doctor, hospital, doctorRegisteredAt } = f;
        const reason = reasonCodeOf("licence-review");
        await expect(asRegistrar.suspendProvider(doctor.address, reason))
          .to.emit(directory, "ProviderSuspended")
          .withArgs(doctor.address, registrar.address, reason);
        expect(structOf(await directory.providerOf(doctor.address))).to.deep.equal(
          entry(
            ProviderKind.Doctor,
            ProviderForm.Practitioner,
            HipaaRole.CoveredEntity,
            true,
            doctorRegisteredAt,
            hospital.address,
          ),
        );
        expect(await directory.isActiveProvider(doctor.address)).to.equal(false);
        expect(await directory.activeKindOf(doctor.address)).to.equal(BigInt(ProviderKind.None));
      });

      it("leaves the organisation of a suspended practitioner active", async function () {
        const { directory, asRegistrar, doctor, hospital } = f;
        await (await asRegistrar.suspendProvider(doctor.address, reasonCodeOf("licence"))).wait();
        expect(await directory.activeKindOf(hospital.address)).to.equal(BigInt(ProviderKind.Hospital));
      });

      it("stops every practitioner of a suspended organisation without touching their entries", async function () {
        const { directory, asRegistrar, doctor, hospital, nurse } = f;
        await (
          await asRegistrar.registerProvider(
            nurse.address,
            profile(ProviderKind.Doctor, { organisation: hospital.address }),
          )
        ).wait();
        await (await asRegistrar.suspendProvider(hospital.address, reasonCodeOf("audit"))).wait();
        for (const staff of [doctor, nurse]) {
          expect(await directory.activeKindOf(staff.address)).to.equal(BigInt(ProviderKind.None));
          expect(await directory.isActiveProvider(staff.address)).to.equal(false);
          expect((await directory.providerOf(staff.address)).suspended).to.equal(false);
        }
      });
    });

    describe("when refused", function () {
      it("rejects an account without the registrar role", async function () {
        const { directory, stranger, doctor, REGISTRAR_ROLE } = f;
        await expect(directory.connect(stranger).suspendProvider(doctor.address, reasonCodeOf("x")))
          .to.be.revertedWithCustomError(directory, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, REGISTRAR_ROLE);
      });

      it("rejects an unregistered account", async function () {
        const { directory, asRegistrar, stranger } = f;
        await expect(asRegistrar.suspendProvider(stranger.address, reasonCodeOf("x")))
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryNotRegistered")
          .withArgs(stranger.address);
      });

      it("rejects a provider already suspended", async function () {
        const { directory, asRegistrar, doctor } = f;
        await (await asRegistrar.suspendProvider(doctor.address, reasonCodeOf("x"))).wait();
        await expect(asRegistrar.suspendProvider(doctor.address, reasonCodeOf("y")))
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryStatusUnchanged")
          .withArgs(doctor.address, true);
      });
    });
  });

  describe("reinstateProvider", function () {
    describe("with a suspended provider", function () {
      it("lifts the suspension", async function () {
        const { directory, asRegistrar, registrar, doctor } = f;
        await (await asRegistrar.suspendProvider(doctor.address, reasonCodeOf("x"))).wait();
        await expect(asRegistrar.reinstateProvider(doctor.address))
          .to.emit(directory, "ProviderReinstated")
          .withArgs(doctor.address, registrar.address);
        expect((await directory.providerOf(doctor.address)).suspended).to.equal(false);
        expect(await directory.activeKindOf(doctor.address)).to.equal(BigInt(ProviderKind.Doctor));
      });

      it("brings an organisation's practitioners back", async function () {
        const { directory, asRegistrar, doctor, hospital } = f;
        await (await asRegistrar.suspendProvider(hospital.address, reasonCodeOf("x"))).wait();
        await (await asRegistrar.reinstateProvider(hospital.address)).wait();
        expect(await directory.isActiveProvider(doctor.address)).to.equal(true);
      });

      it("keeps a practitioner suspended in its own right suspended when its organisation returns", async function () {
        const { directory, asRegistrar, doctor, hospital } = f;
        await (await asRegistrar.suspendProvider(doctor.address, reasonCodeOf("licence"))).wait();
        await (await asRegistrar.suspendProvider(hospital.address, reasonCodeOf("audit"))).wait();
        await (await asRegistrar.reinstateProvider(hospital.address)).wait();
        expect(await directory.isActiveProvider(hospital.address)).to.equal(true);
        expect(await directory.isActiveProvider(doctor.address)).to.equal(false);
      });
    });

    describe("when refused", function () {
      it("rejects an account without the registrar role", async function () {
        const { directory, asRegistrar, stranger, doctor, REGISTRAR_ROLE } = f;
        await (await asRegistrar.suspendProvider(doctor.address, reasonCodeOf("x"))).wait();
        await expect(directory.connect(stranger).reinstateProvider(doctor.address))
          .to.be.revertedWithCustomError(directory, "AccessControlUnauthorizedAccount")
          .withArgs(stranger.address, REGISTRAR_ROLE);
      });

      it("rejects an unregistered account", async function () {
        const { directory, asRegistrar, stranger } = f;
        await expect(asRegistrar.reinstateProvider(stranger.address))
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryNotRegistered")
          .withArgs(stranger.address);
      });

      it("rejects a provider that is not suspended", async function () {
        const { directory, asRegistrar, doctor } = f;
        await expect(asRegistrar.reinstateProvider(doctor.address))
          .to.be.revertedWithCustomError(directory, "ProviderDirectoryStatusUnchanged")
          .withArgs(doctor.address, false);
      });
    });
  });

  describe("with nested organisations", function () {
    // A ward is an organisation of its hospital, and a ward's doctors are practitioners of the ward.
    async function registerOrganisation(account: string, parent: string): Promise<void> {
      await (
        await f.asRegistrar.registerProvider(account, profile(ProviderKind.Hospital, { organisation: parent }))
      ).wait();
    }

    async function registerPractitioner(account: string, organisation: string): Promise<void> {
      await (await f.asRegistrar.registerProvider(account, profile(ProviderKind.Doctor, { organisation }))).wait();
    }

    /** A chain of organisations, each belonging to the previous one; the first is top-level. */
    async function organisationChain(length: number): Promise<string[]> {
      const chain = Array.from({ length }, () => ethers.Wallet.createRandom().address);
      for (let i = 0; i < length; i++) await registerOrganisation(chain[i], i === 0 ? ZeroAddress : chain[i - 1]);
      return chain;
    }

    it("stops a ward and its doctors when the hospital is suspended", async function () {
      const { directory, asRegistrar, hospital, pharmacy: ward, nurse: wardDoctor } = f;
      await registerOrganisation(ward.address, hospital.address);
      await registerPractitioner(wardDoctor.address, ward.address);
      await (await asRegistrar.suspendProvider(hospital.address, reasonCodeOf("audit"))).wait();
      expect(await directory.activeKindOf(ward.address)).to.equal(BigInt(ProviderKind.None));
      expect(await directory.activeKindOf(wardDoctor.address)).to.equal(BigInt(ProviderKind.None));
      expect(await directory.isActiveProvider(wardDoctor.address)).to.equal(false);
      await (await asRegistrar.reinstateProvider(hospital.address)).wait();
      expect(await directory.activeKindOf(wardDoctor.address)).to.equal(BigInt(ProviderKind.Doctor));
    });

    it("stops a ward's doctors but not the hospital when the ward is suspended", async function () {
      const { directory, asRegistrar, hospital, pharmacy: ward, nurse: wardDoctor } = f;
      await registerOrganisation(ward.address, hospital.address);
      await registerPractitioner(wardDoctor.address, ward.address);
      await (await asRegistrar.suspendProvider(ward.address, reasonCodeOf("audit"))).wait();
      expect(await directory.activeKindOf(wardDoctor.address)).to.equal(BigInt(ProviderKind.None));
      expect(await directory.activeKindOf(hospital.address)).to.equal(BigInt(ProviderKind.Hospital));
    });

    it(`follows a chain of ${MAX_ORGANISATION_DEPTH} organisations above a practitioner`, async function () {
      const { directory, asRegistrar, nurse } = f;
      const chain = await organisationChain(MAX_ORGANISATION_DEPTH);
      await registerPractitioner(nurse.address, chain[MAX_ORGANISATION_DEPTH - 1]);
      expect(await directory.activeKindOf(nurse.address)).to.equal(BigInt(ProviderKind.Doctor));
      await (await asRegistrar.suspendProvider(chain[0], reasonCodeOf("audit"))).wait();
      expect(await directory.activeKindOf(nurse.address)).to.equal(BigInt(ProviderKind.None));
    });

    it(`refuses a chain of more than ${MAX_ORGANISATION_DEPTH} organisations above an account`, async function () {
      const { directory, asRegistrar, nurse } = f;
      const chain = await organisationChain(MAX_ORGANISATION_DEPTH + 1);
      const deepest = chain[MAX_ORGANISATION_DEPTH];
      await expect(asRegistrar.registerProvider(nurse.address, profile(ProviderKind.Doctor, { organisation: deepest })))
        .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidOrganisation")
        .withArgs(deepest);
    });

    it("refuses an organisation chain that would loop", async function () {
      const { directory, asRegistrar, hospital, pharmacy: ward } = f;
      await registerOrganisation(ward.address, hospital.address);
      await expect(
        asRegistrar.updateProvider(hospital.address, profile(ProviderKind.Hospital, { organisation: ward.address })),
      )
        .to.be.revertedWithCustomError(directory, "ProviderDirectoryInvalidOrganisation")
        .withArgs(ward.address);
    });

    it("treats a practitioner pushed too deep by a later move as inactive", async function () {
      const { directory, asRegistrar, nurse, pharmacy: group } = f;
      const chain = await organisationChain(MAX_ORGANISATION_DEPTH);
      await registerPractitioner(nurse.address, chain[MAX_ORGANISATION_DEPTH - 1]);
      await registerOrganisation(group.address, ZeroAddress);
      await (
        await asRegistrar.updateProvider(chain[0], profile(ProviderKind.Hospital, { organisation: group.address }))
      ).wait();
      expect(await directory.activeKindOf(chain[MAX_ORGANISATION_DEPTH - 1])).to.equal(BigInt(ProviderKind.Hospital));
      expect(await directory.activeKindOf(nurse.address)).to.equal(BigInt(ProviderKind.None));
    });
  });

  describe("lookups", function () {
    it("report an unregistered account as an all-zero, inactive entry", async function () {
      const { directory, stranger } = f;
      expect(structOf(await directory.providerOf(stranger.address))).to.deep.equal(
        entry(ProviderKind.None, ProviderForm.Practitioner, HipaaRole.CoveredEntity, false, 0, ZeroAddress),
      );
      expect(await directory.isActiveProvider(stranger.address)).to.equal(false);
      expect(await directory.activeKindOf(stranger.address)).to.equal(BigInt(ProviderKind.None));
    });

    it("report the registered organisation and its practitioner as set up by the fixture", async function () {
      const { directory, hospital, doctor, hospitalRegisteredAt } = f;
      expect(structOf(await directory.providerOf(hospital.address))).to.deep.equal(
        entry(
          ProviderKind.Hospital,
          ProviderForm.Organisation,
          HipaaRole.CoveredEntity,
          false,
          hospitalRegisteredAt,
          ZeroAddress,
        ),
      );
      expect(await directory.activeKindOf(doctor.address)).to.equal(BigInt(ProviderKind.Doctor));
    });
  });

  describeAdminHandover(async () => {
    const { directory, admin, newAdmin, stranger } = await networkHelpers.loadFixture(fixture);
    return { contract: directory, admin, newAdmin, stranger, delay: ADMIN_DELAY };
  }, networkHelpers);
});
