import { Capability } from "../../care-types.js";
import { addressArgument, bytes32Argument, hexArgument, objectArgument, uintArgument } from "../arguments.js";
import type { LedgerCore } from "../ledger-core.js";
import type { RecordService } from "../records/record-service.js";
import type { GrantResult, TxResult } from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";
import { PatientRole, grantResultOf, type SignedGrant, type SignedRevocation } from "./patient-role.js";

/** The delegation a patient gave an account, in plain numbers. */
export interface DelegationInfo {
  readonly capabilities: number;
  readonly appointedAt: number;
  readonly validUntil: number;
  /** Whether the delegation is in force for each capability now. */
  readonly active: { readonly manageConsent: boolean; readonly erase: boolean; readonly read: boolean };
}

/**
 * A delegate (a guardian, an appointed representative): acts for a patient with the capabilities
 * the patient (or the law, through the registrar) gave it. The contracts check them on every call.
 */
export class DelegateRole {
  constructor(
    private readonly core: LedgerCore,
    private readonly records: RecordService,
  ) {}

  /** The patient API, acting for `patient`. */
  forPatient(patient: string): PatientRole {
    return new PatientRole(this.core, this.records, patient);
  }

  /** What `patient` delegated to this account. */
  async delegationFrom(patientArgument: string): Promise<DelegationInfo> {
    const patient = addressArgument(patientArgument, "patient");
    const { delegation } = this.core.views;
    const me = this.core.address;
    const [stored, manageConsent, erase, read] = await Promise.all([
      this.core.read("delegationOf", () => delegation.delegationOf(patient, me)),
      this.core.read("isDelegate", () => delegation.isDelegate(patient, me, Capability.ManageConsent)),
      this.core.read("isDelegate", () => delegation.isDelegate(patient, me, Capability.Erase)),
      this.core.read("isDelegate", () => delegation.isDelegate(patient, me, Capability.Read)),
    ]);
    return {
      capabilities: Number(stored.capabilities),
      appointedAt: Number(stored.appointedAt),
      validUntil: Number(stored.validUntil),
      active: { manageConsent, erase, read },
    };
  }
}

/** Anyone relaying a patient's signed consent messages (and paying their gas). */
export class RelayerRole {
  constructor(private readonly core: LedgerCore) {}

  /** `ConsentManager.grantConsentBySig`; returns the grantId the contract assigned. */
  async grantConsentBySig(params: { signed: SignedGrant } & SendOptions): Promise<GrantResult> {
    const signed = objectArgument(params.signed, "signed");
    const request = objectArgument(signed.request, "signed.request");
    const granted = await this.core.transactForEvent(
      "consent",
      (c) =>
        c.grantConsentBySig.populateTransaction(
          addressArgument(signed.patient, "signed.patient"),
          {
            grantee: addressArgument(request.grantee, "signed.request.grantee"),
            scope: uintArgument(request.scope, "signed.request.scope", 8),
            scopeValue: bytes32Argument(request.scopeValue, "signed.request.scopeValue"),
            purpose: uintArgument(request.purpose, "signed.request.purpose", 8),
            validFrom: uintArgument(request.validFrom, "signed.request.validFrom", 40),
            validUntil: uintArgument(request.validUntil, "signed.request.validUntil", 40),
          },
          uintArgument(signed.deadline, "signed.deadline", 48),
          hexArgument(signed.signature, "signed.signature"),
        ),
      "ConsentGranted",
      params,
    );
    return grantResultOf(granted);
  }

  /** `ConsentManager.revokeConsentBySig`. */
  async revokeConsentBySig(params: { signed: SignedRevocation } & SendOptions): Promise<TxResult> {
    const signed = objectArgument(params.signed, "signed");
    return this.core.transact(
      "consent",
      (c) =>
        c.revokeConsentBySig.populateTransaction(
          addressArgument(signed.patient, "signed.patient"),
          bytes32Argument(signed.grantId, "signed.grantId"),
          uintArgument(signed.deadline, "signed.deadline", 48),
          hexArgument(signed.signature, "signed.signature"),
        ),
      params,
    );
  }
}
