import { Interface, type InterfaceAbi } from "ethers";

import { CONTRACT_NAMES, type ContractName } from "../deployment-plan.js";
import { CONTRACT_FACTORIES } from "../contract-factories.js";

/** The compiled ABI of every CareLedger contract (OpenZeppelin base errors and events included). */
export const CARELEDGER_ABIS: Readonly<Record<ContractName, InterfaceAbi>> = Object.fromEntries(
  CONTRACT_NAMES.map((name): [ContractName, InterfaceAbi] => [name, CONTRACT_FACTORIES[name].abi as InterfaceAbi]),
) as Record<ContractName, InterfaceAbi>;

export { CONTRACT_NAMES };

/** One parsed `Interface` per contract, built once. */
export const CARELEDGER_INTERFACES: Readonly<Record<ContractName, Interface>> = Object.fromEntries(
  CONTRACT_NAMES.map((name) => [name, new Interface(CARELEDGER_ABIS[name])]),
) as Record<ContractName, Interface>;

/** The contract addresses of one deployment, keyed like `CareLedgerContracts` and deployment files. */
export type CareLedgerAddresses = Readonly<Record<ContractName, string>>;
