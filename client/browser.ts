/**
 * The part of CareLedger that runs in a browser (a patient's web wallet, a clinic's front end): no
 * file system, no sockets, no worker threads. A browser signs what the chain accepts from a relayer
 * (consents, unlock codes, visits), validates and canonicalises FHIR, seals and opens record
 * envelopes, checks commitments, and decodes the contracts' errors. The full client, with its
 * keyring and write journal on disk, is the package's main entry and runs in Node.
 */
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
export { encodeGrantScope, grantIdOf, type GrantScope } from "./sdk/consent-scope.js";
export { UNLOCK_EIP712_TYPES, signUnlock, type UnlockCode } from "./sdk/unlock-code.js";
export { VISIT_EIP712_TYPES, signVisit, type SignedVisit } from "./sdk/visit-signature.js";
export { CARELEDGER_ABIS, CARELEDGER_INTERFACES, CONTRACT_NAMES } from "./sdk/contract-abis.js";
export { decodeRevert, decodeRevertData } from "./sdk/revert-decoder.js";
export * from "./errors.js";
export * from "./fhir/index.js";
// Envelopes and commitments: what a reader needs to seal, open and check a record against the chain.
export * from "./crypto/commitment.js";
export { parseRecordEnvelope, type RecordEnvelopeParts } from "./crypto/envelope-format.js";
export {
  openRecord,
  sealRecord,
  type OpenRecordInput,
  type SealRecordInput,
  type SealedRecord,
} from "./crypto/record-envelope.js";
export { contentRefOf, parseContentRef, verifyContent, type ContentRef } from "./storage/content-ref.js";
export type { ContentStore } from "./storage/content-store.js";
