import type { OverlapResolution, SourceCoverage } from "../ingest/overlap-policy.js";
import type { SourceLevel, WaitingList, WaitingListRow } from "../ingest/waiting-list-row.js";

/** Stands in for the hospital of rows from by-specialty files, which do not say which hospital. */
export const UNKNOWN_HOSPITAL = "(no hospital column)";

/**
 * The patients of one list, month, hospital and specialty: the unit the model costs, and what an executed slice
 * is built from. Ages, bands and case types are summed away because no operation depends on them.
 */
export interface Cohort {
  readonly list: WaitingList;
  readonly month: string;
  readonly level: SourceLevel;
  /** Hospital code, or UNKNOWN_HOSPITAL for by-specialty rows. */
  readonly hospitalKey: string;
  readonly hospitalName: string;
  readonly hospitalGroup: string;
  readonly specialtyCode: number;
  readonly specialtyName: string;
  readonly patients: number;
  readonly rows: number;
  readonly sourceFile: string;
}

interface MutableCohort {
  list: WaitingList;
  month: string;
  level: SourceLevel;
  hospitalKey: string;
  hospitalName: string;
  hospitalGroup: string;
  specialtyCode: number;
  specialtyName: string;
  patients: number;
  rows: number;
  sourceFile: string;
  fileIndex: number;
}

interface MutableCoverage {
  fileIndex: number;
  file: string;
  level: SourceLevel;
  list: WaitingList;
  month: string;
  rows: number;
  patients: number;
}

/** Sums rows into cohorts while remembering which file each came from, so overlaps can be dropped afterwards. */
export class CohortCollector {
  private readonly cohorts = new Map<string, MutableCohort>();
  private readonly coverage = new Map<string, MutableCoverage>();
  private lastFile = -1;
  private lastLine = -1;

  /**
   * Adds one row of the model. A wide file's record gives several rows (one per time band) with the same line, one
   * after the other, all in the same cohort: they count as one data row, so row counts mean file rows everywhere.
   */
  add(row: WaitingListRow, fileIndex: number): void {
    const newRecord = fileIndex !== this.lastFile || row.line !== this.lastLine;
    this.lastFile = fileIndex;
    this.lastLine = row.line;
    const level: SourceLevel = row.hospitalCode === undefined ? "specialty" : "hospital";
    const hospitalKey = row.hospitalCode ?? UNKNOWN_HOSPITAL;
    const cohortKey = `${fileIndex}\u0001${row.list}\u0001${row.month}\u0001${hospitalKey}\u0001${row.specialtyCode}`;
    let cohort = this.cohorts.get(cohortKey);
    if (cohort === undefined) {
      cohort = {
        list: row.list,
        month: row.month,
        level,
        hospitalKey,
        hospitalName: row.hospitalName ?? UNKNOWN_HOSPITAL,
        hospitalGroup: row.hospitalGroup ?? UNKNOWN_HOSPITAL,
        specialtyCode: row.specialtyCode,
        specialtyName: row.specialtyName,
        patients: 0,
        rows: 0,
        sourceFile: row.sourceFile,
        fileIndex,
      };
      this.cohorts.set(cohortKey, cohort);
    }
    cohort.patients += row.total;
    if (newRecord) cohort.rows += 1;

    const coverageKey = `${fileIndex}\u0001${row.list}\u0001${row.month}`;
    let coverage = this.coverage.get(coverageKey);
    if (coverage === undefined) {
      coverage = { fileIndex, file: row.sourceFile, level, list: row.list, month: row.month, rows: 0, patients: 0 };
      this.coverage.set(coverageKey, coverage);
    }
    if (newRecord) coverage.rows += 1;
    coverage.patients += row.total;
  }

  coverages(): SourceCoverage[] {
    return [...this.coverage.values()].map((c) => ({ ...c }));
  }

  /**
   * The cohorts the overlap policy keeps, in a stable order. Cohorts of the same list, month, hospital and
   * specialty from two kept files (only possible for different lists or months, by the policy) stay separate.
   */
  keptCohorts(resolution: OverlapResolution): Cohort[] {
    const kept: Cohort[] = [];
    for (const c of this.cohorts.values()) {
      if (!resolution.keeps(c.fileIndex, c.list, c.month)) continue;
      kept.push({
        list: c.list,
        month: c.month,
        level: c.level,
        hospitalKey: c.hospitalKey,
        hospitalName: c.hospitalName,
        hospitalGroup: c.hospitalGroup,
        specialtyCode: c.specialtyCode,
        specialtyName: c.specialtyName,
        patients: c.patients,
        rows: c.rows,
        sourceFile: c.sourceFile,
      });
    }
    kept.sort(compareCohorts);
    return kept;
  }
}

export function compareCohorts(a: Cohort, b: Cohort): number {
  if (a.month !== b.month) return a.month < b.month ? -1 : 1;
  if (a.hospitalKey !== b.hospitalKey) return a.hospitalKey < b.hospitalKey ? -1 : 1;
  if (a.specialtyCode !== b.specialtyCode) return a.specialtyCode - b.specialtyCode;
  if (a.list !== b.list) return a.list < b.list ? -1 : 1;
  return 0;
}
