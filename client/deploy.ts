import type { BaseContract, ContractFactory, Signer } from "ethers";

import {
  ACCESS_SOURCES,
  ADMINISTERED_CONTRACTS,
  DEFAULT_ADMIN_TRANSFER_DELAY,
  DEPLOYMENT_PLAN,
  WORKFLOW_CONTRACTS,
  type ContractName,
} from "./deployment-plan.js";

import { CONTRACT_FACTORIES, type CareLedgerContracts } from "./contract-factories.js";

export type { CareLedgerContracts };
export type { ContractName } from "./deployment-plan.js";
export { DEFAULT_ADMIN_TRANSFER_DELAY } from "./deployment-plan.js";

export interface DeployOptions {
  /** Final admin of every contract; defaults to the deployer. A different admin receives the role
   * through the two-step handover and must accept it after the delay. */
  admin?: string;
  /** First registrar of the provider directory; defaults to the deployer. */
  registrar?: string;
  /** Seconds a new admin waits before accepting the role. Default 2 days. */
  adminTransferDelay?: number;
}

/**
 * Deploys and wires every contract of the deployment plan with plain transactions: workflow
 * contracts get the registry's workflow role and the relationship-based ones are registered as
 * access sources. Hardhat Ignition (ignition/modules) deploys the same plan for persistent
 * deployments; this function serves tests, benchmarks and the in-process demo.
 */
export async function deployCareLedger(deployer: Signer, options: DeployOptions = {}): Promise<CareLedgerContracts> {
  const self = await deployer.getAddress();
  const settings = {
    deployer: self,
    registrar: options.registrar ?? self,
    adminTransferDelay: options.adminTransferDelay ?? DEFAULT_ADMIN_TRANSFER_DELAY,
  };
  const deployed = {} as Record<ContractName, BaseContract>;
  // Each step is awaited before the next so that nonces stay right on any JSON-RPC node.
  for (const planned of DEPLOYMENT_PLAN) {
    const args = planned.args.map((arg) => (typeof arg === "string" ? deployed[arg] : settings[arg.setting]));
    const factory = new CONTRACT_FACTORIES[planned.name](deployer) as unknown as ContractFactory;
    const contract = await factory.deploy(...args);
    await contract.waitForDeployment();
    deployed[planned.name] = contract;
  }
  const contracts = deployed as unknown as CareLedgerContracts;

  const workflowRole = await contracts.registry.WORKFLOW_ROLE();
  for (const workflow of WORKFLOW_CONTRACTS) {
    await (await contracts.registry.grantRole(workflowRole, contracts[workflow])).wait();
  }
  for (const source of ACCESS_SOURCES) {
    await (await contracts.consent.addAccessSource(contracts[source])).wait();
  }

  if (options.admin !== undefined && options.admin.toLowerCase() !== self.toLowerCase()) {
    for (const name of ADMINISTERED_CONTRACTS) {
      const administered = contracts[name] as CareLedgerContracts["directory" | "registry" | "consent"];
      await (await administered.beginDefaultAdminTransfer(options.admin)).wait();
    }
  }
  return contracts;
}

/** The address of every contract of a deployment, keyed like the contracts. */
export async function addressesOf(contracts: CareLedgerContracts): Promise<Record<ContractName, string>> {
  const names = Object.keys(contracts) as ContractName[];
  const addresses = await Promise.all(names.map((name) => contracts[name].getAddress()));
  return Object.fromEntries(names.map((name, index) => [name, addresses[index]])) as Record<ContractName, string>;
}
