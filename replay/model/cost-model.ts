import { GasTableError, TotalTooLargeError } from "../errors.js";
import {
  anchorBatchGas,
  COST_OPERATIONS,
  TRANSACTIONS_PER_OPERATION,
  type CostOperation,
  type GasTable,
} from "../gas/gas-table.js";
import type { WaitingList } from "../ingest/waiting-list-row.js";
import type { Cohort } from "./cohorts.js";
import { patientsWithShare } from "./share-allocation.js";
import type { WorkflowAssumptions } from "./workflow-assumptions.js";

/**
 * The two designs compared.
 * - per-patient (the paper's): every patient's referral record is anchored by its own transaction.
 * - batched: one Merkle root per hospital x specialty x month anchors that group's referral records in one
 *   transaction. Consents and workflows stay per patient in both: each is a different party's act (the patient
 *   grants, the pharmacy dispenses, the lab posts) at its own time, so there is nothing to batch at referral time.
 */
export type Design = "per-patient" | "batched";
export const DESIGNS: readonly Design[] = ["per-patient", "batched"];

export type OperationTally = Record<CostOperation, number>;

export function emptyTally(): OperationTally {
  return {
    anchorRecord: 0,
    anchorBatch: 0,
    grantConsent: 0,
    grantConsentBySig: 0,
    workflowPrescription: 0,
    workflowLabResult: 0,
  };
}

/** What a group of patients costs in one design. */
export interface CostLine {
  readonly patients: number;
  /** How many times each operation runs. */
  readonly counts: OperationTally;
  readonly gasByOperation: OperationTally;
  readonly gas: number;
  readonly transactions: number;
}

interface MutableCostLine {
  patients: number;
  counts: OperationTally;
  gasByOperation: OperationTally;
  gas: number;
  transactions: number;
}

function emptyLine(): MutableCostLine {
  return { patients: 0, counts: emptyTally(), gasByOperation: emptyTally(), gas: 0, transactions: 0 };
}

function charge(line: MutableCostLine, operation: CostOperation, count: number, gas: number): void {
  line.counts[operation] += count;
  line.gasByOperation[operation] += gas;
  line.gas += gas;
  line.transactions += count * TRANSACTIONS_PER_OPERATION[operation];
}

function addInto(target: MutableCostLine, source: CostLine): void {
  target.patients += source.patients;
  for (const op of COST_OPERATIONS) {
    target.counts[op] += source.counts[op];
    target.gasByOperation[op] += source.gasByOperation[op];
  }
  target.gas += source.gas;
  target.transactions += source.transactions;
}

function consentGas(table: GasTable, assumptions: WorkflowAssumptions): { operation: CostOperation; gas: number } {
  if (!assumptions.consentBySignature) return { operation: "grantConsent", gas: table.grantConsent };
  if (table.grantConsentBySig === undefined) {
    throw new GasTableError(table.provenance.source, "no-consent-by-signature", ["grantConsentBySig"]);
  }
  return { operation: "grantConsentBySig", gas: table.grantConsentBySig };
}

/** Workflows of a cohort of `patients`: each share rounded half up, once per cohort. */
export function cohortWorkflowCounts(
  patients: number,
  assumptions: WorkflowAssumptions,
): { prescriptions: number; labResults: number } {
  return {
    prescriptions: patientsWithShare(patients, assumptions.prescriptionShare),
    labResults: patientsWithShare(patients, assumptions.labShare),
  };
}

/** The per-patient operations both designs share: one consent each, and the workflows. */
function chargePatientActions(
  line: MutableCostLine,
  patients: number,
  table: GasTable,
  assumptions: WorkflowAssumptions,
): void {
  const consent = consentGas(table, assumptions);
  const { prescriptions, labResults } = cohortWorkflowCounts(patients, assumptions);
  line.patients += patients;
  charge(line, consent.operation, patients, patients * consent.gas);
  charge(line, "workflowPrescription", prescriptions, Math.round(prescriptions * table.workflowPrescription));
  charge(line, "workflowLabResult", labResults, Math.round(labResults * table.workflowLabResult));
}

/** The per-patient design's cost of one cohort. */
export function perPatientCohortCost(
  cohort: Pick<Cohort, "patients">,
  table: GasTable,
  assumptions: WorkflowAssumptions,
): CostLine {
  const line = emptyLine();
  charge(line, "anchorRecord", cohort.patients, Math.round(cohort.patients * table.anchorRecord));
  chargePatientActions(line, cohort.patients, table, assumptions);
  return line;
}

