import type {
  CrawlerVisitor,
  FhirPathAtom,
  InternalSchemaElement,
  InternalTypeSchema,
  TypedValue,
  TypedValueWithPath,
} from "@medplum/core";
import {
  capitalize,
  crawlTypedValue,
  evalFhirPathTyped,
  parseFhirPath,
  tryGetDataType,
  tryGetProfile,
} from "@medplum/core";

import { InvalidFhirResourceError } from "../errors.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { isJsonArray, isJsonObject } from "./json-value.js";
import { isR4DateTime, isR4Id, isR4XhtmlDiv } from "./primitive-formats.js";
import { requiredValueSetCodes } from "./r4-definitions.js";
import { parseLiteralReference } from "./references.js";

/**
 * The CareLedger profile, stricter than R4: these references must be literal, because a
 * record's subject has to resolve to an on-chain party.
 */
const LITERAL_REFERENCE_ELEMENTS: ReadonlySet<string> = new Set([
  "MedicationRequest.subject",
  "MedicationDispense.subject",
  "ServiceRequest.subject",
  "DiagnosticReport.subject",
  "Observation.subject",
  "DocumentReference.subject",
  "Consent.patient",
]);

const STRUCTURE_DEFINITION_BASE = "http://hl7.org/fhir/StructureDefinition/";
const CONSENT_SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope";

/**
 * ppc-2..ppc-5 as their R4 descriptions state them. The published FHIRPath compares the scope
 * system with the placeholder 'something', so it never fires; CareLedger enforces the intent
 * with the real consentscope system.
 */
const CONSENT_SCOPES_NEEDING_PATIENT: readonly (readonly [string, string])[] = [
  ["ppc-2", "patient-privacy"],
  ["ppc-3", "research"],
  ["ppc-4", "adr"],
  ["ppc-5", "treatment"],
];

const UCUM: TypedValue = { type: "uri", value: "http://unitsofmeasure.org" };
const parsedExpressions = new Map<string, FhirPathAtom>();

/**
 * The rules @medplum/core's validator reports only as warnings or does not check, run over a
 * resource it has accepted:
 * - required value-set bindings (Medplum only collects the codes);
 * - references: R4's literal forms, allowed target types, `#id` resolving to a contained
 *   resource, Reference.type agreeing with the literal; and the literal-subject profile rule;
 * - one value per choice element (Medplum warns);
 * - the invariants of datatypes and profiles (att-1, per-1, qty-3, sqty-1 ...) and of contained
 *   resources (Medplum evaluates those of the root resource and of elements only);
 * - obs-7 (Medplum compares codings by identity, so it never fires), ppc-2..ppc-5;
 * - the formats in primitive-formats.ts.
 */
export function checkCareLedgerRules(resource: JsonObject): void {
  const containedIds = new Set<string>();
  if (isJsonArray(resource.contained)) {
    for (const item of resource.contained) {
      if (isJsonObject(item) && typeof item.id === "string") containedIds.add(item.id);
    }
  }
  const root: TypedValue = { type: String(resource.resourceType), value: resource };
  crawlTypedValue(root, new CareLedgerRules(root, containedIds));
}

class CareLedgerRules implements CrawlerVisitor {
  constructor(
    private readonly root: TypedValue,
    private readonly containedIds: ReadonlySet<string>,
  ) {}

  onEnterResource(path: string, value: TypedValueWithPath): void {
    const resource = value.value as JsonObject;
    if (resource.resourceType === "Observation" && !observationValueNotRepeated(resource)) {
      throw new InvalidFhirResourceError(path, "constraint", "obs-7");
    }
    if (resource.resourceType === "Consent" && !Object.hasOwn(resource, "patient")) {
      for (const [key, scope] of CONSENT_SCOPES_NEEDING_PATIENT) {
        if (hasCoding(resource.scope, CONSENT_SCOPE_SYSTEM, scope)) {
          throw new InvalidFhirResourceError(`${path}.patient`, "constraint", key);
        }
      }
    }
  }

