// The one roster of the contract and workflow suites: every actor, the node account it signs with,
// and how the registrar registers it. Both worlds (the core contracts alone, or the whole deployment)
// are built from it by `deployWorld`, so a provider is registered the same way in every suite.
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  dataSlice,
  getAddress,
  id,
  ZeroAddress,
  type BaseContract,
  type ContractFactory,
  type ContractTransactionResponse,
} from "ethers";

import { HipaaRole, ProviderForm, ProviderKind } from "../../client/care-types.js";
import { CONTRACT_FACTORIES } from "../../client/contract-factories.js";
import { deployCareLedger, type CareLedgerContracts } from "../../client/deploy.js";
import { DEPLOYMENT_PLAN } from "../../client/deployment-plan.js";
import { DAY } from "../../client/time-units.js";
import type {
  ConsentManager,
  PatientDelegation,
  ProviderDirectory,
  RecordRegistry,
} from "../../typechain-types/index.js";

/** The admin-transfer delay the test deployments use (two days, the SDK's default). */
export const ADMIN_DELAY = 2 * DAY;

/** How the registrar registers an actor; `organisation` names another actor of the roster. */
export interface Registration {
  readonly kind: ProviderKind;
  readonly form: ProviderForm;
  readonly hipaa: HipaaRole;
  readonly organisation?: string;
}

const organisation = (kind: ProviderKind, parent?: string): Registration => ({
  kind,
  form: ProviderForm.Organisation,
  hipaa: HipaaRole.CoveredEntity,
  organisation: parent,
});
const practitioner = (parent?: string): Registration => ({
  kind: ProviderKind.Doctor,
  form: ProviderForm.Practitioner,
  hipaa: HipaaRole.CoveredEntity,
  organisation: parent,
});
const laboratory: Registration = {
  kind: ProviderKind.Laboratory,
  form: ProviderForm.Organisation,
  hipaa: HipaaRole.BusinessAssociate,
};

/** The registrations of the roster, for the parties a suite adds to it (see `Cast`). */
export const registeredAs = { organisation, practitioner, laboratory } as const;

/**
 * Signing actors in the order of the node's accounts (the first thirteen are the core world's).
 * `provider` is how the registrar registers it; the others are patients, delegates and bystanders.
 */
export const SIGNING_ROSTER = [
  { name: "admin" },
  { name: "registrar" },
  { name: "hospital", provider: organisation(ProviderKind.Hospital) },
  { name: "doctor", provider: practitioner("hospital") },
  { name: "pharmacy", provider: organisation(ProviderKind.Pharmacy) },
  { name: "lab", provider: laboratory },
  { name: "patient" },
  { name: "otherPatient" },
  { name: "delegate" },
  { name: "reader" },
  { name: "stranger" },
  { name: "relayer" },
  { name: "newAdmin" },
  { name: "secondDoctor", provider: practitioner() },
  { name: "secondPharmacy", provider: organisation(ProviderKind.Pharmacy) },
  { name: "secondLab", provider: laboratory },
  { name: "emergencyDepartment", provider: organisation(ProviderKind.EmergencyDepartment) },
  { name: "otherHospital", provider: organisation(ProviderKind.Hospital) },
  { name: "otherHospitalDoctor", provider: practitioner("otherHospital") },
  { name: "wardDoctor", provider: practitioner("ward") },
] as const satisfies readonly { name: string; provider?: Registration }[];

/** Organisations that never sign: a ward is a hospital-kind organisation inside its hospital. */
export const WARD_ROSTER = [
  { name: "ward", label: "ward", provider: organisation(ProviderKind.Hospital, "hospital") },
  { name: "otherWard", label: "other-ward", provider: organisation(ProviderKind.Hospital, "otherHospital") },
] as const;

/** How many actors the core world has: the suites of the four core contracts use no more. */
const CORE_ACTORS = 13;

export type SignerName = (typeof SIGNING_ROSTER)[number]["name"];
export type WardName = (typeof WARD_ROSTER)[number]["name"];

/** A deterministic address nobody holds the key of (a ward, an organisation that never signs). */
export function addressOf(label: string): string {
  return getAddress(dataSlice(id(`careledger/test/address/${label}`), 12));
}

