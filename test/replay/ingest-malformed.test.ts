import { gzipSync } from "node:zlib";

import { expect } from "chai";

import { StrictStopError } from "../../replay/errors.js";
import { ingestFiles, MAX_KEPT_ISSUES, type IngestSummary } from "../../replay/ingest/ingest-files.js";
import type { IngestIssue, WaitingListRow } from "../../replay/ingest/waiting-list-row.js";
import { expectOneSentenceNaming, expectReplayRejection } from "./helpers/expect-replay-error.js";
import { OP_HOSPITAL_HEADER, opHospitalCsv, tempDir, writeFixture } from "./helpers/fixtures.js";

const GOOD = "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,21";

async function readLenient(file: string): Promise<{ rows: WaitingListRow[]; summary: IngestSummary }> {
  const rows: WaitingListRow[] = [];
  const summary = await ingestFiles([file], { strict: false, onRow: (row) => rows.push(row) });
  return { rows, summary };
}

/** A small seeded generator, so the fuzz test fails the same way every time if it fails. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function brief(issues: readonly IngestIssue[]): [number, string][] {
  return issues.map((i) => [i.line, i.kind]);
}

describe("malformed and hostile input", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });

  it("reports each malformed row with its line number and keeps the good rows around it", async () => {
    const file = await writeFixture(
      dir,
      "op.csv",
      opHospitalCsv([
        GOOD,
        "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,abc",
        "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,-5",
        "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,1.5",
        "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,99999999999",
        "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months",
        "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,5,surplus",
        "31/02/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,5",
        "30/01/2020,G,0918,H,80O3,Pain Relief,Adult,65+,12-15 Months,5",
        "30/01/2020,G,0918,H,8003,,Adult,65+,12-15 Months,5",
        `30/01/2020,G,0918,${"H".repeat(300)},8003,Pain Relief,Adult,65+,12-15 Months,5`,
        GOOD,
      ]),
    );
    const { rows, summary } = await readLenient(file);
    expect(rows.map((r) => r.line)).to.deep.equal([2, 13]);
    expect(brief(summary.issues)).to.deep.equal([
      [3, "bad-total"],
      [4, "bad-total"],
      [5, "bad-total"],
      [6, "bad-total"],
      [7, "missing-columns"],
      [8, "extra-columns"],
      [9, "bad-date"],
      [10, "bad-code"],
      [11, "empty-field"],
      [12, "field-too-long"],
    ]);
    expect(summary.issues[0]).to.deep.equal({
      file,
      line: 3,
      kind: "bad-total",
      reason: 'Total "abc" is not a whole number of patients between 0 and 10000000',
    });
    expect(summary.issues[4].reason).to.equal("expected 10 columns, found 9");
    expect(summary.sumOfTotal).to.equal(42);
    expect(summary.files[0]).to.deep.include({ rows: 2, patients: 42, issues: 10, unusable: false });
  });

  it("makes the first malformed row fatal under strict, in one sentence naming file and line", async () => {
    const file = await writeFixture(
      dir,
      "op.csv",
      opHospitalCsv([GOOD, "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,abc", GOOD]),
    );
    const seen: number[] = [];
    const error = await expectReplayRejection(
      () => ingestFiles([file], { strict: true, onRow: (row) => seen.push(row.line) }),
      StrictStopError,
      {
        code: "STRICT_STOP",
        issue: {
          file,
          line: 3,
          kind: "bad-total",
          reason: 'Total "abc" is not a whole number of patients between 0 and 10000000',
        },
      },
    );
    expectOneSentenceNaming(error, `${file} line 3`);
    expect(seen).to.deep.equal([2]);
  });

  it("skips a file whose header is unknown, naming the file, and reads the others", async () => {
    const bad = await writeFixture(dir, "a.csv", "Date,Ward,Beds\r\n30/01/2020,A,3\r\n");
    const good = await writeFixture(dir, "b.csv", opHospitalCsv([GOOD]));
    const summary = await ingestFiles([bad, good], { strict: false, onRow: () => undefined });
    expect(summary.sumOfTotal).to.equal(21);
    expect(summary.issues).to.deep.equal([
      {
        file: bad,
        line: 1,
        kind: "unknown-header",
        reason: 'the header matches no known waiting-list shape: column 1 "Date" is not a known waiting-list column',
      },
    ]);
    expect(summary.files[0]).to.deep.include({ rows: 0, unusable: true, shape: undefined });
    expect(summary.malformedRows, "a whole file is not a malformed row").to.equal(0);
    expect(summary.fileErrors).to.deep.equal([
      {
        file: bad,
        kind: "unknown-header",
        header: ["Date", "Ward", "Beds"],
        reason: 'the header matches no known waiting-list shape: column 1 "Date" is not a known waiting-list column',
        rowsNotRead: 1,
        patientsNotRead: null,
      },
    ]);
  });

  it("stops on an unknown header under strict", async () => {
    const bad = await writeFixture(dir, "a.csv", "Date,Ward,Beds\r\n");
    await expectReplayRejection(() => ingestFiles([bad], { strict: true, onRow: () => undefined }), StrictStopError, {
      issue: {
        file: bad,
        line: 1,
        kind: "unknown-header",
        reason: 'the header matches no known waiting-list shape: column 1 "Date" is not a known waiting-list column',
      },
    });
  });

  it("reports an empty file, and reads a header-only file as zero rows", async () => {
    const empty = await writeFixture(dir, "empty.csv", "");
    const headerOnly = await writeFixture(dir, "header.csv", `${OP_HOSPITAL_HEADER}\r\n`);
    const summary = await ingestFiles([empty, headerOnly], { strict: false, onRow: () => undefined });
    expect(brief(summary.issues)).to.deep.equal([[0, "unknown-header"]]);
    expect(summary.issues[0].reason).to.equal("the file is empty: it has no header line");
    expect(summary.files[1]).to.deep.include({ rows: 0, issues: 0, unusable: false });
  });

  it("skips a line longer than the limit without holding it, and reads on", async () => {
    const huge = `30/01/2020,G,0918,${"x".repeat(5_000_000)},8003,Pain Relief,Adult,65+,12-15 Months,5`;
    const file = await writeFixture(dir, "op.csv", opHospitalCsv([GOOD, huge, GOOD]));
    const { rows, summary } = await readLenient(file);
    expect(rows.map((r) => r.line)).to.deep.equal([2, 4]);
    expect(brief(summary.issues)).to.deep.equal([[3, "line-too-long"]]);
  });

  it("survives a gzip bomb of one endless line", async () => {
    const bomb = Buffer.concat([Buffer.from(`${OP_HOSPITAL_HEADER}\r\n${GOOD}\r\n`), Buffer.alloc(50_000_000, 0x61)]);
    const file = await writeFixture(dir, "bomb.csv.gz", bomb);
    const { rows, summary } = await readLenient(file);
    expect(rows).to.have.length(1);
    expect(brief(summary.issues)).to.deep.equal([[3, "line-too-long"]]);
  });

  it("skips a line with an unmatched quote instead of swallowing the lines after it", async () => {
    const file = await writeFixture(
      dir,
      "op.csv",
      opHospitalCsv([
        GOOD,
        '30/01/2020,G,0918,"Hospital,8003,Pain Relief,Adult,65+,12-15 Months,5',
        GOOD,
        '30/01/2020,G,0918,"St. ""X"" Hospital, Cork",8003,Pain Relief,Adult,65+,12-15 Months,7',
      ]),
    );
    const { rows, summary } = await readLenient(file);
    expect(rows.map((r) => [r.line, r.hospitalName])).to.deep.equal([
      [2, "H"],
      [4, "H"],
      [5, 'St. "X" Hospital, Cork'],
    ]);
    expect(brief(summary.issues)).to.deep.equal([[3, "bad-quotes"]]);
  });

  it("turns garbage bytes into reported skips, never a crash", async () => {
    const random = mulberry32(20260214);
    const garbage = Buffer.from(Array.from({ length: 200_000 }, () => Math.floor(random() * 256)));
    const file = await writeFixture(
      dir,
      "op.csv",
      Buffer.concat([Buffer.from(opHospitalCsv([GOOD])), garbage, Buffer.from(`\r\n${GOOD}\r\n`)]),
    );
    const { rows, summary } = await readLenient(file);
    expect(rows[0].line).to.equal(2);
    expect(rows.at(-1)?.total).to.equal(21);
    expect(summary.sumOfTotal).to.equal(42);
    expect(summary.issueCount).to.be.greaterThan(0);
    for (const issue of summary.issues) expect(issue.line).to.be.greaterThan(2);
  });

  it("never loses the good rows after garbage heavy in quotes, commas and line ends (seeded fuzz)", async () => {
    const random = mulberry32(20261121);
    for (let round = 0; round < 40; round += 1) {
      const garbage = Buffer.alloc(5_000);
      for (let i = 0; i < garbage.length; i += 1) {
        const r = random();
        garbage[i] = r < 0.15 ? 0x22 : r < 0.3 ? 0x2c : r < 0.36 ? 0x0a : r < 0.4 ? 0x0d : Math.floor(random() * 256);
      }
      const file = await writeFixture(
        dir,
        `fuzz-${round}.csv`,
        Buffer.concat([Buffer.from(opHospitalCsv([GOOD])), garbage, Buffer.from(`\r\n${GOOD}\r\n${GOOD}\r\n`)]),
      );
      const { summary } = await readLenient(file);
      expect(summary.sumOfTotal, `round ${round}`).to.equal(63);
    }
  });

  it("reports a binary file as an unknown header", async () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001", "hex");
    const file = await writeFixture(dir, "image.csv", png);
    const { summary } = await readLenient(file);
    expect(brief(summary.issues)).to.deep.equal([[1, "unknown-header"]]);
  });

  it("reports a truncated gzip file after the rows it could read", async () => {
    const rowsText = opHospitalCsv(Array.from({ length: 2000 }, () => GOOD));
    const gz = gzipSync(Buffer.from(rowsText));
    const file = await writeFixture(dir, "cut.csv", gz.subarray(0, Math.floor(gz.length / 2)));
    const { summary } = await readLenient(file);
    const last = summary.issues.at(-1);
    expect(last?.kind).to.equal("unreadable-file");
    expect(last?.reason).to.match(/^could not be decompressed/);
    expect(summary.files[0].unusable).to.equal(true);
    expect(summary.rowsRead).to.be.lessThan(2000);
  });

  it("keeps odd Unicode in names, and strips control characters", async () => {
    const name = "Ospidéal 🏥 Z\u0301";
    const file = await writeFixture(
      dir,
      "op.csv",
      opHospitalCsv([`30/01/2020,G,0918,${name}\u0000\u0007,8003,Pain Relief,Adult,65+,12-15 Months,5`]),
    );
    const { rows, summary } = await readLenient(file);
    expect(summary.issueCount).to.equal(0);
    expect(rows[0].hospitalName).to.equal("Ospidéal 🏥 Z\u0301");
  });

  it("skips a row whose text hides bidi overrides or zero-width characters", async () => {
    const file = await writeFixture(
      dir,
      "op.csv",
      opHospitalCsv(["30/01/2020,G,0918,Ospidéal \u202eLTR\u202c Z\u200b,8003,Pain Relief,Adult,65+,12-15 Months,5"]),
    );
    const { rows, summary } = await readLenient(file);
    expect(rows).to.have.length(0);
    expect(brief(summary.issues)).to.deep.equal([[2, "hidden-characters"]]);
  });

  it("rejects a field of only control characters as empty", async () => {
    const file = await writeFixture(
      dir,
      "op.csv",
      opHospitalCsv(["30/01/2020,G,0918,\u0000\u0001,8003,Pain Relief,Adult,65+,12-15 Months,5"]),
    );
    const { summary } = await readLenient(file);
    expect(brief(summary.issues)).to.deep.equal([[2, "empty-field"]]);
  });

  it("counts every issue but keeps only the first ones in memory", async () => {
    const bad = "30/01/2020,G,0918,H,8003,Pain Relief,Adult,65+,12-15 Months,x";
    const file = await writeFixture(
      dir,
      "op.csv",
      opHospitalCsv(Array.from({ length: MAX_KEPT_ISSUES + 500 }, () => bad)),
    );
    const { summary } = await readLenient(file);
    expect(summary.issueCount).to.equal(MAX_KEPT_ISSUES + 500);
    expect(summary.issues).to.have.length(MAX_KEPT_ISSUES);
    expect(summary.issuesByKind).to.deep.equal({ "bad-total": MAX_KEPT_ISSUES + 500 });
  });
});