/** The referral records of one hospital x specialty x month, anchored under one Merkle root. */
export interface Batch {
  readonly key: string;
  readonly month: string;
  readonly hospitalKey: string;
  readonly hospitalName: string;
  readonly specialtyCode: number;
  readonly specialtyName: string;
  /** Cohorts of every list for that hospital, specialty and month. */
  readonly cohorts: readonly Cohort[];
  readonly records: number;
}

export function batchKey(cohort: Pick<Cohort, "month" | "hospitalKey" | "specialtyCode">): string {
  return `${cohort.month}/${cohort.hospitalKey}/${cohort.specialtyCode}`;
}

/** Groups cohorts into batches, in cohort order; a batch with no patients sends no transaction. */
export function groupBatches(cohorts: readonly Cohort[]): Batch[] {
  const groups = new Map<string, Cohort[]>();
  for (const cohort of cohorts) {
    const key = batchKey(cohort);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [cohort]);
    else group.push(cohort);
  }
  const batches: Batch[] = [];
  for (const [key, group] of groups) {
    const first = group[0];
    batches.push({
      key,
      month: first.month,
      hospitalKey: first.hospitalKey,
      hospitalName: first.hospitalName,
      specialtyCode: first.specialtyCode,
      specialtyName: first.specialtyName,
      cohorts: group,
      records: group.reduce((sum, c) => sum + c.patients, 0),
    });
  }
  return batches;
}

/** The batched design's cost of one batch: one anchorBatch transaction plus its patients' own operations. */
export function batchedBatchCost(
  batch: Pick<Batch, "cohorts" | "records">,
  table: GasTable,
  assumptions: WorkflowAssumptions,
): CostLine {
  const line = emptyLine();
  if (batch.records > 0) charge(line, "anchorBatch", 1, anchorBatchGas(table, batch.records));
  for (const cohort of batch.cohorts) chargePatientActions(line, cohort.patients, table, assumptions);
  return line;
}

export interface GroupCost {
  readonly perPatient: CostLine;
  readonly batched: CostLine;
}

export interface BatchCost extends GroupCost {
  readonly batch: Batch;
}

export interface DatasetCost {
  readonly total: GroupCost;
  readonly bySpecialty: ReadonlyMap<number, GroupCost>;
  readonly byMonth: ReadonlyMap<string, GroupCost>;
  /** Per list only the per-patient design is exact; batches mix lists, so batched is not split by list. */
  readonly perPatientByList: ReadonlyMap<WaitingList, CostLine>;
  readonly batches: readonly BatchCost[];
}

interface MutableGroupCost {
  perPatient: MutableCostLine;
  batched: MutableCostLine;
}

function groupFor<K>(map: Map<K, MutableGroupCost>, key: K): MutableGroupCost {
  let group = map.get(key);
  if (group === undefined) {
    group = { perPatient: emptyLine(), batched: emptyLine() };
    map.set(key, group);
  }
  return group;
}

function assertSafe(line: CostLine): void {
  if (!Number.isSafeInteger(line.gas)) throw new TotalTooLargeError("gas", line.gas);
  if (!Number.isSafeInteger(line.transactions)) throw new TotalTooLargeError("transactions", line.transactions);
}

/** Costs every kept cohort in both designs and adds the costs up by specialty, month and list. */
export function costDataset(
  cohorts: readonly Cohort[],
  table: GasTable,
  assumptions: WorkflowAssumptions,
): DatasetCost {
  const total: MutableGroupCost = { perPatient: emptyLine(), batched: emptyLine() };
  const bySpecialty = new Map<number, MutableGroupCost>();
  const byMonth = new Map<string, MutableGroupCost>();
  const perPatientByList = new Map<WaitingList, MutableCostLine>();
  const batches: BatchCost[] = [];

  for (const batch of groupBatches(cohorts)) {
    const perPatient = emptyLine();
    for (const cohort of batch.cohorts) {
      const cohortCost = perPatientCohortCost(cohort, table, assumptions);
      addInto(perPatient, cohortCost);
      let listLine = perPatientByList.get(cohort.list);
      if (listLine === undefined) {
        listLine = emptyLine();
        perPatientByList.set(cohort.list, listLine);
      }
      addInto(listLine, cohortCost);
    }
    const batched = batchedBatchCost(batch, table, assumptions);
    batches.push({ batch, perPatient, batched });
    for (const group of [total, groupFor(bySpecialty, batch.specialtyCode), groupFor(byMonth, batch.month)]) {
      addInto(group.perPatient, perPatient);
      addInto(group.batched, batched);
    }
  }
  assertSafe(total.perPatient);
  assertSafe(total.batched);
  return { total, bySpecialty, byMonth, perPatientByList, batches };
}
