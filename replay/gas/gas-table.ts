/** Where a gas table's numbers come from, shown next to every cost in the report. */
export interface GasProvenance {
  /** The file or tool that produced the numbers, e.g. "reports/gas.json". */
  readonly source: string;
  /** ISO date-time the numbers were measured, when known. */
  readonly measuredAt?: string;
  /** Chain or network the transactions ran on, e.g. "hardhat (edr-simulated, cancun)". */
  readonly chain?: string;
  readonly chainId?: number;
  readonly notes?: string;
}

/**
 * Gas used by each operation the cost model prices, as measured from the contracts (receipt.gasUsed, so the 21,000
 * base cost of each transaction is included). Workflows are the sum of their transactions.
 */
export interface PricedOperationsGas {
  /** One referral record hash anchored for one patient (1 transaction). */
  readonly anchorRecord: number;
  /** One consent granted by the patient to a specialist, sent by the patient (1 transaction). */
  readonly grantConsent: number;
  /** The same consent granted by the patient's EIP-712 signature, relayed; only needed when the model uses it. */
  readonly grantConsentBySig?: number;
  /** Prescription issued, consent to a pharmacy granted, one dispense (3 transactions). */
  readonly workflowPrescription: number;
  /** Lab order, result posted, result shared with a second doctor (3 transactions). */
  readonly workflowLabResult: number;
  /** anchorBatch(records) = anchorBatchFixed + anchorBatchPerRecord * records (1 transaction). */
  readonly anchorBatchFixed: number;
  readonly anchorBatchPerRecord: number;
}

/** The priced operations as the source measured them, with where the numbers came from. */
export interface GasTable extends PricedOperationsGas {
  /** Every other operation the source measured, kept for the report. */
  readonly other: Readonly<Record<string, number>>;
  readonly provenance: GasProvenance;
  /**
   * The same operations under the next fork's draft rules (Amsterdam), derived from each measured
   * transaction's trace, when the source derived them. The money section prices them as a scenario.
   */
  readonly amsterdam?: ForkGasTable;
}

/** The cost model's operations under another fork's rules, with the rules named. */
export interface ForkGasTable extends PricedOperationsGas {
  /** The EIPs and draft the figures follow. */
  readonly rules: string;
  /** When those rules were current. */
  readonly asOf: string;
}

/** Transactions each priced operation sends. */
export const TRANSACTIONS_PER_OPERATION = {
  anchorRecord: 1,
  grantConsent: 1,
  grantConsentBySig: 1,
  workflowPrescription: 3,
  workflowLabResult: 3,
  anchorBatch: 1,
} as const;

/** The operations the cost model counts; anchorBatch is priced from anchorBatchFixed and anchorBatchPerRecord. */
export type CostOperation = keyof typeof TRANSACTIONS_PER_OPERATION;

export const COST_OPERATIONS: readonly CostOperation[] = [
  "anchorRecord",
  "anchorBatch",
  "grantConsent",
  "grantConsentBySig",
  "workflowPrescription",
  "workflowLabResult",
];

/** Gas of an anchorBatch transaction carrying `records` referral records, to the nearest unit. */
export function anchorBatchGas(table: GasTable, records: number): number {
  return Math.round(table.anchorBatchFixed + table.anchorBatchPerRecord * records);
}
