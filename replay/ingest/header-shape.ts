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
 * a letter or digit, so "Hospital_Group", "Hospital Group", "Hospital.Group" and "HOSPITAL-GROUP" are one name.
 * Older files use spaces and other names ("Archive Date", "Adult/Child", "Age Profile", "Time Bands"); the count
 * column is not always "Total" and the age column not always "Age_Profile".
 */
const ALIASES: Readonly<Record<string, CanonicalColumn>> = {
  archivedate: "archiveDate",
  archivemonth: "archiveDate",
  reportdate: "archiveDate",
  snapshotdate: "archiveDate",
  extractdate: "archiveDate",
  group: "hospitalGroup",
  hospitalgroup: "hospitalGroup",
  hospitalgroupname: "hospitalGroup",
  hospitalhipe: "hospitalCode",
  hospitalhipecode: "hospitalCode",
  hospitalcode: "hospitalCode",
  hospital: "hospitalName",
  hospitalname: "hospitalName",
  specialtyhipe: "specialtyCode",
  specialtyhipe1: "specialtyCode",
  specialityhipe: "specialtyCode",
  specialityhipe1: "specialtyCode",
  specialtyhipecode: "specialtyCode",
  specialityhipecode: "specialtyCode",
  specialtycode: "specialtyCode",
  specialitycode: "specialtyCode",
  specialtyname: "specialtyName",
  specialityname: "specialtyName",
  speciality: "specialtyName",
  specialty: "specialtyName",
  casetype: "caseType",
  adultchild: "adultChild",
  adultorchild: "adultChild",
  ageprofile: "ageProfile",
  agecategory: "ageProfile",
  agecategorie: "ageProfile",
  agegroup: "ageProfile",
  ageband: "ageProfile",
  agebands: "ageProfile",
  agerange: "ageProfile",
  timebands: "timeBand",
  timeband: "timeBand",
  waitingtimeband: "timeBand",
  waitingtimebands: "timeBand",
  waitband: "timeBand",
  total: "total",
  totals: "total",
  count: "total",
  number: "total",
  numberofpatients: "total",
  noofpatients: "total",
  patients: "total",
  totalpatients: "total",
  totalwaiting: "total",
  numberwaiting: "total",
};

/** Normalised names of the count column, for counting the patients of a file whose header is otherwise unknown. */
export const COUNT_COLUMN_NAMES: ReadonlySet<string> = new Set(
  Object.entries(ALIASES)
    .filter(([, canonical]) => canonical === "total")
    .map(([name]) => name),
);

const LONG_REQUIRED: readonly CanonicalColumn[] = [
  "archiveDate",
  "specialtyCode",
  "specialtyName",
  "adultChild",
  "timeBand",
  "total",
];
const WIDE_REQUIRED: readonly CanonicalColumn[] = [
  "archiveDate",
  "specialtyCode",
  "specialtyName",
  "adultChild",
  "total",
];
const HOSPITAL_COLUMNS: readonly CanonicalColumn[] = ["hospitalGroup", "hospitalCode", "hospitalName"];

/**
 * How a file lays out its patients. Long: one row per cell, the time band in a column and its patients in Total
 * (the archive up to March 2021). Wide: one row per hospital (or specialty), month and adult/child, one column per
 * time band and a Total that is their sum (NTPF since April 2021).
 */
export type ShapeLayout = "long" | "wide";

/** op-hospital, ipdc-specialty-wide, ...: list, level and, for wide files, the layout. */
export type ShapeName = `${"op" | "ipdc"}-${SourceLevel}` | `${"op" | "ipdc"}-${SourceLevel}-wide`;

/** A time band carried as a column of a wide file. */
export interface BandColumn {
  readonly index: number;
  /** The header cell, cleaned ("0-6 Months", "18 Months +"): the time band of the rows made from the column. */
  readonly band: string;
}

export interface HeaderShape {
  readonly name: ShapeName;
  readonly layout: ShapeLayout;
  readonly list: WaitingList;
  readonly level: SourceLevel;
  /** Index of each present column in a record. */
  readonly columns: Readonly<Partial<Record<CanonicalColumn, number>>>;
  /** Wide files: the time-band columns, in file order; empty for long files. */
  readonly bands: readonly BandColumn[];
  /** Fields a data record must have: the header's length less trailing empty header cells. */
  readonly width: number;
}

export type HeaderResult =
  { readonly ok: true; readonly shape: HeaderShape } | { readonly ok: false; readonly reason: string };

export function normaliseColumnName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** A header cell fit for a message: printable ASCII, at most 40 characters. */
export function printableHeaderCell(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 40 ? `${printable.slice(0, 40)}...` : printable;
}

