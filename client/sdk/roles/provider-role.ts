import { ProviderKind, Purpose, RecordType } from "../../care-types.js";
import { addressArgument, bytes32Argument, optionalBoolean } from "../arguments.js";
import { InvalidArgumentError } from "../../errors.js";
import { anchoredBatchWrite } from "../records/batch-write.js";
import { anchoredWrite } from "../records/anchored-write.js";
import type { AmendRecordResult, BatchWriteResult, RecordWriteResult } from "../results.js";
import { RoleBase, recordTypeFor, type WriteOptions } from "./role-base.js";

export interface PutRecordParams extends WriteOptions {
  readonly patient: string;
  /** A FHIR R4 resource; validated and canonicalised before anything is written. */
  readonly resource: unknown;
  /** Default: from the resource type (MedicationRequest → Prescription, ...; others → Other). */
  readonly recordType?: RecordType;
  /** Only record-level grants open a sensitive record. Default false. */
  readonly sensitive?: boolean;
}

export interface PutRecordsBatchParams extends WriteOptions {
  readonly records: readonly Omit<PutRecordParams, keyof WriteOptions>[];
}

export interface AmendRecordParams extends WriteOptions {
  readonly patient: string;
  /** The newest version's commitment. */
  readonly previous: string;
  readonly resource: unknown;
  readonly sensitive?: boolean;
}

/** What every active provider can do with records: write, batch, correct, read. */
export abstract class ProviderRole extends RoleBase {
  protected readonly defaultPurpose: Purpose = Purpose.Treatment;

  /** A write's preflight: UnregisteredAccountError unless this account is an active provider of `kinds` (any kind when none). */
  protected providerPreflight(...kinds: ProviderKind[]): () => Promise<void> {
    return async () => {
      await this.core.requireProvider(...kinds);
    };
  }

  /** Seals, stores and anchors one record (`RecordRegistry.anchorRecord`). */
  async putRecord(params: PutRecordParams): Promise<RecordWriteResult> {
    const patient = addressArgument(params.patient, "patient");
    const recordType = recordTypeFor(params.resource, params.recordType);
    const sensitive = optionalBoolean(params.sensitive, "sensitive", false);
    return anchoredWrite(this.records, {
      operation: "anchorRecord",
      patient: patient,
      resource: params.resource,
      recordType,
      sensitive,
      idempotencyKey: params.idempotencyKey,
      preflight: this.providerPreflight(),
      call: (commitment) => ({
        contract: "registry",
        populated: this.core.views.registry.anchorRecord.populateTransaction(
          patient,
          commitment,
          recordType,
          sensitive,
        ),
      }),
      decode: () => ({}),
      send: params,
    });
  }

  /**
   * Seals and stores every record, anchors one Merkle root for all of them
   * (`RecordRegistry.anchorBatch`) and keeps each inclusion proof in the record's manifest.
   */
  async putRecordsBatch(params: PutRecordsBatchParams): Promise<BatchWriteResult> {
    return anchoredBatchWrite(this.records, {
      records: params.records.map((record) => ({
        patient: record.patient,
        resource: record.resource,
        recordType: recordTypeFor(record.resource, record.recordType),
        sensitive: record.sensitive ?? false,
      })),
      idempotencyKey: params.idempotencyKey,
      preflight: this.providerPreflight(),
      send: params,
    });
  }

  /** Corrects a record this account wrote (`RecordRegistry.amendRecord`); both versions stay. */
  async amendRecord(params: AmendRecordParams): Promise<AmendRecordResult> {
    const patient = addressArgument(params.patient, "patient");
    const previous = bytes32Argument(params.previous, "previous");
    const previousRecord = await this.core.read("recordOf", () => this.core.views.registry.recordOf(patient, previous));
    const recordType = Number(previousRecord.recordType) as RecordType;
    if (recordType === RecordType.None)
      throw new InvalidArgumentError("previous", "the commitment of an anchored record");
    const sensitive = optionalBoolean(params.sensitive, "sensitive", false);
    return anchoredWrite(this.records, {
      operation: "amendRecord",
      patient: patient,
      resource: params.resource,
      recordType,
      sensitive,
      workflow: { kind: "amendment", related: previous.toLowerCase() },
      idempotencyKey: params.idempotencyKey,
      keyParts: [previous.toLowerCase()],
      preflight: this.providerPreflight(),
      call: (commitment) => ({
        contract: "registry",
        populated: this.core.views.registry.amendRecord.populateTransaction(patient, previous, commitment, sensitive),
      }),
      decode: (mined) => {
        const event = this.core.event(mined.receipt, "registry", "RecordAmended");
        return { previousCommitment: event.args.previousCommitment, version: Number(event.args.version) };
      },
      send: params,
    });
  }
}
