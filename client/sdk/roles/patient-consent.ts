import { ConsentScope, Purpose } from "../../care-types.js";
import { signGrantConsent, signRevokeConsent, type Eip712Contract, type TypedDataSigner } from "../../eip712.js";
import {
  addressArgument,
  booleanArgument,
  bytes32Argument,
  enumArgument,
  grantScopeArgument,
  integerArgument,
  uintArgument,
} from "../arguments.js";
import { encodeGrantScope, grantIdOf, type GrantScope } from "../consent-scope.js";
import type { TxWithEvent } from "../ledger-core.js";
import type { GrantListing, GrantRequest, GrantResult, RevokeResult, TxResult } from "../results.js";
import type { SendOptions } from "../transport/transaction-sender.js";
import { DAY, HOUR } from "../../time-units.js";
import { PatientRecords } from "./patient-records.js";

const DEFAULT_GRANT_DAYS = 30;
const DEFAULT_SIGNATURE_LIFETIME = HOUR;

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

/** The patient's consent (ConsentManager): grants direct and signed for a relayer, revocations, listing. */
export class PatientConsent extends PatientRecords {
  /**
   * `ConsentManager.grantConsent`; returns the grantId from ConsentGranted. No key moves: the
   * grantee obtains each record's key from the custodians, who ask the chain at that moment.
   */
  async grantConsent(params: GrantParams): Promise<GrantResult> {
    const request = await this.#request(params);
    return grantResultOf(
      await this.core.transactForEvent(
        "consent",
        (c) => c.grantConsent.populateTransaction(this.patient, request),
        "ConsentGranted",
        params,
      ),
    );
  }

  /**
   * Signs a grant for a relayer (EIP-712 over the consent manager's domain with the patient's
   * current nonce). Nothing opens to the grantee until a relayer submits it: the custodians ask
   * the chain, and `invalidateNonce` cancels the signature before then.
   */
  async signGrant(params: GrantParams & { deadline?: number }): Promise<SignedGrant> {
    this.requireSelf();
    const request = await this.#request(params);
    const { deadline, signature } = await this.#signForRelayer(signGrantConsent, request, params.deadline);
    const grantId = grantIdOf(request.grantee, request.scope, request.scopeValue, request.purpose);
    return { patient: this.patient, request, deadline, signature, grantId };
  }

  /**
   * `ConsentManager.revokeConsent`: the access rule refuses the grantee at once, and with it every
   * custodian (they re-check the chain on every request).
   */
  async revokeConsent(params: { grantId: string } & SendOptions): Promise<RevokeResult> {
    const grantId = bytes32Argument(params.grantId, "grantId");
    const { tx, args } = await this.core.transactForEvent(
      "consent",
      (c) => c.revokeConsent.populateTransaction(this.patient, grantId),
      "ConsentRevoked",
      params,
    );
    return { ...tx, grantId: args.grantId, patient: args.patient, grantee: args.grantee };
  }

  /** Signs a revocation for a relayer to submit. */
  async signRevocation(params: { grantId: string; deadline?: number }): Promise<SignedRevocation> {
    const grantId = bytes32Argument(params.grantId, "grantId");
    this.requireSelf();
    const { deadline, signature } = await this.#signForRelayer(signRevokeConsent, grantId, params.deadline);
    return { patient: this.patient, grantId: grantId, deadline, signature };
  }

  /**
   * This patient's consent grants, from the chain's ConsentGranted events (direct and relayed),
   * each with whether it is in force now. A grant granted again under the same id is listed once.
   */
  async listGrants(): Promise<GrantListing[]> {
    this.requireSelf();
    const consent = this.core.views.consent;
    const events = await this.core.read("ConsentGranted", () =>
      consent.queryFilter(consent.filters.ConsentGranted(this.core.address), 0),
    );
    const latest = new Map<string, GrantListing>();
    for (const { args } of events) {
      latest.set(args.grantId, { ...grantTermsOf(args), active: false });
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
    this.requireSelf();
    return this.core.transact("consent", (c) => c.invalidateNonce.populateTransaction(), params);
  }

  /** `EmergencyAccess.setEmergencyAccessToSensitive`. */
  async setEmergencyAccessToSensitive(params: { allowed: boolean } & SendOptions): Promise<TxResult> {
    const allowed = booleanArgument(params.allowed, "allowed");
    this.requireSelf();
    return this.core.transact("emergency", (c) => c.setEmergencyAccessToSensitive.populateTransaction(allowed), params);
  }

  /**
   * The patient's EIP-712 signature over `message` for a relayer to submit, and its deadline: the
   * caller's, or an hour from the chain's clock.
   */
  async #signForRelayer<M>(
    sign: (
      signer: TypedDataSigner,
      contract: Eip712Contract,
      patient: string,
      message: M,
      deadline: number,
    ) => Promise<string>,
    message: M,
    deadline: number | undefined,
  ): Promise<{ deadline: number; signature: string }> {
    const checked = await this.core.timeArgument(deadline, "deadline", 48, DEFAULT_SIGNATURE_LIFETIME);
    const signature = await sign(this.core.signer, this.core.views.consent, this.patient, message, checked);
    return { deadline: checked, signature };
  }

  async #request(params: GrantParams): Promise<GrantRequest> {
    const grantee = addressArgument(params.grantee, "grantee");
    const { scope, scopeValue } = encodeGrantScope(grantScopeArgument(params.scope));
    const purpose = enumArgument<Purpose>(params.purpose, "purpose", Purpose);
    const validFrom = await this.core.timeArgument(params.validFrom, "validFrom", 40);
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
}

/** A GrantResult from a write's ConsentGranted event (shared with the relayer). */
export function grantResultOf({ tx, args }: TxWithEvent<"consent", "ConsentGranted">): GrantResult {
  const { grantId, ...terms } = grantTermsOf(args);
  return { ...tx, grantId, patient: args.patient, ...terms };
}

/** A grant's terms as a ConsentGranted event states them, in plain numbers. */
function grantTermsOf(args: {
  grantId: string;
  grantee: string;
  scope: bigint;
  scopeValue: string;
  purpose: bigint;
  validFrom: bigint;
  validUntil: bigint;
}): Omit<GrantListing, "active"> {
  return {
    grantId: args.grantId,
    grantee: args.grantee,
    scope: Number(args.scope) as ConsentScope,
    scopeValue: args.scopeValue,
    purpose: Number(args.purpose) as Purpose,
    validFrom: Number(args.validFrom),
    validUntil: Number(args.validUntil),
  };
}
