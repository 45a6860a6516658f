import {
  GasTableError,
  InvalidSettingError,
  ModeConflictError,
  NoUsableRowsError,
  sumKnown,
  UnusableFilesError,
} from "./errors.js";
import { compareExecuted, type ExecutedComparison } from "./gas/executed-comparison.js";
import type { ExecutedRunner } from "./gas/executed-runner.js";
import type { GasTable } from "./gas/gas-table.js";
import type { GasTableProvider } from "./gas/gas-table-provider.js";
import { expandInputPaths } from "./ingest/expand-paths.js";
import { ingestFiles } from "./ingest/ingest-files.js";
import { OVERLAP_POLICY, resolveOverlaps } from "./ingest/overlap-policy.js";
import type { IngestIssue, WaitingList } from "./ingest/waiting-list-row.js";
import { CohortCollector } from "./model/cohorts.js";
import { costDataset, type CostLine, type DatasetCost } from "./model/cost-model.js";
import { fitLine } from "./model/linear-fit.js";
import type { SliceSelector } from "./model/patient-slice.js";
import { validateAssumptions, type WorkflowAssumptions } from "./model/workflow-assumptions.js";
import { gasToMoney } from "./money/convert.js";
import {
  PRICE_SCENARIOS,
  resolvePricing,
  SCENARIO_NAMES,
  type PriceOverrides,
  type Pricing,
} from "./money/price-scenarios.js";
import { SILENT_PROGRESS, type ProgressSink } from "./progress/progress-meter.js";
import { writeReport } from "./report/write-report.js";
import {
  ATTRIBUTION,
  type CostSummary,
  type ListResult,
  type MonthResult,
  type ReconciliationCheck,
  type ReplayMode,
  type ReplayResult,
  type SpecialtyResult,
} from "./replay-result.js";

export interface ReplayOptions {
  /** Waiting-list files and folders (searched recursively for .csv and .csv.gz). */
  readonly paths: readonly string[];
  /** Where summary.md, results.csv, results.json, report.html and the charts are written. */
  readonly outDir: string;
  readonly mode: ReplayMode;
  /** The patients executed mode runs through the contracts; required in executed mode. */
  readonly slice?: SliceSelector;
  /** The first malformed row or unusable file stops the run. */
  readonly strict: boolean;
  /**
   * Files whose header matches no known shape, or that cannot be read, are left out and stated in the report
   * instead of stopping the run with an UnusableFilesError. Default false.
   */
  readonly skipUnusableFiles?: boolean;
  readonly assumptions: WorkflowAssumptions;
  /** One of SCENARIO_NAMES. */
  readonly scenario: string;
  readonly priceOverrides: PriceOverrides;
  /** Specialties shown by name in the cost-per-specialty chart before the rest is summed as "Other"; default 15. */
  readonly topSpecialties?: number;
}

export interface ReplayDependencies {
  readonly gasTableProvider: GasTableProvider;
  /** Needed in executed mode only: replay/chain/contracts-executed-runner.ts. */
  readonly executedRunner?: ExecutedRunner;
  readonly progress?: ProgressSink;
  /** Sees every malformed row or unusable file as it is found. */
  readonly onIssue?: (issue: IngestIssue) => void;
  readonly now?: () => Date;
}

export const DEFAULT_TOP_SPECIALTIES = 15;

/** The command-line flag that sets ReplayOptions.skipUnusableFiles; errors name it. */
export const SKIP_UNUSABLE_FILES_FLAG = "--skip-unknown-files";

/**
 * Replays waiting-list files through the workflow model: ingests them, drops overlapping sources, costs every
 * patient in the per-patient and the batched design, optionally runs a slice through the real contracts, writes the
 * report into options.outDir and returns everything it wrote.
 */
