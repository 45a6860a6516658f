import { backbone, domainResource, many, optional, reference, required } from "../element-rules.js";
import { compareDateTimes } from "../primitive-formats.js";
import { MEDICATION_DISPENSE_STATUS } from "../value-sets.js";

/** R4 MedicationDispense: a pharmacy filling a prescription. */
export const MEDICATION_DISPENSE_SPEC = domainResource(
  "MedicationDispense",
  {
    identifier: many("Identifier"),
    partOf: many("Reference", { targets: ["Procedure"] }),
    status: required("code", { valueSet: MEDICATION_DISPENSE_STATUS }),
    category: optional("CodeableConcept"),
    // 0..1 in R4; when present it must be literal like every CareLedger record subject.
    subject: reference(["Patient", "Group"], { literal: true }),
    context: reference(["Encounter", "EpisodeOfCare"]),
    supportingInformation: many("Reference"),
    performer: many(
      backbone({
        function: optional("CodeableConcept"),
        actor: required("Reference", {
          targets: ["Practitioner", "PractitionerRole", "Organization", "Patient", "Device", "RelatedPerson"],
        }),
      }),
    ),
    location: reference(["Location"]),
    authorizingPrescription: many("Reference", { targets: ["MedicationRequest"] }),
    type: optional("CodeableConcept"),
    quantity: optional("SimpleQuantity"),
    daysSupply: optional("SimpleQuantity"),
    whenPrepared: optional("dateTime"),
    whenHandedOver: optional("dateTime"),
    destination: reference(["Location"]),
    receiver: many("Reference", { targets: ["Patient", "Practitioner"] }),
    note: many("Annotation"),
    dosageInstruction: many("Dosage"),
    substitution: optional(
      backbone({
        wasSubstituted: required("boolean"),
        type: optional("CodeableConcept"),
        reason: many("CodeableConcept"),
        responsibleParty: many("Reference", { targets: ["Practitioner", "PractitionerRole"] }),
      }),
    ),
    detectedIssue: many("Reference", { targets: ["DetectedIssue"] }),
    eventHistory: many("Reference", { targets: ["Provenance"] }),
  },
  {
    choices: {
      statusReason: { types: ["CodeableConcept", "Reference"], targets: ["DetectedIssue"] },
      medication: { types: ["CodeableConcept", "Reference"], required: true, targets: ["Medication"] },
    },
    invariants: [
      {
        key: "mdd-1",
        at: "whenHandedOver",
        holds: (node) =>
          typeof node.whenHandedOver !== "string" ||
          typeof node.whenPrepared !== "string" ||
          (compareDateTimes(node.whenHandedOver, node.whenPrepared) ?? 0) >= 0,
      },
    ],
  },
);
