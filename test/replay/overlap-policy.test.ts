import { join } from "node:path";

import { expect } from "chai";

import { ingestFiles } from "../../replay/ingest/ingest-files.js";
import { resolveOverlaps, type SourceCoverage } from "../../replay/ingest/overlap-policy.js";
import { CohortCollector } from "../../replay/model/cohorts.js";
import { SHIPPED_DATA } from "./helpers/fixtures.js";

function coverage(
  fileIndex: number,
  level: "hospital" | "specialty",
  month: string,
  patients: number,
  list: "outpatient" | "inpatient_daycase" = "inpatient_daycase",
): SourceCoverage {
  return { fileIndex, file: `f${fileIndex}.csv`, level, list, month, rows: patients / 10, patients };
}

describe("overlapping files", function () {
  this.timeout(60_000);

  describe("the policy", () => {
    it("keeps the hospital-level file for a list and month, whatever the order given", () => {
      const resolution = resolveOverlaps([
        coverage(0, "specialty", "2020-01", 100),
        coverage(1, "hospital", "2020-01", 100),
        coverage(0, "specialty", "2020-02", 90),
      ]);
      expect(resolution.keeps(1, "inpatient_daycase", "2020-01")).to.equal(true);
      expect(resolution.keeps(0, "inpatient_daycase", "2020-01")).to.equal(false);
      expect(resolution.keeps(0, "inpatient_daycase", "2020-02")).to.equal(true);
      expect(resolution.excludedPatients).to.equal(100);
      expect(resolution.excludedRows).to.equal(10);
      expect(resolution.decisions).to.deep.equal([
        {
          list: "inpatient_daycase",
          month: "2020-01",
          kept: { file: "f1.csv", level: "hospital", rows: 10, patients: 100 },
          excluded: [{ file: "f0.csv", level: "specialty", rows: 10, patients: 100 }],
          patientsDiffer: false,
        },
      ]);
    });

    it("keeps the first file given when none is hospital-level, and flags differing counts", () => {
      const resolution = resolveOverlaps([
        coverage(2, "specialty", "2020-01", 120),
        coverage(1, "specialty", "2020-01", 100),
      ]);
      expect(resolution.keeps(1, "inpatient_daycase", "2020-01")).to.equal(true);
      expect(resolution.keeps(2, "inpatient_daycase", "2020-01")).to.equal(false);
      expect(resolution.decisions[0].patientsDiffer).to.equal(true);
    });

    it("treats the two lists of the same month as different sources", () => {
      const resolution = resolveOverlaps([
        coverage(0, "hospital", "2020-01", 100, "outpatient"),
        coverage(1, "hospital", "2020-01", 100, "inpatient_daycase"),
      ]);
      expect(resolution.decisions).to.deep.equal([]);
      expect(resolution.excludedPatients).to.equal(0);
    });
  });

  it("counts January 2020 inpatients once when given both the hospital file and the by-specialty year", async () => {
    const files = [
      join(SHIPPED_DATA, "by_specialty", "ipdc_specialty_2020.csv.gz"),
      join(SHIPPED_DATA, "ipdc", "ipdc_group_hospital_2020-01.csv.gz"),
    ];
    const collector = new CohortCollector();
    const summary = await ingestFiles(files, { strict: true, onRow: (row, index) => collector.add(row, index) });
    const resolution = resolveOverlaps(collector.coverages());
    const cohorts = collector.keptCohorts(resolution);
    expect(summary.sumOfTotal).to.equal(923_251 + 67_303);
    expect(resolution.excludedPatients).to.equal(67_303);
    const january = cohorts.filter((c) => c.month === "2020-01");
    expect(january.reduce((s, c) => s + c.patients, 0)).to.equal(67_303);
    expect(new Set(january.map((c) => c.level))).to.deep.equal(new Set(["hospital"]));
    expect(cohorts.reduce((s, c) => s + c.patients, 0)).to.equal(923_251);
  });
});
