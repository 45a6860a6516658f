import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import { chromium, type Browser } from "playwright-core";

import { runReplay } from "../../replay/replay.js";
import { FIXED_GAS_PROVIDER, SHIPPED_DATA, tempDir } from "./helpers/fixtures.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

interface ChartBox {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly marks: number;
  readonly texts: number;
}

describe("report.html in a browser", function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let reportUrl: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
      this.skip();
    }
    const out = await tempDir("replay-browser-");
    await runReplay(
      {
        paths: [join(SHIPPED_DATA, "op"), join(SHIPPED_DATA, "ipdc")],
        outDir: out,
        mode: "modeled",
        strict: true,
        assumptions: { prescriptionShare: 0.3, labShare: 0.5, consentBySignature: false },
        scenario: "ethereum-mainnet",
        priceOverrides: {},
      },
      { gasTableProvider: FIXED_GAS_PROVIDER },
    );
    reportUrl = pathToFileURL(join(out, "report.html")).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
  });

  it("opens from disk without a server and draws every chart, with no console error and no request", async () => {
    if (browser === undefined) throw new Error("the browser did not start");
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("request", (request) => {
      if (request.url() !== reportUrl) requests.push(request.url());
    });
    await page.goto(reportUrl, { waitUntil: "load" });

    const charts = await page.$$eval("figure.chart", (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        const marks =
          svg === null
            ? []
            : [...svg.querySelectorAll('path[role="graphics-symbol"]')].filter((m) => {
                const r = m.getBoundingClientRect();
                return r.width > 0 || r.height > 0;
              });
        return {
          name: figure.getAttribute("data-chart") ?? "",
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: marks.length,
          texts: svg === null ? 0 : svg.querySelectorAll("text").length,
        };
      }),
    );
    expect(charts.map((c: ChartBox) => c.name)).to.deep.equal([
      "cost-per-specialty",
      "cost-per-specialty-code",
      "cost-vs-patients",
      "per-patient-vs-batched",
    ]);
    for (const chart of charts) {
      expect(chart.width, chart.name).to.be.greaterThan(300);
      expect(chart.height, chart.name).to.be.greaterThan(200);
      expect(chart.marks, chart.name).to.be.greaterThan(5);
      expect(chart.texts, chart.name).to.be.greaterThan(5);
    }
    const tables = await page.$$eval("table", (all) => all.length);
    expect(tables).to.be.greaterThan(5);
    expect(errors).to.deep.equal([]);
    expect(requests).to.deep.equal([]);
    if (process.env.REPLAY_SCREENSHOT !== undefined)
      await page.screenshot({ path: process.env.REPLAY_SCREENSHOT, fullPage: false });
    await page.close();
  });
});
