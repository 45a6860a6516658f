// Synthetic FHIR R4 resources for the demo and the privacy scan. The person and every identifier
// are invented; they exist so that the tests can prove none of this text ever reaches the chain.
import type * as R4 from "fhir/r4.js";

const RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm";
const LOINC = "http://loinc.org";
const UCUM = "http://unitsofmeasure.org";

/** Text from the payloads that must never appear on-chain, in logs or in errors. */
export const DEMO_PLAINTEXT = {
  patientName: "Aoife Byrne-Fitzgerald",
  patientMrn: "MRN-IE-0048213",
  drug: "Amlodipine 5 MG Oral Tablet",
  test: "Glucose [Mass/volume] in Serum or Plasma",
  resultValue: "5.4 mmol/L",
  diagnosis: "Essential hypertension, newly diagnosed",
} as const;

function subject(patient: string): R4.Reference {
  return {
    reference: `Patient/${patient.toLowerCase()}`,
    display: DEMO_PLAINTEXT.patientName,
    identifier: { system: "urn:ie:hse:mrn", value: DEMO_PLAINTEXT.patientMrn },
  };
}

// The drug, its unit and the test are coded once, so the prescription and its dispense (the order and
// its report) always name the same thing. Fresh objects: callers may alter a resource they are given.
function drug(): R4.CodeableConcept {
  return { coding: [{ system: RXNORM, code: "197361", display: DEMO_PLAINTEXT.drug }] };
}

function glucoseTest(): R4.CodeableConcept {
  return { coding: [{ system: LOINC, code: "2345-7", display: DEMO_PLAINTEXT.test }] };
}

function tablets(count: number): R4.Quantity {
  return { value: count, unit: "tablet", system: UCUM, code: "{tbl}" };
}

/** What a MedicationRequest and a ServiceRequest share: an active order for the patient, written now. */
function activeOrder(patient: string) {
  return {
    status: "active" as const,
    intent: "order" as const,
    subject: subject(patient),
    authoredOn: new Date().toISOString(),
  };
}

export function medicationRequest(patient: string): R4.MedicationRequest {
  return {
    resourceType: "MedicationRequest",
    ...activeOrder(patient),
    medicationCodeableConcept: drug(),
    reasonCode: [{ text: DEMO_PLAINTEXT.diagnosis }],
    dosageInstruction: [{ sequence: 1, text: "One tablet daily" }],
    dispenseRequest: { numberOfRepeatsAllowed: 0, quantity: tablets(30) },
  };
}

export function medicationDispense(patient: string, prescription: string, amount: number): R4.MedicationDispense {
  return {
    resourceType: "MedicationDispense",
    status: "completed",
    medicationCodeableConcept: drug(),
    subject: subject(patient),
    authorizingPrescription: [{ reference: `MedicationRequest/${prescription.slice(2, 18)}` }],
    quantity: tablets(amount),
    whenHandedOver: new Date().toISOString(),
  };
}

export function serviceRequest(patient: string): R4.ServiceRequest {
  return { resourceType: "ServiceRequest", ...activeOrder(patient), code: glucoseTest() };
}

export function diagnosticReport(patient: string, order: string): R4.DiagnosticReport {
  return {
    resourceType: "DiagnosticReport",
    status: "final",
    basedOn: [{ reference: `ServiceRequest/${order.slice(2, 18)}` }],
    code: glucoseTest(),
    subject: subject(patient),
    issued: new Date().toISOString(),
    conclusion: `Fasting glucose ${DEMO_PLAINTEXT.resultValue}, within normal limits.`,
  };
}

export function observationNote(patient: string): R4.Observation {
  return {
    resourceType: "Observation",
    status: "final",
    code: { text: "Clinical impression" },
    subject: subject(patient),
    effectiveDateTime: new Date().toISOString(),
    valueString: DEMO_PLAINTEXT.diagnosis,
  };
}
