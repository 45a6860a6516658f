import type { InternalTypeSchema } from "@medplum/core";
import { indexStructureDefinitionBundle, tryGetDataType } from "@medplum/core";

import { R4_DEFINITIONS_JSON } from "./r4-definitions.generated.js";

/** Codes a required value set allows, by code system. */
export type ValueSetCodes = Readonly<Record<string, readonly string[]>>;

interface R4Definitions {
  readonly source: string;
  readonly structureDefinitions: readonly { readonly name: string }[];
  readonly valueSets: Readonly<Record<string, ValueSetCodes>>;
}

let definitions: R4Definitions | undefined;
/** The schemas Medplum built from our definitions, to notice when someone else replaces them. */
let indexed: ReadonlyMap<string, InternalTypeSchema> | undefined;

function r4Definitions(): R4Definitions {
  // Parsed on first use: an SDK that never validates never pays for it.
  definitions ??= JSON.parse(R4_DEFINITIONS_JSON) as R4Definitions;
  return definitions;
}

/**
 * Makes @medplum/core's type index hold CareLedger's R4 definitions. The index is process-wide;
 * if other code in the process has indexed its own definitions for the same types since, ours
 * are indexed again, so what CareLedger accepts never depends on what else was loaded.
 */
export function useR4Definitions(): void {
  if (indexed !== undefined && [...indexed].every(([name, schema]) => tryGetDataType(name) === schema)) {
    return;
  }
  const { structureDefinitions } = r4Definitions();
  indexStructureDefinitionBundle(structureDefinitions as Parameters<typeof indexStructureDefinitionBundle>[0]);
  indexed = new Map(
    structureDefinitions.map(({ name }) => {
      const schema = tryGetDataType(name);
      if (schema === undefined) throw new Error(`@medplum/core did not index the R4 definition of ${name}`);
      return [name, schema];
    }),
  );
}

/**
 * The codes of a required value set, or undefined when the definitions cannot list them
 * (MIME types, currencies: code systems defined outside FHIR).
 */
export function requiredValueSetCodes(valueSet: string): ValueSetCodes | undefined {
  const [url] = valueSet.split("|");
  return Object.hasOwn(r4Definitions().valueSets, url) ? r4Definitions().valueSets[url] : undefined;
}
