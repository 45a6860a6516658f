/**
 * Every published shape of the NTPF waiting-list files, from samples written here: the long format under its older
 * and newer header names, in any column order, with and without a byte-order mark, by hospital and by specialty;
 * and the wide format of April 2021 onward (time bands as columns, thousands separators, a byte-order mark), for
 * both lists, by hospital and by specialty. Each must give the model the same rows, and the printed sum of Total
 * must be the patients costed.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { StrictStopError, UnusableFilesError } from "../../replay/errors.js";
import { bandOfHeader, detectHeaderShape, listNamedBy } from "../../replay/ingest/header-shape.js";
import { ingestFiles, type IngestSummary } from "../../replay/ingest/ingest-files.js";
import type { WaitingListRow } from "../../replay/ingest/waiting-list-row.js";
import { runReplay, type ReplayOptions } from "../../replay/replay.js";
import type { ReplayResult } from "../../replay/replay-result.js";
import { main, type ReplayIo } from "../../replay/cli.js";
import { FIXED_GAS_PROVIDER, tempDir, writeFixture } from "./helpers/fixtures.js";

const BOM = "\uFEFF";

/** One cell of a sample: what every shape below says about it. */
interface Cell {
  readonly date: string;
  readonly group: string;
  readonly hospitalCode: string;
  readonly hospital: string;
  readonly specialtyCode: string;
  readonly specialty: string;
  readonly caseType: string;
  readonly adultChild: string;
  readonly age: string;
  readonly band: string;
  readonly total: number;
}

/** Canonical column -> the cell's value, in the sample's own spelling. */
const FIELDS: Readonly<Record<string, (c: Cell) => string>> = {
  date: (c) => c.date,
  group: (c) => c.group,
  hospitalCode: (c) => c.hospitalCode,
  hospital: (c) => c.hospital,
  specialtyCode: (c) => c.specialtyCode,
  specialty: (c) => c.specialty,
  caseType: (c) => c.caseType,
  adultChild: (c) => c.adultChild,
  age: (c) => c.age,
  band: (c) => c.band,
  total: (c) => String(c.total),
};

const IPDC_CELLS: readonly Cell[] = [
  cell("0918", "Pain Relief", "8003", "Day Case", "Adult", "16-64", "0-6 Months", 1234),
  cell("0918", "Pain Relief", "8003", "Day Case", "Adult", "16-64", "6-12 Months", 310),
  cell("0918", "Pain Relief", "8003", "Inpatient", "Adult", "65+", "18 Months +", 7),
  cell("0940", "General Surgery", "1800", "Day Case", "Child", "0-15", "12-18 Months", 12),
  cell("0940", "General Surgery", "1800", "Day Case", "Adult", "16-64", "0-6 Months", 2501),
];
const OP_CELLS: readonly Cell[] = IPDC_CELLS.map((c) => ({ ...c, caseType: "" }));

function cell(
  hospitalCode: string,
  specialty: string,
  specialtyCode: string,
  caseType: string,
  adultChild: string,
  age: string,
  band: string,
  total: number,
): Cell {
  return {
    date: "31/05/2021",
    group: hospitalCode === "0918" ? "UL Hospitals" : "Children's Health Ireland",
    hospitalCode,
    hospital: hospitalCode === "0918" ? "University Hospital Limerick" : "CHI at Crumlin",
    specialtyCode,
    specialty,
    caseType,
    adultChild,
    age,
    band,
    total,
  };
}

const TOTAL_PATIENTS = IPDC_CELLS.reduce((sum, c) => sum + c.total, 0);

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A long-format file: `columns` pairs each header name with the cell field it holds. */
function longFile(columns: readonly (readonly [string, string])[], cells: readonly Cell[], bom: boolean): string {
  const header = columns.map(([name]) => name).join(",");
  const lines = cells.map((c) => columns.map(([, field]) => csvField(FIELDS[field](c))).join(","));
  return `${bom ? BOM : ""}${[header, ...lines].join("\r\n")}\r\n`;
}

const WIDE_BANDS = ["0-6 Months", "6-12 Months", "12-18 Months", "18 Months +"] as const;

/** Formats a count as NTPF's wide files do: thousands separators, so the field is quoted. */
function grouped(count: number): string {
  return csvField(count.toLocaleString("en-IE"));
}

/**
 * A wide-format file: one row per hospital (or, without hospital columns, per specialty nationally), month, case type
 * and adult/child; the time bands as columns, then the Total; no age column.
 */
