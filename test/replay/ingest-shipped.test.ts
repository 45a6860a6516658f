import { join } from "node:path";

import { expect } from "chai";

import { expandInputPaths } from "../../replay/ingest/expand-paths.js";
import { ingestFiles, type IngestSummary } from "../../replay/ingest/ingest-files.js";
import type { WaitingListRow } from "../../replay/ingest/waiting-list-row.js";
import { SHIPPED_DATA } from "./helpers/fixtures.js";

/** Counted independently of this code (Python's csv module over the published files). */
const EXPECTED = [
  {
    file: "by_specialty/ipdc_specialty_2018.csv.gz",
    shape: "ipdc-specialty",
    rows: 55_377,
    total: 911_582,
    months: 12,
    blank: 0,
  },
  {
    file: "by_specialty/ipdc_specialty_2019.csv.gz",
    shape: "ipdc-specialty",
    rows: 52_415,
    total: 828_032,
    months: 12,
    blank: 0,
  },
  {
    file: "by_specialty/ipdc_specialty_2020.csv.gz",
    shape: "ipdc-specialty",
    rows: 58_457,
    total: 923_251,
    months: 12,
    blank: 0,
  },
  {
    file: "by_specialty/ipdc_specialty_2021-01_03.csv.gz",
    shape: "ipdc-specialty",
    rows: 15_887,
    total: 242_365,
    months: 3,
    blank: 0,
  },
  {
    file: "by_specialty/op_specialty_2021-01_03.csv.gz",
    shape: "op-specialty",
    rows: 22_521,
    total: 1_878_614,
    months: 3,
    blank: 0,
  },
  {
    file: "ipdc/ipdc_group_hospital_2020-01.csv.gz",
    shape: "ipdc-hospital",
    rows: 4_252,
    total: 67_303,
    months: 1,
    blank: 1,
  },
  {
    file: "ipdc/ipdc_group_hospital_2021-01_03.csv.gz",
    shape: "ipdc-hospital",
    rows: 15_887,
    total: 242_365,
    months: 3,
    blank: 1,
  },
  {
    file: "op/op_group_hospital_2020-01.csv.gz",
    shape: "op-hospital",
    rows: 6_706,
    total: 556_770,
    months: 1,
    blank: 1,
  },
  {
    file: "op/op_group_hospital_2021-01_03.csv.gz",
    shape: "op-hospital",
    rows: 22_521,
    total: 1_878_614,
    months: 3,
    blank: 1,
  },
] as const;

async function ingest(files: string[], onRow: (row: WaitingListRow) => void = () => undefined): Promise<IngestSummary> {
  return ingestFiles(files, { strict: true, onRow });
}

describe("ingesting the shipped files", function () {
  this.timeout(120_000);
  let summary: IngestSummary;

  before(async () => {
    summary = await ingest(await expandInputPaths([SHIPPED_DATA]));
  });

  it("finds all nine files in the folder, recursively and in name order", () => {
    expect(summary.files.map((f) => f.file.slice(SHIPPED_DATA.length + 1))).to.deep.equal(EXPECTED.map((e) => e.file));
  });

  for (const expected of EXPECTED) {
    it(`reads ${expected.file}: ${expected.rows} rows summing to ${expected.total}`, () => {
      const file = summary.files.find((f) => f.file.endsWith(expected.file));
      expect(file).to.not.equal(undefined);
      expect(file?.shape).to.equal(expected.shape);
      expect(file?.rows).to.equal(expected.rows);
      expect(file?.patients).to.equal(expected.total);
      expect(file?.months).to.have.length(expected.months);
      expect(file?.blankLines).to.equal(expected.blank);
      expect(file?.issues).to.equal(0);
    });
  }

  it("reads 254,023 rows summing to 7,528,896 with no malformed row", () => {
    expect(summary.rowsRead).to.equal(254_023);
    expect(summary.sumOfTotal).to.equal(7_528_896);
    expect(summary.issueCount).to.equal(0);
  });

  it("matches the published end-of-January-2020 outpatient total, 556,770", async () => {
    const result = await ingest([join(SHIPPED_DATA, "op", "op_group_hospital_2020-01.csv.gz")]);
    expect(result.sumOfTotal).to.equal(556_770);
  });

  it("matches the published end-of-January-2020 inpatient/day-case total, 67,303", async () => {
    const result = await ingest([join(SHIPPED_DATA, "ipdc", "ipdc_group_hospital_2020-01.csv.gz")]);
    expect(result.sumOfTotal).to.equal(67_303);
  });

  it("agrees with the January 2020 month of the by-specialty inpatient file", async () => {
    let january = 0;
    await ingest([join(SHIPPED_DATA, "by_specialty", "ipdc_specialty_2020.csv.gz")], (row) => {
      if (row.month === "2020-01") january += row.total;
    });
    expect(january).to.equal(67_303);
  });

  it("normalises the first row of a group/hospital file", async () => {
    const rows: WaitingListRow[] = [];
    await ingest([join(SHIPPED_DATA, "op", "op_group_hospital_2020-01.csv.gz")], (row) => {
      if (rows.length < 1) rows.push(row);
    });
    expect(rows[0]).to.deep.include({
      line: 2,
      list: "outpatient",
      archiveDate: "2020-01-30",
      month: "2020-01",
      hospitalGroup: "Children's Health Ireland",
      hospitalCode: "0000",
      hospitalName: "Children's Health Ireland",
      specialtyCode: 601,
      specialtyName: "Paediatric ENT",
      adultChild: "Child",
      ageProfile: "0-15",
      timeBand: "15-18 Months",
      total: 604,
    });
  });
});
