import type { BackboneSpec, ElementRule } from "../element-rules.js";
import {
  BACKBONE_BASE,
  backbone,
  domainResource,
  has,
  many,
  optional,
  reference,
  required,
  requiredMany,
} from "../element-rules.js";
import type { JsonObject } from "../json-value.js";
import { isJsonArray, isJsonObject } from "../json-value.js";
import { CONSENT_DATA_MEANING, CONSENT_PROVISION_TYPE, CONSENT_STATE } from "../value-sets.js";

const CONSENT_SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope";

// Provisions nest (a provision's exceptions are provisions), so the spec refers to itself
// through a getter that is only read during validation.
const PROVISION: BackboneSpec = {
  get elements(): Readonly<Record<string, ElementRule>> {
    return PROVISION_ELEMENTS;
  },
};

const PROVISION_ELEMENTS: Readonly<Record<string, ElementRule>> = {
  ...BACKBONE_BASE,
  type: optional("code", { valueSet: CONSENT_PROVISION_TYPE }),
  period: optional("Period"),
  actor: many(
    backbone({
      role: required("CodeableConcept"),
      reference: required("Reference", {
        targets: [
          "Device",
          "Group",
          "CareTeam",
          "Organization",
          "Patient",
          "Practitioner",
          "RelatedPerson",
          "PractitionerRole",
        ],
      }),
    }),
  ),
  action: many("CodeableConcept"),
  securityLabel: many("Coding"),
  purpose: many("Coding"),
  class: many("Coding"),
  code: many("CodeableConcept"),
  dataPeriod: optional("Period"),
  data: many(
    backbone({
      meaning: required("code", { valueSet: CONSENT_DATA_MEANING }),
      reference: required("Reference"),
    }),
  ),
  provision: many(PROVISION),
};

function scopeIs(node: JsonObject, code: string): boolean {
  const scope = node.scope;
  return (
    isJsonObject(scope) &&
    isJsonArray(scope.coding) &&
    scope.coding.some(
      (coding) => isJsonObject(coding) && coding.system === CONSENT_SCOPE_SYSTEM && coding.code === code,
    )
  );
}

/**
 * ppc-2..ppc-5 as their R4 descriptions state them. (The published FHIRPath compares the
 * scope system with the placeholder 'something', which makes them never fire; CareLedger
 * enforces the intent with the real consentscope system.)
 */
const patientRequiredForScope = (key: string, code: string) => ({
  key,
  at: "patient",
  holds: (node: JsonObject) => has(node, "patient") || !scopeIs(node, code),
});

/** R4 Consent: a patient's permit/deny decision on who may see what. */
export const CONSENT_SPEC = domainResource(
  "Consent",
  {
    identifier: many("Identifier"),
    status: required("code", { valueSet: CONSENT_STATE }),
    scope: required("CodeableConcept"),
    category: requiredMany("CodeableConcept"),
    patient: reference(["Patient"], { literal: true }),
    dateTime: optional("dateTime"),
    performer: many("Reference", {
      targets: ["Organization", "Patient", "Practitioner", "RelatedPerson", "PractitionerRole"],
    }),
    organization: many("Reference", { targets: ["Organization"] }),
    policy: many(backbone({ authority: optional("uri"), uri: optional("uri") })),
    policyRule: optional("CodeableConcept"),
    verification: many(
      backbone({
        verified: required("boolean"),
        verifiedWith: reference(["Patient", "RelatedPerson"]),
        verificationDate: optional("dateTime"),
      }),
    ),
    provision: optional(PROVISION),
  },
  {
    choices: {
      source: {
        types: ["Attachment", "Reference"],
        targets: ["Consent", "DocumentReference", "Contract", "QuestionnaireResponse"],
      },
    },
    invariants: [
      { key: "ppc-1", holds: (node) => has(node, "policy") || has(node, "policyRule") },
      patientRequiredForScope("ppc-2", "patient-privacy"),
      patientRequiredForScope("ppc-3", "research"),
      patientRequiredForScope("ppc-4", "adr"),
      patientRequiredForScope("ppc-5", "treatment"),
    ],
  },
);
