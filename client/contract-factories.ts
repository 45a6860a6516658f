import type { ContractRunner } from "ethers";

import type { ContractName } from "./deployment-plan.js";
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
} from "../typechain-types/index.js";

/** The TypeChain factory of each contract of a deployment: its ABI, bytecode and typed `connect`. */
export const CONTRACT_FACTORIES = {
  directory: ProviderDirectory__factory,
  delegation: PatientDelegation__factory,
  registry: RecordRegistry__factory,
  consent: ConsentManager__factory,
  prescriptions: Prescriptions__factory,
  labOrders: LabOrders__factory,
  emergency: EmergencyAccess__factory,
  relationships: CareRelationships__factory,
  keyRegistry: EncryptionKeyRegistry__factory,
} as const satisfies Record<ContractName, unknown>;

/** Every contract of a deployment as a TypeChain object. */
export type CareLedgerContracts = {
  [N in ContractName]: ReturnType<(typeof CONTRACT_FACTORIES)[N]["connect"]>;
};

/** Binds every contract of a deployment to a signer or provider. */
export function connectContracts(
  addresses: Readonly<Record<ContractName, string>>,
  runner: ContractRunner,
): CareLedgerContracts {
  const connect = <N extends ContractName>(name: N): CareLedgerContracts[N] =>
    CONTRACT_FACTORIES[name].connect(addresses[name], runner) as CareLedgerContracts[N];
  return {
    directory: connect("directory"),
    delegation: connect("delegation"),
    registry: connect("registry"),
    consent: connect("consent"),
    prescriptions: connect("prescriptions"),
    labOrders: connect("labOrders"),
    emergency: connect("emergency"),
    relationships: connect("relationships"),
    keyRegistry: connect("keyRegistry"),
  };
}
