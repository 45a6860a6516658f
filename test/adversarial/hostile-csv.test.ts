/**
 * Hostile input corpus for the waiting-list replay: garbage bytes, a 10 MB row, NUL bytes, odd Unicode,
 * broken quoting, wrong column counts, impossible Totals and dates, empty, header-only and foreign
 * files — generated into a temporary folder and fed to the ingestion (`ingestFiles`) and to the CLI
 * (`replay/cli.ts` main). Every hostile line must come back as a reported skip naming its file
 * and line, every unusable file as one issue naming the file, and strict mode as one sentence; nothing
 * may crash, and the Total the replay reports must be the sum of the valid rows only.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { NoUsableRowsError, StrictStopError } from "../../replay/errors.js";
import type { GasTableProvider } from "../../replay/gas/gas-table-provider.js";
import { expandInputPaths } from "../../replay/ingest/expand-paths.js";
import { ingestFiles, type IngestSummary } from "../../replay/ingest/ingest-files.js";
import type { IngestIssue, IngestIssueKind, WaitingListRow } from "../../replay/ingest/waiting-list-row.js";
import { main, type ReplayIo } from "../../replay/cli.js";
import { runReplay } from "../../replay/replay.js";
import { recordAttack } from "./tally.js";

const CATEGORY = "hostile-input";
const HEADER =
  "Archive_Date,Group,Hospital_HIPE,Hospital,Specialty_HIPE1,Speciality,Adult_Child,Age_Profile,Time_Bands,Total";
const TEN_MB = 10 * 1024 * 1024;

/** Characters no text field of a kept row may carry after cleaning: C0/C1 controls, line separators, BOM. */
const CONTROL_CHARACTERS =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069]/;

/** A seeded generator, so that the garbage is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seededBytes(seed: number, length: number): Buffer {
  const next = mulberry32(seed);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

interface RowFields {
  date: string;
  hospital: string;
  total: string;
}

/** One CSV line of the outpatient hospital shape (no line end). */
function csvLine(fields: RowFields): string {
  return `${fields.date},Dublin Midlands,0918,${fields.hospital},8003,Pain Relief,Adult,65+,12-15 Months,${fields.total}`;
}

/**
 * One entry of a hostile file, one or more physical lines:
 * - valid: a good row, counted;
 * - skip: must be reported with the given kind at each of its lines, and not counted;
 * - sanitised: hostile bytes the ingestion neutralises (cleanText turns them into spaces) — the row is
 *   kept and counted, but no control character may reach it;
 * - openFinding: hostile content the ingestion lets through today (see the report); counted as an
 *   attack NOT stopped, and its row is counted in the total because that is what the replay does now.
 */
type Entry =
  | { kind: "valid"; line: string | Buffer; total: number }
  | { kind: "skip"; attack: string; line: string | Buffer; issues: readonly IngestIssueKind[] }
  | { kind: "sanitised"; attack: string; line: string | Buffer; total: number }
  | { kind: "openFinding"; attack: string; line: string | Buffer; total: number; finding: string };

interface RowFile {
  name: string;
  entries: readonly Entry[];
}

/** A file that must be refused whole (or, header-only, read as holding nothing). */
interface WholeFile {
  name: string;
  attack: string;
  content: Buffer;
  /** Issue kinds the file may get; empty when it must read cleanly as zero rows. */
  issueKinds: readonly IngestIssueKind[];
}

function monthFile(month: number) {
  const mm = String(month).padStart(2, "0");
  const date = `28/${mm}/2020`;
  const valid = (total: number, hospital = "Tallaght University Hospital"): Entry => ({
    kind: "valid",
    line: csvLine({ date, hospital, total: String(total) }),
    total,
  });
  const row = (overrides: Partial<RowFields>): string =>
    csvLine({ date, hospital: "Tallaght University Hospital", total: "5", ...overrides });
  return { date, valid, row };
}

