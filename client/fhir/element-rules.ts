import type { JsonObject } from "./json-value.js";
import type { PrimitiveType } from "./primitive-formats.js";

/**
 * Declarative description of FHIR R4 elements, read by `spec-validator.ts`.
 * A spec lists the elements CareLedger checks; elements it does not list are still held
 * to the structural rules (`json-shape.ts`) but are otherwise accepted, since R4 lets
 * receivers ignore elements they do not know.
 */

export type ComplexType =
  | "Annotation"
  | "Attachment"
  | "CodeableConcept"
  | "Coding"
  | "Dosage"
  | "Duration"
  | "Extension"
  | "Identifier"
  | "Meta"
  | "Narrative"
  | "Period"
  | "Quantity"
  | "Range"
  | "Ratio"
  | "Reference"
  | "SampledData"
  | "SimpleQuantity"
  | "Timing"
  /** A nested resource (`contained`), validated like a top-level one. */
  | "Resource"
  /** Any complex value: structural rules only. */
  | "Element";

export type ElementType = PrimitiveType | ComplexType | BackboneSpec;

export interface ElementRule {
  readonly type: ElementType;
  /** Minimum cardinality 1. */
  readonly required?: boolean;
  /** Maximum cardinality `*`: the JSON value must be an array. */
  readonly array?: boolean;
  /** Codes of a required binding. */
  readonly valueSet?: readonly string[];
  /** Resource types a Reference may point to (R4 `Reference(A|B)`); absent means any. */
  readonly targets?: readonly string[];
  /**
   * CareLedger profile rule, stricter than R4: the Reference must carry a literal
   * `reference`, because the record's subject has to be resolvable to an on-chain party.
   */
  readonly literal?: boolean;
}

/** A choice element `name[x]`; the JSON key is the name followed by the type's name. */
export interface ChoiceRule {
  readonly types: readonly (PrimitiveType | ComplexType)[] | "any";
  readonly required?: boolean;
  readonly targets?: readonly string[];
}

/** An R4 constraint (invariant) evaluated on the element that declares it. */
export interface Invariant {
  readonly key: string;
  /** Child element the failure is reported at, when more precise than the element itself. */
  readonly at?: string;
  readonly holds: (node: JsonObject) => boolean;
}

export interface BackboneSpec {
  readonly elements: Readonly<Record<string, ElementRule>>;
  readonly choices?: Readonly<Record<string, ChoiceRule>>;
  readonly invariants?: readonly Invariant[];
}

export interface ResourceSpec extends BackboneSpec {
  readonly resourceType: string;
}

type RuleOptions = Omit<ElementRule, "type">;

export const optional = (type: ElementType, options: RuleOptions = {}): ElementRule => ({ type, ...options });
export const required = (type: ElementType, options: RuleOptions = {}): ElementRule => ({
  type,
  ...options,
  required: true,
});
export const many = (type: ElementType, options: RuleOptions = {}): ElementRule => ({ type, ...options, array: true });
export const requiredMany = (type: ElementType, options: RuleOptions = {}): ElementRule => ({
  type,
  ...options,
  array: true,
  required: true,
});
export const reference = (targets: readonly string[], options: RuleOptions = {}): ElementRule => ({
  type: "Reference",
  targets,
  ...options,
});

/** Elements every Element has. */
export const ELEMENT_BASE: Readonly<Record<string, ElementRule>> = {
  id: optional("string"),
  extension: many("Extension"),
};

/** Elements every BackboneElement has. */
export const BACKBONE_BASE: Readonly<Record<string, ElementRule>> = {
  ...ELEMENT_BASE,
  modifierExtension: many("Extension"),
};

/** Elements every Resource has (Bundle, Binary and Parameters included). */
export const RESOURCE_BASE: Readonly<Record<string, ElementRule>> = {
  id: optional("id"),
  meta: optional("Meta"),
  implicitRules: optional("uri"),
  language: optional("code"),
};

/** Elements every DomainResource has. */
export const DOMAIN_RESOURCE_BASE: Readonly<Record<string, ElementRule>> = {
  ...RESOURCE_BASE,
  text: optional("Narrative"),
  contained: many("Resource"),
  extension: many("Extension"),
  modifierExtension: many("Extension"),
};

export function backbone(
  elements: Readonly<Record<string, ElementRule>>,
  rest: Omit<BackboneSpec, "elements"> = {},
): BackboneSpec {
  return { elements: { ...BACKBONE_BASE, ...elements }, ...rest };
}

export function domainResource(
  resourceType: string,
  elements: Readonly<Record<string, ElementRule>>,
  rest: Omit<BackboneSpec, "elements"> = {},
): ResourceSpec {
  return { resourceType, elements: { ...DOMAIN_RESOURCE_BASE, ...elements }, ...rest };
}

/** Keys of a choice element present on a node, e.g. `valueQuantity` for prefix `value`. */
export function choiceKeys(node: JsonObject, prefix: string): string[] {
  return Object.keys(node).filter(
    (key) => key.length > prefix.length && key.startsWith(prefix) && /[A-Z]/.test(key.charAt(prefix.length)),
  );
}

export function hasChoice(node: JsonObject, prefix: string): boolean {
  return choiceKeys(node, prefix).length > 0;
}

export function has(node: JsonObject, key: string): boolean {
  return Object.hasOwn(node, key);
}
