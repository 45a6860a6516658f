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
import type { ReleaseListing } from "../../key-release/key-release-client.js";
import type { LedgerCore } from "../ledger-core.js";
import { anchoredWrite, zeroPadTopic } from "../records/anchored-write.js";
import { primaryManifest, type IndexedRecord } from "../records/manifest-index.js";
import {
  boundContentCommitment,
  type BatchLocation,
  type ReadRecordResult,
  type RecordService,
  type StoredRecord,
} from "../records/record-service.js";
import type { FhirResource } from "../../fhir/index.js";
import type {
  DelegateResult,
  ErasureProof,
  GrantListing,
  GrantRequest,
  GrantResult,
  RecordWriteResult,
  RevokeResult,
  TxResult,
} from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";
import { signUnlock, type UnlockCode } from "../unlock-code.js";
import { signVisit, type SignedVisit } from "../visit-signature.js";
import { startOfUtcDay } from "./clinical-roles.js";
import { RoleBase, txResult, type WriteOptions } from "./role-base.js";
import { DAY } from "../../time-units.js";

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
}

export type { GrantRequest };

/** A grant signed by the patient (EIP-712), for anyone to relay with `grantConsentBySig`. */
export interface SignedGrant {
  readonly patient: string;
  readonly request: GrantRequest;
  readonly deadline: number;
  readonly signature: string;
  /** The id the contract will assign. */
  readonly grantId: string;
}

/** A revocation signed by the patient, for anyone to relay with `revokeConsentBySig`. */
export interface SignedRevocation {
  readonly patient: string;
  readonly grantId: string;
  readonly deadline: number;
  readonly signature: string;
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
   * `ConsentManager.grantConsent`; returns the grantId from ConsentGranted. No key moves: the
   * grantee obtains each record's key from the custodians, who ask the chain at that moment.
   */
  async grantConsent(params: GrantParams): Promise<GrantResult> {
    const request = await this.#request(params);
    const mined = await this.core.send(
      "consent",
      this.core.views.consent.grantConsent.populateTransaction(this.patient, request),
      params,
    );
    return grantResultOf(this.core, mined);
  }

  /**
   * Signs a grant for a relayer (EIP-712 over the consent manager's domain with the patient's
   * current nonce). Nothing opens to the grantee until a relayer submits it: the custodians ask
   * the chain, and `invalidateNonce` cancels the signature before then.
   */
  async signGrant(params: GrantParams & { deadline?: number }): Promise<SignedGrant> {
    this.#requireSelf();
    const request = await this.#request(params);
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
    return { patient: this.patient, request, deadline, signature, grantId };
  }

  /**
   * `ConsentManager.revokeConsent`: the access rule refuses the grantee at once, and with it every
   * custodian (they re-check the chain on every request).
   */
  async revokeConsent(params: { grantId: string } & SendOptions): Promise<RevokeResult> {
    const grantId = bytes32Argument(params.grantId, "grantId");
    const mined = await this.core.send(
      "consent",
      this.core.views.consent.revokeConsent.populateTransaction(this.patient, grantId),
      params,
    );
    const event = this.core.event(mined.receipt, "consent", "ConsentRevoked");
    return {
      ...txResult(mined),
      grantId: event.args.grantId,
      patient: event.args.patient,
      grantee: event.args.grantee,
    };
  }

  /** Signs a revocation for a relayer to submit. */
  async signRevocation(params: { grantId: string; deadline?: number }): Promise<SignedRevocation> {
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
    return { patient: this.patient, grantId: grantId, deadline, signature };
  }

  /**
   * Every release of a key to one of this patient's records that the custodians logged: who asked,
   * for which record and purpose, at which block. The audit trail of access through the custodians.
   */
  async listReleases(): Promise<ReleaseListing> {
    this.#requireSelf();
    if (this.core.custodianAccess === undefined) {
      throw new InvalidArgumentError("custodians", "configured key custodians");
    }
    return this.core.custodianAccess.listReleases();
  }