function wideFile(
  identity: readonly (readonly [string, string])[],
  cells: readonly Cell[],
  options: { bom?: boolean; bands?: readonly string[] } = {},
): string {
  const bands = options.bands ?? WIDE_BANDS;
  const groups = new Map<string, { key: Cell; counts: Map<string, number> }>();
  for (const c of cells) {
    const key = identity.map(([, field]) => FIELDS[field](c)).join("\u0001");
    const group = groups.get(key) ?? { key: c, counts: new Map<string, number>() };
    group.counts.set(c.band, (group.counts.get(c.band) ?? 0) + c.total);
    groups.set(key, group);
  }
  const header = [...identity.map(([name]) => name), ...bands, "Total"].join(",");
  const lines = [...groups.values()].map(({ key, counts }) => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const bandCells = bands.map((band) => (counts.has(band) ? grouped(counts.get(band) ?? 0) : "0"));
    return [...identity.map(([, field]) => csvField(FIELDS[field](key))), ...bandCells, grouped(total)].join(",");
  });
  return `${options.bom === false ? "" : BOM}${[header, ...lines].join("\r\n")}\r\n`;
}

const IPDC_HOSPITAL_NEW = [
  ["Archive_Date", "date"],
  ["Hospital_Group", "group"],
  ["Hospital_HIPE", "hospitalCode"],
  ["Hospital_Name", "hospital"],
  ["Specialty_HIPE", "specialtyCode"],
  ["Specialty_Name", "specialty"],
  ["Case_Type", "caseType"],
  ["Adult_Child", "adultChild"],
  ["Age_Profile", "age"],
  ["Time_Bands", "band"],
  ["Total", "total"],
] as const;

/** The older spelling: spaces, Adult/Child, and other names for the age and count columns. */
const IPDC_HOSPITAL_OLD = [
  ["Archive Date", "date"],
  ["Group", "group"],
  ["Hospital HIPE", "hospitalCode"],
  ["Hospital", "hospital"],
  ["Specialty HIPE", "specialtyCode"],
  ["Speciality", "specialty"],
  ["Case Type", "caseType"],
  ["Adult/Child", "adultChild"],
  ["Age Categorie", "age"],
  ["Time Bands", "band"],
  ["Count", "total"],
] as const;

const OP_HOSPITAL_OLD = IPDC_HOSPITAL_OLD.filter(([, field]) => field !== "caseType");
const OP_HOSPITAL_NEW = [
  ["Archive_Date", "date"],
  ["Group", "group"],
  ["Hospital_HIPE", "hospitalCode"],
  ["Hospital", "hospital"],
  ["Specialty_HIPE1", "specialtyCode"],
  ["Speciality", "specialty"],
  ["Adult_Child", "adultChild"],
  ["Age_Group", "age"],
  ["Time_Bands", "band"],
  ["Number of Patients", "total"],
] as const;

const HOSPITAL_FIELDS = new Set(["group", "hospitalCode", "hospital"]);
function bySpecialty<T extends readonly (readonly [string, string])[]>(columns: T): (readonly [string, string])[] {
  return columns.filter(([, field]) => !HOSPITAL_FIELDS.has(field));
}

/** A fixed shuffle, so "any order" is tested deterministically. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = (i * 7 + 3) % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const WIDE_IPDC_HOSPITAL = [
  ["Archive Date", "date"],
  ["Hospital Group", "group"],
  ["Hospital HIPE", "hospitalCode"],
  ["Hospital", "hospital"],
  ["Specialty HIPE", "specialtyCode"],
  ["Specialty", "specialty"],
  ["Case Type", "caseType"],
  ["Adult/Child", "adultChild"],
] as const;
const WIDE_OP_HOSPITAL = WIDE_IPDC_HOSPITAL.filter(([, field]) => field !== "caseType");

/** The rows as the model sees them, without where they came from and in a stable order. */
function modelRows(rows: readonly WaitingListRow[]): string[] {
  return rows
    .map((r) =>
      [
        r.list,
        r.month,
        r.hospitalCode ?? "-",
        r.hospitalName ?? "-",
        r.specialtyCode,
        r.specialtyName,
        r.caseType ?? "-",
        r.adultChild,
        r.timeBand,
        r.total,
      ].join("|"),
    )
    .sort();
}

async function ingest(files: string[]): Promise<{ rows: WaitingListRow[]; summary: IngestSummary }> {
  const rows: WaitingListRow[] = [];
  const summary = await ingestFiles(files, { strict: true, onRow: (row) => rows.push(row) });
  return { rows, summary };
}