function rowFiles(): RowFile[] {
  const totals = monthFile(1);
  const dates = monthFile(2);
  const columns = monthFile(3);
  const quotes = monthFile(4);
  const nul = monthFile(5);
  const unicode = monthFile(6);
  const huge = monthFile(7);
  const badTotal = (attack: string, total: string, issues: IngestIssueKind[] = ["bad-total"]): Entry => ({
    kind: "skip",
    attack: `Total ${attack}`,
    line: totals.row({ total }),
    issues,
  });
  const badDate = (date: string, issues: IngestIssueKind[] = ["bad-date"]): Entry => ({
    kind: "skip",
    attack: `date ${JSON.stringify(date)}`,
    line: dates.row({ date }),
    issues,
  });
  const surrogateName = Buffer.concat([
    Buffer.from(unicode.row({ hospital: "St " }).split(",").slice(0, 4).join(",")),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from(",8003,Pain Relief,Adult,65+,12-15 Months,1"),
  ]);
  return [
    {
      name: "totals.csv",
      entries: [
        totals.valid(21),
        badTotal("negative", "-5"),
        badTotal("fractional", "1.5"),
        badTotal("huge", "99999999999"),
        badTotal("just above the cap", "10000001"),
        badTotal("in exponent notation", "1e3"),
        badTotal("in hex", "0x10"),
        badTotal("NaN", "NaN"),
        badTotal("Infinity", "Infinity"),
        badTotal("in full-width digits", "\uff11\uff12"),
        badTotal("in Arabic-Indic digits", "\u0661\u0662"),
        badTotal("split by a right-to-left override", "1\u202e2", ["hidden-characters"]),
        badTotal("split by a zero-width space", "1\u200b2", ["hidden-characters"]),
        badTotal("empty", "", ["empty-field"]),
        totals.valid(13),
      ],
    },
    {
      name: "dates.csv",
      entries: [
        dates.valid(8),
        badDate("31/02/2020"),
        badDate("00/01/2020"),
        badDate("32/01/2020"),
        badDate("2020-13-01"),
        badDate("29/02/2019"),
        badDate("30/01/20"),
        badDate("yesterday"),
        badDate("1899-12-31"),
        badDate("28/02/2020; DROP TABLE waiting_list"),
        badDate("28/02\u202e/2020", ["hidden-characters"]),
        dates.valid(5),
      ],
    },
    {
      name: "columns.csv",
      entries: [
        columns.valid(3),
        {
          kind: "skip",
          attack: "a column missing",
          line: columns.row({}).split(",").slice(0, 9).join(","),
          issues: ["missing-columns"],
        },
        { kind: "skip", attack: "one field only", line: "x", issues: ["missing-columns"] },
        { kind: "skip", attack: "an extra value", line: `${columns.row({})},surplus`, issues: ["extra-columns"] },
        {
          kind: "skip",
          attack: "a thousand columns",
          line: `${columns.row({})}${",7".repeat(990)}`,
          issues: ["extra-columns"],
        },
        // Trailing empty cells are allowed (a published file ends its header with a comma).
        { kind: "valid", line: `${columns.row({ total: "4" })},,`, total: 4 },
        columns.valid(6),
      ],
    },
    {
      name: "quotes.csv",
      entries: [
        quotes.valid(2),
        {
          kind: "skip",
          attack: "an unbalanced quote",
          line: quotes.row({ hospital: '"Tallaght' }),
          issues: ["bad-quotes"],
        },
        {
          kind: "skip",
          attack: "a quote inside a field",
          line: quotes.row({ hospital: 'St "J"s' }),
          issues: ["bad-quotes"],
        },
        {
          kind: "skip",
          attack: "text after a closing quote",
          line: quotes.row({ hospital: '"St J"x' }),
          issues: ["bad-quotes"],
        },
        {
          kind: "skip",
          attack: "a quoted field spanning two lines",
          line: quotes.row({ hospital: '"Tallaght\nUniversity"' }),
          issues: ["bad-quotes", "bad-quotes"],
        },
        {
          kind: "valid",
          line: `"28/04/2020","Dublin Midlands","0918","St ""Quoted"" Hospital, Dublin","8003","Pain Relief","Adult","65+","12-15 Months","9"`,
          total: 9,
        },
        quotes.valid(1),
      ],
    },
    {
      name: "nul.csv",
      entries: [
        nul.valid(10),
        { kind: "skip", attack: "a NUL inside Total", line: nul.row({ total: "1\u00002" }), issues: ["bad-total"] },
        {
          kind: "skip",
          attack: "a name of NULs only",
          line: nul.row({ hospital: "\u0000\u0000" }),
          issues: ["empty-field"],
        },
        {
          kind: "sanitised",
          attack: "a NUL inside a name",
          line: nul.row({ hospital: "Tallaght\u0000Hospital", total: "6" }),
          total: 6,
        },
        {
          kind: "sanitised",
          attack: "a NUL after the date",
          line: nul.row({ date: `${nul.date}\u0000`, total: "2" }),
          total: 2,
        },
        nul.valid(7),
      ],
    },
    {
      name: "unicode.csv",
      entries: [
        unicode.valid(11),
        {
          kind: "skip",
          attack: "a right-to-left override in a name",
          line: unicode.row({ hospital: "Tallaght \u202eLATIPSOH", total: "1" }),
          issues: ["hidden-characters"],
        },
        {
          kind: "skip",
          attack: "bidi isolates in a name",
          line: unicode.row({ hospital: "\u2066Tallaght\u2069 \u2067Hospital\u2069", total: "1" }),
          issues: ["hidden-characters"],
        },
        {
          kind: "skip",
          attack: "a zero-width space inside a name (a look-alike hospital)",
          line: unicode.row({ hospital: "Tall\u200baght University Hospital", total: "1" }),
          issues: ["hidden-characters"],
        },
        {
          kind: "skip",
          attack: "a lone surrogate (CESU-8 bytes ED A0 80) in a name",
          line: surrogateName,
          issues: ["bad-encoding"],
        },
        {
          kind: "sanitised",
          attack: "a BOM inside a name",
          line: unicode.row({ hospital: "\ufeffTallaght", total: "2" }),
          total: 2,
        },
        {
          kind: "sanitised",
          attack: "a Unicode line separator inside a name",
          line: unicode.row({ hospital: "Tallaght\u2028Hospital", total: "2" }),
          total: 2,
        },
        unicode.valid(12, "Tallaght University Hospital \u00c9ire \u2014 \u6771\u4eac \ud83c\udfe5"),
      ],
    },
    {
      name: "huge-row.csv",
      entries: [
        huge.valid(7),
        {
          kind: "skip",
          attack: "a 10 MB single row",
          line: huge.row({ hospital: "H".repeat(TEN_MB) }),
          issues: ["line-too-long"],
        },
        {
          kind: "skip",
          attack: "a 300-character name",
          line: huge.row({ hospital: "H".repeat(300) }),
          issues: ["field-too-long"],
        },
        huge.valid(11),
      ],
    },
  ];
}