async function mined(tx: Promise<ContractTransactionResponse>): Promise<void> {
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error("A roster registration failed.");
}

/** A party of a world: its name there and how the registrar registers it, if at all. */
export interface Party {
  readonly name: string;
  readonly provider?: Registration;
}

/**
 * Registers the providers among `parties` through the registrar, each organisation before the actors
 * inside it (an organisation names another party).
 */
async function registerParties(
  directory: ProviderDirectory,
  registrar: HardhatEthersSigner,
  addresses: Readonly<Record<string, string>>,
  parties: readonly Party[],
): Promise<void> {
  const wanted = parties.filter((party): party is Party & { provider: Registration } => party.provider !== undefined);
  const registered = new Set<string>();
  while (registered.size < wanted.length) {
    const ready = wanted.filter(
      ({ name, provider }) =>
        !registered.has(name) && (provider.organisation === undefined || registered.has(provider.organisation)),
    );
    if (ready.length === 0) throw new Error("The roster names an organisation it does not register.");
    for (const { name, provider } of ready) {
      const parent = provider.organisation === undefined ? ZeroAddress : addresses[provider.organisation];
      await mined(
        directory.connect(registrar).registerProvider(addresses[name], {
          kind: provider.kind,
          form: provider.form,
          hipaa: provider.hipaa,
          organisation: parent,
        }),
      );
      registered.add(name);
    }
  }
}

/**
 * Registers the roster's providers among `names` through the registrar, each organisation before
 * the actors inside it.
 */
export async function registerRoster(
  directory: ProviderDirectory,
  registrar: HardhatEthersSigner,
  addresses: Readonly<Record<string, string>>,
  names: readonly string[],
): Promise<void> {
  const roster: readonly Party[] = [...SIGNING_ROSTER, ...WARD_ROSTER];
  await registerParties(
    directory,
    registrar,
    addresses,
    roster.filter(({ name }) => names.includes(name)),
  );
}

/** The four core contracts. */
export interface CoreContracts {
  directory: ProviderDirectory;
  delegation: PatientDelegation;
  registry: RecordRegistry;
  consent: ConsentManager;
}

/**
 * Deploys the core contracts of the deployment plan alone, with the constructor arguments the SDK
 * uses but without the workflow contracts, so that no access source answers unless a test adds one.
 */
export async function deployCore(admin: HardhatEthersSigner, registrar: HardhatEthersSigner): Promise<CoreContracts> {
  const settings = { deployer: admin.address, registrar: registrar.address, adminTransferDelay: ADMIN_DELAY };
  const deployed: Record<string, BaseContract> = {};
  for (const planned of DEPLOYMENT_PLAN.filter(({ name }) =>
    ["directory", "delegation", "registry", "consent"].includes(name),
  )) {
    const args = planned.args.map((arg) => (typeof arg === "string" ? deployed[arg] : settings[arg.setting]));
    const factory = new CONTRACT_FACTORIES[planned.name](admin) as unknown as ContractFactory;
    deployed[planned.name] = await factory.deploy(...args);
    await deployed[planned.name].waitForDeployment();
  }
  return deployed as unknown as CoreContracts;
}

/** The signers of the roster by name (the node's accounts in roster order). */
export async function rosterSigners(ethers: HardhatEthers): Promise<Record<SignerName, HardhatEthersSigner>> {
  const signers = await ethers.getSigners();
  if (signers.length < SIGNING_ROSTER.length) {
    throw new Error(`The suites need ${SIGNING_ROSTER.length} funded accounts.`);
  }
  return Object.fromEntries(SIGNING_ROSTER.map(({ name }, index) => [name, signers[index]])) as Record<
    SignerName,
    HardhatEthersSigner
  >;
}

/**
 * The one world builder. `"all"` deploys every contract with the SDK's `deployCareLedger` (workflow
 * roles granted, access sources registered) and registers the whole roster; `"core"` deploys the
 * four core contracts of the deployment plan alone (so no access source answers unless a test adds
 * one) and registers the core actors' providers; a `Cast` deploys every contract like `"all"` and
 * registers the cast alone (some roster actors and a suite's own parties, no roster ward). Admin and
 * registrar are kept apart in all of them, so tests can show that the admin alone cannot register
 * providers.
 */
