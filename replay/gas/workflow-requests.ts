import { ConsentScope, Purpose } from "../../client/care-types.js";
import type { GrantRequestInput } from "../../client/eip712.js";
import { DAY } from "../../client/time-units.js";

// The gas table measures these requests and the executed runner sends them again; building both from here keeps
// the executed run comparable with the model it checks.

export interface PrescriptionTerms {
  readonly pharmacy: string;
  readonly expiresAt: number;
  readonly quantity: number;
  readonly refills: number;
}

/** A prescription's dispensing terms: 30 units, two refills, valid for 30 days from `now`. */
export function prescriptionTerms(pharmacy: string, now: number): PrescriptionTerms {
  return { pharmacy, expiresAt: now + 30 * DAY, quantity: 30, refills: 2 };
}

/** The patient's consent for the pharmacy to dispense one prescription, for 30 days. */
export function dispensingConsent(pharmacy: string, prescription: string, now: number): GrantRequestInput {
  return recordConsent(pharmacy, prescription, Purpose.Dispensing, now, 30);
}

/** The patient shares one lab result with a second doctor for treatment, for 90 days. */
export function labResultShare(doctor: string, result: string, now: number): GrantRequestInput {
  return recordConsent(doctor, result, Purpose.Treatment, now, 90);
}

function recordConsent(
  grantee: string,
  record: string,
  purpose: Purpose,
  now: number,
  days: number,
): GrantRequestInput {
  return {
    grantee,
    scope: ConsentScope.Record,
    scopeValue: record,
    purpose,
    validFrom: now,
    validUntil: now + days * DAY,
  };
}
