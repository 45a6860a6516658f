import { costDataset, DESIGNS, type CostLine, type Design } from "../model/cost-model.js";
import type { Cohort } from "../model/cohorts.js";
import { buildPatientSlice, describeSlice, type SliceSelector } from "../model/patient-slice.js";
import type { WorkflowAssumptions } from "../model/workflow-assumptions.js";
import type { ExecutedRunner, ExecutedRunOptions, ThroughputPoint } from "./executed-runner.js";
import { COST_OPERATIONS, type CostOperation, type GasTable } from "./gas-table.js";

/** Modeled and executed gas must agree within 1% for the model to be trusted on the whole dataset. */
export const EXECUTED_TOLERANCE = 0.01;

export interface OperationComparison {
  readonly operation: CostOperation;
  readonly modeledGas: number;
  readonly executedGas: number;
  /** (executed - modeled) / modeled; null when the model predicts zero. */
  readonly relativeDifference: number | null;
}

export interface DesignComparison {
  readonly design: Design;
  readonly patients: number;
  readonly modeledGas: number;
  readonly executedGas: number;
  readonly relativeDifference: number | null;
  readonly modeledTransactions: number;
  readonly executedTransactions: number;
  readonly seconds: number;
  /** executedTransactions / seconds. */
  readonly transactionsPerSecond: number;
  /** Transactions mined against seconds during the run (empty when the runner does not sample it). */
  readonly curve: readonly ThroughputPoint[];
  readonly agrees: boolean;
  readonly operations: readonly OperationComparison[];
}

export interface ExecutedComparison {
  readonly slice: string;
  readonly patients: number;
  readonly tolerance: number;
  readonly designs: readonly DesignComparison[];
  readonly agrees: boolean;
}

export function relativeDifference(modeled: number, executed: number): number | null {
  if (modeled === 0) return executed === 0 ? 0 : null;
  return (executed - modeled) / modeled;
}

function withinTolerance(difference: number | null): boolean {
  return difference !== null && Math.abs(difference) <= EXECUTED_TOLERANCE;
}

/** Runs the slice through the runner in both designs and compares each with the model's prediction for it. */
export async function compareExecuted(
  cohorts: readonly Cohort[],
  selector: SliceSelector,
  runner: ExecutedRunner,
  table: GasTable,
  assumptions: WorkflowAssumptions,
  options: ExecutedRunOptions = {},
): Promise<ExecutedComparison> {
  const designs: DesignComparison[] = [];
  let patients = 0;
  for (const design of DESIGNS) {
    const slice = buildPatientSlice(cohorts, selector, design, assumptions);
    patients = slice.patientCount;
    const sliceCost = costDataset(slice.cohorts, table, assumptions).total;
    const modeled: CostLine = design === "per-patient" ? sliceCost.perPatient : sliceCost.batched;
    const executed = await runner.run(slice, options);
    const executedGas = COST_OPERATIONS.reduce((sum, op) => sum + (executed.gasUsed[op] ?? 0), 0);
    const operations = COST_OPERATIONS.filter(
      (op) => modeled.gasByOperation[op] !== 0 || (executed.gasUsed[op] ?? 0) !== 0,
    ).map((operation) => ({
      operation,
      modeledGas: modeled.gasByOperation[operation],
      executedGas: executed.gasUsed[operation] ?? 0,
      relativeDifference: relativeDifference(modeled.gasByOperation[operation], executed.gasUsed[operation] ?? 0),
    }));
    const difference = relativeDifference(modeled.gas, executedGas);
    designs.push({
      design,
      patients: slice.patientCount,
      modeledGas: modeled.gas,
      executedGas,
      relativeDifference: difference,
      modeledTransactions: modeled.transactions,
      executedTransactions: executed.transactions,
      seconds: executed.seconds,
      transactionsPerSecond: executed.seconds > 0 ? executed.transactions / executed.seconds : 0,
      curve: executed.curve ?? [],
      agrees: withinTolerance(difference),
      operations,
    });
  }
  return {
    slice: describeSlice(selector),
    patients,
    tolerance: EXECUTED_TOLERANCE,
    designs,
    agrees: designs.every((d) => d.agrees),
  };
}
