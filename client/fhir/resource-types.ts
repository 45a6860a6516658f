/** The resource types CareLedger writes; every other type is refused. */
export const KNOWN_RESOURCE_TYPES = [
  "MedicationRequest",
  "MedicationDispense",
  "ServiceRequest",
  "DiagnosticReport",
  "Observation",
  "Consent",
  "DocumentReference",
] as const;

export type KnownResourceType = (typeof KNOWN_RESOURCE_TYPES)[number];

/**
 * Types a record may carry in `contained` besides its own: a prescription or dispense names
 * its medicine through `medicationReference`, often to a contained Medication.
 */
export const CONTAINED_ONLY_RESOURCE_TYPES = ["Medication"] as const;

/** Every resource type whose StructureDefinition the bundled definitions hold. */
export const DEFINED_RESOURCE_TYPES: readonly string[] = [...KNOWN_RESOURCE_TYPES, ...CONTAINED_ONLY_RESOURCE_TYPES];

export function isKnownResourceType(resourceType: string): resourceType is KnownResourceType {
  return (KNOWN_RESOURCE_TYPES as readonly string[]).includes(resourceType);
}
