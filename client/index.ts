/**
 * CareLedger's client package (Node): the SDK (role-shaped clients over the contracts) and
 * everything a caller needs with it — deployment, typed errors, and all of the browser entry (the
 * enums mirrored from CareTypes.sol, EIP-712 signing, FHIR validation, record cryptography).
 * Stores live on disk or open sockets, so they are the `careledger/storage` entry.
 */
export * from "./browser.js";
export * from "./sdk/index.js";
export {
  DEFAULT_ADMIN_TRANSFER_DELAY,
  addressesOf,
  deployCareLedger,
  type CareLedgerContracts,
  type ContractName,
  type DeployOptions,
} from "./deploy.js";
export {
  DeploymentFileError,
  checkDeploymentOnChain,
  deploymentPath,
  parseDeploymentFile,
  readDeploymentFile,
  type DeploymentFile,
} from "./deployment-file.js";
