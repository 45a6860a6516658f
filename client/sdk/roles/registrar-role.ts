import { ZeroAddress, id, isHexString } from "ethers";

import { HipaaRole, ProviderForm, ProviderKind } from "../../care-types.js";
import { InvalidArgumentError } from "../../errors.js";
import { addressArgument, enumArgument, optionalAddressArgument, optionalEnum, uintArgument } from "../arguments.js";
import type { LedgerCore } from "../ledger-core.js";
import type { ProviderRegisteredResult, TxResult } from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";

export interface ProviderEntryParams extends SendOptions {
  readonly account: string;
  readonly kind: ProviderKind;
  /** Default: Practitioner for doctors, Organisation for every other kind. */
  readonly form?: ProviderForm;
  /** Default: CoveredEntity for doctors, hospitals and pharmacies; BusinessAssociate for laboratories. */
  readonly hipaa?: HipaaRole;
  /** The registered organisation a practitioner (or a ward) belongs to. Default none. */
  readonly organisation?: string;
}

/** A provider's directory entry. */
export interface ProviderEntry {
  readonly kind: ProviderKind;
  readonly form: ProviderForm;
  readonly hipaa: HipaaRole;
  readonly suspended: boolean;
  readonly registeredAt: number;
  readonly organisation: string;
}

/**
 * The registrar: keeps the provider directory and records what the law decides for patients
 * (guardianship, death). Holds the directory's registrar role.
 */
export class RegistrarRole {
  constructor(private readonly core: LedgerCore) {}

  /** `ProviderDirectory.registerProvider`; returns the entry decoded from ProviderRegistered. */
  async registerProvider(params: ProviderEntryParams): Promise<ProviderRegisteredResult> {
    return this.#entry("registerProvider", params);
  }

  /** `ProviderDirectory.updateProvider`. */
  async updateProvider(params: ProviderEntryParams): Promise<ProviderRegisteredResult> {
    return this.#entry("updateProvider", params);
  }

  /**
   * `ProviderDirectory.suspendProvider`: every access of the provider (and of a suspended
   * organisation's practitioners) stops at once. `reasonCode` is a bytes32 or a label hashed to one.
   */
  async suspendProvider(params: { account: string; reasonCode: string } & SendOptions): Promise<TxResult> {
    const account = addressArgument(params.account, "account");
    if (typeof params.reasonCode !== "string") throw new InvalidArgumentError("reasonCode", "a bytes32 or a label");
    const reason = isHexString(params.reasonCode, 32) ? params.reasonCode : id(params.reasonCode);
    return this.core.transact("directory", (c) => c.suspendProvider.populateTransaction(account, reason), params);
  }

  /** `ProviderDirectory.reinstateProvider`. */
  async reinstateProvider(params: { account: string } & SendOptions): Promise<TxResult> {
    const account = addressArgument(params.account, "account");
    return this.core.transact("directory", (c) => c.reinstateProvider.populateTransaction(account), params);
  }

  /** `PatientDelegation.recordGuardian`: `guardian` acts for `minor` until `minorUntil` (unix seconds). */
  async recordGuardian(
    params: { minor: string; guardian: string; minorUntil: number } & SendOptions,
  ): Promise<TxResult> {
    const minor = addressArgument(params.minor, "minor");
    const guardian = addressArgument(params.guardian, "guardian");
    const minorUntil = uintArgument(params.minorUntil, "minorUntil", 40);
    return this.core.transact(
      "delegation",
      (c) => c.recordGuardian.populateTransaction(minor, guardian, minorUntil),
      params,
    );
  }

  /** `PatientDelegation.removeGuardian`. */
  async removeGuardian(params: { minor: string; guardian: string } & SendOptions): Promise<TxResult> {
    const minor = addressArgument(params.minor, "minor");
    const guardian = addressArgument(params.guardian, "guardian");
    return this.core.transact("delegation", (c) => c.removeGuardian.populateTransaction(minor, guardian), params);
  }

  /** `PatientDelegation.recordDeath`; `diedAt` defaults to the chain's current time. Irreversible. */
  async recordDeath(params: { patient: string; diedAt?: number } & SendOptions): Promise<TxResult> {
    const patient = addressArgument(params.patient, "patient");
    const diedAt = await this.core.timeArgument(params.diedAt, "diedAt", 40);
    return this.core.transact("delegation", (c) => c.recordDeath.populateTransaction(patient, diedAt), params);
  }

  /** `ProviderDirectory.providerOf`. */
  async providerOf(account: string): Promise<ProviderEntry> {
    const checked = addressArgument(account, "account");
    const entry = await this.core.read("providerOf", () => this.core.views.directory.providerOf(checked));
    return {
      kind: Number(entry.kind) as ProviderKind,
      form: Number(entry.form) as ProviderForm,
      hipaa: Number(entry.hipaa) as HipaaRole,
      suspended: entry.suspended,
      registeredAt: Number(entry.registeredAt),
      organisation: entry.organisation,
    };
  }

  async #entry(
    method: "registerProvider" | "updateProvider",
    params: ProviderEntryParams,
  ): Promise<ProviderRegisteredResult> {
    const account = addressArgument(params.account, "account");
    const kind = enumArgument<ProviderKind>(params.kind, "kind", ProviderKind);
    // A doctor is a person and a laboratory a business associate unless the registrar says otherwise.
    const usualForm = kind === ProviderKind.Doctor ? ProviderForm.Practitioner : ProviderForm.Organisation;
    const usualHipaa = kind === ProviderKind.Laboratory ? HipaaRole.BusinessAssociate : HipaaRole.CoveredEntity;
    const form = optionalEnum<ProviderForm>(params.form, "form", ProviderForm, usualForm, []);
    const hipaa = optionalEnum<HipaaRole>(params.hipaa, "hipaa", HipaaRole, usualHipaa, []);
    const organisation = optionalAddressArgument(params.organisation, "organisation") ?? ZeroAddress;
    const { tx, args } = await this.core.transactForEvent(
      "directory",
      (c) => c[method].populateTransaction(account, { kind, form, hipaa, organisation }),
      method === "registerProvider" ? "ProviderRegistered" : "ProviderUpdated",
      params,
    );
    return {
      ...tx,
      account: args.account,
      kind: Number(args.kind) as ProviderKind,
      form: Number(args.form) as ProviderForm,
      hipaa: Number(args.hipaa) as HipaaRole,
      organisation: args.organisation,
    };
  }
}
