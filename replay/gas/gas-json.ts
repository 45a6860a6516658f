import { readFile, stat } from "node:fs/promises";

import { GasTableError } from "../errors.js";
import type { GasProvenance, GasTable } from "./gas-table.js";

/**
 * Reads the gas benchmark's report, `{"operations": {"<name>": {"gasUsed": <number>}}}`.
 *
 * Names used: anchorRecord, grantConsent, grantConsentBySig (optional), workflowPrescription, workflowLabResult.
 * The batch line comes either from anchorBatchFixed and anchorBatchPerRecord (both given), or from two or more
 * measured batch sizes: any operation named anchorBatch<anything with the size>, e.g. "anchorBatch(1)", "anchorBatch_100",
 * "anchorBatch:256", or carrying "records" (or "batchSize") next to gasUsed. The line through the smallest and the
 * largest size gives fixed = gas(small) - perRecord * small, perRecord = (gas(large) - gas(small)) / (large - small).
 * Optional top-level provenance: measuredAt (or generatedAt), chain (or network), chainId, notes.
 */
export function parseGasJson(text: string, source: string, fallbackMeasuredAt?: string): GasTable {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new GasTableError(source, "not-json");
  }
  if (!isRecord(document) || !isRecord(document.operations)) {
    throw new GasTableError(source, "no-operations");
  }

  const measured = new Map<string, number>();
  const batchSizes: { size: number; gas: number; name: string }[] = [];
  for (const [name, entry] of Object.entries(document.operations)) {
    if (!isRecord(entry)) throw new GasTableError(source, "not-an-object", [name]);
    const gas = toGas(entry.gasUsed);
    if (gas === undefined) throw new GasTableError(source, "bad-value", [name]);
    measured.set(name, gas);
    const size = batchSize(name, entry);
    if (size !== undefined) batchSizes.push({ size, gas, name });
  }

  const required = ["anchorRecord", "grantConsent", "workflowPrescription", "workflowLabResult"];
  const missing = required.filter((name) => !measured.has(name));
  let anchorBatchFixed = measured.get("anchorBatchFixed");
  let anchorBatchPerRecord = measured.get("anchorBatchPerRecord");
  // Without an explicit fixed cost, anchorBatchPerRecord may be an average (the benchmark's is gas / 1024), so
  // the line comes from the measured sizes.
  if (anchorBatchFixed === undefined || anchorBatchPerRecord === undefined) {
    const sizes = [...new Map(batchSizes.map((b) => [b.size, b])).values()].sort((a, b) => a.size - b.size);
    if (sizes.length === 1) {
      // One size cannot separate the fixed cost from the per-record cost; an average per record (gas / size) is
      // not the marginal cost and would price small batches below the 21,000 a transaction costs at least.
      throw new GasTableError(source, "one-batch-size", [sizes[0].name]);
    }
    if (sizes.length < 2) {
      missing.push("anchorBatchFixed", "anchorBatchPerRecord");
    } else {
      const small = sizes[0];
      const large = sizes[sizes.length - 1];
      anchorBatchPerRecord = (large.gas - small.gas) / (large.size - small.size);
      anchorBatchFixed = small.gas - anchorBatchPerRecord * small.size;
      if (anchorBatchPerRecord < 0 || anchorBatchFixed < 0) {
        throw new GasTableError(source, "batch-line-negative", [small.name, large.name]);
      }
    }
  }
  if (missing.length > 0) throw new GasTableError(source, "missing-operations", missing);

  const explicitBatch = measured.has("anchorBatchFixed") && measured.has("anchorBatchPerRecord");
  const batchNames = explicitBatch ? ["anchorBatchFixed", "anchorBatchPerRecord"] : batchSizes.map((b) => b.name);
  const named = new Set([...required, "grantConsentBySig", ...batchNames]);
  const other: Record<string, number> = {};
  for (const [name, gas] of measured) if (!named.has(name)) other[name] = gas;

  const provenance: GasProvenance = {
    source,
    measuredAt: stringField(document, "measuredAt") ?? stringField(document, "generatedAt") ?? fallbackMeasuredAt,
    chain: stringField(document, "chain") ?? stringField(document, "network"),
    chainId: typeof document.chainId === "number" ? document.chainId : undefined,
    notes: stringField(document, "notes"),
  };
  return {
    anchorRecord: measured.get("anchorRecord") as number,
    grantConsent: measured.get("grantConsent") as number,
    grantConsentBySig: measured.get("grantConsentBySig"),
    workflowPrescription: measured.get("workflowPrescription") as number,
    workflowLabResult: measured.get("workflowLabResult") as number,
    anchorBatchFixed: anchorBatchFixed as number,
    anchorBatchPerRecord: anchorBatchPerRecord as number,
    other,
    provenance,
  };
}

/** Loads a gas.json file; without a measuredAt in the file, its modification time stands in (and says so). */
export async function loadGasJson(path: string): Promise<GasTable> {
  let text: string;
  let modified: string;
  try {
    text = await readFile(path, "utf8");
    modified = (await stat(path)).mtime.toISOString();
  } catch {
    throw new GasTableError(path, "unreadable");
  }
  return parseGasJson(text, path, `${modified} (file modification time)`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toGas(value: unknown): number | undefined {
  const number = typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) && number >= 0 ? number : undefined;
}

function stringField(document: Record<string, unknown>, key: string): string | undefined {
  const value = document[key];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function batchSize(name: string, entry: Record<string, unknown>): number | undefined {
  if (!name.startsWith("anchorBatch") || name === "anchorBatchFixed" || name === "anchorBatchPerRecord")
    return undefined;
  for (const key of ["records", "batchSize"]) {
    const value = entry[key];
    if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  }
  const digits = /(\d+)/.exec(name.slice("anchorBatch".length));
  if (digits === null) return undefined;
  const size = Number(digits[1]);
  return size > 0 ? size : undefined;
}
