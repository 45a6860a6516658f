import { Interface, type InterfaceAbi } from "ethers";

import { CONTRACT_NAMES, type ContractName } from "../deployment-plan.js";
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
} from "../../typechain-types/index.js";

/** The compiled ABI of every CareLedger contract (OpenZeppelin base errors and events included). */
export const CARELEDGER_ABIS: Readonly<Record<ContractName, InterfaceAbi>> = {
  directory: ProviderDirectory__factory.abi,
  delegation: PatientDelegation__factory.abi,
  registry: RecordRegistry__factory.abi,
  consent: ConsentManager__factory.abi,
  prescriptions: Prescriptions__factory.abi,
  labOrders: LabOrders__factory.abi,
  emergency: EmergencyAccess__factory.abi,
  relationships: CareRelationships__factory.abi,
  keyRegistry: EncryptionKeyRegistry__factory.abi,
};

export { CONTRACT_NAMES };

/** One parsed `Interface` per contract, built once. */
export const CARELEDGER_INTERFACES: Readonly<Record<ContractName, Interface>> = Object.fromEntries(
  CONTRACT_NAMES.map((name) => [name, new Interface(CARELEDGER_ABIS[name])]),
) as Record<ContractName, Interface>;

/** The contract addresses of one deployment, keyed like `CareLedgerContracts` and deployment files. */
export type CareLedgerAddresses = Readonly<Record<ContractName, string>>;
