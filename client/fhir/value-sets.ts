/**
 * Codes of the R4 (4.0.1) value sets that have a *required* binding on the elements
 * CareLedger checks. Names follow the value set's canonical name.
 */
export const MEDICATION_REQUEST_STATUS = [
  "active",
  "on-hold",
  "cancelled",
  "completed",
  "entered-in-error",
  "stopped",
  "draft",
  "unknown",
] as const;

export const MEDICATION_REQUEST_INTENT = [
  "proposal",
  "plan",
  "order",
  "original-order",
  "reflex-order",
  "filler-order",
  "instance-order",
  "option",
] as const;

export const REQUEST_PRIORITY = ["routine", "urgent", "asap", "stat"] as const;

export const MEDICATION_DISPENSE_STATUS = [
  "preparation",
  "in-progress",
  "cancelled",
  "on-hold",
  "completed",
  "entered-in-error",
  "stopped",
  "declined",
  "unknown",
] as const;

export const REQUEST_STATUS = [
  "draft",
  "active",
  "on-hold",
  "revoked",
  "completed",
  "entered-in-error",
  "unknown",
] as const;

export const REQUEST_INTENT = [
  "proposal",
  "plan",
  "directive",
  "order",
  "original-order",
  "reflex-order",
  "filler-order",
  "instance-order",
  "option",
] as const;

export const DIAGNOSTIC_REPORT_STATUS = [
  "registered",
  "partial",
  "preliminary",
  "final",
  "amended",
  "corrected",
  "appended",
  "cancelled",
  "entered-in-error",
  "unknown",
] as const;

export const OBSERVATION_STATUS = [
  "registered",
  "preliminary",
  "final",
  "amended",
  "corrected",
  "cancelled",
  "entered-in-error",
  "unknown",
] as const;

export const CONSENT_STATE = ["draft", "proposed", "active", "rejected", "inactive", "entered-in-error"] as const;
export const CONSENT_PROVISION_TYPE = ["deny", "permit"] as const;
export const CONSENT_DATA_MEANING = ["instance", "related", "dependents", "authoredby"] as const;

export const DOCUMENT_REFERENCE_STATUS = ["current", "superseded", "entered-in-error"] as const;
export const COMPOSITION_STATUS = ["preliminary", "final", "amended", "entered-in-error"] as const;
export const DOCUMENT_RELATIONSHIP_TYPE = ["replaces", "transforms", "signs", "appends"] as const;

export const IDENTIFIER_USE = ["usual", "official", "temp", "secondary", "old"] as const;
export const QUANTITY_COMPARATOR = ["<", "<=", ">=", ">"] as const;
export const NARRATIVE_STATUS = ["generated", "extensions", "additional", "empty"] as const;
