import type { SourceLevel, WaitingList } from "./waiting-list-row.js";

/** The canonical columns a waiting-list file may carry, whatever each year called them. */
export type CanonicalColumn =
  | "archiveDate"
  | "hospitalGroup"
  | "hospitalCode"
  | "hospitalName"
  | "specialtyCode"
  | "specialtyName"
  | "caseType"
  | "adultChild"
  | "ageProfile"
  | "timeBand"
  | "total";

/**
 * Header spellings seen across the NTPF archive, compared after lower-casing and dropping everything that is not
 * a letter or digit, so "Hospital_Group", "Hospital Group" and "HOSPITAL-GROUP" are one name.
 */
const ALIASES: Readonly<Record<string, CanonicalColumn>> = {
  archivedate: "archiveDate",
  group: "hospitalGroup",
  hospitalgroup: "hospitalGroup",
  hospitalhipe: "hospitalCode",
  hospital: "hospitalName",
  hospitalname: "hospitalName",
  specialtyhipe: "specialtyCode",
  specialtyhipe1: "specialtyCode",
  specialityhipe: "specialtyCode",
  specialityhipe1: "specialtyCode",
  specialtyname: "specialtyName",
  specialityname: "specialtyName",
  speciality: "specialtyName",
  specialty: "specialtyName",
  casetype: "caseType",
  adultchild: "adultChild",
  ageprofile: "ageProfile",
  timebands: "timeBand",
  timeband: "timeBand",
  total: "total",
};

const ALWAYS_REQUIRED: readonly CanonicalColumn[] = [
  "archiveDate",
  "specialtyCode",
  "specialtyName",
  "adultChild",
  "ageProfile",
  "timeBand",
  "total",
];
const HOSPITAL_COLUMNS: readonly CanonicalColumn[] = ["hospitalGroup", "hospitalCode", "hospitalName"];

/** The four shapes of file in the archive. */
export type ShapeName = "op-hospital" | "ipdc-hospital" | "op-specialty" | "ipdc-specialty";

export interface HeaderShape {
  readonly name: ShapeName;
  readonly list: WaitingList;
  readonly level: SourceLevel;
  /** Index of each present column in a record. */
  readonly columns: Readonly<Partial<Record<CanonicalColumn, number>>>;
  /** Fields a data record must have: the header's length less trailing empty header cells. */
  readonly width: number;
}

export type HeaderResult =
  { readonly ok: true; readonly shape: HeaderShape } | { readonly ok: false; readonly reason: string };

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

function describe(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, "?");
  return JSON.stringify(printable.length > 40 ? `${printable.slice(0, 40)}...` : printable);
}

/** Recognises a header record, naming what is wrong when it matches no known shape. */
export function detectHeaderShape(header: readonly string[]): HeaderResult {
  let width = header.length;
  // ipdc_specialty_2018.csv ends its header with a comma: trailing empty cells are not columns.
  while (width > 0 && header[width - 1].trim() === "") width -= 1;
  if (width === 0) return { ok: false, reason: "the header line is empty" };

  const columns: Partial<Record<CanonicalColumn, number>> = {};
  for (let i = 0; i < width; i += 1) {
    const raw = header[i];
    const canonical = ALIASES[normaliseName(raw)];
    if (canonical === undefined)
      return { ok: false, reason: `column ${i + 1} ${describe(raw)} is not a known waiting-list column` };
    if (columns[canonical] !== undefined) return { ok: false, reason: `column ${describe(raw)} appears twice` };
    columns[canonical] = i;
  }
  const missing = ALWAYS_REQUIRED.filter((c) => columns[c] === undefined);
  if (missing.length > 0) return { ok: false, reason: `required columns are missing (${missing.join(", ")})` };

  const hospitalPresent = HOSPITAL_COLUMNS.filter((c) => columns[c] !== undefined);
  if (hospitalPresent.length !== 0 && hospitalPresent.length !== HOSPITAL_COLUMNS.length) {
    const absent = HOSPITAL_COLUMNS.filter((c) => columns[c] === undefined);
    return { ok: false, reason: `hospital columns are incomplete (missing ${absent.join(", ")})` };
  }
  const level: SourceLevel = hospitalPresent.length === 0 ? "specialty" : "hospital";
  // Only the inpatient/day-case list splits patients by case type; outpatient files never carry it.
  const list: WaitingList = columns.caseType === undefined ? "outpatient" : "inpatient_daycase";
  const name: ShapeName = `${list === "outpatient" ? "op" : "ipdc"}-${level}`;
  return { ok: true, shape: { name, list, level, columns, width } };
}