function wholeFiles(): WholeFile[] {
  const refused: IngestIssueKind[] = ["unknown-header", "unreadable-file"];
  return [
    {
      name: "garbage.csv",
      attack: "64 KiB of random bytes",
      content: seededBytes(20260401, 64 * 1024),
      issueKinds: refused,
    },
    { name: "nul-only.csv", attack: "4 KiB of NUL bytes", content: Buffer.alloc(4096), issueKinds: refused },
    { name: "empty.csv", attack: "an empty file", content: Buffer.alloc(0), issueKinds: ["unknown-header"] },
    {
      name: "header-only.csv",
      attack: "a header and nothing else",
      content: Buffer.from(`\ufeff${HEADER}\r\n`),
      issueKinds: [],
    },
    {
      name: "unknown-header.csv",
      attack: "a file of another kind (unknown header)",
      content: Buffer.from("Patient_Name,Diagnosis,PPSN\nJohn Doe,Influenza,1234567T\n"),
      issueKinds: ["unknown-header"],
    },
    {
      name: "duplicate-header.csv",
      attack: "a header naming Total twice",
      content: Buffer.from(`${HEADER},Total\n${csvLine({ date: "28/09/2020", hospital: "H", total: "5" })},5\n`),
      issueKinds: ["unknown-header"],
    },
    {
      name: "cr-only.csv",
      attack: "old Mac line ends (CR only)",
      content: Buffer.from(`${HEADER}\r${csvLine({ date: "28/10/2020", hospital: "H", total: "5" })}\r`),
      issueKinds: ["unknown-header"],
    },
    {
      name: "fake.csv.gz",
      attack: "gzip magic followed by garbage",
      content: Buffer.concat([Buffer.from([0x1f, 0x8b]), seededBytes(7, 2048)]),
      issueKinds: ["unreadable-file"],
    },
  ];
}

function entryLines(entry: Entry): number {
  const text = typeof entry.line === "string" ? entry.line : entry.line.toString("latin1");
  return text.split("\n").length;
}

