import { readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import { expect } from "chai";

import { InputPathError } from "../../replay/errors.js";
import { expandInputPaths } from "../../replay/ingest/expand-paths.js";
import { detectHeaderShape } from "../../replay/ingest/header-shape.js";
import { ingestFiles, type IngestSummary } from "../../replay/ingest/ingest-files.js";
import { parseArchiveDate, parseHipeCode } from "../../replay/ingest/normalise-record.js";
import type { WaitingListRow } from "../../replay/ingest/waiting-list-row.js";
import {
  IPDC_HOSPITAL_HEADER,
  IPDC_SPECIALTY_HEADER,
  OP_HOSPITAL_HEADER,
  OP_SPECIALTY_HEADER,
  SHIPPED_DATA,
  opHospitalCsv,
  tempDir,
  writeFixture,
} from "./helpers/fixtures.js";
import { expectOneSentenceNaming, expectReplayRejection } from "./helpers/expect-replay-error.js";

async function readAll(files: string[]): Promise<{ rows: WaitingListRow[]; summary: IngestSummary }> {
  const rows: WaitingListRow[] = [];
  const summary = await ingestFiles(files, { strict: true, onRow: (row) => rows.push(row) });
  return { rows, summary };
}

describe("ingestion quirks", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });

  describe("header shapes", () => {
    const cases = [
      { header: OP_HOSPITAL_HEADER, name: "op-hospital", list: "outpatient", level: "hospital" },
      { header: IPDC_HOSPITAL_HEADER, name: "ipdc-hospital", list: "inpatient_daycase", level: "hospital" },
      { header: IPDC_SPECIALTY_HEADER, name: "ipdc-specialty", list: "inpatient_daycase", level: "specialty" },
      { header: OP_SPECIALTY_HEADER, name: "op-specialty", list: "outpatient", level: "specialty" },
      { header: `${IPDC_SPECIALTY_HEADER},`, name: "ipdc-specialty", list: "inpatient_daycase", level: "specialty" },
      {
        header:
          "Archive Date,Hospital Group,Hospital HIPE,Hospital,Speciality_HIPE,Specialty,Adult_Child,Age_Profile,Time_Band,Total",
        name: "op-hospital",
        list: "outpatient",
        level: "hospital",
      },
    ];
    for (const c of cases) {
      it(`recognises ${JSON.stringify(c.header.slice(0, 60))}... as ${c.name}`, () => {
        const result = detectHeaderShape(c.header.split(","));
        expect(result.ok).to.equal(true);
        if (result.ok) expect(result.shape).to.deep.include({ name: c.name, list: c.list, level: c.level });
      });
    }

    it("names the unknown column of an unknown header", () => {
      const result = detectHeaderShape(["Archive_Date", "Specialty_HIPE", "Specialty_Name", "Colour", "Total"]);
      expect(result).to.deep.equal({ ok: false, reason: 'column 4 "Colour" is not a known waiting-list column' });
    });

    it("rejects a header missing a required column", () => {
      const result = detectHeaderShape([
        "Archive_Date",
        "Specialty_HIPE",
        "Specialty_Name",
        "Adult_Child",
        "Age_Profile",
        "Total",
      ]);
      expect(result).to.deep.equal({ ok: false, reason: "required columns are missing (timeBand)" });
    });

    it("rejects hospital columns given only in part", () => {
      const result = detectHeaderShape(OP_HOSPITAL_HEADER.replace("Group,", "").split(","));
      expect(result).to.deep.equal({ ok: false, reason: "hospital columns are incomplete (missing hospitalGroup)" });
    });
  });

  it("reads a byte-order mark, CRLF line ends and a trailing blank line", async () => {
    const file = await writeFixture(
      dir,
      "op.csv",
      opHospitalCsv(["30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,21"]),
    );
    const { rows, summary } = await readAll([file]);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.deep.include({
      line: 2,
      archiveDate: "2020-01-30",
      hospitalCode: "0918",
      specialtyCode: 8003,
      total: 21,
    });
    expect(summary.files[0].blankLines).to.equal(1);
  });

  it("reads LF line ends and several trailing blank lines the same way", async () => {
    const file = await writeFixture(
      dir,
      "op.csv",
      `${OP_HOSPITAL_HEADER}\n30/01/2020,G,918,H,8003,Pain Relief,Adult,65+,12-15 Months,21\n\n\n`,
    );
    const { rows, summary } = await readAll([file]);
    expect(rows.map((r) => [r.hospitalCode, r.total])).to.deep.equal([["0918", 21]]);
    expect(summary.files[0].blankLines).to.equal(2);
  });

  it("parses both date formats, and ISO dates, into yyyy-mm-dd", () => {
    expect(parseArchiveDate("30/01/2020")).to.equal("2020-01-30");
    expect(parseArchiveDate("31-01-2018")).to.equal("2018-01-31");
    expect(parseArchiveDate("2018-01-31")).to.equal("2018-01-31");
    expect(parseArchiveDate("29/02/2020")).to.equal("2020-02-29");
    expect(parseArchiveDate("29/02/2019")).to.equal(undefined);
    expect(parseArchiveDate("31/04/2020")).to.equal(undefined);
    expect(parseArchiveDate("01/13/2020")).to.equal(undefined);
    expect(parseArchiveDate("Jan 2020")).to.equal(undefined);
  });

  it("reads zero-padded and plain HIPE codes as the same number", () => {
    expect(parseHipeCode("0601")).to.equal(601);
    expect(parseHipeCode("601")).to.equal(601);
    expect(parseHipeCode("0000")).to.equal(0);
    expect(parseHipeCode("6O1")).to.equal(undefined);
    expect(parseHipeCode("-601")).to.equal(undefined);
  });

  it("trims Time_Bands and keeps code 0 'Small Volume Specialities'", async () => {
    const file = await writeFixture(
      dir,
      "ipdc_specialty.csv",
      `${IPDC_SPECIALTY_HEADER},\r\n31-01-2018,0,Small Volume Specialities,Inpatient,Child,0-15,  6-9 Months,1,\r\n31-01-2018,400,Endocrinology,Day Case,Child,0-15, 12-15 Months,3,\r\n`,
    );
    const { rows } = await readAll([file]);
    expect(rows.map((r) => [r.specialtyCode, r.specialtyName, r.caseType, r.timeBand, r.total])).to.deep.equal([
      [0, "Small Volume Specialities", "Inpatient", "6-9 Months", 1],
      [400, "Endocrinology", "Day Case", "12-15 Months", 3],
    ]);
    expect(rows[0].hospitalCode).to.equal(undefined);
  });

  it("reads a .csv.gz exactly like the .csv it compresses", async () => {
    const published = gunzipSync(await readFile(join(SHIPPED_DATA, "op", "op_group_hospital_2020-01.csv.gz")));
    const gz = await writeFixture(dir, "copy.csv.gz", published);
    const plain = await writeFixture(dir, "copy.csv", published);
    const fromGz = await readAll([gz]);
    const fromCsv = await readAll([plain]);
    expect(fromGz.summary.sumOfTotal).to.equal(556_770);
    expect(fromGz.rows.map((r) => ({ ...r, sourceFile: "" }))).to.deep.equal(
      fromCsv.rows.map((r) => ({ ...r, sourceFile: "" })),
    );
  });

  it("recognises gzip by its magic bytes whatever the file is called", async () => {
    const file = await writeFixture(
      dir,
      "x.csv.gz",
      opHospitalCsv(["30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,21"]),
    );
    const renamed = join(dir, "misnamed.csv");
    await rename(file, renamed);
    expect((await readAll([renamed])).summary.sumOfTotal).to.equal(21);
  });

  it("searches folders recursively and reads a file reached twice only once", async () => {
    const a = await writeFixture(
      dir,
      "a/op.csv",
      opHospitalCsv(["30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,21"]),
    );
    await writeFixture(
      dir,
      "a/b/op2.csv.gz",
      opHospitalCsv(["28/01/2021,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,5"]),
    );
    await writeFixture(dir, "a/notes.txt", "not data");
    const files = await expandInputPaths([dir, a]);
    expect(files.map((f) => f.slice(dir.length + 1))).to.deep.equal(["a/b/op2.csv.gz", "a/op.csv"]);
  });

  it("fails in one sentence naming an input that does not exist", async () => {
    const missing = join(dir, "missing.csv");
    const error = await expectReplayRejection(() => expandInputPaths([dir, missing]), InputPathError, {
      code: "INVALID_INPUT_PATHS",
      problem: "not-found",
      paths: [missing],
    });
    expectOneSentenceNaming(error, missing);
  });

  it("fails when no input is given, or the folders given hold no waiting-list file", async () => {
    await expectReplayRejection(() => expandInputPaths([]), InputPathError, { problem: "none-given", paths: [] });
    await writeFixture(dir, "notes/readme.txt", "not data");
    const folder = join(dir, "notes");
    await expectReplayRejection(() => expandInputPaths([folder]), InputPathError, {
      problem: "no-csv-files",
      paths: [folder],
    });
  });
});
