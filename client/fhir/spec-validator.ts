import { InvalidFhirResourceError } from "../errors.js";
import { DATATYPE_SPECS } from "./datatype-specs.js";
import type { BackboneSpec, ChoiceRule, ComplexType, ElementRule } from "./element-rules.js";
import { choiceKeys } from "./element-rules.js";
import type { JsonObject, JsonValue } from "./json-value.js";
import { isJsonArray, isJsonObject } from "./json-value.js";
import type { PrimitiveType } from "./primitive-formats.js";
import { checkPrimitive, isPrimitiveType } from "./primitive-formats.js";
import { parseLiteralReference } from "./references.js";

/** State shared while validating one resource. */
export interface ValidationContext {
  /** `id`s of the resources in the enclosing resource's `contained` (for ref-1). */
  readonly containedIds: ReadonlySet<string>;
  /** Validates a nested resource; injected to keep this module free of the resource registry. */
  readonly validateNestedResource: (node: JsonObject, path: string) => void;
}

/** Checks `node` (already structurally valid) against `spec`; throws InvalidFhirResourceError. */
export function validateAgainstSpec(
  node: JsonObject,
  spec: BackboneSpec,
  path: string,
  context: ValidationContext,
): void {
  for (const [name, rule] of Object.entries(spec.elements)) {
    checkElement(node, name, rule, path, context);
  }
  for (const [prefix, choice] of Object.entries(spec.choices ?? {})) {
    checkChoice(node, prefix, choice, spec, path, context);
  }
  for (const invariant of spec.invariants ?? []) {
    if (!invariant.holds(node)) {
      const at = invariant.at === undefined ? path : `${path}.${invariant.at}`;
      throw new InvalidFhirResourceError(at, "constraint", invariant.key);
    }
  }
}

function checkElement(
  node: JsonObject,
  name: string,
  rule: ElementRule,
  path: string,
  context: ValidationContext,
): void {
  const elementPath = `${path}.${name}`;
  const value = Object.hasOwn(node, name) ? node[name] : undefined;
  if (value === undefined) {
    if (rule.required === true) {
      throw new InvalidFhirResourceError(elementPath, "required");
    }
    return;
  }
  if (rule.array === true) {
    if (!isJsonArray(value)) {
      throw new InvalidFhirResourceError(elementPath, "expected-array");
    }
    value.forEach((item, index) => {
      const itemPath = `${elementPath}[${index}]`;
      if (item === null) {
        // A null slot is a primitive whose value is absent and whose `_name` extension
        // carries the meaning; complex types have no such form.
        if (typeof rule.type !== "string" || !isPrimitiveType(rule.type)) {
          throw new InvalidFhirResourceError(itemPath, "unexpected-null");
        }
        return;
      }
      checkValue(item, rule, itemPath, context);
    });
    return;
  }
  if (isJsonArray(value)) {
    throw new InvalidFhirResourceError(elementPath, "expected-single");
  }
  checkValue(value, rule, elementPath, context);
}

function checkChoice(
  node: JsonObject,
  prefix: string,
  choice: ChoiceRule,
  spec: BackboneSpec,
  path: string,
  context: ValidationContext,
): void {
  const keys = choiceKeys(node, prefix).filter((key) => !Object.hasOwn(spec.elements, key));
  if (keys.length > 1) {
    throw new InvalidFhirResourceError(`${path}.${prefix}[x]`, "multiple-choice-values");
  }
  const key = keys[0];
  if (key === undefined) {
    if (choice.required === true) {
      throw new InvalidFhirResourceError(`${path}.${prefix}[x]`, "required");
    }
    return;
  }
  const keyPath = `${path}.${key}`;
  const suffix = key.slice(prefix.length);
  const value = node[key];
  if (isJsonArray(value)) {
    throw new InvalidFhirResourceError(keyPath, "expected-single");
  }
  if (choice.types === "any") {
    // Extension.value[x] admits every R4 type; check the ones this module knows.
    const known = knownTypeForSuffix(suffix);
    if (known !== undefined) {
      checkValue(value, { type: known }, keyPath, context);
    }
    return;
  }
  const type = choice.types.find((candidate) => choiceSuffix(candidate) === suffix);
  if (type === undefined) {
    throw new InvalidFhirResourceError(keyPath, "unknown-choice-type");
  }
  checkValue(value, { type, targets: choice.targets }, keyPath, context);
}

