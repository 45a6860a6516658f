/**
 * What a CareLedger deployment is, written once: which contracts, what each constructor takes, and
 * the wiring calls after them. Hardhat Ignition's module (ignition/modules/CareLedger.ts) and the
 * SDK's `deployCareLedger` both read this table, and a test deploys with each and compares.
 */

import { DAY } from "./time-units.js";

/** Every contract of a deployment, in deployment order, by the name the SDK and deployment files use. */
export const CONTRACT_NAMES = [
  "directory",
  "delegation",
  "registry",
  "consent",
  "prescriptions",
  "labOrders",
  "emergency",
  "relationships",
  "keyRegistry",
] as const;

export type ContractName = (typeof CONTRACT_NAMES)[number];

/** Two days: a new admin must wait this long before accepting the role (two-step handover). */
export const DEFAULT_ADMIN_TRANSFER_DELAY = 2 * DAY;

/** A constructor argument: another contract of the deployment, or one of the deployment's settings. */
export type PlanArgument = ContractName | { readonly setting: "deployer" | "registrar" | "adminTransferDelay" };

export interface PlannedContract {
  readonly name: ContractName;
  /** The Solidity contract (artifact) name. */
  readonly artifact: string;
  readonly args: readonly PlanArgument[];
}

const deployer = { setting: "deployer" } as const;
const registrar = { setting: "registrar" } as const;
const delay = { setting: "adminTransferDelay" } as const;

export const DEPLOYMENT_PLAN: readonly PlannedContract[] = [
  { name: "directory", artifact: "ProviderDirectory", args: [deployer, registrar, delay] },
  { name: "delegation", artifact: "PatientDelegation", args: ["directory"] },
  { name: "registry", artifact: "RecordRegistry", args: [deployer, delay, "directory", "delegation"] },
  { name: "consent", artifact: "ConsentManager", args: [deployer, delay, "directory", "registry", "delegation"] },
  // A workflow takes the directory, registry and delegation registry the consent manager reads.
  { name: "prescriptions", artifact: "Prescriptions", args: ["consent"] },
  { name: "labOrders", artifact: "LabOrders", args: ["consent"] },
  { name: "emergency", artifact: "EmergencyAccess", args: ["consent"] },
  { name: "relationships", artifact: "CareRelationships", args: ["consent"] },
  { name: "keyRegistry", artifact: "EncryptionKeyRegistry", args: [] },
];

/** Workflow contracts: the registry lets them anchor records for the provider calling them (its WORKFLOW_ROLE). */
export const WORKFLOW_CONTRACTS: readonly ContractName[] = ["prescriptions", "labOrders"];

/** Access sources: the consent manager asks them whether a relationship (an order, break-glass, a visit) allows access. */
export const ACCESS_SOURCES: readonly ContractName[] = ["labOrders", "emergency", "relationships"];

/** Contracts with an admin role, handed to a different final admin by the two-step transfer. */
export const ADMINISTERED_CONTRACTS: readonly ContractName[] = ["directory", "registry", "consent"];
