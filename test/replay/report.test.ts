import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { expectClose } from "./helpers/expect-close.js";
import { parse } from "csv-parse/sync";

import { formatCompact } from "../../replay/report/format.js";
import { renderPng } from "../../replay/report/render-png.js";
import { buildCharts, chartUnit, topSpecialtiesByName } from "../../replay/report/report-charts.js";
import { RESULTS_CSV_HEADER } from "../../replay/report/results-csv.js";
import { DEFAULT_TOP_SPECIALTIES, runReplay } from "../../replay/replay.js";
import type { ReplayResult, SpecialtyResult } from "../../replay/replay-result.js";
import { FIXED_GAS_PROVIDER, IPDC_HOSPITAL_HEADER, SHIPPED_DATA, tempDir, writeFixture } from "./helpers/fixtures.js";

const ASSUMPTIONS = { prescriptionShare: 0.3, labShare: 0.5, consentBySignature: false };
const CHARTS = ["cost-per-specialty", "cost-per-specialty-code", "cost-vs-patients", "per-patient-vs-batched"];

function unescapeXml(text: string): string {
  const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => entities[name]);
}

/** The content of every <text> element. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]));
}

/** The accessible label of every data mark Vega drew as the given kind ("bar", "point"), in drawing order. */
function markLabels(svg: string, kind: string): string[] {
  return [...svg.matchAll(/<path\b[^>]*>/g)]
    .map((tag) => new Map([...tag[0].matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], unescapeXml(a[2])])))
    .filter((attributes) => attributes.get("aria-roledescription") === kind)
    .map((attributes) => attributes.get("aria-label") ?? "");
}