function checkValue(value: JsonValue, rule: ElementRule, path: string, context: ValidationContext): void {
  const type = rule.type;
  if (typeof type !== "string") {
    validateAgainstSpec(requireObject(value, path), type, path, context);
    return;
  }
  if (isPrimitiveType(type)) {
    const violation = checkPrimitive(type, value);
    if (violation !== undefined) {
      throw new InvalidFhirResourceError(path, violation);
    }
    if (rule.valueSet !== undefined && !rule.valueSet.includes(value as string)) {
      throw new InvalidFhirResourceError(path, "not-in-value-set");
    }
    return;
  }
  const object = requireObject(value, path);
  switch (type) {
    case "Element":
      return;
    case "Resource":
      context.validateNestedResource(object, path);
      return;
    case "Reference":
      validateAgainstSpec(object, specOf(type), path, context);
      checkReference(object, rule, path, context);
      return;
    default:
      validateAgainstSpec(object, specOf(type), path, context);
  }
}

function checkReference(node: JsonObject, rule: ElementRule, path: string, context: ValidationContext): void {
  const literal = node.reference;
  if (typeof literal !== "string") {
    if (rule.literal === true) {
      throw new InvalidFhirResourceError(`${path}.reference`, "required");
    }
  } else {
    const parsed = parseLiteralReference(literal);
    if (parsed === undefined) {
      throw new InvalidFhirResourceError(`${path}.reference`, "invalid-format");
    }
    if (parsed.kind === "contained" && parsed.id !== undefined && !context.containedIds.has(parsed.id)) {
      throw new InvalidFhirResourceError(`${path}.reference`, "unresolved-local-reference");
    }
    if ((parsed.kind === "relative" || parsed.kind === "absolute") && !targetAllowed(rule, parsed.resourceType)) {
      throw new InvalidFhirResourceError(`${path}.reference`, "invalid-reference-target");
    }
    if (
      (parsed.kind === "relative" || parsed.kind === "absolute") &&
      typeof node.type === "string" &&
      !node.type.includes(":") &&
      node.type !== parsed.resourceType
    ) {
      throw new InvalidFhirResourceError(`${path}.type`, "invalid-reference-target");
    }
  }
  // `type` may also be an absolute StructureDefinition URL; only bare type names are checked.
  if (typeof node.type === "string" && !node.type.includes(":") && !targetAllowed(rule, node.type)) {
    throw new InvalidFhirResourceError(`${path}.type`, "invalid-reference-target");
  }
}

function targetAllowed(rule: ElementRule, resourceType: string): boolean {
  return rule.targets === undefined || rule.targets.includes(resourceType);
}

function requireObject(value: JsonValue, path: string): JsonObject {
  if (!isJsonObject(value)) {
    throw new InvalidFhirResourceError(path, "wrong-type");
  }
  return value;
}

function specOf(type: ComplexType): BackboneSpec {
  const spec = DATATYPE_SPECS[type];
  if (spec === undefined) {
    throw new Error(`no spec registered for FHIR datatype ${type}`);
  }
  return spec;
}

/** JSON key suffix of a choice type: `valueDateTime`, `doseQuantity` (for SimpleQuantity). */
function choiceSuffix(type: PrimitiveType | ComplexType): string {
  const name = type === "SimpleQuantity" ? "Quantity" : type;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function knownTypeForSuffix(suffix: string): PrimitiveType | ComplexType | undefined {
  const primitive = suffix.charAt(0).toLowerCase() + suffix.slice(1);
  if (isPrimitiveType(primitive)) {
    return primitive;
  }
  const complex = suffix as ComplexType;
  return DATATYPE_SPECS[complex] !== undefined ? complex : undefined;
}