export async function runReplay(options: ReplayOptions, dependencies: ReplayDependencies): Promise<ReplayResult> {
  const startedAt = performance.now();
  const now = dependencies.now ?? (() => new Date());
  if (options.mode === "executed" && dependencies.executedRunner === undefined) {
    throw new ModeConflictError(options.mode, "no-runner");
  }
  if (options.mode === "modeled" && options.slice !== undefined) {
    throw new ModeConflictError(options.mode, "slice-without-executed");
  }
  if (options.mode === "executed" && options.slice === undefined) {
    throw new ModeConflictError(options.mode, "no-slice");
  }
  const assumptions = validateAssumptions(options.assumptions);
  const pricing = resolvePricing(options.scenario, options.priceOverrides);
  const topSpecialties = options.topSpecialties ?? DEFAULT_TOP_SPECIALTIES;
  if (!Number.isSafeInteger(topSpecialties) || topSpecialties < 1)
    throw new InvalidSettingError("topSpecialties", topSpecialties, "a whole number of at least 1");
  const files = await expandInputPaths(options.paths);
  const gasTable = await dependencies.gasTableProvider.gasTable();
  if (assumptions.consentBySignature && gasTable.grantConsentBySig === undefined) {
    throw new GasTableError(gasTable.provenance.source, "no-consent-by-signature", ["grantConsentBySig"]);
  }

  const collector = new CohortCollector();
  const ingest = await ingestFiles(files, {
    strict: options.strict,
    progress: dependencies.progress ?? SILENT_PROGRESS,
    onRow: (row, fileIndex) => collector.add(row, fileIndex),
    onIssue: dependencies.onIssue,
  });
  if (ingest.rowsRead === 0) throw new NoUsableRowsError(files);
  if (ingest.fileErrors.length > 0 && options.skipUnusableFiles !== true)
    throw new UnusableFilesError(ingest.fileErrors, SKIP_UNUSABLE_FILES_FLAG);

  const overlap = resolveOverlaps(collector.coverages());
  const cohorts = collector.keptCohorts(overlap);
  const cost = costDataset(cohorts, gasTable, assumptions);
  const amsterdam = gasTable.amsterdam;
  const nextForkCost =
    amsterdam === undefined || (assumptions.consentBySignature && amsterdam.grantConsentBySig === undefined)
      ? undefined
      : costDataset(cohorts, { ...gasTable, ...amsterdam }, assumptions);

  let executed: ExecutedComparison | undefined;
  if (options.mode === "executed" && dependencies.executedRunner !== undefined && options.slice !== undefined) {
    const progress = dependencies.progress ?? SILENT_PROGRESS;
    executed = await compareExecuted(cohorts, options.slice, dependencies.executedRunner, gasTable, assumptions, {
      onProgress: (p) => progress.executing?.(p),
    });
    progress.finish();
  }

  const patients = ingest.sumOfTotal - overlap.excludedPatients;
  const result: ReplayResult = {
    tool: "careledger-replay",
    generatedAt: now().toISOString(),
    mode: options.mode,
    attribution: ATTRIBUTION,
    inputs: ingest.files,
    ingest: {
      rowsRead: ingest.rowsRead,
      cellsRead: ingest.cellsRead,
      sumOfTotal: ingest.sumOfTotal,
      blankLines: ingest.blankLines,
      malformedRows: ingest.malformedRows,
      issuesByKind: ingest.issuesByKind,
      issues: ingest.issues,
      seconds: ingest.seconds,
      rowsPerSecond: perSecond(ingest.rowsRead, ingest.seconds),
      patientsPerSecond: perSecond(ingest.sumOfTotal, ingest.seconds),
    },
    notRead: {
      flag: SKIP_UNUSABLE_FILES_FLAG,
      files: ingest.fileErrors,
      rows: sumKnown(ingest.fileErrors.map((f) => f.rowsNotRead)),
      patients: sumKnown(ingest.fileErrors.map((f) => f.patientsNotRead)),
    },
    overlap: {
      policy: OVERLAP_POLICY,
      decisions: overlap.decisions,
      excludedRows: overlap.excludedRows,
      excludedPatients: overlap.excludedPatients,
    },
    patients,
    cohorts: cohorts.length,
    batches: cost.batches.length,
    assumptions,
    modelNotes: modelNotes(assumptions, gasTable),
    gasTable,
    pricing,
    designs: {
      perPatient: summarise(cost.total.perPatient, pricing),
      batched: summarise(cost.total.batched, pricing),
      batchingSaving: cost.total.perPatient.gas === 0 ? 0 : 1 - cost.total.batched.gas / cost.total.perPatient.gas,
    },
    bySpecialty: specialtyResults(cost, cohorts, pricing),
    byMonth: monthResults(cost, pricing),
    byList: listResults(cost, pricing),
    fits: fits(cost),
    scenarios: SCENARIO_NAMES.map((name) => {
      const scenario = PRICE_SCENARIOS[name];
      return {
        scenario: name,
        label: scenario.label,
        gasPriceGwei: scenario.gasPriceGwei,
        perPatient: gasToMoney(cost.total.perPatient.gas, scenario),
        batched: gasToMoney(cost.total.batched.gas, scenario),
      };
    }),
    ...(amsterdam === undefined || nextForkCost === undefined
      ? {}
      : {
          nextFork: {
            name: "Amsterdam" as const,
            rules: amsterdam.rules,
            asOf: amsterdam.asOf,
            perPatient: summarise(nextForkCost.total.perPatient, pricing),
            batched: summarise(nextForkCost.total.batched, pricing),
          },
        }),
    executed,
    reconciliation: { ok: true, checks: [] },
    performance: { totalSeconds: 0, ingestSeconds: ingest.seconds, rowsPerSecond: 0, patientsPerSecond: 0 },
  };
  const checks = reconcile(result, cost);
  const totalSeconds = (performance.now() - startedAt) / 1000;
  const finished: ReplayResult = {
    ...result,
    reconciliation: { ok: checks.every((c) => c.ok), checks },
    performance: {
      totalSeconds,
      ingestSeconds: ingest.seconds,
      rowsPerSecond: perSecond(ingest.rowsRead, totalSeconds),
      patientsPerSecond: perSecond(ingest.sumOfTotal, totalSeconds),
    },
  };
  await writeReport(finished, options.outDir, { topSpecialties });
  return finished;
}

