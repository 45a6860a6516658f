export { CareLedger, type OnChainRecord } from "./care-ledger.js";
export type { AddressSource, CareLedgerOptions } from "./ledger-core.js";
export { CARELEDGER_ABIS, CARELEDGER_INTERFACES, CONTRACT_NAMES, type CareLedgerAddresses } from "./contract-abis.js";
export {
  AccessDeniedError,
  ContractRevertError,
  PublicKeyNotRegisteredError,
  RecordErasedError,
  RecordNotFoundError,
  RpcUnavailableError,
  TransactionFailedError,
  UnregisteredAccountError,
  isAccessRefusal,
  type RecordLocation,
  type RevertArgument,
  type SdkErrorCode,
  type TransactionFailureReason,
} from "./errors.js";
export { decodeRevert, decodeRevertData } from "./revert-decoder.js";
export { EncryptionKeyring, type KeyringEntry } from "../key-release/encryption-keyring.js";
export {
  KeyReleaseDeniedError,
  KeyReleaseUnavailableError,
  type CustodianFailure,
  type CustodianOutcome,
} from "../key-release/errors.js";
export { type ReleaseListing } from "../key-release/key-release-client.js";
export { encodeGrantScope, grantIdOf, type GrantScope } from "./consent-scope.js";
export { UNLOCK_EIP712_TYPES, signUnlock, type UnlockCode } from "./unlock-code.js";
export { VISIT_EIP712_TYPES, signVisit, type SignedVisit } from "./visit-signature.js";
export type * from "./results.js";
export type {
  AlertHandlers,
  AlertSource,
  DispenseAlert,
  EmergencyAccessAlert,
  ErasureAlert,
  GrantAlert,
  LabResultAlert,
  RecordAlert,
  RevocationAlert,
  SubscribeOptions,
  Unsubscribe,
} from "./alerts.js";
export type { AuditDetail, AuditEntry, AuditOptions, AuditReport, AuditStatus } from "./audit.js";
export type { BatchLocation, ReadRecordResult, StoredRecord } from "./records/record-service.js";
export { DEFAULT_RECORD_TYPES, recordTypeFor, type ReadRecordParams, type WriteOptions } from "./roles/role-base.js";
export type { AmendRecordParams, PutRecordParams, PutRecordsBatchParams } from "./roles/provider-role.js";
export {
  DoctorRole,
  EmergencyRole,
  HospitalRole,
  LaboratoryRole,
  PharmacyRole,
  type DispenseParams,
  type IssuePrescriptionParams,
} from "./roles/clinical-roles.js";
export { ProviderRole } from "./roles/provider-role.js";
export {
  PatientRole,
  type CapabilityName,
  type GrantParams,
  type GrantRequest,
  type SignedGrant,
  type SignedRevocation,
} from "./roles/patient-role.js";
export { DelegateRole, RelayerRole, type DelegationInfo } from "./roles/delegate-relayer-roles.js";
export { RegistrarRole, type ProviderEntry, type ProviderEntryParams } from "./roles/registrar-role.js";
export { DEFAULT_RETRY_POLICY, isTransientRpcError, type RetryPolicy } from "./transport/retry.js";
export type { MinedTransaction, SendOptions, TxOverrides } from "./transport/transaction-sender.js";
