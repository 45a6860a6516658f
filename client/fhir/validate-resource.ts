import type * as R4 from "fhir/r4.js";

import { InvalidFhirResourceError, PayloadTooLargeError } from "../errors.js";
import type { BackboneSpec, ResourceSpec } from "./element-rules.js";
import { RESOURCE_BASE, has } from "./element-rules.js";
import { serializeCanonicalJson } from "./jcs.js";
import { assertFhirJsonShape } from "./json-shape.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { isJsonArray, isJsonObject } from "./json-value.js";
import { MAX_PAYLOAD_BYTES } from "./limits.js";
import { CONSENT_SPEC } from "./resource-specs/consent.js";
import { DIAGNOSTIC_REPORT_SPEC } from "./resource-specs/diagnostic-report.js";
import { DOCUMENT_REFERENCE_SPEC } from "./resource-specs/document-reference.js";
import { MEDICATION_DISPENSE_SPEC } from "./resource-specs/medication-dispense.js";
import { MEDICATION_REQUEST_SPEC } from "./resource-specs/medication-request.js";
import { OBSERVATION_SPEC } from "./resource-specs/observation.js";
import { SERVICE_REQUEST_SPEC } from "./resource-specs/service-request.js";
import type { ValidationContext } from "./spec-validator.js";
import { validateAgainstSpec } from "./spec-validator.js";

/** The resource types CareLedger writes and validates element by element. */
export type KnownFhirResource =
  | R4.MedicationRequest
  | R4.MedicationDispense
  | R4.ServiceRequest
  | R4.DiagnosticReport
  | R4.Observation
  | R4.Consent
  | R4.DocumentReference;

/** Any other resource type: only the structural rules and the base Resource elements are checked. */
export interface OtherFhirResource {
  readonly resourceType: string;
  readonly [element: string]: JsonValue | undefined;
}

export type FhirResource = KnownFhirResource | OtherFhirResource;

export type KnownResourceType = KnownFhirResource["resourceType"];

const RESOURCE_SPECS: ReadonlyMap<string, ResourceSpec> = new Map(
  [
    MEDICATION_REQUEST_SPEC,
    MEDICATION_DISPENSE_SPEC,
    SERVICE_REQUEST_SPEC,
    DIAGNOSTIC_REPORT_SPEC,
    OBSERVATION_SPEC,
    CONSENT_SPEC,
    DOCUMENT_REFERENCE_SPEC,
  ].map((spec) => [spec.resourceType, spec]),
);

export const KNOWN_RESOURCE_TYPES: readonly KnownResourceType[] = [...RESOURCE_SPECS.keys()] as KnownResourceType[];

const ANY_RESOURCE_SPEC: BackboneSpec = { elements: RESOURCE_BASE };

/** R4 resource type names are PascalCase ASCII. */
const RESOURCE_TYPE_RE = /^[A-Z][A-Za-z]{1,63}$/;

/**
 * Validates an untrusted value as a FHIR R4 resource CareLedger may write, and returns it
 * typed. Throws InvalidFhirResourceError (with the failing path) or PayloadTooLargeError
 * (canonical JSON over MAX_PAYLOAD_BYTES). The value is not copied or modified.
 */
export function validateResource(input: unknown): FhirResource {
  return validateAndSerialize(input).resource;
}

/** Validation and RFC 8785 serialisation in one pass, so the size check measures the real bytes. */
export function validateAndSerialize(input: unknown): { resource: FhirResource; canonicalBytes: Uint8Array } {
  const rootPath = rootPathOf(input);
  assertFhirJsonShape(input, rootPath);
  const context: ValidationContext = {
    containedIds: containedIdsOf(input),
    validateNestedResource: (node, path) => validateResourceNode(node, path, context, true),
  };
  validateResourceNode(input, rootPath, context, false);
  const canonicalBytes = serializeCanonicalJson(input);
  if (canonicalBytes.length > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(MAX_PAYLOAD_BYTES, canonicalBytes.length);
  }
  // The shape and spec passes above are what make this cast sound.
  return { resource: input as unknown as FhirResource, canonicalBytes };
}

function validateResourceNode(node: JsonObject, path: string, context: ValidationContext, contained: boolean): void {
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
  if (contained) {
    checkContainedRules(node, path);
  }
  validateAgainstSpec(node, RESOURCE_SPECS.get(resourceType) ?? ANY_RESOURCE_SPEC, path, context);
}

/** dom-2, dom-4 and dom-5: what a contained resource may not carry. */
function checkContainedRules(node: JsonObject, path: string): void {
  if (has(node, "contained")) {
    throw new InvalidFhirResourceError(`${path}.contained`, "constraint", "dom-2");
  }
  const meta = node.meta;
  if (isJsonObject(meta)) {
    if (has(meta, "versionId") || has(meta, "lastUpdated")) {
      throw new InvalidFhirResourceError(`${path}.meta`, "constraint", "dom-4");
    }
    if (has(meta, "security")) {
      throw new InvalidFhirResourceError(`${path}.meta.security`, "constraint", "dom-5");
    }
  }
}

function containedIdsOf(resource: JsonObject): ReadonlySet<string> {
  const ids = new Set<string>();
  if (isJsonArray(resource.contained)) {
    for (const item of resource.contained) {
      if (isJsonObject(item) && typeof item.id === "string") {
        ids.add(item.id);
      }
    }
  }
  return ids;
}

/** Names the root in error paths without reading through getters or echoing junk. */
function rootPathOf(input: unknown): string {
  if (typeof input !== "object" || input === null) {
    return "Resource";
  }
  const resourceType: unknown = Object.getOwnPropertyDescriptor(input, "resourceType")?.value;
  return typeof resourceType === "string" && RESOURCE_TYPE_RE.test(resourceType) ? resourceType : "Resource";
}
