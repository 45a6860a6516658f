import { domainResource, has, many, optional, reference, required } from "../element-rules.js";
import { REQUEST_INTENT, REQUEST_PRIORITY, REQUEST_STATUS } from "../value-sets.js";

/** R4 ServiceRequest: a lab or other order. */
export const SERVICE_REQUEST_SPEC = domainResource(
  "ServiceRequest",
  {
    identifier: many("Identifier"),
    instantiatesCanonical: many("canonical"),
    instantiatesUri: many("uri"),
    basedOn: many("Reference", { targets: ["CarePlan", "ServiceRequest", "MedicationRequest"] }),
    replaces: many("Reference", { targets: ["ServiceRequest"] }),
    requisition: optional("Identifier"),
    status: required("code", { valueSet: REQUEST_STATUS }),
    intent: required("code", { valueSet: REQUEST_INTENT }),
    category: many("CodeableConcept"),
    priority: optional("code", { valueSet: REQUEST_PRIORITY }),
    doNotPerform: optional("boolean"),
    code: optional("CodeableConcept"),
    orderDetail: many("CodeableConcept"),
    subject: required("Reference", { targets: ["Patient", "Group", "Location", "Device"], literal: true }),
    encounter: reference(["Encounter"]),
    authoredOn: optional("dateTime"),
    requester: reference(["Practitioner", "PractitionerRole", "Organization", "Patient", "RelatedPerson", "Device"]),
    performerType: optional("CodeableConcept"),
    performer: many("Reference", {
      targets: [
        "Practitioner",
        "PractitionerRole",
        "Organization",
        "CareTeam",
        "HealthcareService",
        "Patient",
        "Device",
        "RelatedPerson",
      ],
    }),
    locationCode: many("CodeableConcept"),
    locationReference: many("Reference", { targets: ["Location"] }),
    reasonCode: many("CodeableConcept"),
    reasonReference: many("Reference", {
      targets: ["Condition", "Observation", "DiagnosticReport", "DocumentReference"],
    }),
    insurance: many("Reference", { targets: ["Coverage", "ClaimResponse"] }),
    supportingInfo: many("Reference"),
    specimen: many("Reference", { targets: ["Specimen"] }),
    bodySite: many("CodeableConcept"),
    note: many("Annotation"),
    patientInstruction: optional("string"),
    relevantHistory: many("Reference", { targets: ["Provenance"] }),
  },
  {
    choices: {
      quantity: { types: ["Quantity", "Ratio", "Range"] },
      occurrence: { types: ["dateTime", "Period", "Timing"] },
      asNeeded: { types: ["boolean", "CodeableConcept"] },
    },
    invariants: [{ key: "prr-1", at: "orderDetail", holds: (node) => !has(node, "orderDetail") || has(node, "code") }],
  },
);