const ASSUMPTIONS = { prescriptionShare: 0.3, labShare: 0.5, consentBySignature: false };

function replayOptions(paths: string[], outDir: string, extra: Partial<ReplayOptions> = {}): ReplayOptions {
  return {
    paths,
    outDir,
    mode: "modeled",
    strict: false,
    assumptions: ASSUMPTIONS,
    scenario: "ethereum-mainnet",
    priceOverrides: {},
    ...extra,
  };
}

function capture(): { io: ReplayIo; stdout(): string; stderr(): string } {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: { write: (text: string) => ((out += text), true) },
      stderr: { isTTY: false, write: (text: string) => ((err += text), true) },
      env: {},
    },
    stdout: () => out,
    stderr: () => err,
  };
}

describe("published shapes", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir("replay-shapes-");
  });

  describe("the long format", () => {
    const variants = [
      {
        name: "ipdc_hospital_new.csv",
        columns: IPDC_HOSPITAL_NEW,
        cells: IPDC_CELLS,
        bom: true,
        shape: "ipdc-hospital",
      },
      {
        name: "ipdc_hospital_old.csv",
        columns: IPDC_HOSPITAL_OLD,
        cells: IPDC_CELLS,
        bom: false,
        shape: "ipdc-hospital",
      },
      {
        name: "ipdc_hospital_shuffled.csv",
        columns: shuffled(IPDC_HOSPITAL_OLD),
        cells: IPDC_CELLS,
        bom: true,
        shape: "ipdc-hospital",
      },
      {
        name: "ipdc_specialty_new.csv",
        columns: bySpecialty(IPDC_HOSPITAL_NEW),
        cells: IPDC_CELLS,
        bom: false,
        shape: "ipdc-specialty",
      },
      {
        name: "ipdc_specialty_old.csv",
        columns: shuffled(bySpecialty(IPDC_HOSPITAL_OLD)),
        cells: IPDC_CELLS,
        bom: true,
        shape: "ipdc-specialty",
      },
      { name: "op_hospital_new.csv", columns: OP_HOSPITAL_NEW, cells: OP_CELLS, bom: true, shape: "op-hospital" },
      { name: "op_hospital_old.csv", columns: OP_HOSPITAL_OLD, cells: OP_CELLS, bom: false, shape: "op-hospital" },
      {
        name: "op_specialty_old.csv",
        columns: shuffled(bySpecialty(OP_HOSPITAL_OLD)),
        cells: OP_CELLS,
        bom: false,
        shape: "op-specialty",
      },
      {
        name: "op_specialty_new.csv",
        columns: bySpecialty(OP_HOSPITAL_NEW),
        cells: OP_CELLS,
        bom: true,
        shape: "op-specialty",
      },
    ];

    for (const v of variants) {
      it(`reads ${v.name} (${v.columns.map(([n]) => n).join(",")}${v.bom ? ", with a BOM" : ""}) as ${v.shape}`, async () => {
        const reference = v.shape.startsWith("ipdc")
          ? v.shape.endsWith("hospital")
            ? IPDC_HOSPITAL_NEW
            : bySpecialty(IPDC_HOSPITAL_NEW)
          : v.shape.endsWith("hospital")
            ? OP_HOSPITAL_NEW
            : bySpecialty(OP_HOSPITAL_NEW);
        const file = await writeFixture(dir, v.name, longFile(v.columns, v.cells, v.bom));
        const ref = await writeFixture(dir, `ref/${v.name}`, longFile(reference, v.cells, true));
        const read = await ingest([file]);
        const expected = await ingest([ref]);
        expect(read.summary.files[0]).to.deep.include({ shape: v.shape, layout: "long", rows: 5, unusable: false });
        expect(read.summary.sumOfTotal).to.equal(TOTAL_PATIENTS);
        expect(modelRows(read.rows)).to.deep.equal(modelRows(expected.rows));
        expect(read.rows.map((r) => r.ageProfile).sort()).to.deep.equal(v.cells.map((c) => c.age).sort());
      });
    }
  });

  describe("the wide format", () => {
    const variants = [
      { name: "ipdc_hospital_wide.csv", identity: WIDE_IPDC_HOSPITAL, cells: IPDC_CELLS, shape: "ipdc-hospital-wide" },
      {
        name: "ipdc_specialty_wide.csv",
        identity: bySpecialty(WIDE_IPDC_HOSPITAL),
        cells: IPDC_CELLS,
        shape: "ipdc-specialty-wide",
      },
      { name: "op_hospital_wide.csv", identity: WIDE_OP_HOSPITAL, cells: OP_CELLS, shape: "op-hospital-wide" },
      {
        name: "op_specialty_wide.csv",
        identity: shuffled(bySpecialty(WIDE_OP_HOSPITAL)),
        cells: OP_CELLS,
        shape: "op-specialty-wide",
      },
    ];

    for (const v of variants) {
      it(`maps ${v.name} (bands as columns, thousands separators, BOM) to the rows of the long format`, async () => {
        const wide = await writeFixture(dir, v.name, wideFile(v.identity, v.cells));
        const hospital = v.shape.includes("hospital");
        const ipdc = v.shape.startsWith("ipdc");
        const longColumns = ipdc ? IPDC_HOSPITAL_NEW : OP_HOSPITAL_NEW;
        const long = await writeFixture(
          dir,
          `long/${v.name}`,
          longFile(hospital ? longColumns : bySpecialty(longColumns), v.cells, true),
        );
        const read = await ingest([wide]);
        const expected = await ingest([long]);
        expect(read.summary.files[0]).to.deep.include({ shape: v.shape, layout: "wide", unusable: false });
        expect(read.summary.sumOfTotal).to.equal(TOTAL_PATIENTS);
        expect(read.summary.files[0].patients).to.equal(TOTAL_PATIENTS);
        expect(modelRows(read.rows)).to.deep.equal(modelRows(expected.rows));
        expect(read.rows.every((r) => r.ageProfile === undefined)).to.equal(true);
      });
    }

    it("counts a wide row once however many bands it holds", async () => {
      const wide = await writeFixture(dir, "ipdc_hospital_wide.csv", wideFile(WIDE_IPDC_HOSPITAL, IPDC_CELLS));
      const { summary } = await ingest([wide]);
      // 0918 Day Case Adult (two bands), 0918 Inpatient Adult, 0940 Day Case Child, 0940 Day Case Adult.
      expect(summary.rowsRead).to.equal(4);
      expect(summary.cellsRead).to.equal(5);
    });

    it("costs a wide file exactly as the long file with the same patients", async () => {
      const wide = await writeFixture(dir, "w/ipdc_hospital_wide.csv", wideFile(WIDE_IPDC_HOSPITAL, IPDC_CELLS));
      const long = await writeFixture(dir, "l/ipdc_hospital.csv", longFile(IPDC_HOSPITAL_NEW, IPDC_CELLS, true));
      const fromWide = await runReplay(replayOptions([wide], join(dir, "out-wide")), {
        gasTableProvider: FIXED_GAS_PROVIDER,
      });
      const fromLong = await runReplay(replayOptions([long], join(dir, "out-long")), {
        gasTableProvider: FIXED_GAS_PROVIDER,
      });
      expect(fromWide.patients).to.equal(TOTAL_PATIENTS);
      expect(fromWide.ingest.sumOfTotal).to.equal(fromWide.patients);
      expect(fromWide.designs).to.deep.equal(fromLong.designs);
      expect(fromWide.bySpecialty).to.deep.equal(fromLong.bySpecialty);
      expect(fromWide.cohorts).to.equal(fromLong.cohorts);
      expect(fromWide.batches).to.equal(fromLong.batches);
      expect(fromWide.reconciliation.ok).to.equal(true);
    });

    it("recognises band columns however they are spelled, and nothing else", () => {
      for (const band of ["0-6 Months", " 0-3 Months", "18 Months +", "18+ Months", "12 - 18 months", "Over 18 Months"])
        expect(bandOfHeader(band), band).to.be.a("string");
      for (const other of ["Months", "Ward", "2021", "0-15", "18"])
        expect(bandOfHeader(other), other).to.equal(undefined);
    });

    it("skips, as one malformed row, a wide row whose bands do not add up to its Total", async () => {
      const text = wideFile(WIDE_OP_HOSPITAL, OP_CELLS).replace(/"2,501"\r\n$/, '"2,502"\r\n');
      const file = await writeFixture(dir, "op_hospital_wide.csv", text);
      const summary = await ingestFiles([file], { strict: false, onRow: () => undefined });
      expect(summary.malformedRows).to.equal(1);
      expect(summary.issues).to.deep.equal([
        {
          file,
          line: 4,
          kind: "band-sum-mismatch",
          reason: "the time bands add up to 2501 patients but Total says 2502",
        },
      ]);
      expect(summary.sumOfTotal).to.equal(TOTAL_PATIENTS - 2501);
    });

    it("reads empty and dash band cells as no patients", async () => {
      const header = "Archive Date,Specialty HIPE,Specialty,Adult/Child,0-6 Months,6-12 Months,12-18 Months,Total";
      const file = await writeFixture(
        dir,
        "op_specialty_wide.csv",
        `${header}\n31/05/2021,8003,Pain Relief,Adult,5,,-,5\n`,
      );
      const { rows, summary } = await ingest([file]);
      expect(modelRows(rows)).to.deep.equal(["outpatient|2021-05|-|-|8003|Pain Relief|-|Adult|0-6 Months|5"]);
      expect(summary.sumOfTotal).to.equal(5);
    });

    it("refuses a header with both a time-band column and band columns", () => {
      const result = detectHeaderShape([
        "Archive_Date",
        "Specialty_HIPE",
        "Specialty_Name",
        "Adult_Child",
        "Time_Bands",
        "0-6 Months",
        "Total",
      ]);
      expect(result.ok).to.equal(false);
    });
  });

  describe("hospital-level and specialty-level files of the same list and month", () => {
    it("keeps the hospital-level file, excludes the other and states it, for wide files too", async () => {
      const hospital = await writeFixture(dir, "ipdc_hospital_wide.csv", wideFile(WIDE_IPDC_HOSPITAL, IPDC_CELLS));
      const specialty = await writeFixture(
        dir,
        "ipdc_specialty_wide.csv",
        wideFile(bySpecialty(WIDE_IPDC_HOSPITAL), IPDC_CELLS),
      );
      const longSpecialty = await writeFixture(
        dir,
        "ipdc_specialty_long.csv",
        longFile(bySpecialty(IPDC_HOSPITAL_OLD), IPDC_CELLS, false),
      );
      const result = await runReplay(replayOptions([specialty, longSpecialty, hospital], join(dir, "out")), {
        gasTableProvider: FIXED_GAS_PROVIDER,
      });
      expect(result.ingest.sumOfTotal).to.equal(3 * TOTAL_PATIENTS);
      expect(result.patients).to.equal(TOTAL_PATIENTS);
      expect(result.overlap.excludedPatients).to.equal(2 * TOTAL_PATIENTS);
      expect(result.overlap.decisions).to.have.length(1);
      const decision = result.overlap.decisions[0];
      expect(decision).to.deep.include({ list: "inpatient_daycase", month: "2021-05", patientsDiffer: false });
      expect(decision.kept).to.deep.include({ file: hospital, level: "hospital", patients: TOTAL_PATIENTS, rows: 4 });
      expect(decision.excluded.map((e) => e.file)).to.deep.equal([specialty, longSpecialty]);
      expect(result.reconciliation.ok).to.equal(true);
      const summary = await readFile(join(dir, "out", "summary.md"), "utf8");
      expect(summary).to.include("ipdc\\_hospital\\_wide.csv");
    });
  });

  describe("files that match no known shape", () => {
    let good: string;
    let bad: string;
    beforeEach(async () => {
      good = await writeFixture(dir, "ipdc_hospital.csv", longFile(IPDC_HOSPITAL_NEW, IPDC_CELLS, true));
      bad = await writeFixture(
        dir,
        "beds.csv",
        'Archive_Date,Hospital,Ward,Beds,Total\r\n31/05/2021,H,A,3,200\r\n31/05/2021,H,B,4,"1,300"\r\n\r\n',
      );
    });

    it("fail the run with the file, its header and the rows not read", async () => {
      let thrown: unknown;
      try {
        await runReplay(replayOptions([good, bad], join(dir, "out")), { gasTableProvider: FIXED_GAS_PROVIDER });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(UnusableFilesError);
      const error = thrown as UnusableFilesError;
      expect(error.code).to.equal("UNUSABLE_FILES");
      expect(error.files).to.deep.equal([
        {
          file: bad,
          kind: "unknown-header",
          header: ["Archive_Date", "Hospital", "Ward", "Beds", "Total"],
          reason: 'the header matches no known waiting-list shape: column 3 "Ward" is not a known waiting-list column',
          rowsNotRead: 2,
          patientsNotRead: 1500,
        },
      ]);
      expect(error.rowsNotRead).to.equal(2);
      expect(error.patientsNotRead).to.equal(1500);
      expect(error.skipFlag).to.equal("--skip-unknown-files");
    });

    it("are left out and stated in the report with the skip flag", async () => {
      const result: ReplayResult = await runReplay(
        replayOptions([good, bad], join(dir, "out"), { skipUnusableFiles: true }),
        { gasTableProvider: FIXED_GAS_PROVIDER },
      );
      expect(result.patients).to.equal(TOTAL_PATIENTS);
      expect(result.ingest.malformedRows).to.equal(0);
      expect(result.notRead).to.deep.include({ flag: "--skip-unknown-files", rows: 2, patients: 1500 });
      expect(result.notRead.files.map((f) => f.file)).to.deep.equal([bad]);
      const summary = await readFile(join(dir, "out", "summary.md"), "utf8");
      expect(summary).to.include("## Files not read");
      expect(summary).to.include(
        "Not read (--skip-unknown-files): 1 file, 2 data rows and 1,500 patients, which are in no total of this report.",
      );
    });

    it("make the CLI exit non-zero, or with the flag end its output with what was left out", async () => {
      const failing = capture();
      const gas = await gasJson(dir);
      expect(await main([good, bad, "--out", join(dir, "out1"), "--quiet", "--gas", gas], failing.io)).to.equal(1);
      const errors = failing
        .stderr()
        .split("\n")
        .filter((l) => l.startsWith("error: "));
      expect(errors).to.have.length(1);
      expect(errors[0]).to.include(bad);
      expect(errors[0]).to.include("--skip-unknown-files");

      const skipping = capture();
      expect(
        await main(
          [good, bad, "--out", join(dir, "out2"), "--quiet", "--skip-unknown-files", "--gas", gas],
          skipping.io,
        ),
      ).to.equal(0);
      const lines = skipping.stdout().trimEnd().split("\n");
      expect(lines[0]).to.equal(
        `Read 1 of 2 files: 5 rows, sum of Total ${TOTAL_PATIENTS.toLocaleString("en-IE")}, 0 malformed rows skipped.`,
      );
      expect(lines.slice(-2)).to.deep.equal([
        '  beds.csv: the header matches no known waiting-list shape: column 3 "Ward" is not a known waiting-list column; 2 data rows and 1,500 patients not read.',
        "Not read (--skip-unknown-files): 1 file, 2 data rows and 1,500 patients, which are in no total of this report.",
      ]);
    });

    it("stop a --strict run with the issue as a field", async () => {
      let thrown: unknown;
      try {
        await ingestFiles([bad], { strict: true, onRow: () => undefined });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(StrictStopError);
      expect((thrown as StrictStopError).issue).to.deep.include({ file: bad, line: 1, kind: "unknown-header" });
    });

    it("count patients as unknown when no count column can be found", async () => {
      const noCount = await writeFixture(dir, "notes.csv", "Archive_Date,Ward\r\n31/05/2021,A\r\n");
      const summary = await ingestFiles([noCount], { strict: false, onRow: () => undefined });
      expect(summary.fileErrors[0]).to.deep.include({ rowsNotRead: 1, patientsNotRead: null });
    });

    it("refuse an inpatient file without its Case_Type column rather than cost it as outpatients", async () => {
      const file = await writeFixture(dir, "ipdc_hospital_2021.csv", longFile(OP_HOSPITAL_NEW, OP_CELLS, true));
      const summary = await ingestFiles([file], { strict: false, onRow: () => undefined });
      expect(summary.rowsRead).to.equal(0);
      expect(summary.fileErrors).to.have.length(1);
      expect(summary.fileErrors[0]).to.deep.include({
        kind: "list-conflict",
        rowsNotRead: 5,
        patientsNotRead: TOTAL_PATIENTS,
      });
      expect(listNamedBy("op_group_hospital_2020-01.csv.gz")).to.equal("outpatient");
      expect(listNamedBy("ipdc_specialty_2018.csv")).to.equal("inpatient_daycase");
      expect(listNamedBy("waiting.csv")).to.equal(undefined);
    });
  });
});

async function gasJson(dir: string): Promise<string> {
  return writeFixture(
    dir,
    "gas.json",
    JSON.stringify({
      measuredAt: "2026-11-20T00:00:00Z",
      chain: "hardhat",
      operations: {
        anchorRecord: { gasUsed: 100_000 },
        grantConsent: { gasUsed: 80_000 },
        workflowPrescription: { gasUsed: 270_000 },
        workflowLabResult: { gasUsed: 250_000 },
        "anchorBatch(1)": { gasUsed: 50_100 },
        "anchorBatch(101)": { gasUsed: 60_100 },
      },
    }),
  );
}
