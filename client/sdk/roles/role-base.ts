import { Purpose, RecordType } from "../../care-types.js";
import type { FhirResource } from "../../fhir/index.js";
import { InvalidArgumentError } from "../../errors.js";
import type { LedgerCore } from "../ledger-core.js";
import type { BatchLocation, ReadRecordResult, RecordService, StoredRecord } from "../records/record-service.js";
import type { SendOptions } from "../transport/transaction-sender.js";

/** Options every write accepts. */
export interface WriteOptions extends SendOptions {
  /**
   * Names this write for retries: repeating a call with the same key (after a crash, a timeout, a
   * restart) never anchors twice. Default: derived from the author, the operation, the patient and
   * the canonical resource.
   */
  readonly idempotencyKey?: string;
}

export interface ReadRecordParams {
  readonly patient: string;
  readonly commitment: string;
  /** Why this account reads; the access rule checks it. Default: the role's usual purpose. */
  readonly purpose?: Purpose;
  /** For a record anchored in a batch this account did not write: where it sits (from the batch's writer). */
  readonly batch?: BatchLocation;
}

/** The record type the SDK files a FHIR resource under when the caller does not say. */
export const DEFAULT_RECORD_TYPES: Readonly<Record<string, RecordType>> = {
  MedicationRequest: RecordType.Prescription,
  MedicationDispense: RecordType.Dispense,
  ServiceRequest: RecordType.LabOrder,
  DiagnosticReport: RecordType.LabResult,
  Immunization: RecordType.Immunization,
  AllergyIntolerance: RecordType.Allergy,
  ImagingStudy: RecordType.Imaging,
  DocumentReference: RecordType.ClinicalNote,
  Composition: RecordType.ClinicalNote,
  Observation: RecordType.ClinicalNote,
  Condition: RecordType.ClinicalNote,
  Procedure: RecordType.ClinicalNote,
};

/** The record type of a resource: the caller's, or the default for its resourceType. */
export function recordTypeFor(resource: unknown, explicit: RecordType | undefined): RecordType {
  if (explicit !== undefined) {
    if (explicit === RecordType.None || RecordType[explicit] === undefined) {
      throw new InvalidArgumentError("recordType", "a RecordType other than None");
    }
    return explicit;
  }
  const resourceType = resourceTypeOf(resource);
  return (resourceType === undefined ? undefined : DEFAULT_RECORD_TYPES[resourceType]) ?? RecordType.Other;
}

/** InvalidArgumentError unless the resource is of the FHIR type a workflow needs. */
export function requireResourceType(resource: unknown, argument: string, expected: string): void {
  if (resourceTypeOf(resource) !== expected) throw new InvalidArgumentError(argument, `a FHIR R4 ${expected}`);
}

function resourceTypeOf(resource: unknown): string | undefined {
  if (typeof resource !== "object" || resource === null) return undefined;
  const value: unknown = Object.getOwnPropertyDescriptor(resource, "resourceType")?.value;
  return typeof value === "string" ? value : undefined;
}

export { txResult } from "../ledger-core.js";

/** What every role shares: its client's core and record service, and reading through the access rule. */
export abstract class RoleBase {
  protected abstract readonly defaultPurpose: Purpose;

  constructor(
    protected readonly core: LedgerCore,
    protected readonly records: RecordService,
  ) {}

  /** This role's account. */
  get address(): string {
    return this.core.address;
  }

  /**
   * Reads a record as this account: the chain's access view first (AccessDeniedError naming
   * accessor, patient, commitment and purpose), then fetch, commitment check (IntegrityError) and
   * decryption (KeyUnavailableError when no key was wrapped for this account).
   */
  async readRecord<R extends FhirResource = FhirResource>(params: ReadRecordParams): Promise<ReadRecordResult<R>> {
    return this.records.read<R>(params.patient, params.commitment, params.purpose ?? this.defaultPurpose, params.batch);
  }

  /** The records of `patient` the shared store holds (metadata only, nothing decrypted). */
  async listRecords(params: { readonly patient: string }): Promise<StoredRecord[]> {
    return this.records.list(params.patient);
  }
}
