import { getAddress } from "ethers";

import { Purpose, RecordType } from "../../care-types.js";
import { InvalidArgumentError } from "../../errors.js";
import { addressArgument, booleanArgument, bytes32Argument, optionalBoolean } from "../arguments.js";
import { ContractRevertError } from "../errors.js";
import type { ReleaseListing } from "../../key-release/key-release-client.js";
import type { LedgerCore } from "../ledger-core.js";
import { anchoredWrite, zeroPadTopic } from "../records/anchored-write.js";
import { primaryManifest } from "../records/manifest-index.js";
import {
  boundContentCommitment,
  type BatchLocation,
  type ReadRecordResult,
  type RecordService,
  type StoredRecord,
} from "../records/record-service.js";
import type { FhirResource } from "../../fhir/index.js";
import type { ErasureProof, RecordWriteResult, TxResult } from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";
import { RoleBase, type WriteOptions } from "./role-base.js";

/**
 * The patient's records (RecordRegistry) and the custodians' log of releases of their keys: reading,
 * listing, the patient's own wellness records, erasure and sensitivity. The first facet of
 * `PatientRole`; each facet holds the calls to one contract.
 */
export class PatientRecords extends RoleBase {
  protected readonly defaultPurpose: Purpose = Purpose.Treatment;

  readonly patient: string;

  constructor(core: LedgerCore, records: RecordService, patient: string) {
    super(core, records);
    this.patient = addressArgument(patient, "patient");
  }

  /** Reads one of this patient's records (or, with `patient`, another patient's, through the access rule). */
  override async readRecord<R extends FhirResource = FhirResource>(params: {
    commitment: string;
    purpose?: Purpose;
    patient?: string;
    batch?: BatchLocation;
  }): Promise<ReadRecordResult<R>> {
    return this.records.read<R>(
      params.patient ?? this.patient,
      params.commitment,
      params.purpose ?? this.defaultPurpose,
      params.batch,
    );
  }

  /** This patient's records in the store (metadata only). */
  override async listRecords(params: { patient?: string } = {}): Promise<StoredRecord[]> {
    return this.records.list(params.patient ?? this.patient);
  }

  /** A wellness record the patient writes about themself (RecordType.Wellness, self-authored). */
  async putWellnessRecord(
    params: { resource: unknown; sensitive?: boolean } & WriteOptions,
  ): Promise<RecordWriteResult> {
    this.requireSelf();
    const sensitive = optionalBoolean(params.sensitive, "sensitive", false);
    return anchoredWrite(this.records, {
      operation: "anchorRecord",
      patient: this.patient,
      resource: params.resource,
      recordType: RecordType.Wellness,
      sensitive,
      idempotencyKey: params.idempotencyKey,
      call: (commitment) => ({
        contract: "registry",
        populated: this.core.views.registry.anchorRecord.populateTransaction(
          this.patient,
          commitment,
          RecordType.Wellness,
          sensitive,
        ),
      }),
      decode: () => ({}),
      send: params,
    });
  }

  /**
   * Erases a record for good: `RecordRegistry.eraseRecord` (or `eraseBatchRecord`), then destroys
   * the payload and every wrapped key in the store and proves it (each destroyed ref reads as
   * NotFound). Repeating it after a crash finishes the off-chain part.
   */
  async eraseRecord(params: { commitment: string } & SendOptions): Promise<ErasureProof> {
    const commitment = bytes32Argument(params.commitment, "commitment");
    const { core } = this;
    const entry = await core.index.find(this.patient, commitment);
    const manifest = entry === undefined ? undefined : primaryManifest(entry)?.manifest;
    const { registry } = core.views;
    let transactionHash: string;
    let blockNumber: number;
    let gasUsed: bigint;
    let erasedBy: string;
    let alreadyErased = false;
    try {
      const populated =
        manifest?.anchor.kind === "batch"
          ? registry.eraseBatchRecord.populateTransaction(
              manifest.anchor.root,
              {
                patient: manifest.patient,
                // The leaf names the content commitment the record commitment binds to the batch's author.
                commitment: await boundContentCommitment(core.store, manifest.commitment, manifest.author),
                recordType: manifest.recordType,
                sensitive: manifest.sensitive,
              },
              [...manifest.anchor.proof],
            )
          : registry.eraseRecord.populateTransaction(this.patient, commitment);
      const { tx, args } = await core.transactForEvent("registry", () => populated, "RecordErased", params);
      ({ transactionHash, blockNumber, gasUsed } = tx);
      erasedBy = args.by;
    } catch (error) {
      if (!(error instanceof ContractRevertError && error.errorName === "RecordRegistryErased")) throw error;
      // Erased before (perhaps by a run that crashed before destroying): find that transaction.
      alreadyErased = true;
      const logs = await core.read("getLogs", () =>
        core.provider.getLogs({
          address: core.addresses.registry,
          fromBlock: 0,
          toBlock: "latest",
          topics: [
            core.views.registry.interface.getEvent("RecordErased").topicHash,
            zeroPadTopic(this.patient),
            commitment,
          ],
        }),
      );
      const log = logs[0];
      if (log === undefined) throw error;
      const receipt = await core.read("getTransactionReceipt", () =>
        core.provider.getTransactionReceipt(log.transactionHash),
      );
      transactionHash = log.transactionHash;
      blockNumber = log.blockNumber;
      gasUsed = receipt?.gasUsed ?? 0n;
      erasedBy = receipt?.from ?? core.address;
    }
    const destroyed = await this.records.destroy(this.patient, commitment, transactionHash);
    return {
      transactionHash,
      blockNumber,
      gasUsed,
      patient: this.patient,
      commitment,
      erasedBy: getAddress(erasedBy),
      destroyedRefs: destroyed.destroyed,
      tombstoneRef: destroyed.tombstoneRef,
      verifiedAbsent: destroyed.verifiedAbsent,
      alreadyErased,
    };
  }

  /** `RecordRegistry.setRecordSensitivity`. */
  async setRecordSensitivity(params: { commitment: string; sensitive: boolean } & SendOptions): Promise<TxResult> {
    const commitment = bytes32Argument(params.commitment, "commitment");
    const sensitive = booleanArgument(params.sensitive, "sensitive");
    return this.core.transact(
      "registry",
      (c) => c.setRecordSensitivity.populateTransaction(this.patient, commitment, sensitive),
      params,
    );
  }

  /**
   * Every release of a key to one of this patient's records that the custodians logged: who asked,
   * for which record and purpose, at which block. The audit trail of access through the custodians.
   */
  async listReleases(): Promise<ReleaseListing> {
    this.requireSelf();
    if (this.core.custodianAccess === undefined) {
      throw new InvalidArgumentError("custodians", "configured key custodians");
    }
    return this.core.custodianAccess.listReleases();
  }

  /** Operations only the patient may do for themselves (a delegate acts through its capabilities). */
  protected requireSelf(): void {
    if (this.patient !== this.core.address) {
      throw new InvalidArgumentError("patient", "the signer's own account for this operation");
    }
  }
}
