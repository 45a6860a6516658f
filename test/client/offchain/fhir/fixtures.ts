import type * as R4 from "fhir/r4.js";

/**
 * Minimal-but-realistic valid resources of each type CareLedger writes. Each call returns a
 * fresh object so tests can mutate it. Identifiers are synthetic.
 */

const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
const LOINC = "http://loinc.org";
const UCUM = "http://unitsofmeasure.org";

export function medicationRequest(): R4.MedicationRequest {
  return {
    resourceType: "MedicationRequest",
    id: "rx-1",
    status: "active",
    intent: "order",
    medicationCodeableConcept: {
      coding: [{ system: RXNORM, code: "197361", display: "Amlodipine 5 MG Oral Tablet" }],
    },
    subject: { reference: "Patient/p-1", type: "Patient" },
    authoredOn: "2024-02-29T09:30:00+00:00",
    requester: { reference: "Practitioner/dr-1" },
    dosageInstruction: [
      {
        sequence: 1,
        text: "One tablet daily",
        timing: { repeat: { frequency: 1, period: 1, periodUnit: "d" } },
        doseAndRate: [{ doseQuantity: { value: 1, unit: "tablet", system: UCUM, code: "{tbl}" } }],
      },
    ],
    dispenseRequest: {
      validityPeriod: { start: "2024-02-29", end: "2024-05-29" },
      numberOfRepeatsAllowed: 2,
      quantity: { value: 30, unit: "tablet", system: UCUM, code: "{tbl}" },
      expectedSupplyDuration: { value: 30, unit: "days", system: UCUM, code: "d" },
    },
    substitution: { allowedBoolean: true },
  };
}

export function medicationDispense(): R4.MedicationDispense {
  return {
    resourceType: "MedicationDispense",
    status: "completed",
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: "197361" }] },
    subject: { reference: "Patient/p-1" },
    performer: [{ actor: { reference: "Organization/pharmacy-1" } }],
    authorizingPrescription: [{ reference: "MedicationRequest/rx-1" }],
    quantity: { value: 30, unit: "tablet", system: UCUM, code: "{tbl}" },
    whenPrepared: "2024-03-01T10:00:00Z",
    whenHandedOver: "2024-03-01T10:15:00Z",
  };
}

export function serviceRequest(): R4.ServiceRequest {
  return {
    resourceType: "ServiceRequest",
    status: "active",
    intent: "order",
    priority: "routine",
    code: { coding: [{ system: LOINC, code: "2345-7", display: "Glucose [Mass/volume] in Serum or Plasma" }] },
    subject: { reference: "Patient/p-1" },
    requester: { reference: "PractitionerRole/dr-1-gp" },
    occurrenceDateTime: "2024-03-02",
    authoredOn: "2024-03-01T08:00:00Z",
  };
}

export function observation(): R4.Observation {
  return {
    resourceType: "Observation",
    status: "final",
    category: [
      {
        coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory" }],
      },
    ],
    code: { coding: [{ system: LOINC, code: "2345-7" }] },
    subject: { reference: "Patient/p-1" },
    effectiveDateTime: "2024-03-02T07:45:00+01:00",
    issued: "2024-03-02T12:00:00.000Z",
    valueQuantity: { value: 5.4, unit: "mmol/L", system: UCUM, code: "mmol/L" },
    referenceRange: [
      {
        low: { value: 3.9, unit: "mmol/L", system: UCUM, code: "mmol/L" },
        high: { value: 5.5, unit: "mmol/L", system: UCUM, code: "mmol/L" },
      },
    ],
  };
}

export function diagnosticReport(): R4.DiagnosticReport {
  return {
    resourceType: "DiagnosticReport",
    status: "final",
    code: { coding: [{ system: LOINC, code: "24323-8", display: "Comprehensive metabolic panel" }] },
    subject: { reference: "Patient/p-1" },
    effectivePeriod: { start: "2024-03-02T07:45:00Z", end: "2024-03-02T08:00:00Z" },
    issued: "2024-03-02T12:00:00Z",
    performer: [{ reference: "Organization/lab-1" }],
    result: [{ reference: "Observation/obs-1" }],
    conclusion: "Within normal limits.",
  };
}

export function consent(): R4.Consent {
  return {
    resourceType: "Consent",
    status: "active",
    scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "patient-privacy" }] },
    category: [{ coding: [{ system: LOINC, code: "59284-0" }] }],
    patient: { reference: "Patient/p-1" },
    dateTime: "2024-03-01",
    policyRule: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "OPTIN" }] },
    provision: {
      type: "permit",
      period: { start: "2024-03-01", end: "2024-03-02" },
      actor: [
        {
          role: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code: "IRCP" }] },
          reference: { reference: "Organization/pharmacy-1" },
        },
      ],
      purpose: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActReason", code: "TREAT" }],
      provision: [
        { type: "deny", class: [{ system: "http://hl7.org/fhir/resource-types", code: "DocumentReference" }] },
      ],
    },
  };
}

export function documentReference(): R4.DocumentReference {
  return {
    resourceType: "DocumentReference",
    status: "current",
    docStatus: "final",
    type: { coding: [{ system: LOINC, code: "11506-3", display: "Progress note" }] },
    subject: { reference: "Patient/p-1" },
    date: "2024-03-01T11:00:00Z",
    author: [{ reference: "Practitioner/dr-1" }],
    content: [
      {
        attachment: {
          contentType: "text/plain; charset=utf-8",
          language: "en-IE",
          data: "UGF0aWVudCBzZWVuIGZvciBmb2xsb3ctdXAu",
          title: "Progress note",
        },
      },
    ],
  };
}

/** One valid instance of every known type, by resource type. */
export const VALID_RESOURCES = {
  MedicationRequest: medicationRequest,
  MedicationDispense: medicationDispense,
  ServiceRequest: serviceRequest,
  DiagnosticReport: diagnosticReport,
  Observation: observation,
  Consent: consent,
  DocumentReference: documentReference,
} as const;

/** Loosens a typed fixture so a test can break it. */
export function mutable(resource: object): Record<string, unknown> {
  return resource as Record<string, unknown>;
}
