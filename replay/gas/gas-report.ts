import type { ContractTransactionResponse } from "ethers";

import { AMSTERDAM_RULES, deriveAmsterdamGasOf, type TraceProvider } from "./amsterdam/index.js";

/** An operation's gas under the Amsterdam (Glamsterdam) draft rules, derived from its Osaka trace. */
export interface AmsterdamEntry {
  /** Regular gas: the EIP-2780 base, calldata and EVM execution. */
  execution: number;
  /** EIP-8037 state gas (new storage slots). */
  state: number;
  /** What the transaction would pay: execution + state - refund, at least the EIP-7976 calldata floor. */
  total: number;
  derived: true;
  rules: string;
  /** What the traces show that the derivation does not price (absent when nothing). */
  notModelled?: string[];
}

/** One measured operation: gasUsed of its transaction receipt (21,000 base included). */
export interface GasEntry {
  gasUsed: number;
  note?: string;
  /** The same transaction(s) under Amsterdam; Osaka's gasUsed stays the measured figure and the one the ceilings check. */
  amsterdam?: AmsterdamEntry;
}

/** A mined transaction measured under Osaka, with its Amsterdam derivation. */
export interface Measured {
  gasUsed: number;
  amsterdam: AmsterdamEntry;
}

/** Sends and mines a transaction; gasUsed of its receipt (21,000 base included) and its Amsterdam figures. */
export async function measure(provider: TraceProvider, tx: Promise<ContractTransactionResponse>): Promise<Measured> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("The transaction has no receipt.");
  const { amsterdam } = await deriveAmsterdamGasOf(provider, receipt.hash);
  const entry: AmsterdamEntry = {
    execution: amsterdam.execution,
    state: amsterdam.state,
    total: amsterdam.total,
    derived: true,
    rules: amsterdam.rules,
  };
  if (amsterdam.notModelled.length > 0) entry.notModelled = [...amsterdam.notModelled];
  return { gasUsed: Number(receipt.gasUsed), amsterdam: entry };
}

/** Several transactions an operation needs, added up under both rule sets. */
export function sumMeasured(...parts: Measured[]): Measured {
  const notModelled = parts.flatMap((p) => p.amsterdam.notModelled ?? []);
  const amsterdam: AmsterdamEntry = {
    execution: parts.reduce((sum, p) => sum + p.amsterdam.execution, 0),
    state: parts.reduce((sum, p) => sum + p.amsterdam.state, 0),
    total: parts.reduce((sum, p) => sum + p.amsterdam.total, 0),
    derived: true,
    rules: AMSTERDAM_RULES,
  };
  if (notModelled.length > 0) amsterdam.notModelled = notModelled;
  return { gasUsed: parts.reduce((sum, p) => sum + p.gasUsed, 0), amsterdam };
}

/** A measured figure divided by `count` (rounded up), under both rule sets. */
export function perUnit(measured: Measured, count: number): Measured {
  const amsterdam: AmsterdamEntry = {
    ...measured.amsterdam,
    execution: Math.ceil(measured.amsterdam.execution / count),
    state: Math.ceil(measured.amsterdam.state / count),
    total: Math.ceil(measured.amsterdam.total / count),
  };
  return { gasUsed: Math.ceil(measured.gasUsed / count), amsterdam };
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
  // Binding the author to each new record (a SHA-256 precompile call, ~520 gas with its encoding) is
  // paid twice by a workflow write: the registry keys the record, and the workflow keys its own state
  // and event by the same record commitment. Raised from 90,000 and 230,000 (they had 913 and 425 gas
  // of headroom) for the fix of record squatting (issue 11, finding 1).
  dispensePrescription: 91_000,
  orderLabTest: 90_000,
  postLabResult: 90_000,
  openEmergencyAccess: 70_000,
  workflowPrescription: 250_000,
  workflowLabResult: 232_000,
};

/** Reference points the table compares against. */
export const REFERENCE_GAS = {
  bareSlotAnchor: 44_000,
  easAttest: 200_000,
} as const;

export function formatGasTable(report: GasReport): string {
  const rows = Object.entries(report.operations);
  const width = Math.max(...rows.map(([name]) => name.length), "operation".length);
  const amsterdam = rows.some(([, entry]) => entry.amsterdam !== undefined);
  const lines = [
    `${"operation".padEnd(width)}  ${"gasUsed".padStart(10)}  ${"ceiling".padStart(9)}  vs bare slot  vs EAS` +
      (amsterdam ? `  ${"Amsterdam*".padStart(10)}  ${"(state)".padStart(9)}` : ""),
    `${"-".repeat(width)}  ${"-".repeat(10)}  ${"-".repeat(9)}  ------------  ------` +
      (amsterdam ? `  ${"-".repeat(10)}  ${"-".repeat(9)}` : ""),
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
        ...(amsterdam
          ? [
              (entry.amsterdam?.total.toLocaleString("en-US") ?? "-").padStart(10),
              (entry.amsterdam?.state.toLocaleString("en-US") ?? "-").padStart(9),
            ]
          : []),
      ].join("  "),
    );
  }
  if (amsterdam) {
    const rules = rows.find(([, entry]) => entry.amsterdam !== undefined)?.[1].amsterdam?.rules;
    lines.push("", `* derived from each transaction's Osaka trace, not measured; rules: ${rules}`);
    for (const [name, entry] of rows)
      for (const gap of entry.amsterdam?.notModelled ?? []) lines.push(`  ${name}: not modelled: ${gap}`);
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

/** A report entry from a measurement: the receipt's gasUsed first, as before, then the Amsterdam figures. */
export function gasEntry(measured: Measured, note: string): GasEntry {
  return { gasUsed: measured.gasUsed, note, amsterdam: measured.amsterdam };
}