function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString("hex")).to.equal("89504e470d0a1a0a");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("report over all shipped files", function () {
  this.timeout(180_000);
  let out: string;
  let result: ReplayResult;

  before(async () => {
    out = await tempDir("replay-report-");
    result = await runReplay(
      {
        paths: [SHIPPED_DATA],
        outDir: out,
        mode: "modeled",
        strict: true,
        assumptions: ASSUMPTIONS,
        scenario: "ethereum-mainnet",
        priceOverrides: {},
      },
      { gasTableProvider: FIXED_GAS_PROVIDER, now: () => new Date("2026-11-21T12:00:00Z") },
    );
  });

  it("writes the summary, the results, the page and every chart as SVG and PNG", async () => {
    expect((await readdir(out)).sort()).to.deep.equal([
      "charts",
      "report.html",
      "results.csv",
      "results.json",
      "summary.md",
    ]);
    expect((await readdir(join(out, "charts"))).sort()).to.deep.equal(
      CHARTS.flatMap((c) => [`${c}.png`, `${c}.svg`]).sort(),
    );
  });

  it("costs the sum of Total read less the overlapping files", () => {
    expect(result.ingest.rowsRead).to.equal(254_023);
    expect(result.ingest.sumOfTotal).to.equal(7_528_896);
    // ipdc 2020-01 and 2021-01..03, op 2021-01..03 are in both a hospital and a by-specialty file.
    expect(result.overlap.excludedPatients).to.equal(67_303 + 242_365 + 1_878_614);
    expect(result.overlap.decisions).to.have.length(7);
    expect(result.patients).to.equal(5_340_614);
    expect(result.reconciliation.ok).to.equal(true);
    expect(result.reconciliation.checks.every((c) => c.ok)).to.equal(true);
  });

  it("prices the per-patient design by hand from the fixed gas table", () => {
    const p = result.designs.perPatient;
    expect(p.counts.anchorRecord).to.equal(5_340_614);
    expect(p.gas).to.equal(
      p.counts.anchorRecord * 100_000 +
        p.counts.grantConsent * 80_000 +
        p.counts.workflowPrescription * 270_000 +
        p.counts.workflowLabResult * 250_000,
    );
    expectClose(p.eth, (p.gas * 2) / 1e9, 1e-6);
    expectClose(p.eur, p.eth * 3000, 1e-3);
    // Rounding per cohort keeps the shares within a hair of 30% and 50%.
    expectClose(p.counts.workflowPrescription / p.patients, 0.3, 0.001);
    expectClose(p.counts.workflowLabResult / p.patients, 0.5, 0.001);
  });

  it("saves gas by batching and says how much", () => {
    const { perPatient, batched, batchingSaving } = result.designs;
    expect(batched.counts.anchorRecord).to.equal(0);
    expect(batched.counts.anchorBatch).to.equal(result.batches);
    expect(batched.gas).to.be.lessThan(perPatient.gas);
    expectClose(batchingSaving, 1 - batched.gas / perPatient.gas, 1e-12);
  });

  it("writes results.csv whose columns add up to the report's totals", async () => {
    const rows = parse(await readFile(join(out, "results.csv"), "utf8"), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).to.deep.equal([...RESULTS_CSV_HEADER]);
    const sum = (column: string): number => rows.reduce((s, r) => s + Number(r[column]), 0);
    expect(sum("patients")).to.equal(5_340_614);
    expect(sum("per_patient_gas")).to.equal(result.designs.perPatient.gas);
    expect(sum("batched_gas")).to.equal(result.designs.batched.gas);
    expect(sum("batched_batches")).to.equal(result.batches);
    expectClose(sum("per_patient_eur"), result.designs.perPatient.eur, 0.01 * rows.length);
  });

  it("writes results.json equal to the returned result", async () => {
    const json = JSON.parse(await readFile(join(out, "results.json"), "utf8")) as ReplayResult;
    expect(json.patients).to.equal(result.patients);
    expect(json.designs.perPatient.gas).to.equal(result.designs.perPatient.gas);
    expect(json.generatedAt).to.equal("2026-11-21T12:00:00.000Z");
  });

  it("states the patient count as the printed sum, with the assumptions and the attribution", async () => {
    const md = await readFile(join(out, "summary.md"), "utf8");
    expect(md).to.include(
      "Patients costed: 5,340,614 = sum of Total read 7,528,896 − 2,188,282 in overlapping files excluded",
    );
    expect(md).to.include("Prescription share 30.0%, lab share 50.0%");
    expect(md).to.include("assumptions as of 2026-11");
    expect(md).to.include("Source: National Treatment Purchase Fund (NTPF), Open Data — Waiting List Data");
    expect(md).to.include("test fixture");
    for (const chart of CHARTS) expect(md).to.include(`(charts/${chart}.png)`);
  });

  it("renders PNGs at twice the SVG size, with the text drawn", async () => {
    for (const chart of CHARTS) {
      const svg = await readFile(join(out, "charts", `${chart}.svg`), "utf8");
      const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)?.[1]);
      const png = await readFile(join(out, "charts", `${chart}.png`));
      expect(pngSize(png).width).to.equal(width * 2);
      const withoutText = renderPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ""));
      expect(withoutText.equals(png), `${chart} text changes the picture`).to.equal(false);
    }
  });

  it("draws axes, ticks, labels and a legend on the specialty chart", async () => {
    const svg = await readFile(join(out, "charts", "cost-per-specialty.svg"), "utf8");
    const texts = svgTexts(svg);
    expect(texts).to.include.members([
      "Total cost per specialty (paper's figure 6)",
      "Cost (EUR, Ethereum mainnet at 2 gwei)",
      `Specialty (top ${DEFAULT_TOP_SPECIALTIES} by cost, then the rest)`,
      "Per-patient transactions (paper)",
      "Batched anchoring",
      "€0",
    ]);
    expect(texts.filter((t) => /^Other \(\d+ specialties\)$/.test(t))).to.have.length(1);
    expect(texts.length).to.be.greaterThan(40);
  });

  it("titles every chart and draws one bar per category and series, one point per specialty and series", async () => {
    const unit = chartUnit(result);
    const svg = async (chart: string): Promise<string> => readFile(join(out, "charts", `${chart}.svg`), "utf8");
    const titles: Record<string, string> = {
      "cost-per-specialty": "Total cost per specialty (paper's figure 6)",
      "cost-per-specialty-code": "Total cost per specialty HIPE code (paper's figure 7)",
      "cost-vs-patients": "Cost grows linearly with patients: one point per specialty",
      "per-patient-vs-batched": "Per-patient transactions vs batched anchoring",
    };
    for (const chart of CHARTS) {
      const content = await svg(chart);
      const accessibleName = /^<svg\b[^>]*><title>([^<]*)<\/title>/.exec(content)?.[1] ?? "";
      expect(unescapeXml(accessibleName), chart).to.equal(titles[chart]);
      expect(svgTexts(content), chart).to.include(titles[chart]);
    }

    const named = topSpecialtiesByName(result, unit, DEFAULT_TOP_SPECIALTIES);
    expect(markLabels(await svg("cost-per-specialty"), "bar")).to.deep.equal(
      named.flatMap((n) => [
        `${n.name}: Per-patient transactions (paper) ${unit.format(n.perPatient)}`,
        `${n.name}: Batched anchoring ${unit.format(n.batched)}`,
      ]),
    );
    expect(markLabels(await svg("cost-per-specialty-code"), "bar")).to.deep.equal(
      result.bySpecialty.flatMap((s) => [
        `${s.specialtyCode}: Per-patient transactions (paper) ${unit.format(unit.value(s.perPatient))}`,
        `${s.specialtyCode}: Batched anchoring ${unit.format(unit.value(s.batched))}`,
      ]),
    );
    expect(markLabels(await svg("cost-vs-patients"), "point")).to.deep.equal(
      [(s: SpecialtyResult) => s.perPatient, (s: SpecialtyResult) => s.batched].flatMap((cost) =>
        result.bySpecialty.map(
          (s) => `${s.specialtyName}: ${formatCompact(s.patients)} patients, ${unit.format(unit.value(cost(s)))}`,
        ),
      ),
    );
    // Every operation occurs in both designs here, so each bar stacks all four.
    const segments = markLabels(await svg("per-patient-vs-batched"), "bar");
    expect(segments).to.have.length(8);
    expect(segments.filter((l) => l.startsWith("Per-patient (paper): "))).to.have.length(4);
  });

  it("renders the same data to the same bytes", async () => {
    const again = await buildCharts(result, DEFAULT_TOP_SPECIALTIES);
    expect(again.map((c) => c.name)).to.deep.equal(CHARTS);
    for (const chart of again) {
      expect(chart.svg, `${chart.name} has ids that could clash in report.html`).to.not.match(/ id="/);
      expect(chart.svg === (await readFile(join(out, "charts", `${chart.name}.svg`), "utf8")), chart.name).to.equal(
        true,
      );
    }
  });

  it("keeps report.html self-contained", async () => {
    const html = await readFile(join(out, "report.html"), "utf8");
    expect((html.match(/<svg /g) ?? []).length).to.equal(4);
    // Namespace names identify the SVG vocabularies; nothing fetches them.
    const namespaces = ["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"];
    const external = (html.match(/(?:src|href)\s*=\s*"[^"]*"|url\([^)]*\)|https?:\/\/[^\s"'<)]+/g) ?? []).filter(
      (m) => !namespaces.includes(m),
    );
    expect(external).to.deep.equal([]);
    expect(html).to.not.include("<script");
  });
});