function contentOf(file: RowFile): Buffer {
  const parts: Buffer[] = [Buffer.from(`${HEADER}\n`)];
  for (const entry of file.entries) {
    parts.push(typeof entry.line === "string" ? Buffer.from(entry.line, "utf8") : entry.line, Buffer.from("\n"));
  }
  return Buffer.concat(parts);
}

/** Physical line (1-based, header = 1) of each entry. */
function lineNumbers(file: RowFile): number[] {
  const numbers: number[] = [];
  let line = 2;
  for (const entry of file.entries) {
    numbers.push(line);
    line += entryLines(entry);
  }
  return numbers;
}

/** One plain sentence: no line break, not empty, not a stack trace. */
function isOneSentence(text: string): boolean {
  return text.trim().length > 0 && !/[\r\n]/.test(text) && text.length < 500 && !/\bat .+:\d+:\d+/.test(text);
}

const FIXED_GAS: GasTableProvider = {
  gasTable: () =>
    Promise.resolve({
      anchorRecord: 100_000,
      grantConsent: 80_000,
      grantConsentBySig: 90_000,
      workflowPrescription: 270_000,
      workflowLabResult: 250_000,
      anchorBatchFixed: 50_000,
      anchorBatchPerRecord: 100,
      other: {},
      provenance: { source: "adversarial test fixture", chain: "none (fixed figures)" },
    }),
};

interface Captured {
  io: ReplayIo;
  stdout(): string;
  stderr(): string;
}

