import type { ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../care-types.js";
import type { ContentRef } from "../storage/index.js";

/** What every write returns: the transaction that carried it. */
export interface TxResult {
  readonly transactionHash: string;
  readonly blockNumber: number;
  /** This transaction's gas (`receipt.gasUsed`). */
  readonly gasUsed: bigint;
}

/** A record written and anchored (directly or by a workflow contract). */
export interface RecordWriteResult extends TxResult {
  readonly patient: string;
  readonly commitment: string;
  readonly author: string;
  readonly recordType: RecordType;
  readonly sensitive: boolean;
  readonly envelopeRef: ContentRef;
  readonly manifestRef: ContentRef;
  /** The direct readers the data key was sealed to: the patient and the author. */
  readonly readers: readonly string[];
  /** The idempotency key the write was journalled under. */
  readonly idempotencyKey: string;
  /** True when this call found the write already anchored (journal or chain) and sent nothing. */
  readonly reused: boolean;
  /** True when this call continued an earlier attempt journalled under the same key (same commitment). */
  readonly resumed: boolean;
}

export interface AmendRecordResult extends RecordWriteResult {
  readonly previousCommitment: string;
  readonly version: number;
}

export interface PrescriptionTerms {
  /** The designated pharmacy, or the zero address for any registered pharmacy. */
  readonly pharmacy: string;
  readonly expiresAt: number;
  readonly quantity: number;
  readonly refills: number;
}

export interface IssuePrescriptionResult extends RecordWriteResult {
  /** The prescription's id: its record commitment. */
  readonly prescription: string;
  readonly terms: PrescriptionTerms;
}

export interface DispensePrescriptionResult extends RecordWriteResult {
  readonly prescription: string;
  readonly pharmacy: string;
  readonly amount: number;
  /** Units dispensed over every fill, read from the contract at the dispense's block. */
  readonly totalDispensed: number;
}

export interface OrderLabTestResult extends RecordWriteResult {
  /** The order's id: its record commitment. */
  readonly order: string;
  readonly laboratory: string;
}

export interface PostLabResultResult extends RecordWriteResult {
  readonly order: string;
  /** The result's id: its record commitment. */
  readonly result: string;
}

/** One record of a batch. */
export interface BatchRecordResult {
  readonly patient: string;
  readonly commitment: string;
  readonly recordType: RecordType;
  readonly sensitive: boolean;
  readonly proof: readonly string[];
  readonly envelopeRef: ContentRef;
  readonly manifestRef: ContentRef;
}

export interface BatchWriteResult extends TxResult {
  readonly root: string;
  readonly size: number;
  readonly author: string;
  readonly records: readonly BatchRecordResult[];
  readonly idempotencyKey: string;
  readonly reused: boolean;
  readonly resumed: boolean;
}

export interface ProviderRegisteredResult extends TxResult {
  readonly account: string;
  readonly kind: ProviderKind;
  readonly form: ProviderForm;
  readonly hipaa: HipaaRole;
  readonly organisation: string;
}

/** A consent grant's terms as the contract stores them, in plain numbers. */
export interface GrantRequest {
  readonly grantee: string;
  readonly scope: ConsentScope;
  readonly scopeValue: string;
  readonly purpose: Purpose;
  readonly validFrom: number;
  readonly validUntil: number;
}

export interface GrantResult extends TxResult, GrantRequest {
  readonly grantId: string;
  readonly patient: string;
}

/** One of a patient's consent grants as the chain has it now. */
export interface GrantListing extends GrantRequest {
  readonly grantId: string;
  /** In force now: not revoked, inside its window. */
  readonly active: boolean;
}

export interface RevokeResult extends TxResult {
  readonly grantId: string;
  readonly patient: string;
  readonly grantee: string;
}

/**
 * Proof that a record can never be read again: the on-chain erasure, every stored object that was
 * destroyed, and a re-check that each of them now reads as NotFound.
 */
export interface ErasureProof extends TxResult {
  readonly patient: string;
  readonly commitment: string;
  /** The erasing account (the patient or a delegate). */
  readonly erasedBy: string;
  /** Envelope, its locator and manifests: all absent now. */
  readonly destroyedRefs: readonly ContentRef[];
  /** Where the erasure is recorded off-chain. */
  readonly tombstoneRef: ContentRef;
  /** True when `get` threw NotFoundError for every destroyed ref after deletion. */
  readonly verifiedAbsent: boolean;
  /** True when the record was already erased on-chain before this call. */
  readonly alreadyErased: boolean;
}

export interface EmergencyAccessResult extends TxResult {
  readonly patient: string;
  readonly provider: string;
  readonly reasonCode: number;
  readonly expiresAt: number;
  /** How many sessions this provider has opened for this patient, this one included. */
  readonly count: number;
}

export interface DelegateResult extends TxResult {
  readonly patient: string;
  readonly delegate: string;
  readonly capabilities: number;
  readonly validUntil: number;
}

export interface UnlockResult extends TxResult {
  readonly patient: string;
  readonly doctor: string;
  readonly codeId: string;
  /** Access is open until then. */
  readonly until: number;
}

export interface CheckInResult extends TxResult {
  readonly patient: string;
  readonly hospital: string;
  readonly until: number;
}
