import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import type { GasTable } from "../../../replay/gas/gas-table.js";
import type { GasTableProvider } from "../../../replay/gas/gas-table-provider.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const SHIPPED_DATA = join(REPO_ROOT, "data", "hse");

/** Round figures so expectations can be computed by hand. */
export const FIXED_GAS_TABLE: GasTable = {
  anchorRecord: 100_000,
  grantConsent: 80_000,
  grantConsentBySig: 90_000,
  workflowPrescription: 270_000,
  workflowLabResult: 250_000,
  anchorBatchFixed: 50_000,
  anchorBatchPerRecord: 100,
  other: {},
  provenance: { source: "test fixture", measuredAt: "2026-11-01T00:00:00Z", chain: "none (fixed figures)" },
};

export const FIXED_GAS_PROVIDER: GasTableProvider = { gasTable: () => Promise.resolve(FIXED_GAS_TABLE) };

export async function tempDir(prefix = "replay-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes a file (creating folders), gzip-compressed when the name ends in .gz. */
export async function writeFixture(dir: string, name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await mkdir(dirname(path), { recursive: true });
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  await writeFile(path, name.endsWith(".gz") ? gzipSync(bytes) : bytes);
  return path;
}

export const OP_HOSPITAL_HEADER =
  "Archive_Date,Group,Hospital_HIPE,Hospital,Specialty_HIPE1,Speciality,Adult_Child,Age_Profile,Time_Bands,Total";
export const IPDC_HOSPITAL_HEADER =
  "Archive_Date,Hospital_Group,Hospital_HIPE,Hospital_Name,Specialty_HIPE,Specialty_Name,Case_Type,Adult_Child,Age_Profile,Time_Bands,Total";
export const IPDC_SPECIALTY_HEADER =
  "Archive_Date,Specialty_HIPE,Specialty_Name,Case_Type,Adult_Child,Age_Profile,Time_Bands,Total";
export const OP_SPECIALTY_HEADER = "Archive_Date,Specialty_HIPE,Speciality,Adult_Child,Age_Profile,Time_Bands,Total";

/** A small outpatient group/hospital file as published: BOM, CRLF, trailing blank line. */
export function opHospitalCsv(rows: readonly string[]): string {
  return `\uFEFF${[OP_HOSPITAL_HEADER, ...rows].join("\r\n")}\r\n\r\n`;
}
