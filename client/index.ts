/**
 * CareLedger's client package: the SDK (role-shaped clients over the contracts) and everything a
 * caller needs with it — deployment, the enums mirrored from CareTypes.sol, FHIR validation,
 * record cryptography, content stores and typed errors.
 */
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
  AccessBasis,
  Capability,
  ConsentScope,
  HipaaRole,
  ProviderForm,
  ProviderKind,
  Purpose,
  RecordFlag,
  RecordType,
} from "./care-types.js";
export { BATCH_LEAF_ENCODING, BatchTree, type BatchLeaf } from "./batch-tree.js";
export {
  CONSENT_EIP712_TYPES,
  consentDomain,
  signGrantConsent,
  signRevokeConsent,
  type GrantRequestInput,
  type TypedDataSigner,
} from "./eip712.js";
export {
  DeploymentFileError,
  checkDeploymentOnChain,
  deploymentPath,
  parseDeploymentFile,
  readDeploymentFile,
  type DeploymentFile,
} from "./deployment-file.js";
export * from "./errors.js";
export * from "./fhir/index.js";
export * from "./crypto/index.js";
// Stores live on disk or open sockets, so they are the `careledger/storage` entry (Node only); what
// a reader needs to address and verify content is here.
export { contentRefOf, parseContentRef, verifyContent, type ContentRef } from "./storage/content-ref.js";
export type { ContentStore } from "./storage/content-store.js";
