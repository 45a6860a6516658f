import { InvalidSliceError } from "../errors.js";
import { WAITING_LISTS, type WaitingList } from "../ingest/waiting-list-row.js";
import type { Cohort } from "./cohorts.js";
import { batchKey, groupBatches, type Design } from "./cost-model.js";
import { patientHasShare } from "./share-allocation.js";
import type { WorkflowAssumptions } from "./workflow-assumptions.js";

/** Which patients an executed run replays; every field given must match. */
export interface SliceSelector {
  /** yyyy-mm */
  readonly month?: string;
  /** Hospital HIPE code ("0918" or "918") or hospital name, case-insensitive. */
  readonly hospital?: string;
  /** Specialty HIPE code or name, case-insensitive. */
  readonly specialty?: string;
  readonly list?: WaitingList;
}

const SLICE_KEYS = ["month", "hospital", "specialty", "list"] as const;

/** Parses "month=2020-01,hospital=0918,specialty=8003". */
export function parseSliceSelector(text: string): SliceSelector {
  const selector: { month?: string; hospital?: string; specialty?: string; list?: WaitingList } = {};
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = (eq === -1 ? part : part.slice(0, eq)).trim();
    const value = eq === -1 ? "" : part.slice(eq + 1).trim();
    if (!(SLICE_KEYS as readonly string[]).includes(key)) throw new InvalidSliceError("unknown-key", key, value);
    if (value === "") throw new InvalidSliceError("no-value", key, value);
    if (key === "month") {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidSliceError("bad-month", key, value);
      selector.month = value;
    } else if (key === "list") {
      if (!(WAITING_LISTS as readonly string[]).includes(value))
        throw new InvalidSliceError("unknown-list", key, value);
      selector.list = value as WaitingList;
    } else if (key === "hospital") selector.hospital = value;
    else selector.specialty = value;
  }
  if (Object.keys(selector).length === 0) throw new InvalidSliceError("empty", undefined, text);
  return selector;
}

export function describeSlice(selector: SliceSelector): string {
  return SLICE_KEYS.filter((k) => selector[k] !== undefined)
    .map((k) => `${k}=${String(selector[k])}`)
    .join(",");
}

function sameCode(text: string, code: string): boolean {
  return /^\d+$/.test(text) && /^\d+$/.test(code) ? Number(text) === Number(code) : false;
}

export function cohortMatches(cohort: Cohort, selector: SliceSelector): boolean {
  if (selector.month !== undefined && cohort.month !== selector.month) return false;
  if (selector.list !== undefined && cohort.list !== selector.list) return false;
  if (selector.hospital !== undefined) {
    const wanted = selector.hospital.toLowerCase();
    if (!sameCode(selector.hospital, cohort.hospitalKey) && cohort.hospitalName.toLowerCase() !== wanted) return false;
  }
  if (selector.specialty !== undefined) {
    const wanted = selector.specialty.toLowerCase();
    if (!sameCode(selector.specialty, String(cohort.specialtyCode)) && cohort.specialtyName.toLowerCase() !== wanted)
      return false;
  }
  return true;
}

/** One synthetic patient of a slice, with the workflows the model assigns to them. */
export interface SlicePatient {
  /** Deterministic pseudonym: batch key, list and index in the cohort. Never a real identifier. */
  readonly id: string;
  readonly list: WaitingList;
  readonly month: string;
  /** Hospital code, or UNKNOWN_HOSPITAL for rows from by-specialty files. */
  readonly hospitalKey: string;
  readonly specialtyCode: number;
  /** The batch (hospital x specialty x month) whose Merkle root carries this patient's referral record. */
  readonly batchKey: string;
  readonly prescription: boolean;
  readonly labResult: boolean;
}

export interface SliceBatch {
  readonly key: string;
  readonly records: number;
}

/** The patients an ExecutedRunner replays for one design. */
export interface PatientSlice {
  readonly selector: SliceSelector;
  readonly design: Design;
  readonly assumptions: WorkflowAssumptions;
  readonly cohorts: readonly Cohort[];
  readonly patientCount: number;
  /** The anchorBatch transactions of the batched design, one per hospital x specialty x month. */
  readonly batches: readonly SliceBatch[];
  /** Generated lazily: a month can hold hundreds of thousands of patients. */
  patients(): Iterable<SlicePatient>;
}

function* slicePatients(cohorts: readonly Cohort[], assumptions: WorkflowAssumptions): Generator<SlicePatient> {
  for (const cohort of cohorts) {
    const key = batchKey(cohort);
    for (let index = 0; index < cohort.patients; index += 1) {
      yield {
        id: `${key}/${cohort.list}/${index}`,
        list: cohort.list,
        month: cohort.month,
        hospitalKey: cohort.hospitalKey,
        specialtyCode: cohort.specialtyCode,
        batchKey: key,
        prescription: patientHasShare(index, assumptions.prescriptionShare),
        labResult: patientHasShare(index, assumptions.labShare),
      };
    }
  }
}

/** Selects the slice's cohorts and describes its patients for one design. */
export function buildPatientSlice(
  cohorts: readonly Cohort[],
  selector: SliceSelector,
  design: Design,
  assumptions: WorkflowAssumptions,
): PatientSlice {
  const selected = cohorts.filter((c) => cohortMatches(c, selector) && c.patients > 0);
  if (selected.length === 0) throw new InvalidSliceError("matches-no-patients", undefined, describeSlice(selector));
  const batches = groupBatches(selected).map((b) => ({ key: b.key, records: b.records }));
  return {
    selector,
    design,
    assumptions,
    cohorts: selected,
    patientCount: selected.reduce((sum, c) => sum + c.patients, 0),
    batches,
    patients: () => slicePatients(selected, assumptions),
  };
}
