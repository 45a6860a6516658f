import { readFile } from "node:fs/promises";
import { join } from "node:path";

import type { Command } from "commander";

import { CliError } from "./cli-error.js";

/** The settings a party's config file may hold; flags and environment variables win over it. */
const CONFIG_KEYS = ["rpc", "deployment", "custodians", "custodianThreshold", "peers", "listen"] as const;

/** The config file a party keeps next to its data: `<data-dir>/careledger.json`, unless `--config` names one. */
export function defaultConfigPath(dataDir: string): string {
  return join(dataDir, "careledger.json");
}

/**
 * Fills every global option that was left at its default (not given as a flag or in the environment)
 * from the config file. A `--config` that cannot be read is an error; a missing default file is not.
 * Lists may be written as JSON arrays: `"custodians": ["0xAbc…=http://127.0.0.1:8600", …]`.
 */
export async function applyConfigFile(program: Command): Promise<void> {
  const explicit = program.getOptionValue("config") as string | undefined;
  const path = explicit ?? defaultConfigPath(String(program.getOptionValue("dataDir")));
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    if (explicit !== undefined) throw new CliError(`The config file ${path} cannot be read.`);
    return;
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new CliError(`The config file ${path} is not valid JSON.`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new CliError(`The config file ${path} must hold one JSON object.`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new CliError(`The config file ${path} has an unknown setting "${key}"; known: ${CONFIG_KEYS.join(", ")}.`);
    }
    const source = program.getOptionValueSource(key);
    if (source === "cli" || source === "env") continue;
    program.setOptionValueWithSource(key, normalise(key, value, path), "config");
  }
}

function normalise(key: string, value: unknown, path: string): string | number {
  if (key === "custodianThreshold") {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 16) {
      throw new CliError(`The config file ${path}: custodianThreshold must be a whole number from 1 to 16.`);
    }
    return value;
  }
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.join(",");
  if (typeof value === "string") return value;
  throw new CliError(`The config file ${path}: ${key} must be a string or a list of strings.`);
}