function perSecond(count: number, seconds: number): number {
  return seconds > 0 ? count / seconds : 0;
}

export function summarise(line: CostLine, pricing: Pricing): CostSummary {
  return {
    patients: line.patients,
    transactions: line.transactions,
    counts: { ...line.counts },
    gasByOperation: { ...line.gasByOperation },
    gas: line.gas,
    gasPerPatient: line.patients === 0 ? 0 : line.gas / line.patients,
    ...gasToMoney(line.gas, pricing),
  };
}

function specialtyResults(
  cost: DatasetCost,
  cohorts: readonly { specialtyCode: number; specialtyName: string; rows: number }[],
  pricing: Pricing,
): SpecialtyResult[] {
  // A code is named by the name most of its rows carry (names never varied in the shipped data).
  const names = new Map<number, Map<string, number>>();
  for (const c of cohorts) {
    const counts = names.get(c.specialtyCode) ?? new Map<string, number>();
    counts.set(c.specialtyName, (counts.get(c.specialtyName) ?? 0) + c.rows);
    names.set(c.specialtyCode, counts);
  }
  const nameOf = (code: number): string => {
    const counts = names.get(code);
    if (counts === undefined) return String(code);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
  };
  return [...cost.bySpecialty.entries()]
    .map(([code, group]) => ({
      specialtyCode: code,
      specialtyName: nameOf(code),
      patients: group.perPatient.patients,
      perPatient: summarise(group.perPatient, pricing),
      batched: summarise(group.batched, pricing),
    }))
    .sort((a, b) => a.specialtyCode - b.specialtyCode);
}

function monthResults(cost: DatasetCost, pricing: Pricing): MonthResult[] {
  return [...cost.byMonth.entries()]
    .map(([month, group]) => ({
      month,
      patients: group.perPatient.patients,
      perPatient: summarise(group.perPatient, pricing),
      batched: summarise(group.batched, pricing),
    }))
    .sort((a, b) => a.month.localeCompare(b.month));
}

function listResults(cost: DatasetCost, pricing: Pricing): ListResult[] {
  const order: WaitingList[] = ["outpatient", "inpatient_daycase"];
  return order
    .filter((list) => cost.perPatientByList.has(list))
    .map((list) => {
      const line = cost.perPatientByList.get(list) as CostLine;
      return { list, patients: line.patients, perPatient: summarise(line, pricing) };
    });
}

function fits(cost: DatasetCost): ReplayResult["fits"] {
  const specialties = [...cost.bySpecialty.values()];
  return {
    bySpecialty: {
      points: "one per specialty code: its patients over all months and hospitals, and their cost",
      perPatient: fitLine(specialties.map((g) => ({ x: g.perPatient.patients, y: g.perPatient.gas }))),
      batched: fitLine(specialties.map((g) => ({ x: g.batched.patients, y: g.batched.gas }))),
    },
    byBatch: {
      points: "one per hospital x specialty x month (a batch)",
      perPatient: fitLine(cost.batches.map((b) => ({ x: b.perPatient.patients, y: b.perPatient.gas }))),
      batched: fitLine(cost.batches.map((b) => ({ x: b.batched.patients, y: b.batched.gas }))),
    },
  };
}

