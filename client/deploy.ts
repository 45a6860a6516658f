import type { Signer } from "ethers";

import {
  CareRelationships__factory,
  ConsentManager__factory,
  EmergencyAccess__factory,
  EncryptionKeyRegistry__factory,
  LabOrders__factory,
  PatientDelegation__factory,
  Prescriptions__factory,
  ProviderDirectory__factory,
  RecordRegistry__factory,
  type CareRelationships,
  type ConsentManager,
  type EmergencyAccess,
  type EncryptionKeyRegistry,
  type LabOrders,
  type PatientDelegation,
  type Prescriptions,
  type ProviderDirectory,
  type RecordRegistry,
} from "../typechain-types/index.js";

/** The deployed CareLedger contracts, as TypeChain objects bound to the deployer. */
export interface CareLedgerContracts {
  directory: ProviderDirectory;
  delegation: PatientDelegation;
  registry: RecordRegistry;
  consent: ConsentManager;
  prescriptions: Prescriptions;
  labOrders: LabOrders;
  emergency: EmergencyAccess;
  relationships: CareRelationships;
  keyRegistry: EncryptionKeyRegistry;
}

export type ContractName = keyof CareLedgerContracts;

export interface DeployOptions {
  /** Final admin of every contract; defaults to the deployer. A different admin receives the role
   * through the two-step handover and must accept it after the delay. */
  admin?: string;
  /** First registrar of the provider directory; defaults to the deployer. */
  registrar?: string;
  /** Seconds a new admin waits before accepting the role. Default 2 days. */
  adminTransferDelay?: number;
}

export const DEFAULT_ADMIN_TRANSFER_DELAY = 2 * 24 * 60 * 60;

/**
 * Deploys and wires every contract with plain transactions: workflow contracts get the registry's
 * workflow role and the relationship-based ones are registered as access sources. Hardhat Ignition
 * (ignition/modules) does the same for persistent deployments; this function serves tests,
 * benchmarks and the in-process demo.
 */
export async function deployCareLedger(deployer: Signer, options: DeployOptions = {}): Promise<CareLedgerContracts> {
  const self = await deployer.getAddress();
  const registrar = options.registrar ?? self;
  const delay = options.adminTransferDelay ?? DEFAULT_ADMIN_TRANSFER_DELAY;

  // Each step is awaited before the next so that nonces stay right on any JSON-RPC node.
  const directory = await new ProviderDirectory__factory(deployer).deploy(self, registrar, delay);
  await directory.waitForDeployment();
  const delegation = await new PatientDelegation__factory(deployer).deploy(directory);
  await delegation.waitForDeployment();
  const registry = await new RecordRegistry__factory(deployer).deploy(self, delay, directory, delegation);
  await registry.waitForDeployment();
  const consent = await new ConsentManager__factory(deployer).deploy(self, delay, directory, registry, delegation);
  await consent.waitForDeployment();
  const prescriptions = await new Prescriptions__factory(deployer).deploy(directory, registry, consent);
  await prescriptions.waitForDeployment();
  const labOrders = await new LabOrders__factory(deployer).deploy(directory, registry, consent);
  await labOrders.waitForDeployment();
  const emergency = await new EmergencyAccess__factory(deployer).deploy(directory, registry, consent);
  await emergency.waitForDeployment();
  const relationships = await new CareRelationships__factory(deployer).deploy(directory, registry, consent, delegation);
  await relationships.waitForDeployment();
  const keyRegistry = await new EncryptionKeyRegistry__factory(deployer).deploy();
  await keyRegistry.waitForDeployment();

  const workflowRole = await registry.WORKFLOW_ROLE();
  for (const workflow of [prescriptions, labOrders]) {
    await (await registry.grantRole(workflowRole, workflow)).wait();
  }
  for (const source of [labOrders, emergency, relationships]) {
    await (await consent.addAccessSource(source)).wait();
  }

  if (options.admin !== undefined && options.admin.toLowerCase() !== self.toLowerCase()) {
    for (const contract of [directory, registry, consent]) {
      await (await contract.beginDefaultAdminTransfer(options.admin)).wait();
    }
  }
  return { directory, delegation, registry, consent, prescriptions, labOrders, emergency, relationships, keyRegistry };
}

/** The address of every contract of a deployment, keyed like the contracts. */
export async function addressesOf(contracts: CareLedgerContracts): Promise<Record<ContractName, string>> {
  const names = Object.keys(contracts) as ContractName[];
  const addresses = await Promise.all(names.map((name) => contracts[name].getAddress()));
  return Object.fromEntries(names.map((name, index) => [name, addresses[index]])) as Record<ContractName, string>;
}
