import type * as R4 from "fhir/r4.js";

/**
 * Valid FHIR R4 resources for the SDK suites. Each takes a label that goes into a note or an
 * identifier, so two calls give two different records (and tests can look for the label in
 * places it must never appear: errors, logs, the chain).
 */

const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
const LOINC = "http://loinc.org";
const UCUM = "http://unitsofmeasure.org";

export function medicationRequest(label: string): R4.MedicationRequest {
  return {
    resourceType: "MedicationRequest",
    identifier: [{ system: "urn:example:rx", value: label }],
    status: "active",
    intent: "order",
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: "197361", display: "Amlodipine 5 MG Oral Tablet" }] },
    subject: { reference: "Patient/p-1" },
    authoredOn: "2024-02-29T09:30:00+00:00",
    dosageInstruction: [{ text: "One tablet daily" }],
    dispenseRequest: { quantity: { value: 30, unit: "tablet", system: UCUM, code: "{tbl}" } },
  };
}

export function medicationDispense(label: string): R4.MedicationDispense {
  return {
    resourceType: "MedicationDispense",
    identifier: [{ system: "urn:example:dispense", value: label }],
    status: "completed",
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: "197361" }] },
    subject: { reference: "Patient/p-1" },
    quantity: { value: 10, unit: "tablet", system: UCUM, code: "{tbl}" },
    whenHandedOver: "2024-03-01T10:15:00Z",
  };
}

export function serviceRequest(label: string): R4.ServiceRequest {
  return {
    resourceType: "ServiceRequest",
    identifier: [{ system: "urn:example:order", value: label }],
    status: "active",
    intent: "order",
    code: { coding: [{ system: LOINC, code: "2345-7", display: "Glucose [Mass/volume] in Serum or Plasma" }] },
    subject: { reference: "Patient/p-1" },
    authoredOn: "2024-03-01T08:00:00Z",
  };
}

export function diagnosticReport(label: string): R4.DiagnosticReport {
  return {
    resourceType: "DiagnosticReport",
    identifier: [{ system: "urn:example:report", value: label }],
    status: "final",
    code: { coding: [{ system: LOINC, code: "24323-8", display: "Comprehensive metabolic panel" }] },
    subject: { reference: "Patient/p-1" },
    issued: "2024-03-02T12:00:00Z",
    conclusion: "Within normal limits.",
  };
}

export function observation(label: string): R4.Observation {
  return {
    resourceType: "Observation",
    identifier: [{ system: "urn:example:obs", value: label }],
    status: "final",
    code: { coding: [{ system: LOINC, code: "8867-4", display: "Heart rate" }] },
    subject: { reference: "Patient/p-1" },
    effectiveDateTime: "2024-03-02T07:45:00+01:00",
    valueQuantity: { value: 72, unit: "beats/minute", system: UCUM, code: "/min" },
  };
}

/** An Observation whose canonical JSON is over `bytes` long, made of many valid notes. */
export function oversizedObservation(label: string, bytes: number): R4.Observation {
  const note = "x".repeat(1_000);
  return {
    ...observation(label),
    note: Array.from({ length: Math.ceil(bytes / 1_000) + 1 }, () => ({ text: note })),
  };
}
