import type { BackboneSpec, ChoiceRule } from "../element-rules.js";
import { backbone, domainResource, has, hasChoice, many, optional, reference, required } from "../element-rules.js";
import type { JsonObject, JsonValue } from "../json-value.js";
import { isJsonArray, isJsonObject } from "../json-value.js";
import { OBSERVATION_STATUS } from "../value-sets.js";

const OBSERVATION_VALUE: ChoiceRule = {
  types: [
    "Quantity",
    "CodeableConcept",
    "string",
    "boolean",
    "integer",
    "Range",
    "Ratio",
    "SampledData",
    "time",
    "dateTime",
    "Period",
  ],
};

const REFERENCE_RANGE: BackboneSpec = backbone(
  {
    low: optional("SimpleQuantity"),
    high: optional("SimpleQuantity"),
    type: optional("CodeableConcept"),
    appliesTo: many("CodeableConcept"),
    age: optional("Range"),
    text: optional("string"),
  },
  {
    invariants: [{ key: "obs-3", holds: (node) => has(node, "low") || has(node, "high") || has(node, "text") }],
  },
);

const COMPONENT: BackboneSpec = backbone(
  {
    code: required("CodeableConcept"),
    dataAbsentReason: optional("CodeableConcept"),
    interpretation: many("CodeableConcept"),
    referenceRange: many(REFERENCE_RANGE),
  },
  { choices: { value: OBSERVATION_VALUE } },
);

function codingKeys(concept: JsonValue | undefined): Set<string> {
  const keys = new Set<string>();
  if (isJsonObject(concept) && isJsonArray(concept.coding)) {
    for (const coding of concept.coding) {
      if (isJsonObject(coding) && typeof coding.code === "string") {
        keys.add(`${String(coding.system ?? "")}|${coding.code}`);
      }
    }
  }
  return keys;
}

/** obs-7: a value on the Observation itself must not duplicate a component with the same code. */
function valueNotDuplicatedInComponents(node: JsonObject): boolean {
  if (!hasChoice(node, "value") || !isJsonArray(node.component)) {
    return true;
  }
  const own = codingKeys(node.code);
  return node.component.every((component) => {
    const componentCode = isJsonObject(component) ? component.code : undefined;
    return ![...codingKeys(componentCode)].some((key) => own.has(key));
  });
}

/** R4 Observation: one measured or asserted result. */
export const OBSERVATION_SPEC = domainResource(
  "Observation",
  {
    identifier: many("Identifier"),
    basedOn: many("Reference", {
      targets: [
        "CarePlan",
        "DeviceRequest",
        "ImmunizationRecommendation",
        "MedicationRequest",
        "NutritionOrder",
        "ServiceRequest",
      ],
    }),
    partOf: many("Reference", {
      targets: [
        "MedicationAdministration",
        "MedicationDispense",
        "MedicationStatement",
        "Procedure",
        "Immunization",
        "ImagingStudy",
      ],
    }),
    status: required("code", { valueSet: OBSERVATION_STATUS }),
    category: many("CodeableConcept"),
    code: required("CodeableConcept"),
    subject: reference(["Patient", "Group", "Device", "Location"], { literal: true }),
    focus: many("Reference"),
    encounter: reference(["Encounter"]),
    issued: optional("instant"),
    performer: many("Reference", {
      targets: ["Practitioner", "PractitionerRole", "Organization", "CareTeam", "Patient", "RelatedPerson"],
    }),
    dataAbsentReason: optional("CodeableConcept"),
    interpretation: many("CodeableConcept"),
    note: many("Annotation"),
    bodySite: optional("CodeableConcept"),
    method: optional("CodeableConcept"),
    specimen: reference(["Specimen"]),
    device: reference(["Device", "DeviceMetric"]),
    referenceRange: many(REFERENCE_RANGE),
    hasMember: many("Reference", { targets: ["Observation", "QuestionnaireResponse", "MolecularSequence"] }),
    derivedFrom: many("Reference", {
      targets: [
        "DocumentReference",
        "ImagingStudy",
        "Media",
        "QuestionnaireResponse",
        "Observation",
        "MolecularSequence",
      ],
    }),
    component: many(COMPONENT),
  },
  {
    choices: {
      effective: { types: ["dateTime", "Period", "Timing", "instant"] },
      value: OBSERVATION_VALUE,
    },
    invariants: [
      {
        key: "obs-6",
        at: "dataAbsentReason",
        holds: (node) => !has(node, "dataAbsentReason") || !hasChoice(node, "value"),
      },
      { key: "obs-7", holds: valueNotDuplicatedInComponents },
    ],
  },
);
