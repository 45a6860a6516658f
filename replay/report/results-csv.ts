import type { ReplayResult } from "../replay-result.js";
import { csvField } from "./format.js";

export const RESULTS_CSV_HEADER = [
  "specialty_code",
  "specialty_name",
  "patients",
  "per_patient_transactions",
  "per_patient_gas",
  "per_patient_eth",
  "per_patient_eur",
  "per_patient_usd",
  "batched_batches",
  "batched_transactions",
  "batched_gas",
  "batched_eth",
  "batched_eur",
  "batched_usd",
] as const;

/** Ether to the gwei and fiat to a hundredth of a cent: no float noise like 6705.103999999999. */
function ethField(value: number): number {
  return Number(value.toFixed(9));
}

function fiatField(value: number): number {
  return Number(value.toFixed(4));
}

/** results.csv: one row per specialty code; the patients and gas columns add up to the report's totals exactly. */
export function resultsCsv(result: ReplayResult): string {
  const lines = [RESULTS_CSV_HEADER.join(",")];
  for (const s of result.bySpecialty) {
    const p = s.perPatient;
    const b = s.batched;
    lines.push(
      [
        s.specialtyCode,
        s.specialtyName,
        s.patients,
        p.transactions,
        p.gas,
        ethField(p.eth),
        fiatField(p.eur),
        fiatField(p.usd),
        b.counts.anchorBatch,
        b.transactions,
        b.gas,
        ethField(b.eth),
        fiatField(b.eur),
        fiatField(b.usd),
      ]
        .map(csvField)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
