import { ZeroAddress, getAddress, hexlify, id, randomBytes } from "ethers";

import { Capability, ConsentScope, Purpose, RecordType } from "../../care-types.js";
import { signGrantConsent, signRevokeConsent } from "../../eip712.js";
import { InvalidArgumentError } from "../../errors.js";
import {
  addressArgument,
  booleanArgument,
  bytes32Argument,
  capabilitiesArgument,
  enumArgument,
  grantScopeArgument,
  integerArgument,
  optionalUint,
  uintArgument,
} from "../arguments.js";
import { encodeGrantScope, grantIdOf, type GrantScope } from "../consent-scope.js";
import { ContractRevertError } from "../errors.js";
import type { LedgerCore } from "../ledger-core.js";
import { anchoredWrite, zeroPadTopic } from "../records/anchored-write.js";
import { primaryManifest, type IndexedRecord } from "../records/manifest-index.js";
import type { ReadRecordResult, RecordService, StoredRecord } from "../records/record-service.js";
import type { FhirResource } from "../../fhir/index.js";
import type {
  DelegateResult,
  ErasureProof,
  GrantResult,
  RecordWriteResult,
  RevokeResult,
  TxResult,
} from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";
import { signUnlock, type UnlockCode } from "../unlock-code.js";
import { startOfUtcDay } from "./clinical-roles.js";
import { RoleBase, txResult, type WriteOptions } from "./role-base.js";

const DAY = 24 * 60 * 60;
const DEFAULT_GRANT_DAYS = 30;
const DEFAULT_SIGNATURE_LIFETIME = 60 * 60;

export interface GrantParams extends SendOptions {
  readonly grantee: string;
  readonly scope: GrantScope;
  readonly purpose: Purpose;
  /** Unix seconds; default the chain's current time. */
  readonly validFrom?: number;
  /** Unix seconds; default `validFrom + durationSeconds`. */
  readonly validUntil?: number;
  /** Default 30 days. */
  readonly durationSeconds?: number;
  /**
   * Wrap the data key of every matching record for the grantee (the grantee's public key must be
   * registered). Default true.
   */
  readonly shareKeys?: boolean;
}

/** The request the contract stores, in plain numbers. */
export interface GrantRequest {
  readonly grantee: string;
  readonly scope: ConsentScope;
  readonly scopeValue: string;
  readonly purpose: Purpose;
  readonly validFrom: number;
  readonly validUntil: number;
}

/** A grant signed by the patient (EIP-712), for anyone to relay with `grantConsentBySig`. */
export interface SignedGrant {
  readonly patient: string;
  readonly request: GrantRequest;
  readonly deadline: number;
  readonly signature: string;
  /** The id the contract will assign. */
  readonly grantId: string;
  /** Records whose key was wrapped for the grantee at signing (the chain gates reads until the grant lands). */
  readonly sharedRecords: readonly string[];
}

/** A revocation signed by the patient, for anyone to relay with `revokeConsentBySig`. */
export interface SignedRevocation {
  readonly patient: string;
  readonly grantId: string;
  readonly deadline: number;
  readonly signature: string;
  /** Key shares made for the grant, destroyed when the revocation was signed. */
  readonly destroyedRefs: readonly string[];
}

export type CapabilityName = keyof typeof Capability;

/**
 * A patient's app: consent (direct and signed for a relayer), revocation, erasure, delegation,
 * heirs, the family doctor, appointments, unlock codes, key sharing and reading. Built for the
 * signer's own account (`ledger.patient`), or for another patient when the signer is their delegate
 * (`ledger.delegate.forPatient(patient)`); then the contracts check the delegate's capabilities.
 */
