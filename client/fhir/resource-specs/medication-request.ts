import { backbone, domainResource, many, optional, reference, required } from "../element-rules.js";
import { MEDICATION_REQUEST_INTENT, MEDICATION_REQUEST_STATUS, REQUEST_PRIORITY } from "../value-sets.js";

/** R4 MedicationRequest: a prescription. */
export const MEDICATION_REQUEST_SPEC = domainResource(
  "MedicationRequest",
  {
    identifier: many("Identifier"),
    status: required("code", { valueSet: MEDICATION_REQUEST_STATUS }),
    statusReason: optional("CodeableConcept"),
    intent: required("code", { valueSet: MEDICATION_REQUEST_INTENT }),
    category: many("CodeableConcept"),
    priority: optional("code", { valueSet: REQUEST_PRIORITY }),
    doNotPerform: optional("boolean"),
    subject: required("Reference", { targets: ["Patient", "Group"], literal: true }),
    encounter: reference(["Encounter"]),
    supportingInformation: many("Reference"),
    authoredOn: optional("dateTime"),
    requester: reference(["Practitioner", "PractitionerRole", "Organization", "Patient", "RelatedPerson", "Device"]),
    performer: reference([
      "Practitioner",
      "PractitionerRole",
      "Organization",
      "Patient",
      "Device",
      "RelatedPerson",
      "CareTeam",
    ]),
    performerType: optional("CodeableConcept"),
    recorder: reference(["Practitioner", "PractitionerRole"]),
    reasonCode: many("CodeableConcept"),
    reasonReference: many("Reference", { targets: ["Condition", "Observation"] }),
    instantiatesCanonical: many("canonical"),
    instantiatesUri: many("uri"),
    basedOn: many("Reference", {
      targets: ["CarePlan", "MedicationRequest", "ServiceRequest", "ImmunizationRecommendation"],
    }),
    groupIdentifier: optional("Identifier"),
    courseOfTherapyType: optional("CodeableConcept"),
    insurance: many("Reference", { targets: ["Coverage", "ClaimResponse"] }),
    note: many("Annotation"),
    dosageInstruction: many("Dosage"),
    dispenseRequest: optional(
      backbone({
        initialFill: optional(backbone({ quantity: optional("SimpleQuantity"), duration: optional("Duration") })),
        dispenseInterval: optional("Duration"),
        validityPeriod: optional("Period"),
        numberOfRepeatsAllowed: optional("unsignedInt"),
        quantity: optional("SimpleQuantity"),
        expectedSupplyDuration: optional("Duration"),
        performer: reference(["Organization"]),
      }),
    ),
    substitution: optional(
      backbone(
        { reason: optional("CodeableConcept") },
        { choices: { allowed: { types: ["boolean", "CodeableConcept"], required: true } } },
      ),
    ),
    priorPrescription: reference(["MedicationRequest"]),
    detectedIssue: many("Reference", { targets: ["DetectedIssue"] }),
    eventHistory: many("Reference", { targets: ["Provenance"] }),
  },
  {
    choices: {
      reported: {
        types: ["boolean", "Reference"],
        targets: ["Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Organization"],
      },
      medication: { types: ["CodeableConcept", "Reference"], required: true, targets: ["Medication"] },
    },
  },
);
