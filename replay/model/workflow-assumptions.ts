import { InvalidSettingError } from "../errors.js";

/** What each waiting patient is assumed to do on-chain, besides the referral record and the specialist consent. */
export interface WorkflowAssumptions {
  /** Share of patients who get a prescription filled (issue + consent to a pharmacy + one dispense), 0..1. */
  readonly prescriptionShare: number;
  /** Share of patients who get a lab result (order + post result + share with a second doctor), 0..1. */
  readonly labShare: number;
  /** Consents granted by the patient's EIP-712 signature, relayed (grantConsentBySig), instead of sent directly. */
  readonly consentBySignature: boolean;
}

/**
 * Defaults. The paper gives no proportions, so these are planning assumptions, shown in every report and set with
 * --prescription-share / --lab-share:
 * - 30% prescriptions: a waiting-list patient's first specialist contact is mostly assessment; a new medicine is
 *   the outcome for a minority, so a third is a generous round figure.
 * - 50% lab results: work-up before a specialist decision (bloods, histology, imaging reports) is common, more so
 *   for inpatient/day-case lists; one in two is a middle value between "rare" and "everyone".
 * - consents sent directly by the patient's own account (grantConsent), as in the paper's design.
 */
export const DEFAULT_WORKFLOW_ASSUMPTIONS: WorkflowAssumptions = {
  prescriptionShare: 0.3,
  labShare: 0.5,
  consentBySignature: false,
};

export function validateShare(setting: "prescriptionShare" | "labShare", value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidSettingError(setting, value, "a number between 0 and 1");
  }
  return value;
}

export function validateAssumptions(assumptions: WorkflowAssumptions): WorkflowAssumptions {
  validateShare("prescriptionShare", assumptions.prescriptionShare);
  validateShare("labShare", assumptions.labShare);
  return assumptions;
}
