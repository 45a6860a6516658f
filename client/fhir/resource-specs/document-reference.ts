import { backbone, domainResource, many, optional, reference, required, requiredMany } from "../element-rules.js";
import { COMPOSITION_STATUS, DOCUMENT_REFERENCE_STATUS, DOCUMENT_RELATIONSHIP_TYPE } from "../value-sets.js";

/** R4 DocumentReference: a clinical note or other document, carried as an Attachment. */
export const DOCUMENT_REFERENCE_SPEC = domainResource("DocumentReference", {
  masterIdentifier: optional("Identifier"),
  identifier: many("Identifier"),
  status: required("code", { valueSet: DOCUMENT_REFERENCE_STATUS }),
  docStatus: optional("code", { valueSet: COMPOSITION_STATUS }),
  type: optional("CodeableConcept"),
  category: many("CodeableConcept"),
  subject: reference(["Patient", "Practitioner", "Group", "Device"], { literal: true }),
  date: optional("instant"),
  author: many("Reference", {
    targets: ["Practitioner", "PractitionerRole", "Organization", "Device", "Patient", "RelatedPerson"],
  }),
  authenticator: reference(["Practitioner", "PractitionerRole", "Organization"]),
  custodian: reference(["Organization"]),
  relatesTo: many(
    backbone({
      code: required("code", { valueSet: DOCUMENT_RELATIONSHIP_TYPE }),
      target: required("Reference", { targets: ["DocumentReference"] }),
    }),
  ),
  description: optional("string"),
  securityLabel: many("CodeableConcept"),
  content: requiredMany(backbone({ attachment: required("Attachment"), format: optional("Coding") })),
  context: optional(
    backbone({
      encounter: many("Reference", { targets: ["Encounter", "EpisodeOfCare"] }),
      event: many("CodeableConcept"),
      period: optional("Period"),
      facilityType: optional("CodeableConcept"),
      practiceSetting: optional("CodeableConcept"),
      sourcePatientInfo: reference(["Patient"]),
      related: many("Reference"),
    }),
  ),
});