  onEnterObject(path: string, value: TypedValueWithPath, schema: InternalTypeSchema): void {
    const object = value.value as Record<string, JsonValue>;
    for (const [name, element] of Object.entries(schema.elements)) {
      if (!name.endsWith("[x]")) continue;
      const prefix = name.slice(0, -3);
      const present = element.type.filter(({ code }) => {
        const key = prefix + capitalize(code);
        return Object.hasOwn(object, key) || Object.hasOwn(object, `_${key}`);
      });
      if (present.length > 1) {
        throw new InvalidFhirResourceError(`${path}.${name}`, "multiple-choice-values");
      }
    }
    // Medplum reads a `_name` sibling of a complex element as if the element were a primitive,
    // which lets nulls into a complex array; R4 JSON has `_name` for primitives only.
    for (const [key, child] of Object.entries(object)) {
      if (isJsonArray(child) && !isPrimitiveElement(schema, key.replace(/^_/, ""))) {
        const index = child.indexOf(null);
        if (index >= 0) throw new InvalidFhirResourceError(`${path}.${key}[${index}]`, "unexpected-null");
      }
    }
    for (const key of Object.keys(object)) {
      if (key.startsWith("_") && !isPrimitiveElement(schema, key.slice(1))) {
        throw new InvalidFhirResourceError(path, "invalid-element-name");
      }
    }
  }

  visitProperty(
    _parent: TypedValueWithPath,
    key: string,
    _path: string,
    propertyValues: (TypedValueWithPath | TypedValueWithPath[])[],
    schema: InternalTypeSchema,
  ): void {
    const element = schema.elements[key];
    for (const value of propertyValues.flat()) {
      if (value.value === undefined || value.value === null) continue;
      this.checkBinding(value, element);
      const primitive = primitiveText(value.value);
      if (value.type === "dateTime" && primitive !== undefined && !isR4DateTime(primitive)) {
        throw new InvalidFhirResourceError(value.path, "invalid-format");
      }
      if (value.type === "xhtml" && primitive !== undefined && !isR4XhtmlDiv(primitive)) {
        throw new InvalidFhirResourceError(value.path, "invalid-format");
      }
      if (key === "id" && schema.kind === "resource" && primitive !== undefined && !isR4Id(primitive)) {
        throw new InvalidFhirResourceError(value.path, "invalid-format");
      }
      if (value.type === "Reference") {
        this.checkReference(value, element);
      }
      this.checkTypeInvariants(value, element);
    }
  }

  /** In the bundled definitions every required binding is on a `code` element (a test checks). */
  private checkBinding(value: TypedValueWithPath, element: InternalSchemaElement): void {
    const binding = element.binding as { strength?: string; valueSet?: string } | undefined;
    if (binding?.strength !== "required" || binding.valueSet === undefined) return;
    const codes = requiredValueSetCodes(binding.valueSet);
    const code = primitiveText(value.value);
    if (codes !== undefined && code !== undefined && !Object.values(codes).some((list) => list.includes(code))) {
      throw new InvalidFhirResourceError(value.path, "not-in-value-set");
    }
  }

  private checkReference(value: TypedValueWithPath, element: InternalSchemaElement): void {
    const reference = value.value as JsonObject;
    const targets = element.type
      .find(({ code }) => code === "Reference")
      ?.targetProfile?.map((profile) => profile.replace(STRUCTURE_DEFINITION_BASE, ""));
    const targetAllowed = (resourceType: string): boolean =>
      targets === undefined || targets.includes("Resource") || targets.includes(resourceType);
    const literal = reference.reference;
    if (typeof literal !== "string") {
      if (LITERAL_REFERENCE_ELEMENTS.has(element.path)) {
        throw new InvalidFhirResourceError(`${value.path}.reference`, "required");
      }
    } else {
      const parsed = parseLiteralReference(literal);
      if (parsed === undefined) {
        throw new InvalidFhirResourceError(`${value.path}.reference`, "invalid-format");
      }
      if (parsed.kind === "contained" && parsed.id !== undefined && !this.containedIds.has(parsed.id)) {
        throw new InvalidFhirResourceError(`${value.path}.reference`, "unresolved-local-reference");
      }
      if (parsed.kind === "relative" || parsed.kind === "absolute") {
        if (!targetAllowed(parsed.resourceType)) {
          throw new InvalidFhirResourceError(`${value.path}.reference`, "invalid-reference-target");
        }
        if (
          typeof reference.type === "string" &&
          !reference.type.includes(":") &&
          reference.type !== parsed.resourceType
        ) {
          throw new InvalidFhirResourceError(`${value.path}.type`, "invalid-reference-target");
        }
      }
    }
    // Reference.type may also be an absolute StructureDefinition URL; only bare type names are checked.
    if (typeof reference.type === "string" && !reference.type.includes(":") && !targetAllowed(reference.type)) {
      throw new InvalidFhirResourceError(`${value.path}.type`, "invalid-reference-target");
    }
  }

