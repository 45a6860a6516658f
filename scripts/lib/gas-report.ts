import type { ContractTransactionResponse } from "ethers";

/** gasUsed of a sent transaction's receipt (21,000 base included), as a number. */
export async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("The transaction has no receipt.");
  return Number(receipt.gasUsed);
}

/** One measured operation: gasUsed of its transaction receipt (21,000 base included). */
export interface GasEntry {
  gasUsed: number;
  note?: string;
}

export interface GasReport {
  network: string;
  measuredAt: string;
  operations: Record<string, GasEntry>;
}

/** The bars each operation must stay under; a regression past one fails the benchmark. */
export const GAS_CEILINGS: Readonly<Record<string, number>> = {
  anchorRecord: 60_000,
  anchorBatchPerRecord: 100,
  grantConsent: 60_000,
  grantConsentBySig: 80_000,
  revokeConsent: 40_000,
  amendRecord: 70_000,
  issuePrescription: 120_000,
  dispensePrescription: 90_000,
  orderLabTest: 90_000,
  postLabResult: 90_000,
  openEmergencyAccess: 70_000,
  workflowPrescription: 250_000,
  workflowLabResult: 230_000,
};

/** Reference points the table compares against. */
export const REFERENCE_GAS = {
  bareSlotAnchor: 44_000,
  easAttest: 200_000,
} as const;

export function formatGasTable(report: GasReport): string {
  const rows = Object.entries(report.operations);
  const width = Math.max(...rows.map(([name]) => name.length), "operation".length);
  const lines = [
    `${"operation".padEnd(width)}  ${"gasUsed".padStart(10)}  ${"ceiling".padStart(9)}  vs bare slot  vs EAS`,
    `${"-".repeat(width)}  ${"-".repeat(10)}  ${"-".repeat(9)}  ------------  ------`,
  ];
  for (const [name, entry] of rows) {
    const ceiling = GAS_CEILINGS[name];
    const perRecord = name.endsWith("PerRecord");
    lines.push(
      [
        name.padEnd(width),
        entry.gasUsed.toLocaleString("en-US").padStart(10),
        (ceiling === undefined ? "-" : ceiling.toLocaleString("en-US")).padStart(9),
        (perRecord ? "" : `${(entry.gasUsed / REFERENCE_GAS.bareSlotAnchor).toFixed(2)}x`).padStart(12),
        (perRecord ? "" : `${(entry.gasUsed / REFERENCE_GAS.easAttest).toFixed(2)}x`).padStart(6),
      ].join("  "),
    );
  }
  return lines.join("\n");
}

/** One sentence per operation over its ceiling. */
export function checkCeilings(report: GasReport): string[] {
  const failures: string[] = [];
  for (const [name, ceiling] of Object.entries(GAS_CEILINGS)) {
    const entry = report.operations[name];
    if (entry !== undefined && entry.gasUsed > ceiling) {
      failures.push(`${name} used ${entry.gasUsed} gas, over its ceiling of ${ceiling}.`);
    }
  }
  return failures;
}