function modelNotes(assumptions: WorkflowAssumptions, table: GasTable): string[] {
  const consent = assumptions.consentBySignature
    ? "grantConsentBySig (signed by the patient, relayed)"
    : "grantConsent (sent by the patient)";
  return [
    `Every waiting patient in a monthly snapshot is one patient: a person still waiting next month is costed again (patient-months, as in the paper).`,
    `Per patient, both designs: one consent to the specialist, ${consent}, ${fmtGas(assumptions.consentBySignature ? (table.grantConsentBySig ?? 0) : table.grantConsent)} gas.`,
    `Per patient, per-patient design only: one referral record anchored with anchorRecord, ${fmtGas(table.anchorRecord)} gas.`,
    `Batched design: one anchorBatch per hospital x specialty x month (all lists together) carrying that group's referral records as one Merkle root, ${fmtGas(table.anchorBatchFixed)} + ${fmtGas(table.anchorBatchPerRecord)} x records gas.`,
    `Rows from by-specialty files name no hospital, so their batches are one per specialty x month nationally: fewer, larger batches than hospital-level data would give.`,
    `Prescription workflow (issue + consent to a pharmacy + one dispense, 3 transactions, ${fmtGas(table.workflowPrescription)} gas) for ${pct(assumptions.prescriptionShare)} of patients.`,
    `Lab workflow (order + post result + share with a second doctor, 3 transactions, ${fmtGas(table.workflowLabResult)} gas) for ${pct(assumptions.labShare)} of patients.`,
    `Shares are applied per list x month x hospital x specialty cohort and rounded half up there, so totals are whole workflows.`,
    `Consents and workflows stay per patient in the batched design: each is a different party's act at its own time, so there is nothing to batch at referral time.`,
    `Gas figures include the 21,000 base cost of each transaction (receipt.gasUsed); contract deployment is not included.`,
  ];
}

function fmtGas(gas: number): string {
  return Number.isInteger(gas)
    ? gas.toLocaleString("en-IE")
    : gas.toLocaleString("en-IE", { maximumFractionDigits: 2 });
}

function pct(share: number): string {
  return `${(share * 100).toLocaleString("en-IE", { maximumFractionDigits: 4 })}%`;
}

function check(name: string, expected: number, actual: number): ReconciliationCheck {
  return { name, expected, actual, ok: expected === actual };
}

/** Every total the report shows must add back up to what was read. */
function reconcile(result: ReplayResult, cost: DatasetCost): ReconciliationCheck[] {
  const sum = <T>(items: readonly T[], f: (item: T) => number): number => items.reduce((acc, item) => acc + f(item), 0);
  const patientsIn = (rows: readonly { readonly patients: number }[]): number => sum(rows, (r) => r.patients);
  const gasIn = (
    rows: readonly Record<"perPatient" | "batched", CostSummary>[],
    design: "perPatient" | "batched",
  ): number => sum(rows, (r) => r[design].gas);
  const p = result.designs.perPatient;
  const b = result.designs.batched;
  return [
    check(
      "sum of Total read = sum over input files",
      result.ingest.sumOfTotal,
      sum(result.inputs, (f) => f.patients),
    ),
    check(
      "patients costed = sum of Total read - overlap excluded",
      result.ingest.sumOfTotal - result.overlap.excludedPatients,
      result.patients,
    ),
    check("patients in per-patient design = patients costed", result.patients, p.patients),
    check("patients in batched design = patients costed", result.patients, b.patients),
    check("records anchored per patient = patients costed", result.patients, p.counts.anchorRecord),
    check(
      "records carried by batches = patients costed",
      result.patients,
      sum(cost.batches, (x) => x.batch.records),
    ),
    check("consents = patients costed", result.patients, p.counts.grantConsent + p.counts.grantConsentBySig),
    check("patients by specialty add up", result.patients, patientsIn(result.bySpecialty)),
    check("patients by month add up", result.patients, patientsIn(result.byMonth)),
    check("patients by list add up", result.patients, patientsIn(result.byList)),
    check("per-patient gas by specialty adds up", p.gas, gasIn(result.bySpecialty, "perPatient")),
    check("batched gas by specialty adds up", b.gas, gasIn(result.bySpecialty, "batched")),
    check("per-patient gas by month adds up", p.gas, gasIn(result.byMonth, "perPatient")),
    check("batched gas by month adds up", b.gas, gasIn(result.byMonth, "batched")),
  ];
}