export class PatientRole extends RoleBase {
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
  }): Promise<ReadRecordResult<R>> {
    return this.records.read<R>(
      params.patient ?? this.patient,
      params.commitment,
      params.purpose ?? this.defaultPurpose,
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
    this.#requireSelf();
    const sensitive = params.sensitive === undefined ? false : booleanArgument(params.sensitive, "sensitive");
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
   * `ConsentManager.grantConsent`; returns the grantId from ConsentGranted. The data key of every
   * existing record the grant covers (and this account can unwrap) is wrapped for the grantee.
   */
  async grantConsent(params: GrantParams): Promise<GrantResult> {
    const request = await this.#request(params);
    const shareKeys = params.shareKeys ?? true;
    // Fail before the transaction when the grantee could never receive keys.
    const grantee = shareKeys
      ? { address: request.grantee, publicKey: await this.core.keys.require(request.grantee) }
      : undefined;
    const mined = await this.core.send(
      "consent",
      this.core.views.consent.grantConsent.populateTransaction(this.patient, request),
      params,
    );
    const granted = grantResultOf(this.core, mined);
    const sharedRecords =
      grantee === undefined ? [] : await this.#shareForGrant(granted.grantId, grantee, params.scope);
    return { ...granted, sharedRecords };
  }

  /**
   * Signs a grant for a relayer (EIP-712 over the consent manager's domain with the patient's
   * current nonce). Keys are wrapped for the grantee now; the chain opens them once it is relayed.
   */
  async signGrant(params: GrantParams & { deadline?: number }): Promise<SignedGrant> {
    this.#requireSelf();
    const request = await this.#request(params);
    const shareKeys = params.shareKeys ?? true;
    const grantee = shareKeys
      ? { address: request.grantee, publicKey: await this.core.keys.require(request.grantee) }
      : undefined;
    const deadline =
      params.deadline === undefined
        ? (await this.core.now()) + DEFAULT_SIGNATURE_LIFETIME
        : uintArgument(params.deadline, "deadline", 48);
    const signature = await signGrantConsent(
      this.core.signer,
      this.core.views.consent,
      this.patient,
      request,
      deadline,
    );
    const grantId = grantIdOf(request.grantee, request.scope, request.scopeValue, request.purpose);
    const sharedRecords = grantee === undefined ? [] : await this.#shareForGrant(grantId, grantee, params.scope);
    return { patient: this.patient, request, deadline, signature, grantId, sharedRecords };
  }

  /**
   * `ConsentManager.revokeConsent`: the access rule refuses the grantee at once. The key shares made
   * for the grant are destroyed too (unless `destroyKeys` is false).
   */
  async revokeConsent(params: { grantId: string; destroyKeys?: boolean } & SendOptions): Promise<RevokeResult> {
    const grantId = bytes32Argument(params.grantId, "grantId");
    const mined = await this.core.send(
      "consent",
      this.core.views.consent.revokeConsent.populateTransaction(this.patient, grantId),
      params,
    );
    const event = this.core.event(mined.receipt, "consent", "ConsentRevoked");
    const destroyedRefs = params.destroyKeys === false ? [] : await this.records.destroyShares(this.patient, grantId);
    return {
      ...txResult(mined),
      grantId: String(event.args.grantId),
      patient: String(event.args.patient),
      grantee: String(event.args.grantee),
      destroyedRefs,
    };
  }

  /** Signs a revocation for a relayer; the grant's key shares are destroyed now. */
  async signRevocation(params: {
    grantId: string;
    deadline?: number;
    destroyKeys?: boolean;
  }): Promise<SignedRevocation> {
    const grantId = bytes32Argument(params.grantId, "grantId");
    this.#requireSelf();
    const deadline =
      params.deadline === undefined
        ? (await this.core.now()) + DEFAULT_SIGNATURE_LIFETIME
        : uintArgument(params.deadline, "deadline", 48);
    const signature = await signRevokeConsent(
      this.core.signer,
      this.core.views.consent,
      this.patient,
      grantId,
      deadline,
    );
    const destroyedRefs = params.destroyKeys === false ? [] : await this.records.destroyShares(this.patient, grantId);
    return { patient: this.patient, grantId: grantId, deadline, signature, destroyedRefs };
  }

  /** Consumes the patient's current consent nonce, cancelling every outstanding signature. */
  async invalidateNonce(params: SendOptions = {}): Promise<TxResult> {
    this.#requireSelf();
    return txResult(
      await this.core.send("consent", this.core.views.consent.invalidateNonce.populateTransaction(), params),
    );
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
                commitment: manifest.commitment,
                recordType: manifest.recordType,
                sensitive: manifest.sensitive,
              },
              [...manifest.anchor.proof],
            )
          : registry.eraseRecord.populateTransaction(this.patient, commitment);
      const mined = await core.send("registry", populated, params);
      const event = core.event(mined.receipt, "registry", "RecordErased");
      ({ hash: transactionHash, blockNumber, gasUsed } = mined);
      erasedBy = String(event.args.by);
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
    return txResult(
      await this.core.send(
        "registry",
        this.core.views.registry.setRecordSensitivity.populateTransaction(this.patient, commitment, sensitive),
        params,
      ),
    );
  }

  /**
   * `PatientDelegation.appointDelegate`; capabilities by name or as a bitmask. When the delegation
   * includes Read and `shareKeys` is not false, the keys of every record are wrapped for the
   * delegate (the access rule lets a reading delegate open all of them); removing the delegate
   * destroys those shares.
   */
  async appointDelegate(
    params: {
      delegate: string;
      capabilities: readonly CapabilityName[] | number;
      validUntil?: number;
      durationSeconds?: number;
      shareKeys?: boolean;
    } & SendOptions,
  ): Promise<DelegateResult & { sharedRecords: string[] }> {
    this.#requireSelf();
    const delegate = addressArgument(params.delegate, "delegate");
    const capabilities = capabilitiesArgument(params.capabilities);
    const reads = (capabilities & Capability.Read) !== 0 && params.shareKeys !== false;
    const recipient = reads ? { address: delegate, publicKey: await this.core.keys.require(delegate) } : undefined;
    const validUntil =
      params.validUntil === undefined
        ? (await this.core.now()) + optionalUint(params.durationSeconds, "durationSeconds", 40, 365 * DAY)
        : uintArgument(params.validUntil, "validUntil", 40);
    const mined = await this.core.send(
      "delegation",
      this.core.views.delegation.appointDelegate.populateTransaction(delegate, capabilities, validUntil),
      params,
    );
    const event = this.core.event(mined.receipt, "delegation", "DelegateAppointed");
    const sharedRecords =
      recipient === undefined ? [] : await this.#shareForGrant(delegateShareTag(delegate), recipient, "all", true);
    return {
      ...txResult(mined),
      patient: String(event.args.patient),
      delegate: String(event.args.delegate),
      capabilities: Number(event.args.capabilities),
      validUntil: Number(event.args.validUntil),
      sharedRecords,
    };
  }

  /** `PatientDelegation.removeDelegate`; the keys shared with the delegate are destroyed. */
  async removeDelegate(params: { delegate: string } & SendOptions): Promise<TxResult & { destroyedRefs: string[] }> {
    const delegate = addressArgument(params.delegate, "delegate");
    this.#requireSelf();
    const mined = await this.core.send(
      "delegation",
      this.core.views.delegation.removeDelegate.populateTransaction(delegate),
      params,
    );
    return {
      ...txResult(mined),
      destroyedRefs: await this.records.destroyShares(this.patient, delegateShareTag(delegate)),
    };
  }

  /**
   * `PatientDelegation.designateHeir`. With `shareKeys` (default) the keys of every record are
   * wrapped for the heir now, since the patient cannot share them after death; the access rule
   * opens them to the heir only once the registrar records the death.
   */
  async designateHeir(
    params: { heir: string; shareKeys?: boolean } & SendOptions,
  ): Promise<TxResult & { sharedRecords: string[] }> {
    this.#requireSelf();
    const heir = addressArgument(params.heir, "heir");
    const recipient =
      params.shareKeys === false ? undefined : { address: heir, publicKey: await this.core.keys.require(heir) };
    const mined = await this.core.send(
      "delegation",
      this.core.views.delegation.designateHeir.populateTransaction(heir),
      params,
    );
    const sharedRecords =
      recipient === undefined ? [] : await this.#shareForGrant(heirShareTag(heir), recipient, "all", true);
    return { ...txResult(mined), sharedRecords };
  }

  /** `PatientDelegation.removeHeir`; the keys shared with the heir are destroyed. */
  async removeHeir(params: { heir: string } & SendOptions): Promise<TxResult & { destroyedRefs: string[] }> {
    const heir = addressArgument(params.heir, "heir");
    this.#requireSelf();
    const mined = await this.core.send(
      "delegation",
      this.core.views.delegation.removeHeir.populateTransaction(heir),
      params,
    );
    return {
      ...txResult(mined),
      destroyedRefs: await this.records.destroyShares(this.patient, heirShareTag(heir)),
    };
  }

  /** `PatientDelegation.setMinorControl`: a minor able to judge makes guardians need permission. */
  async setMinorControl(params: { selfControlled: boolean } & SendOptions): Promise<TxResult> {
    const selfControlled = booleanArgument(params.selfControlled, "selfControlled");
    this.#requireSelf();
    return txResult(
      await this.core.send(
        "delegation",
        this.core.views.delegation.setMinorControl.populateTransaction(selfControlled),
        params,
      ),
    );
  }

  /**
   * `CareRelationships.setFamilyDoctor`; with `shareKeys` (default) the keys of the records the
   * doctor may now read are wrapped for them.
   */
  async setFamilyDoctor(
    params: { doctor: string; shareKeys?: boolean } & SendOptions,
  ): Promise<TxResult & { sharedRecords: string[] }> {
    const doctor = addressArgument(params.doctor, "doctor");
    const mined = await this.core.send(
      "relationships",
      this.core.views.relationships.setFamilyDoctor.populateTransaction(this.patient, doctor),
      params,
    );
    const sharedRecords =
      params.shareKeys === false || getAddress(doctor) === ZeroAddress
        ? []
        : await this.shareKeys({ reader: doctor, purpose: Purpose.Treatment });
    return { ...txResult(mined), sharedRecords };
  }

  /** Books an appointment (`CareRelationships.recordAppointment`); `day` defaults to today (UTC). */
  async recordAppointment(
    params: { doctor: string; day?: number; shareKeys?: boolean } & SendOptions,
  ): Promise<TxResult & { sharedRecords: string[] }> {
    const doctor = addressArgument(params.doctor, "doctor");
    const day = params.day === undefined ? startOfUtcDay(await this.core.now()) : uintArgument(params.day, "day", 40);
    const mined = await this.core.send(
      "relationships",
      this.core.views.relationships.recordAppointment.populateTransaction(this.patient, doctor, day),
      params,
    );
    const sharedRecords =
      params.shareKeys === false ? [] : await this.shareKeys({ reader: doctor, purpose: Purpose.Treatment });
    return { ...txResult(mined), sharedRecords };
  }

  /** `CareRelationships.setUnlockRequired`. */
  async setUnlockRequired(params: { required: boolean } & SendOptions): Promise<TxResult> {
    const required = booleanArgument(params.required, "required");
    return txResult(
      await this.core.send(
        "relationships",
        this.core.views.relationships.setUnlockRequired.populateTransaction(this.patient, required),
        params,
      ),
    );
  }

  /**
   * Creates a one-time unlock for one doctor: a random code id and the patient's EIP-712 signature,
   * valid for `lifetimeSeconds` (at most the contract's MAX_CODE_LIFETIME, one hour). With
   * `shareKeys` (default) the keys of the patient's non-sensitive records are wrapped for the doctor,
   * tagged with the code id; the chain opens them only once the doctor presents the code.
   */
  async createUnlock(params: { doctor: string; lifetimeSeconds?: number; shareKeys?: boolean }): Promise<UnlockCode> {
    this.#requireSelf();
    const { relationships } = this.core.views;
    const [domain, now] = await Promise.all([
      this.core.read("eip712Domain", () => relationships.eip712Domain()),
      this.core.now(),
    ]);
    const unlock = {
      patient: this.patient,
      doctor: addressArgument(params.doctor, "doctor"),
      codeId: hexlify(randomBytes(32)),
      expiresAt: now + optionalUint(params.lifetimeSeconds, "lifetimeSeconds", 32, 60 * 60),
    };
    const signature = await signUnlock(
      this.core.signer,
      {
        name: domain.name,
        version: domain.version,
        chainId: domain.chainId,
        verifyingContract: domain.verifyingContract,
      },
      unlock,
    );
    if (params.shareKeys !== false) {
      const recipient = { address: unlock.doctor, publicKey: await this.core.keys.require(unlock.doctor) };
      await this.#shareForGrant(unlock.codeId, recipient, "all");
    }
    return { ...unlock, signature };
  }

  /** `CareRelationships.cancelUnlockCode`; the keys shared for the code are destroyed. */
  async cancelUnlockCode(params: { codeId: string } & SendOptions): Promise<TxResult & { destroyedRefs: string[] }> {
    const codeId = bytes32Argument(params.codeId, "codeId");
    this.#requireSelf();
    const mined = await this.core.send(
      "relationships",
      this.core.views.relationships.cancelUnlockCode.populateTransaction(codeId),
      params,
    );
    return { ...txResult(mined), destroyedRefs: await this.records.destroyShares(this.patient, codeId) };
  }

  /**
   * `EmergencyAccess.setEmergencyAccessToSensitive`. When allowing, the keys of the patient's
   * sensitive records are wrapped for this client's configured emergency readers too.
   */
  async setEmergencyAccessToSensitive(
    params: { allowed: boolean } & SendOptions,
  ): Promise<TxResult & { sharedRecords: string[] }> {
    const allowed = booleanArgument(params.allowed, "allowed");
    this.#requireSelf();
    const mined = await this.core.send(
      "emergency",
      this.core.views.emergency.setEmergencyAccessToSensitive.populateTransaction(allowed),
      params,
    );
    const sharedRecords: string[] = [];
    if (allowed) {
      for (const reader of this.core.options.emergencyReaders ?? []) {
        const publicKey = await this.core.keys.publicKeyOf(reader);
        if (publicKey === undefined) continue;
        await this.core.index.refresh();
        const entries = this.core.index
          .records(this.patient)
          .filter((entry) => entry.manifests.size > 0 && entry.erasures.size === 0);
        sharedRecords.push(...(await this.records.share(entries, [{ address: getAddress(reader), publicKey }])));
      }
    }
    return { ...txResult(mined), sharedRecords };
  }

  /**
   * Wraps the keys of this patient's records for `reader`, for every record the access rule lets
   * the reader open for `purpose` now (or only `commitments`). Returns the commitments shared.
   */
  async shareKeys(params: { reader: string; purpose?: Purpose; commitments?: readonly string[] }): Promise<string[]> {
    const { core } = this;
    const reader = addressArgument(params.reader, "reader");
    const recipient = { address: reader, publicKey: await core.keys.require(reader) };
    const purpose =
      params.purpose === undefined ? Purpose.Treatment : enumArgument<Purpose>(params.purpose, "purpose", Purpose);
    await core.index.refresh();
    const wanted = params.commitments?.map((commitment) => bytes32Argument(commitment, "commitments"));
    const candidates = core.index
      .records(this.patient)
      .filter((entry) => entry.manifests.size > 0 && entry.erasures.size === 0)
      .filter((entry) => wanted === undefined || wanted.includes(entry.commitment));
    const allowed: IndexedRecord[] = [];
    for (const entry of candidates) {
      const manifest = primaryManifest(entry)?.manifest;
      if (manifest === undefined) continue;
      const open =
        manifest.anchor.kind === "batch"
          ? await core.read("canAccessBatchRecord", () =>
              core.views.consent.canAccessBatchRecord(
                reader,
                (manifest.anchor as { root: string }).root,
                {
                  patient: manifest.patient,
                  commitment: manifest.commitment,
                  recordType: manifest.recordType,
                  sensitive: manifest.sensitive,
                },
                [...(manifest.anchor as { proof: readonly string[] }).proof],
                purpose,
              ),
            )
          : await core.read("canAccess", () =>
              core.views.consent.canAccess(reader, this.patient, entry.commitment, purpose),
            );
      if (open) allowed.push(entry);
    }
    return this.records.share(allowed, [recipient]);
  }

  async #shareForGrant(
    grantId: string,
    grantee: { address: string; publicKey: string },
    scope: GrantScope,
    includeSensitive = false,
  ): Promise<string[]> {
    const { core } = this;
    await core.index.refresh();
    const entries = core.index
      .records(this.patient)
      .filter((entry) => entry.manifests.size > 0 && entry.erasures.size === 0);
    const matching: IndexedRecord[] = [];
    for (const entry of entries) {
      const manifest = primaryManifest(entry)?.manifest;
      if (manifest === undefined) continue;
      if (scope !== "all" && "record" in scope) {
        if (entry.commitment === scope.record.toLowerCase()) matching.push(entry);
        continue;
      }
      if (scope !== "all" && manifest.recordType !== scope.recordType) continue;
      // Type and all-records grants never cover sensitive records (the chain's current flag decides).
      if (includeSensitive || !(await this.records.isSensitiveOnChain(entry))) matching.push(entry);
    }
    return this.records.share(matching, [grantee], grantId);
  }

  async #request(params: GrantParams): Promise<GrantRequest> {
    const grantee = addressArgument(params.grantee, "grantee");
    const { scope, scopeValue } = encodeGrantScope(grantScopeArgument(params.scope));
    const purpose = enumArgument<Purpose>(params.purpose, "purpose", Purpose);
    const validFrom =
      params.validFrom === undefined ? await this.core.now() : uintArgument(params.validFrom, "validFrom", 40);
    // A duration may be anything whole: the contract judges the period (ConsentInvalidPeriod) as long
    // as its end fits the uint40 it is stored in.
    const validUntil =
      params.validUntil === undefined
        ? uintArgument(
            validFrom + integerArgument(params.durationSeconds ?? DEFAULT_GRANT_DAYS * DAY, "durationSeconds"),
            "durationSeconds",
            40,
          )
        : uintArgument(params.validUntil, "validUntil", 40);
    return { grantee, scope, scopeValue, purpose, validFrom, validUntil };
  }

  #requireSelf(): void {
    if (this.patient !== this.core.address) {
      throw new InvalidArgumentError("patient", "the signer's own account for this operation");
    }
  }
}

/** Decodes a ConsentGranted receipt into a GrantResult (shared with the relayer). */
export function grantResultOf(
  core: LedgerCore,
  mined: Parameters<typeof txResult>[0],
): Omit<GrantResult, "sharedRecords"> {
  const event = core.event(mined.receipt, "consent", "ConsentGranted");
  return {
    ...txResult(mined),
    grantId: String(event.args.grantId),
    patient: String(event.args.patient),
    grantee: String(event.args.grantee),
    scope: Number(event.args.scope) as ConsentScope,
    scopeValue: String(event.args.scopeValue),
    purpose: Number(event.args.purpose) as Purpose,
    validFrom: Number(event.args.validFrom),
    validUntil: Number(event.args.validUntil),
  };
}

/** The tag of the key shares made for an heir (removing the heir destroys them). */
export function heirShareTag(heir: string): string {
  return id(`careledger/heir/${heir.toLowerCase()}`);
}

/** The tag of the key shares made for a reading delegate (removing the delegate destroys them). */
export function delegateShareTag(delegate: string): string {
  return id(`careledger/delegate/${delegate.toLowerCase()}`);
}