  /**
   * Medplum evaluates the invariants declared on elements; those declared on a datatype itself,
   * on a profile an element names (SimpleQuantity) or on a contained resource are evaluated here.
   */
  private checkTypeInvariants(value: TypedValueWithPath, element: InternalSchemaElement): void {
    const schema = tryGetDataType(value.type);
    if (schema?.kind !== "complex-type" && schema?.kind !== "resource") return;
    const profiles = element.type.find(({ code }) => code === value.type)?.profile ?? [];
    const constraints = [schema, ...profiles.map((url) => tryGetProfile(url))].flatMap(
      (typeSchema) => typeSchema?.constraints ?? [],
    );
    const checked = new Set<string>();
    for (const constraint of constraints) {
      if (constraint.severity !== "error" || checked.has(constraint.key)) continue;
      checked.add(constraint.key);
      const resource = schema.kind === "resource" ? value : this.root;
      if (!this.holds(constraint.expression, value, resource)) {
        throw new InvalidFhirResourceError(value.path, "constraint", constraint.key);
      }
    }
  }

  private holds(expression: string, value: TypedValue, resource: TypedValue): boolean {
    let atom = parsedExpressions.get(expression);
    if (atom === undefined) {
      atom = parseFhirPath(expression);
      parsedExpressions.set(expression, atom);
    }
    const variables = { "%context": value, "%ucum": UCUM, "%resource": resource, "%rootResource": this.root };
    try {
      const result = evalFhirPathTyped(atom, [value], variables);
      return result.length === 1 && result[0].value === true;
    } catch {
      // Medplum counts an invariant it cannot evaluate as not met; so does CareLedger.
      return false;
    }
  }
}

/**
 * Whether the JSON key names a primitive element of the type: `status`, or `valueString` for
 * `value[x]`. FHIR names primitive types in lower case and complex types in upper case.
 */
function isPrimitiveElement(schema: InternalTypeSchema, key: string): boolean {
  const types = Object.hasOwn(schema.elements, key)
    ? schema.elements[key].type.map(({ code }) => code)
    : Object.entries(schema.elements)
        .filter(([name]) => name.endsWith("[x]") && key.startsWith(name.slice(0, -3)))
        .flatMap(([name, element]) =>
          element.type.map(({ code }) => code).filter((code) => key === name.slice(0, -3) + capitalize(code)),
        );
  return types.length > 0 && types.every((code) => /^[a-z]/.test(code));
}

/** The string of a primitive, also when a `_name` sibling made Medplum box it with its extension. */
function primitiveText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof String) return value.valueOf();
  return undefined;
}

function hasCoding(concept: JsonValue | undefined, system: string, code: string): boolean {
  return (
    isJsonObject(concept) &&
    isJsonArray(concept.coding) &&
    concept.coding.some((coding) => isJsonObject(coding) && coding.system === system && coding.code === code)
  );
}

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

/** obs-7: a value on the Observation itself must not repeat a component with the same code. */
function observationValueNotRepeated(observation: JsonObject): boolean {
  const hasValue = Object.keys(observation).some((key) => /^_?value[A-Z]/.test(key));
  if (!hasValue || !isJsonArray(observation.component)) return true;
  const own = codingKeys(observation.code);
  return observation.component.every((component) => {
    const componentCode = isJsonObject(component) ? component.code : undefined;
    return ![...codingKeys(componentCode)].some((key) => own.has(key));
  });
}
