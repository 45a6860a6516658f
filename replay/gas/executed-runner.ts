import type { Design } from "../model/cost-model.js";
import type { PatientSlice } from "../model/patient-slice.js";
import type { CostOperation } from "./gas-table.js";

/** One point of an executed run's throughput curve: how many transactions had been mined after how long. */
export interface ThroughputPoint {
  readonly transactions: number;
  readonly seconds: number;
}

/** What running a slice against the real contracts cost, from the receipts. */
export interface ExecutedRunResult {
  /** Transactions sent and mined. */
  readonly transactions: number;
  /** Sum of receipt.gasUsed per operation (workflows: the sum over their transactions). */
  readonly gasUsed: Readonly<Partial<Record<CostOperation, number>>>;
  /** Wall-clock seconds the run took. */
  readonly seconds: number;
  /**
   * Transactions mined against seconds, sampled every few thousand transactions (a bounded number of points): a
   * straight line means constant throughput, so time and cost grow linearly with the slice.
   */
  readonly curve?: readonly ThroughputPoint[];
}

/** Where a run is, for a progress line. */
export interface ExecutedProgress {
  readonly design: Design;
  readonly patientsDone: number;
  readonly patients: number;
  readonly transactions: number;
  readonly seconds: number;
}

export interface ExecutedRunOptions {
  /** Called every few hundred transactions; must stay cheap. */
  readonly onProgress?: (progress: ExecutedProgress) => void;
}

/**
 * Sends a slice's transactions to deployed contracts. Implemented with the contracts; the replay only calls it in
 * executed mode, once per design, and compares the gas with what the model predicts for the same slice.
 * For the per-patient design: per patient anchorRecord, the consent (grantConsent, or grantConsentBySig when
 * slice.assumptions.consentBySignature), then workflowPrescription when patient.prescription and
 * workflowLabResult when patient.labResult. For the batched design: one anchorBatch per slice.batches entry
 * carrying its records, and per patient the same consent and workflows.
 */
export interface ExecutedRunner {
  run(slice: PatientSlice, options?: ExecutedRunOptions): Promise<ExecutedRunResult>;
}