function capture(): Captured {
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

async function ingest(files: readonly string[]): Promise<{ rows: WaitingListRow[]; summary: IngestSummary }> {
  const rows: WaitingListRow[] = [];
  const summary = await ingestFiles(files, { strict: false, onRow: (row) => rows.push(row) });
  return { rows, summary };
}

function textFields(row: WaitingListRow): string[] {
  return [
    row.hospitalGroup,
    row.hospitalCode,
    row.hospitalName,
    row.specialtyName,
    row.caseType,
    row.adultChild,
    row.ageProfile,
    row.timeBand,
  ].filter((v): v is string => v !== undefined);
}

describe("adversarial: hostile waiting-list files", function () {
  this.timeout(120_000);
  let dir: string;
  /** Reports go elsewhere: a results.csv inside the corpus folder would be read as input by the next run. */
  let outRoot: string;
  const files = rowFiles();
  const whole = wholeFiles();
  const pathOf = (name: string): string => join(dir, name);

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "careledger-hostile-"));
    outRoot = await mkdtemp(join(tmpdir(), "careledger-hostile-out-"));
    for (const file of files) await writeFile(pathOf(file.name), contentOf(file));
    for (const file of whole) await writeFile(pathOf(file.name), file.content);
  });

  after(async function () {
    for (const folder of [dir, outRoot]) if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  describe("line by line", function () {
    for (const file of files) {
      it(`${file.name}: reports each hostile line with file and line, keeps the valid rows, counts only them`, async function () {
        const path = pathOf(file.name);
        const { rows, summary } = await ingest([path]);
        const lines = lineNumbers(file);
        const failures: string[] = [];
        let expectedRows = 0;
        let expectedTotal = 0;

        file.entries.forEach((entry, index) => {
          const line = lines[index];
          const rowsHere = rows.filter((r) => r.line === line);
          const issuesHere = (at: number): IngestIssue[] => summary.issues.filter((i) => i.line === at);
          if (entry.kind === "valid") {
            expectedRows += 1;
            expectedTotal += entry.total;
            if (rowsHere.length !== 1 || rowsHere[0].total !== entry.total)
              failures.push(`line ${line}: the valid row was not kept`);
            return;
          }
          if (entry.kind === "skip") {
            const reported = entry.issues.every((kind, offset) => {
              const found = issuesHere(line + offset);
              return (
                found.length === 1 && found[0].kind === kind && found[0].file === path && isOneSentence(found[0].reason)
              );
            });
            const stopped = reported && rowsHere.length === 0;
            recordAttack(CATEGORY, stopped, `${file.name} line ${line}: ${entry.attack}`);
            if (!stopped) {
              failures.push(
                `line ${line} (${entry.attack}): expected ${entry.issues.join(", ")}, got ${JSON.stringify(issuesHere(line))} and ${rowsHere.length} rows`,
              );
            }
            return;
          }
          expectedRows += 1;
          expectedTotal += entry.total;
          if (entry.kind === "sanitised") {
            const clean = rowsHere.length === 1 && textFields(rowsHere[0]).every((t) => !CONTROL_CHARACTERS.test(t));
            recordAttack(CATEGORY, clean, `${file.name} line ${line}: ${entry.attack}`);
            if (!clean) failures.push(`line ${line} (${entry.attack}): a control character reached the row`);
            return;
          }
          // An open finding: kept today. Counted as not stopped; fails once the ingestion refuses it, so
          // that the entry moves to the skips.
          recordAttack(CATEGORY, false, `${file.name} line ${line}: ${entry.attack} (${entry.finding})`);
          if (rowsHere.length !== 1)
            failures.push(`line ${line} (${entry.attack}): no longer kept — fixed? make it a skip`);
        });

        expect(failures, failures.join("\n")).to.deep.equal([]);
        const skippedLines = file.entries.reduce((n, e) => n + (e.kind === "skip" ? e.issues.length : 0), 0);
        expect(summary.issueCount, "issues beyond the hostile lines").to.equal(skippedLines);
        expect(summary.rowsRead).to.equal(expectedRows);
        expect(summary.sumOfTotal).to.equal(expectedTotal);
        expect(summary.files[0]).to.deep.include({ rows: expectedRows, patients: expectedTotal, unusable: false });
      });
    }
  });

  describe("whole files", function () {
    for (const file of whole) {
      it(`${file.name}: ${file.attack} gives no row and ${file.issueKinds.length === 0 ? "no issue" : "one issue naming the file"}`, async function () {
        const path = pathOf(file.name);
        let outcome: { rows: WaitingListRow[]; summary: IngestSummary } | undefined;
        let crash: unknown;
        try {
          outcome = await ingest([path]);
        } catch (error) {
          crash = error;
        }
        const issues = outcome?.summary.issues ?? [];
        const stopped =
          crash === undefined &&
          outcome !== undefined &&
          outcome.rows.length === 0 &&
          outcome.summary.sumOfTotal === 0 &&
          (file.issueKinds.length === 0
            ? issues.length === 0
            : issues.length >= 1 &&
              issues.every((i) => file.issueKinds.includes(i.kind) && i.file === path && isOneSentence(i.reason)) &&
              outcome.summary.files[0].unusable);
        recordAttack(CATEGORY, stopped, `${file.name}: ${file.attack}`);
        expect(crash, "the ingestion threw").to.equal(undefined);
        expect(outcome?.rows).to.deep.equal([]);
        expect(issues.map((i) => i.kind)).to.satisfy((kinds: string[]) =>
          file.issueKinds.length === 0
            ? kinds.length === 0
            : kinds.length >= 1 && kinds.every((k) => file.issueKinds.includes(k as IngestIssueKind)),
        );
        expect(stopped).to.equal(true);
      });
    }
  });

  describe("strict mode", function () {
    // Files holding at least one line the ingestion refuses (unicode.csv holds only kept ones today).
    const hostile = [
      ...files.filter((f) => f.entries.some((e) => e.kind === "skip")).map((f) => f.name),
      ...whole.filter((f) => f.issueKinds.length > 0).map((f) => f.name),
    ];
    for (const name of hostile) {
      it(`${name}: stops at the first problem with one sentence naming the file`, async function () {
        let thrown: unknown;
        try {
          await ingestFiles([pathOf(name)], { strict: true, onRow: () => undefined });
        } catch (error) {
          thrown = error;
        }
        // The message carries the issue's reason, which quotes the file: hostile bytes must not break it into lines.
        const stopped =
          thrown instanceof StrictStopError && thrown.issue.file === pathOf(name) && isOneSentence(thrown.message);
        recordAttack(CATEGORY, stopped, `${name} under --strict`);
        expect(thrown).to.be.instanceOf(StrictStopError);
        expect(stopped, String(thrown)).to.equal(true);
      });
    }
  });

  describe("the whole corpus at once", function () {
    const validTotal = (): number =>
      files
        .flatMap((f) => f.entries)
        .reduce((sum, e) => sum + (e.kind === "valid" || e.kind === "sanitised" ? e.total : 0), 0);
    const openFindingTotal = (): number =>
      files.flatMap((f) => f.entries).reduce((sum, e) => sum + (e.kind === "openFinding" ? e.total : 0), 0);

    it("reports as Total the sum of the valid rows only (plus, today, the open findings' rows)", async function () {
      const { summary } = await ingest(files.map((f) => pathOf(f.name)).concat(whole.map((f) => pathOf(f.name))));
      expect(summary.sumOfTotal - openFindingTotal()).to.equal(validTotal());
      const perFile = summary.files.reduce((sum, f) => sum + f.patients, 0);
      expect(perFile).to.equal(summary.sumOfTotal);
    });

    it("runs through the CLI without a crash: warnings name file and line, the report reconciles", async function () {
      const out = join(outRoot, "report");
      const c = capture();
      // The corpus holds files whose header matches no published shape: they are left out, and said so.
      const code = await main([dir, "--out", out, "--quiet", "--json", "--skip-unknown-files"], c.io, {
        gasTableProvider: FIXED_GAS,
      });
      const stopped = code === 0;
      recordAttack(CATEGORY, stopped, "the whole corpus through the CLI");
      expect(code, c.stderr()).to.equal(0);
      const warnings = c
        .stderr()
        .split("\n")
        .filter((l) => l !== "");
      expect(warnings.length).to.be.greaterThan(0);
      for (const warning of warnings) {
        expect(warning).to.match(
          /^(warning: (skipped .+?(\.csv|\.csv\.gz)( line \d+)?: .+\.|[\d,]+ more rows skipped; .+\.)|\s+.+?(\.csv|\.csv\.gz): .+ not read\.|Not read \(--skip-unknown-files\): .+)$/,
        );
      }
      const result = JSON.parse(c.stdout()) as { ingest: { sumOfTotal: number }; reconciliation: { ok: boolean } };
      expect(result.ingest.sumOfTotal - openFindingTotal()).to.equal(validTotal());
      expect(result.reconciliation.ok).to.equal(true);
      const written = JSON.parse(await readFile(join(out, "results.json"), "utf8")) as {
        ingest: { sumOfTotal: number };
      };
      expect(written.ingest.sumOfTotal).to.equal(result.ingest.sumOfTotal);
    });

    it("stops the CLI under --strict with one error sentence and writes no report", async function () {
      const out = join(outRoot, "strict-report");
      // The CLI reads the folder's files in the same order, so it must stop at the same first problem.
      let first: unknown;
      try {
        await ingestFiles(await expandInputPaths([dir]), { strict: true, onRow: () => undefined });
      } catch (error) {
        first = error;
      }
      expect(first).to.be.instanceOf(StrictStopError);
      const c = capture();
      const code = await main([dir, "--out", out, "--quiet", "--strict"], c.io, { gasTableProvider: FIXED_GAS });
      const lines = c
        .stderr()
        .split("\n")
        .filter((l) => l !== "");
      const stopped =
        code === 1 &&
        lines.length === 1 &&
        lines[0] === `error: ${(first as StrictStopError).message}` &&
        !existsSync(join(out, "summary.md"));
      recordAttack(CATEGORY, stopped, "the whole corpus through the CLI under --strict");
      expect(code).to.equal(1);
      expect(lines).to.deep.equal([`error: ${(first as StrictStopError).message}`]);
      expect(existsSync(join(out, "summary.md"))).to.equal(false);
    });

    it("refuses a run with no usable row in one sentence", async function () {
      const nothing = ["header-only.csv", "empty.csv", "garbage.csv"].map(pathOf);
      let thrown: unknown;
      try {
        await runReplay(
          {
            paths: nothing,
            outDir: join(outRoot, "none-direct"),
            mode: "modeled",
            strict: false,
            assumptions: { prescriptionShare: 0.3, labShare: 0.5, consentBySignature: false },
            scenario: "ethereum-mainnet",
            priceOverrides: {},
          },
          { gasTableProvider: FIXED_GAS },
        );
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(NoUsableRowsError);
      expect(thrown).to.deep.include({ code: "NO_USABLE_ROWS", files: nothing });
      const c = capture();
      const code = await main([...nothing, "--out", join(outRoot, "none"), "--quiet"], c.io, {
        gasTableProvider: FIXED_GAS,
      });
      const errors = c
        .stderr()
        .split("\n")
        .filter((l) => l.startsWith("error: "));
      const stopped = code === 1 && errors.length === 1 && isOneSentence(errors[0]);
      recordAttack(CATEGORY, stopped, "only unusable files through the CLI");
      expect(code).to.equal(1);
      expect(errors).to.deep.equal([`error: ${(thrown as NoUsableRowsError).message}`]);
    });
  });
});
