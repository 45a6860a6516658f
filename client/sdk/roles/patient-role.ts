import { hexlify, randomBytes, type ContractTransaction, type TypedDataDomain } from "ethers";

import type { CareRelationships } from "../../../typechain-types/index.js";

import { typedDataDomainOf } from "../../eip712.js";
import { HOUR } from "../../time-units.js";

import { addressArgument, booleanArgument, bytes32Argument, optionalUint, uintArgument } from "../arguments.js";
import type { TxResult } from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";
import { signUnlock, type UnlockCode } from "../unlock-code.js";
import { signVisit, type SignedVisit } from "../visit-signature.js";
import { startOfUtcDay } from "./clinical-roles.js";
import { PatientDelegations } from "./patient-delegation.js";

// The patient's calls, one facet per contract: records, consent, delegation, and here care relationships.
export {
  grantResultOf,
  type GrantParams,
  type GrantRequest,
  type SignedGrant,
  type SignedRevocation,
} from "./patient-consent.js";
export type { CapabilityName } from "./patient-delegation.js";

/**
 * A patient's app: consent (direct and signed for a relayer), revocation, erasure, delegation,
 * heirs, the family doctor, appointments, unlock codes, key sharing and reading. Built for the
 * signer's own account (`ledger.patient`), or for another patient when the signer is their delegate
 * (`ledger.delegate.forPatient(patient)`); then the contracts check the delegate's capabilities.
 */
export class PatientRole extends PatientDelegations {
  /** `CareRelationships.setFamilyDoctor`; the doctor reads through the custodians while registered. */
  async setFamilyDoctor(params: { doctor: string } & SendOptions): Promise<TxResult> {
    const doctor = addressArgument(params.doctor, "doctor");
    return this.#relationships((c) => c.setFamilyDoctor.populateTransaction(this.patient, doctor), params);
  }

  /** Books an appointment (`CareRelationships.recordAppointment`); `day` defaults to today (UTC). */
  async recordAppointment(params: { doctor: string; day?: number } & SendOptions): Promise<TxResult> {
    const doctor = addressArgument(params.doctor, "doctor");
    const day = params.day === undefined ? startOfUtcDay(await this.core.now()) : uintArgument(params.day, "day", 40);
    return this.#relationships((c) => c.recordAppointment.populateTransaction(this.patient, doctor, day), params);
  }

  /** `CareRelationships.setUnlockRequired`. */
  async setUnlockRequired(params: { required: boolean } & SendOptions): Promise<TxResult> {
    const required = booleanArgument(params.required, "required");
    return this.#relationships((c) => c.setUnlockRequired.populateTransaction(this.patient, required), params);
  }

  /**
   * Creates a one-time unlock for one doctor: a random code id and the patient's EIP-712 signature,
   * valid for `lifetimeSeconds` (at most the contract's MAX_CODE_LIFETIME, one hour). No key moves:
   * the doctor reads through the custodians once the code is presented on-chain.
   */
  async createUnlock(params: { doctor: string; lifetimeSeconds?: number }): Promise<UnlockCode> {
    this.requireSelf();
    const [domain, now] = await this.#relationshipsDomainAndNow();
    const unlock = {
      patient: this.patient,
      doctor: addressArgument(params.doctor, "doctor"),
      codeId: hexlify(randomBytes(32)),
      expiresAt: now + optionalUint(params.lifetimeSeconds, "lifetimeSeconds", 32, HOUR),
    };
    const signature = await signUnlock(this.core.signer, domain, unlock);
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
    this.requireSelf();
    const [domain, now] = await this.#relationshipsDomainAndNow();
    const visitId = hexlify(randomBytes(32));
    const expiresAt = now + optionalUint(lifetimeSeconds, "lifetimeSeconds", 32, HOUR);
    const signature = await signVisit(this.core.signer, domain, kind, {
      patient: this.patient,
      ...place,
      visitId,
      expiresAt,
    });
    return { visitId, expiresAt, signature };
  }

  /** What a patient's signature for CareRelationships needs: its EIP-712 domain, and the chain's clock for the expiry. */
  async #relationshipsDomainAndNow(): Promise<[TypedDataDomain, number]> {
    const { relationships } = this.core.views;
    return Promise.all([
      this.core.read("eip712Domain", async () => typedDataDomainOf(await relationships.eip712Domain())),
      this.core.now(),
    ]);
  }

  /** `CareRelationships.cancelUnlockCode`. */
  async cancelUnlockCode(params: { codeId: string } & SendOptions): Promise<TxResult> {
    const codeId = bytes32Argument(params.codeId, "codeId");
    this.requireSelf();
    return this.#relationships((c) => c.cancelUnlockCode.populateTransaction(codeId), params);
  }

  // Every write of this facet goes to CareRelationships.
  #relationships(
    build: (c: CareRelationships) => Promise<ContractTransaction>,
    params: SendOptions,
  ): Promise<TxResult> {
    return this.core.transact("relationships", build, params);
  }
}
