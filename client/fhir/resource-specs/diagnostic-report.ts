import { backbone, domainResource, many, optional, reference, required } from "../element-rules.js";
import { DIAGNOSTIC_REPORT_STATUS } from "../value-sets.js";

const PERFORMERS = ["Practitioner", "PractitionerRole", "Organization", "CareTeam"] as const;

/** R4 DiagnosticReport: a lab result, grouping Observations. */
export const DIAGNOSTIC_REPORT_SPEC = domainResource(
  "DiagnosticReport",
  {
    identifier: many("Identifier"),
    basedOn: many("Reference", {
      targets: ["CarePlan", "ImmunizationRecommendation", "MedicationRequest", "NutritionOrder", "ServiceRequest"],
    }),
    status: required("code", { valueSet: DIAGNOSTIC_REPORT_STATUS }),
    category: many("CodeableConcept"),
    code: required("CodeableConcept"),
    subject: reference(["Patient", "Group", "Device", "Location"], { literal: true }),
    encounter: reference(["Encounter"]),
    issued: optional("instant"),
    performer: many("Reference", { targets: PERFORMERS }),
    resultsInterpreter: many("Reference", { targets: PERFORMERS }),
    specimen: many("Reference", { targets: ["Specimen"] }),
    result: many("Reference", { targets: ["Observation"] }),
    imagingStudy: many("Reference", { targets: ["ImagingStudy"] }),
    media: many(backbone({ comment: optional("string"), link: required("Reference", { targets: ["Media"] }) })),
    conclusion: optional("string"),
    conclusionCode: many("CodeableConcept"),
    presentedForm: many("Attachment"),
  },
  { choices: { effective: { types: ["dateTime", "Period"] } } },
);