describe("report with hostile names", function () {
  this.timeout(60_000);

  it("escapes markup, strips control characters and defuses spreadsheet formulas", async () => {
    const dir = await tempDir();
    const name = `<script>alert(1)</script> & "quoted" | pipe`;
    const file = await writeFixture(
      dir,
      "ipdc.csv",
      `${IPDC_HOSPITAL_HEADER}\r\n` +
        `30/01/2020,G,0918,H\u0007,8003,${name.replace(/"/g, "'")},Day Case,Adult,65+,0-3 Months,5\r\n` +
        `30/01/2020,G,0918,H,100,"=HYPERLINK(""http://x"")",Day Case,Adult,65+,0-3 Months,3\r\n` +
        `30/01/2020,G,0918,H,200,\u202eevil 🏥,Day Case,Adult,65+,0-3 Months,2\r\n` +
        `30/01/2020,G,0918,H,300,Ortho 🏥,Day Case,Adult,65+,0-3 Months,7\r\n`,
    );
    const out = join(dir, "out");
    const result = await runReplay(
      {
        paths: [file],
        outDir: out,
        mode: "modeled",
        strict: false,
        assumptions: ASSUMPTIONS,
        scenario: "permissioned",
        priceOverrides: {},
      },
      { gasTableProvider: FIXED_GAS_PROVIDER },
    );
    // The row hiding a right-to-left override is skipped and reported, not rendered.
    expect(result.patients).to.equal(5 + 3 + 7);
    expect(result.ingest.issuesByKind["hidden-characters"]).to.equal(1);
    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).to.not.include("<script>");
    expect(html).to.include("&lt;script&gt;alert(1)&lt;/script&gt;");
    const csv = await readFile(join(out, "results.csv"), "utf8");
    expect(csv).to.include(`"'=HYPERLINK(""http://x"")"`);
    const md = await readFile(join(out, "summary.md"), "utf8");
    expect(md).to.include("\\<script\\>alert(1)\\</script\\>");
    expect(md).to.include("\\| pipe");
    // A zero gas price charts gas, not euro.
    const svg = await readFile(join(out, "charts", "cost-per-specialty.svg"), "utf8");
    expect(svg).to.include("Gas used");
    expect(pngSize(await readFile(join(out, "charts", "cost-per-specialty.png"))).width).to.be.greaterThan(0);
  });
});