function describe(name: string): string {
  return JSON.stringify(printableHeaderCell(name));
}

const UNIT = "(?:months?|mths?|weeks?|wks?)";
const BAND_PATTERNS: readonly RegExp[] = [
  new RegExp(`^\\d{1,3} ?- ?\\d{1,3} ?${UNIT}$`), // "0-6 Months", "0 - 3 months"
  new RegExp(`^\\d{1,3} ?\\+ ?${UNIT}$`), // "18+ Months"
  new RegExp(`^\\d{1,3} ?${UNIT} ?\\+$`), // "18 Months +"
  new RegExp(`^(?:over|more than|>|>=|under|less than|<) ?\\d{1,3} ?${UNIT}$`), // "Over 18 Months"
];

/** The time band a wide file's column stands for ("0-6 Months"), or undefined when the cell names no band. */
export function bandOfHeader(cell: string): string | undefined {
  const cleaned = cell
    .replace(/[\u0000-\u001f\u007f\ufeff]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  const lower = cleaned.toLowerCase();
  return BAND_PATTERNS.some((p) => p.test(lower)) ? cleaned : undefined;
}

/** Recognises a header record, long or wide, in any column order, naming what is wrong when it matches no shape. */
export function detectHeaderShape(header: readonly string[]): HeaderResult {
  let width = header.length;
  // ipdc_specialty_2018.csv ends its header with a comma: trailing empty cells are not columns.
  while (width > 0 && header[width - 1].trim() === "") width -= 1;
  if (width === 0) return { ok: false, reason: "the header line is empty" };

  const columns: Partial<Record<CanonicalColumn, number>> = {};
  const bands: BandColumn[] = [];
  const bandNames = new Set<string>();
  for (let i = 0; i < width; i += 1) {
    const raw = header[i];
    const canonical = ALIASES[normaliseColumnName(raw)];
    if (canonical === undefined) {
      const band = bandOfHeader(raw);
      if (band === undefined)
        return { ok: false, reason: `column ${i + 1} ${describe(raw)} is not a known waiting-list column` };
      const key = normaliseColumnName(band);
      if (bandNames.has(key)) return { ok: false, reason: `the time-band column ${describe(raw)} appears twice` };
      bandNames.add(key);
      bands.push({ index: i, band });
      continue;
    }
    if (columns[canonical] !== undefined) return { ok: false, reason: `column ${describe(raw)} appears twice` };
    columns[canonical] = i;
  }

  const layout: ShapeLayout = bands.length > 0 ? "wide" : "long";
  if (layout === "wide" && columns.timeBand !== undefined) {
    return {
      ok: false,
      reason: `it has both a time-band column and time bands as columns (${bands.map((b) => describe(b.band)).join(", ")})`,
    };
  }
  const required = layout === "wide" ? WIDE_REQUIRED : LONG_REQUIRED;
  const missing = required.filter((c) => columns[c] === undefined);
  if (missing.length > 0) return { ok: false, reason: `required columns are missing (${missing.join(", ")})` };

  const hospitalPresent = HOSPITAL_COLUMNS.filter((c) => columns[c] !== undefined);
  if (hospitalPresent.length !== 0 && hospitalPresent.length !== HOSPITAL_COLUMNS.length) {
    const absent = HOSPITAL_COLUMNS.filter((c) => columns[c] === undefined);
    return { ok: false, reason: `hospital columns are incomplete (missing ${absent.join(", ")})` };
  }
  const level: SourceLevel = hospitalPresent.length === 0 ? "specialty" : "hospital";
  // Only the inpatient/day-case list splits patients by case type; outpatient files never carry it.
  const list: WaitingList = columns.caseType === undefined ? "outpatient" : "inpatient_daycase";
  const base = `${list === "outpatient" ? "op" : "ipdc"}-${level}` as const;
  const name: ShapeName = layout === "wide" ? `${base}-wide` : base;
  return { ok: true, shape: { name, layout, list, level, columns, bands, width } };
}

/**
 * The list a file's name says it holds: "ipdc", "inpatient" or "daycase" as a word, or "op" or "outpatient". Used
 * only to catch a file whose columns say the other list (an inpatient file without its Case_Type column would
 * otherwise be costed as outpatients).
 */
export function listNamedBy(fileName: string): WaitingList | undefined {
  const words = new Set(fileName.toLowerCase().split(/[^a-z]+/));
  const ipdc = words.has("ipdc") || words.has("inpatient") || words.has("daycase");
  const op = words.has("op") || words.has("outpatient") || words.has("outpatients");
  if (ipdc === op) return undefined;
  return ipdc ? "inpatient_daycase" : "outpatient";
}