  /**
   * This patient's consent grants, from the chain's ConsentGranted events (direct and relayed),
   * each with whether it is in force now. A grant granted again under the same id is listed once.
   */
  async listGrants(): Promise<GrantListing[]> {
    this.#requireSelf();
    const consent = this.core.views.consent;
    const events = await this.core.read("ConsentGranted", () =>
      consent.queryFilter(consent.filters.ConsentGranted(this.core.address), 0),
    );
    const latest = new Map<string, GrantListing>();
    for (const { args } of events) {
      latest.set(args.grantId, {
        grantId: args.grantId,
        grantee: args.grantee,
        scope: Number(args.scope) as ConsentScope,
        scopeValue: args.scopeValue,
        purpose: Number(args.purpose) as Purpose,
        validFrom: Number(args.validFrom),
        validUntil: Number(args.validUntil),
        active: false,
      });
    }
    return Promise.all(
      [...latest.values()].map(async (grant) => ({
        ...grant,
        active: await this.core.read("isGrantActive", () => consent.isGrantActive(this.core.address, grant.grantId)),
      })),
    );
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
                // The leaf names the content commitment the record commitment binds to the batch's author.
                commitment: await boundContentCommitment(core.store, manifest.commitment, manifest.author),
                recordType: manifest.recordType,
                sensitive: manifest.sensitive,
              },
              [...manifest.anchor.proof],
            )
          : registry.eraseRecord.populateTransaction(this.patient, commitment);
      const mined = await core.send("registry", populated, params);
      const event = core.event(mined.receipt, "registry", "RecordErased");
      ({ hash: transactionHash, blockNumber, gasUsed } = mined);
      erasedBy = event.args.by;
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
   * `PatientDelegation.appointDelegate`; capabilities by name or as a bitmask. A reading delegate
   * obtains keys from the custodians while the delegation lasts, and not after.
   */
  async appointDelegate(
    params: {
      delegate: string;
      capabilities: readonly CapabilityName[] | number;
      validUntil?: number;
      durationSeconds?: number;
    } & SendOptions,
  ): Promise<DelegateResult> {
    this.#requireSelf();
    const delegate = addressArgument(params.delegate, "delegate");
    const capabilities = capabilitiesArgument(params.capabilities);
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
    return {
      ...txResult(mined),
      patient: event.args.patient,
      delegate: event.args.delegate,
      capabilities: Number(event.args.capabilities),
      validUntil: Number(event.args.validUntil),
    };
  }

  /** `PatientDelegation.removeDelegate`: the custodians refuse the delegate from the next block. */
  async removeDelegate(params: { delegate: string } & SendOptions): Promise<TxResult> {
    const delegate = addressArgument(params.delegate, "delegate");
    this.#requireSelf();
    const mined = await this.core.send(
      "delegation",
      this.core.views.delegation.removeDelegate.populateTransaction(delegate),
      params,
    );
    return txResult(mined);
  }

  /**
   * `PatientDelegation.designateHeir`. Nothing is shared now: once the registrar records the
   * death, the access rule admits the heir and the custodians release keys to them.
   */
  async designateHeir(params: { heir: string } & SendOptions): Promise<TxResult> {
    this.#requireSelf();
    const heir = addressArgument(params.heir, "heir");
    const mined = await this.core.send(
      "delegation",
      this.core.views.delegation.designateHeir.populateTransaction(heir),
      params,
    );
    return txResult(mined);
  }

  /** `PatientDelegation.removeHeir`. */
  async removeHeir(params: { heir: string } & SendOptions): Promise<TxResult> {
    const heir = addressArgument(params.heir, "heir");
    this.#requireSelf();
    const mined = await this.core.send(
      "delegation",
      this.core.views.delegation.removeHeir.populateTransaction(heir),
      params,
    );
    return txResult(mined);
  }

  /** `PatientDelegation.acceptGuardian`: the minor's acknowledgement makes a recorded guardianship take effect now. */
  async acceptGuardian(params: { guardian: string } & SendOptions): Promise<TxResult> {
    const guardian = addressArgument(params.guardian, "guardian");
    this.#requireSelf();
    return txResult(
      await this.core.send(
        "delegation",
        this.core.views.delegation.acceptGuardian.populateTransaction(guardian),
        params,
      ),
    );
  }

  /**
   * `PatientDelegation.vetoGuardian`: an adult wrongly recorded as someone's ward undoes it before it
   * takes effect; every later guardianship then waits for this account's acceptance.
   */
  async vetoGuardian(params: { guardian: string } & SendOptions): Promise<TxResult> {
    const guardian = addressArgument(params.guardian, "guardian");
    this.#requireSelf();
    return txResult(
      await this.core.send("delegation", this.core.views.delegation.vetoGuardian.populateTransaction(guardian), params),
    );
  }

  /** `PatientDelegation.contestDeath`: a living patient recorded dead undoes it (once, within 7 days). */
  async contestDeath(params: SendOptions = {}): Promise<TxResult> {
    this.#requireSelf();
    return txResult(
      await this.core.send("delegation", this.core.views.delegation.contestDeath.populateTransaction(), params),
    );
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

  /** `CareRelationships.setFamilyDoctor`; the doctor reads through the custodians while registered. */
  async setFamilyDoctor(params: { doctor: string } & SendOptions): Promise<TxResult> {
    const doctor = addressArgument(params.doctor, "doctor");
    const mined = await this.core.send(
      "relationships",
      this.core.views.relationships.setFamilyDoctor.populateTransaction(this.patient, doctor),
      params,
    );
    return txResult(mined);
  }

  /** Books an appointment (`CareRelationships.recordAppointment`); `day` defaults to today (UTC). */
  async recordAppointment(params: { doctor: string; day?: number } & SendOptions): Promise<TxResult> {
    const doctor = addressArgument(params.doctor, "doctor");
    const day = params.day === undefined ? startOfUtcDay(await this.core.now()) : uintArgument(params.day, "day", 40);
    const mined = await this.core.send(
      "relationships",
      this.core.views.relationships.recordAppointment.populateTransaction(this.patient, doctor, day),
      params,
    );
    return txResult(mined);
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
   * valid for `lifetimeSeconds` (at most the contract's MAX_CODE_LIFETIME, one hour). No key moves:
   * the doctor reads through the custodians once the code is presented on-chain.
   */
  async createUnlock(params: { doctor: string; lifetimeSeconds?: number }): Promise<UnlockCode> {
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
    return { ...unlock, signature };
  }

  /**
   * Signs the patient's consent to a check-in at `hospital` (24 hours of access for its doctors once
   * the hospital records it), valid for `lifetimeSeconds` (at most an hour). Hand the result to the
   * hospital; `cancelUnlockCode` with its visit id withdraws it before use.
   */
  async signCheckIn(params: { hospital: string; lifetimeSeconds?: number }): Promise<SignedVisit> {
    return this.#signVisit(
      "CheckIn",
      { hospital: addressArgument(params.hospital, "hospital") },
      params.lifetimeSeconds,
    );
  }

  /** Signs the patient's consent to an admission to `ward` (see `signCheckIn`). */
  async signAdmission(params: { ward: string; lifetimeSeconds?: number }): Promise<SignedVisit> {
    return this.#signVisit("Admission", { ward: addressArgument(params.ward, "ward") }, params.lifetimeSeconds);
  }

  async #signVisit(
    kind: "CheckIn" | "Admission",
    place: { hospital: string } | { ward: string },
    lifetimeSeconds: number | undefined,
  ): Promise<SignedVisit> {
    this.#requireSelf();
    const { relationships } = this.core.views;
    const [domain, now] = await Promise.all([
      this.core.read("eip712Domain", () => relationships.eip712Domain()),
      this.core.now(),
    ]);
    const visitId = hexlify(randomBytes(32));
    const expiresAt = now + optionalUint(lifetimeSeconds, "lifetimeSeconds", 32, 60 * 60);
    const signature = await signVisit(
      this.core.signer,
      {
        name: domain.name,
        version: domain.version,
        chainId: domain.chainId,
        verifyingContract: domain.verifyingContract,
      },
      kind,
      { patient: this.patient, ...place, visitId, expiresAt },
    );
    return { visitId, expiresAt, signature };
  }

  /** `CareRelationships.cancelUnlockCode`. */
  async cancelUnlockCode(params: { codeId: string } & SendOptions): Promise<TxResult> {
    const codeId = bytes32Argument(params.codeId, "codeId");
    this.#requireSelf();
    const mined = await this.core.send(
      "relationships",
      this.core.views.relationships.cancelUnlockCode.populateTransaction(codeId),
      params,
    );
    return txResult(mined);
  }

  /** `EmergencyAccess.setEmergencyAccessToSensitive`. */
  async setEmergencyAccessToSensitive(params: { allowed: boolean } & SendOptions): Promise<TxResult> {
    const allowed = booleanArgument(params.allowed, "allowed");
    this.#requireSelf();
    const mined = await this.core.send(
      "emergency",
      this.core.views.emergency.setEmergencyAccessToSensitive.populateTransaction(allowed),
      params,
    );
    return txResult(mined);
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
export function grantResultOf(core: LedgerCore, mined: Parameters<typeof txResult>[0]): GrantResult {
  const event = core.event(mined.receipt, "consent", "ConsentGranted");
  return {
    ...txResult(mined),
    grantId: event.args.grantId,
    patient: event.args.patient,
    grantee: event.args.grantee,
    scope: Number(event.args.scope) as ConsentScope,
    scopeValue: event.args.scopeValue,
    purpose: Number(event.args.purpose) as Purpose,
    validFrom: Number(event.args.validFrom),
    validUntil: Number(event.args.validUntil),
  };
}