export async function deployWorld(
  ethers: HardhatEthers,
  scope: "core" | "all",
): Promise<{
  contracts: CoreContracts | CareLedgerContracts;
  signers: Record<SignerName, HardhatEthersSigner>;
  wards: Record<WardName, string>;
}>;
export async function deployWorld<Actor extends SignerName, Extra extends string>(
  ethers: HardhatEthers,
  scope: Cast<Actor, Extra>,
): Promise<{ contracts: CareLedgerContracts; signers: Record<Actor | Extra, HardhatEthersSigner> }>;
export async function deployWorld(
  ethers: HardhatEthers,
  scope: "core" | "all" | Cast<SignerName, string>,
): Promise<{
  contracts: CoreContracts | CareLedgerContracts;
  signers: Record<string, HardhatEthersSigner>;
  wards?: Record<WardName, string>;
}> {
  if (typeof scope === "object") return deployCast(ethers, scope);
  const signers = await rosterSigners(ethers);
  const wards = Object.fromEntries(WARD_ROSTER.map(({ name, label }) => [name, addressOf(label)]));
  const names =
    scope === "all"
      ? [...SIGNING_ROSTER, ...WARD_ROSTER].map((entry) => entry.name)
      : SIGNING_ROSTER.slice(0, CORE_ACTORS).map((entry) => entry.name);
  const contracts =
    scope === "all"
      ? await deployCareLedger(signers.admin, { registrar: signers.registrar.address, adminTransferDelay: ADMIN_DELAY })
      : await deployCore(signers.admin, signers.registrar);
  const addresses: Record<string, string> = { ...wards };
  for (const [name, signer] of Object.entries(signers)) addresses[name] = signer.address;
  await registerRoster(contracts.directory, signers.registrar, addresses, names);
  return { contracts, signers, wards: wards as Record<WardName, string> };
}

/**
 * A world of some of the roster's signing actors and parties of a suite's own, for `deployWorld`.
 * `actors` (the admin and the registrar among them) keep their roster registrations; each of `extras`
 * is registered as its `provider` says (its organisation may name an actor or another extra) and signs
 * with the node account of a roster actor the world leaves out, in roster order, so the world stays
 * within the node's twenty accounts. Names are unique within the world only: an extra may take the
 * name of a roster actor or ward the world leaves out.
 */
export interface Cast<Actor extends SignerName, Extra extends string> {
  readonly actors: readonly Actor[];
  readonly extras: readonly (Party & { readonly name: Extra })[];
}

async function deployCast<Actor extends SignerName, Extra extends string>(
  ethers: HardhatEthers,
  cast: Cast<Actor, Extra>,
): Promise<{ contracts: CareLedgerContracts; signers: Record<Actor | Extra, HardhatEthersSigner> }> {
  const roster = await rosterSigners(ethers);
  const actors: readonly string[] = cast.actors;
  if (!actors.includes("admin") || !actors.includes("registrar")) {
    throw new Error("A cast needs the roster's admin and registrar.");
  }
  const names = [...actors, ...cast.extras.map(({ name }) => name)];
  if (new Set(names).size !== names.length) throw new Error("A cast names a party twice.");
  const spare = SIGNING_ROSTER.filter(({ name }) => !actors.includes(name));
  if (spare.length < cast.extras.length) {
    throw new Error(`A cast of ${names.length} needs more of the node's accounts.`);
  }
  const signers: Record<string, HardhatEthersSigner> = {};
  for (const name of cast.actors) signers[name] = roster[name];
  cast.extras.forEach(({ name }, index) => (signers[name] = roster[spare[index].name]));

  const contracts = await deployCareLedger(roster.admin, {
    registrar: roster.registrar.address,
    adminTransferDelay: ADMIN_DELAY,
  });
  const rosterParties: readonly Party[] = SIGNING_ROSTER;
  const addresses = Object.fromEntries(Object.entries(signers).map(([name, signer]) => [name, signer.address]));
  await registerParties(contracts.directory, roster.registrar, addresses, [
    ...rosterParties.filter(({ name }) => actors.includes(name)),
    ...cast.extras,
  ]);
  return { contracts, signers: signers as Record<Actor | Extra, HardhatEthersSigner> };
}
