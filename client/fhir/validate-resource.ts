import { OperationOutcomeError, validateResource as validateWithMedplum } from "@medplum/core";
import type * as R4 from "fhir/r4.js";

import { InvalidFhirResourceError, PayloadTooLargeError } from "../errors.js";
import { checkCareLedgerRules } from "./careledger-rules.js";
import { serializeCanonicalJson } from "./jcs.js";
import { copyFhirJsonShape } from "./json-shape.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { isJsonArray, isJsonObject } from "./json-value.js";
import { MAX_PAYLOAD_BYTES } from "./limits.js";
import type { ValidationIssue } from "./medplum-issues.js";
import { errorFromIssues } from "./medplum-issues.js";
import { useR4Definitions } from "./r4-definitions.js";
import { DEFINED_RESOURCE_TYPES, isKnownResourceType } from "./resource-types.js";

export type { KnownResourceType } from "./resource-types.js";
export { KNOWN_RESOURCE_TYPES } from "./resource-types.js";

/** The resource types CareLedger writes, the only ones validation accepts. */
export type KnownFhirResource =
  | R4.MedicationRequest
  | R4.MedicationDispense
  | R4.ServiceRequest
  | R4.DiagnosticReport
  | R4.Observation
  | R4.Consent
  | R4.DocumentReference;

/**
 * A resource of another type, as a record read back may hold one written before CareLedger
 * refused other types. Validation never returns one.
 */
export interface OtherFhirResource {
  readonly resourceType: string;
  readonly [element: string]: JsonValue | undefined;
}

export type FhirResource = KnownFhirResource | OtherFhirResource;

/** R4 resource type names are PascalCase ASCII. */
const RESOURCE_TYPE_RE = /^[A-Z][A-Za-z]{1,63}$/;

/**
 * Validates an untrusted value as a FHIR R4 resource CareLedger may write, and returns it
 * typed. Throws InvalidFhirResourceError (with the failing path) or PayloadTooLargeError
 * (canonical JSON over MAX_PAYLOAD_BYTES). The value itself is returned, never modified.
 */
export function validateResource(input: unknown): KnownFhirResource {
  return validateAndSerialize(input).resource;
}

/**
 * Validation and RFC 8785 serialisation in one pass, so the size check measures the real bytes.
 *
 * Order: the hostile-input guard (shape, depth, names, Unicode) and the size limit come before
 * anything parses the resource; then the resource type; then @medplum/core's validator against
 * the bundled R4 definitions (structure, cardinality, types, formats, unknown elements, element
 * invariants); then CareLedger's own rules (careledger-rules.ts). All of it runs on the copy the
 * guard made, and the bytes returned are that copy's.
 */
export function validateAndSerialize(input: unknown): { resource: KnownFhirResource; canonicalBytes: Uint8Array } {
  const rootPath = rootPathOf(input);
  const copy = copyFhirJsonShape(input, rootPath);
  const canonicalBytes = serializeCanonicalJson(copy);
  if (canonicalBytes.length > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(MAX_PAYLOAD_BYTES, canonicalBytes.length);
  }
  checkResourceTypes(copy, rootPath);
  useR4Definitions();
  try {
    validateWithMedplum(copy as unknown as Parameters<typeof validateWithMedplum>[0]);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    const issues = (error.outcome as { issue?: readonly ValidationIssue[] }).issue ?? [];
    throw errorFromIssues(issues) ?? new InvalidFhirResourceError(rootPath, "invalid-format");
  }
  checkCareLedgerRules(copy);
  // The passes above are what make this cast sound.
  return { resource: input as KnownFhirResource, canonicalBytes };
}

/**
 * The root must be a type CareLedger writes; contained resources may also be a Medication.
 * Medplum can only validate types whose definitions are bundled, so this runs first.
 */
function checkResourceTypes(resource: JsonObject, rootPath: string): void {
  const resourceType = checkResourceType(resource, rootPath);
  if (!isKnownResourceType(resourceType)) {
    throw new InvalidFhirResourceError(`${rootPath}.resourceType`, "not-in-value-set");
  }
  if (!isJsonArray(resource.contained)) return;
  resource.contained.forEach((item, index) => {
    const path = `${rootPath}.contained[${index}]`;
    if (!isJsonObject(item)) return;
    // dom-2, checked here because the resources it forbids are never looked at.
    if (Object.hasOwn(item, "contained")) {
      throw new InvalidFhirResourceError(`${path}.contained`, "constraint", "dom-2");
    }
    if (!DEFINED_RESOURCE_TYPES.includes(checkResourceType(item, path))) {
      throw new InvalidFhirResourceError(`${path}.resourceType`, "not-in-value-set");
    }
  });
}

function checkResourceType(node: JsonObject, path: string): string {
  const resourceType = node.resourceType;
  if (resourceType === undefined) {
    throw new InvalidFhirResourceError(`${path}.resourceType`, "required");
  }
  if (typeof resourceType !== "string") {
    throw new InvalidFhirResourceError(`${path}.resourceType`, "wrong-type");
  }
  if (!RESOURCE_TYPE_RE.test(resourceType)) {
    throw new InvalidFhirResourceError(`${path}.resourceType`, "invalid-format");
  }
  return resourceType;
}

/** Names the root in error paths without reading through getters or echoing junk. */
function rootPathOf(input: unknown): string {
  if (typeof input !== "object" || input === null) {
    return "Resource";
  }
  const resourceType: unknown = Object.getOwnPropertyDescriptor(input, "resourceType")?.value;
  return typeof resourceType === "string" && RESOURCE_TYPE_RE.test(resourceType) ? resourceType : "Resource";
}
