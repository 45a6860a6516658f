import type { SourceLevel, WaitingList } from "./waiting-list-row.js";

/** What one file holds for one list and month. */
export interface SourceCoverage {
  readonly fileIndex: number;
  readonly file: string;
  readonly level: SourceLevel;
  readonly list: WaitingList;
  readonly month: string;
  readonly rows: number;
  readonly patients: number;
}

export interface CoverageRef {
  readonly file: string;
  readonly level: SourceLevel;
  readonly rows: number;
  readonly patients: number;
}

/** One list and month that several files cover, and which one was used. */
export interface OverlapDecision {
  readonly list: WaitingList;
  readonly month: string;
  readonly kept: CoverageRef;
  readonly excluded: readonly CoverageRef[];
  /** True when an excluded file counts a different number of patients than the kept one: worth a look. */
  readonly patientsDiffer: boolean;
}

export interface OverlapResolution {
  readonly decisions: readonly OverlapDecision[];
  readonly excludedRows: number;
  readonly excludedPatients: number;
  keeps(fileIndex: number, list: WaitingList, month: string): boolean;
}

export const OVERLAP_POLICY =
  "One source file per list and month: when several files cover the same list and month, the replay keeps the " +
  "hospital-level (group/hospital) file, or the first one given if none is hospital-level, and excludes that list " +
  "and month from the others. The by-specialty files are the hospital rows without the hospital columns, so " +
  "adding both would count every patient twice; the hospital-level file is kept because it can be batched per " +
  "hospital. Every exclusion is listed in the report and the excluded patients are subtracted in the reconciliation.";

function key(fileIndex: number, list: WaitingList, month: string): string {
  return `${fileIndex}|${list}|${month}`;
}

function ref(coverage: SourceCoverage): CoverageRef {
  return { file: coverage.file, level: coverage.level, rows: coverage.rows, patients: coverage.patients };
}

/** Applies OVERLAP_POLICY to what each file covers. */
export function resolveOverlaps(coverages: readonly SourceCoverage[]): OverlapResolution {
  const byListMonth = new Map<string, SourceCoverage[]>();
  for (const coverage of coverages) {
    const group = `${coverage.list}|${coverage.month}`;
    const existing = byListMonth.get(group);
    if (existing === undefined) byListMonth.set(group, [coverage]);
    else existing.push(coverage);
  }

  const excludedKeys = new Set<string>();
  const decisions: OverlapDecision[] = [];
  let excludedRows = 0;
  let excludedPatients = 0;
  for (const group of byListMonth.values()) {
    if (group.length < 2) continue;
    const ordered = [...group].sort((a, b) => a.fileIndex - b.fileIndex);
    const kept = ordered.find((c) => c.level === "hospital") ?? ordered[0];
    const excluded = ordered.filter((c) => c !== kept);
    for (const c of excluded) {
      excludedKeys.add(key(c.fileIndex, c.list, c.month));
      excludedRows += c.rows;
      excludedPatients += c.patients;
    }
    decisions.push({
      list: kept.list,
      month: kept.month,
      kept: ref(kept),
      excluded: excluded.map(ref),
      patientsDiffer: excluded.some((c) => c.patients !== kept.patients),
    });
  }
  decisions.sort((a, b) => (a.month === b.month ? a.list.localeCompare(b.list) : a.month.localeCompare(b.month)));
  return {
    decisions,
    excludedRows,
    excludedPatients,
    keeps: (fileIndex, list, month) => !excludedKeys.has(key(fileIndex, list, month)),
  };
}
