import type { Signer } from "ethers";

import {
  ConsentManager__factory,
  PatientDelegation__factory,
  ProviderDirectory__factory,
  RecordRegistry__factory,
  type ConsentManager,
  type PatientDelegation,
  type ProviderDirectory,
  type RecordRegistry,
} from "../typechain-types/index.js";

/** The deployed CareLedger core, as TypeChain contract objects bound to the deployer. */
export interface CareLedgerContracts {
  directory: ProviderDirectory;
  delegation: PatientDelegation;
  registry: RecordRegistry;
  consent: ConsentManager;
}

export interface DeployOptions {
  /** Admin of every contract; defaults to the deployer. */
  admin?: string;
  /** First registrar of the provider directory; defaults to the admin. */
  registrar?: string;
  /** Seconds a new admin waits before accepting the role (two-step handover). Default 2 days. */
  adminTransferDelay?: number;
}

export const DEFAULT_ADMIN_TRANSFER_DELAY = 2 * 24 * 60 * 60;

/**
 * Deploys the core contracts in dependency order with plain transactions. Production deployments
 * go through the Hardhat Ignition module, which deploys the same contracts with the same arguments;
 * this function serves tests, benchmarks and the in-process demo, where Ignition's journal is noise.
 */
export async function deployCareLedger(deployer: Signer, options: DeployOptions = {}): Promise<CareLedgerContracts> {
  const admin = options.admin ?? (await deployer.getAddress());
  const registrar = options.registrar ?? admin;
  const delay = options.adminTransferDelay ?? DEFAULT_ADMIN_TRANSFER_DELAY;

  // Each deployment is awaited before the next so that nonces stay correct on any JSON-RPC node.
  const directory = await new ProviderDirectory__factory(deployer).deploy(admin, registrar, delay);
  await directory.waitForDeployment();
  const delegation = await new PatientDelegation__factory(deployer).deploy();
  await delegation.waitForDeployment();
  const registry = await new RecordRegistry__factory(deployer).deploy(
    admin,
    delay,
    await directory.getAddress(),
    await delegation.getAddress(),
  );
  await registry.waitForDeployment();
  const consent = await new ConsentManager__factory(deployer).deploy(
    admin,
    delay,
    await directory.getAddress(),
    await registry.getAddress(),
    await delegation.getAddress(),
  );
  await consent.waitForDeployment();
  return { directory, delegation, registry, consent };
}
