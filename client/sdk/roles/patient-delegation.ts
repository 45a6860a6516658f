import { Capability } from "../../care-types.js";
import { addressArgument, booleanArgument, capabilitiesArgument, optionalUint } from "../arguments.js";
import type { DelegateResult, TxResult } from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";
import { DAY } from "../../time-units.js";
import { PatientConsent } from "./patient-consent.js";

export type CapabilityName = keyof typeof Capability;

/** Who acts for the patient (PatientDelegation): delegates, heirs, guardians, a recorded death, minors' control. */
export class PatientDelegations extends PatientConsent {
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
    this.requireSelf();
    const delegate = addressArgument(params.delegate, "delegate");
    const capabilities = capabilitiesArgument(params.capabilities);
    const duration = optionalUint(params.durationSeconds, "durationSeconds", 40, 365 * DAY);
    const validUntil = await this.core.timeArgument(params.validUntil, "validUntil", 40, duration);
    const { tx, args } = await this.core.transactForEvent(
      "delegation",
      (c) => c.appointDelegate.populateTransaction(delegate, capabilities, validUntil),
      "DelegateAppointed",
      params,
    );
    return {
      ...tx,
      patient: args.patient,
      delegate: args.delegate,
      capabilities: Number(args.capabilities),
      validUntil: Number(args.validUntil),
    };
  }

  /** `PatientDelegation.removeDelegate`: the custodians refuse the delegate from the next block. */
  async removeDelegate(params: { delegate: string } & SendOptions): Promise<TxResult> {
    const delegate = addressArgument(params.delegate, "delegate");
    this.requireSelf();
    return this.core.transact("delegation", (c) => c.removeDelegate.populateTransaction(delegate), params);
  }

  /**
   * `PatientDelegation.designateHeir`. Nothing is shared now: once the registrar records the
   * death, the access rule admits the heir and the custodians release keys to them.
   */
  async designateHeir(params: { heir: string } & SendOptions): Promise<TxResult> {
    this.requireSelf();
    const heir = addressArgument(params.heir, "heir");
    return this.core.transact("delegation", (c) => c.designateHeir.populateTransaction(heir), params);
  }

  /** `PatientDelegation.removeHeir`. */
  async removeHeir(params: { heir: string } & SendOptions): Promise<TxResult> {
    const heir = addressArgument(params.heir, "heir");
    this.requireSelf();
    return this.core.transact("delegation", (c) => c.removeHeir.populateTransaction(heir), params);
  }

  /** `PatientDelegation.acceptGuardian`: the minor's acknowledgement makes a recorded guardianship take effect now. */
  async acceptGuardian(params: { guardian: string } & SendOptions): Promise<TxResult> {
    const guardian = addressArgument(params.guardian, "guardian");
    this.requireSelf();
    return this.core.transact("delegation", (c) => c.acceptGuardian.populateTransaction(guardian), params);
  }

  /**
   * `PatientDelegation.vetoGuardian`: an adult wrongly recorded as someone's ward undoes it before it
   * takes effect; every later guardianship then waits for this account's acceptance.
   */
  async vetoGuardian(params: { guardian: string } & SendOptions): Promise<TxResult> {
    const guardian = addressArgument(params.guardian, "guardian");
    this.requireSelf();
    return this.core.transact("delegation", (c) => c.vetoGuardian.populateTransaction(guardian), params);
  }

  /** `PatientDelegation.contestDeath`: a living patient recorded dead undoes it (once, within 7 days). */
  async contestDeath(params: SendOptions = {}): Promise<TxResult> {
    this.requireSelf();
    return this.core.transact("delegation", (c) => c.contestDeath.populateTransaction(), params);
  }

  /** `PatientDelegation.setMinorControl`: a minor able to judge makes guardians need permission. */
  async setMinorControl(params: { selfControlled: boolean } & SendOptions): Promise<TxResult> {
    const selfControlled = booleanArgument(params.selfControlled, "selfControlled");
    this.requireSelf();
    return this.core.transact("delegation", (c) => c.setMinorControl.populateTransaction(selfControlled), params);
  }
}
