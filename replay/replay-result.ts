import type { ExecutedComparison } from "./gas/executed-comparison.js";
import type { GasTable } from "./gas/gas-table.js";
import type { FileError } from "./ingest/file-error.js";
import type { FileSummary } from "./ingest/ingest-files.js";
import type { OverlapDecision } from "./ingest/overlap-policy.js";
import type { IngestIssue, IngestIssueKind, WaitingList } from "./ingest/waiting-list-row.js";
import type { OperationTally } from "./model/cost-model.js";
import type { LinearFit } from "./model/linear-fit.js";
import type { WorkflowAssumptions } from "./model/workflow-assumptions.js";
import type { Money } from "./money/convert.js";
import type { Pricing, ScenarioName } from "./money/price-scenarios.js";

export type ReplayMode = "modeled" | "executed";

export const ATTRIBUTION =
  "Source: National Treatment Purchase Fund (NTPF), Open Data — Waiting List Data (data.gov.ie / ntpf.ie, CC BY 4.0).";

/** A cost in one design, in gas and money. */
export interface CostSummary extends Money {
  readonly patients: number;
  readonly transactions: number;
  readonly counts: OperationTally;
  readonly gasByOperation: OperationTally;
  readonly gas: number;
  /** gas / patients; 0 when there are no patients. */
  readonly gasPerPatient: number;
}

export interface SpecialtyResult {
  readonly specialtyCode: number;
  readonly specialtyName: string;
  readonly patients: number;
  readonly perPatient: CostSummary;
  readonly batched: CostSummary;
}

export interface MonthResult {
  readonly month: string;
  readonly patients: number;
  readonly perPatient: CostSummary;
  readonly batched: CostSummary;
}

export interface ListResult {
  readonly list: WaitingList;
  readonly patients: number;
  readonly perPatient: CostSummary;
}

/** Cost (gas) against patients, fitted per design. */
export interface FitPair {
  /** What one point is. */
  readonly points: string;
  readonly perPatient?: LinearFit;
  readonly batched?: LinearFit;
}

export interface ScenarioTotal {
  readonly scenario: ScenarioName;
  readonly label: string;
  readonly gasPriceGwei: number;
  readonly perPatient: Money;
  readonly batched: Money;
}

export interface ReconciliationCheck {
  readonly name: string;
  readonly expected: number;
  readonly actual: number;
  readonly ok: boolean;
}

export interface ReplayResult {
  readonly tool: "careledger-replay";
  readonly generatedAt: string;
  readonly mode: ReplayMode;
  readonly attribution: string;
  readonly inputs: readonly FileSummary[];
  readonly ingest: {
    /** Data rows read and used (a wide file's row counts once). */
    readonly rowsRead: number;
    /** Rows of the model they gave: one per long-format row, one per non-zero band of a wide-format row. */
    readonly cellsRead: number;
    /** Sum of Total over every good row read, before overlaps are removed: the printed sum. */
    readonly sumOfTotal: number;
    readonly blankLines: number;
    /** Rows skipped as malformed; files that could not be used are in notRead, not here. */
    readonly malformedRows: number;
    readonly issuesByKind: Readonly<Partial<Record<IngestIssueKind, number>>>;
    /** The first issues found (at most MAX_KEPT_ISSUES). */
    readonly issues: readonly IngestIssue[];
    readonly seconds: number;
    readonly rowsPerSecond: number;
    readonly patientsPerSecond: number;
  };
  /** Files left out because they could not be used (only with the skip flag; otherwise the run stops). */
  readonly notRead: {
    /** The flag that allowed leaving them out. */
    readonly flag: string;
    readonly files: readonly FileError[];
    /** Data rows they hold; null when a file could not be read far enough to count them. */
    readonly rows: number | null;
    /** Patients in their count columns; null when any file's could not be found or read. */
    readonly patients: number | null;
  };
  readonly overlap: {
    readonly policy: string;
    readonly decisions: readonly OverlapDecision[];
    readonly excludedRows: number;
    readonly excludedPatients: number;
  };
  /** Patients (patient-months) costed: sumOfTotal - overlap.excludedPatients. */
  readonly patients: number;
  readonly cohorts: number;
  readonly batches: number;
  readonly assumptions: WorkflowAssumptions;
  readonly modelNotes: readonly string[];
  readonly gasTable: GasTable;
  readonly pricing: Pricing;
  readonly designs: {
    readonly perPatient: CostSummary;
    readonly batched: CostSummary;
    /** 1 - batched gas / per-patient gas. */
    readonly batchingSaving: number;
  };
  readonly bySpecialty: readonly SpecialtyResult[];
  readonly byMonth: readonly MonthResult[];
  readonly byList: readonly ListResult[];
  readonly fits: {
    readonly bySpecialty: FitPair;
    readonly byBatch: FitPair;
  };
  readonly scenarios: readonly ScenarioTotal[];
  /**
   * Both designs again under the next fork's draft rules (gas derived from traces), priced with the
   * scenario in force; absent when the gas source derived no such figures.
   */
  readonly nextFork?: {
    readonly name: "Amsterdam";
    readonly rules: string;
    readonly asOf: string;
    readonly perPatient: CostSummary;
    readonly batched: CostSummary;
  };
  readonly executed?: ExecutedComparison;
  readonly reconciliation: {
    readonly ok: boolean;
    readonly checks: readonly ReconciliationCheck[];
  };
  readonly performance: {
    readonly totalSeconds: number;
    readonly ingestSeconds: number;
    readonly rowsPerSecond: number;
    readonly patientsPerSecond: number;
  };
}
