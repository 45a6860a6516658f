import { basename } from "node:path";

import { EXECUTED_TOLERANCE } from "../gas/executed-comparison.js";
import { COST_OPERATIONS } from "../gas/gas-table.js";
import { FILE_ISSUE_KINDS, type IngestIssueKind } from "../ingest/waiting-list-row.js";
import { PRICE_SCENARIOS } from "../money/price-scenarios.js";
import type { CostSummary, ReplayResult } from "../replay-result.js";
import { formatDecimal, formatEth, formatInteger, formatMoney, formatPercent, listLabel } from "./format.js";
import { notReadSentence } from "./not-read.js";

/** A table both summary.md and report.html render, so the two cannot disagree. */
export interface ReportTable {
  readonly headers: readonly string[];
  /** Right-align (numeric) columns. */
  readonly numeric: readonly boolean[];
  readonly rows: readonly (readonly string[])[];
}

export interface ReportSection {
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly tables: readonly ReportTable[];
}

function table(
  headers: readonly string[],
  numeric: readonly boolean[],
  rows: readonly (readonly string[])[],
): ReportTable {
  return { headers, numeric, rows };
}

const MAX_ISSUES_LISTED = 50;

/** Names the gas table already shows in its own rows; a provider may repeat them among `other`. */
const PRICED_OPERATIONS = new Set([
  "anchorRecord",
  "grantConsent",
  "grantConsentBySig",
  "workflowPrescription",
  "workflowLabResult",
  "anchorBatchFixed",
  "anchorBatchPerRecord",
]);

function money(cost: CostSummary): string[] {
  return [formatEth(cost.eth), formatMoney(cost.eur, "€"), formatMoney(cost.usd, "$")];
}

function signedPercent(fraction: number | null): string {
  if (fraction === null) return "n/a";
  return `${fraction >= 0 ? "+" : ""}${formatPercent(fraction, 2)}`;
}

function optional(line: string | undefined): string[] {
  return line === undefined ? [] : [line];
}

/** The headline numbers, in sentences. */
export function headline(result: ReplayResult): string[] {
  const p = result.designs.perPatient;
  const b = result.designs.batched;
  const pricing = result.pricing;
  const largest = [...result.bySpecialty].sort((x, y) => y.perPatient.gas - x.perPatient.gas)[0];
  const fit = result.fits.bySpecialty;
  const lines = [
    `Patients costed: ${formatInteger(result.patients)} = sum of Total read ${formatInteger(result.ingest.sumOfTotal)} − ${formatInteger(result.overlap.excludedPatients)} in overlapping files excluded (${formatInteger(result.ingest.rowsRead)} rows read, ${formatInteger(result.ingest.malformedRows)} malformed rows skipped).`,
    ...optional(notReadSentence(result)),
    `Per-patient design (the paper's): ${formatInteger(p.transactions)} transactions, ${formatInteger(p.gas)} gas (${formatInteger(p.gasPerPatient)} per patient) = ${formatEth(p.eth)} = ${formatMoney(p.eur, "€")} = ${formatMoney(p.usd, "$")} at ${pricing.gasPriceGwei} gwei (${pricing.label}).`,
    `Batched anchoring: ${formatInteger(b.transactions)} transactions, ${formatInteger(b.gas)} gas (${formatInteger(b.gasPerPatient)} per patient) = ${formatEth(b.eth)} = ${formatMoney(b.eur, "€")} = ${formatMoney(b.usd, "$")}; ${formatPercent(result.designs.batchingSaving)} less gas than per-patient.`,
  ];
  if (result.nextFork !== undefined) {
    const f = result.nextFork;
    lines.push(
      `Under ${f.name} (draft rules as of ${f.asOf}, gas derived from traces): per-patient ${formatInteger(f.perPatient.gas)} gas = ${formatMoney(f.perPatient.eur, "€")}, batched ${formatInteger(f.batched.gas)} gas = ${formatMoney(f.batched.eur, "€")}.`,
    );
  }
  if (largest !== undefined) {
    const ranked = [...result.bySpecialty].sort((x, y) => y.perPatient.gas - x.perPatient.gas);
    const surgery = ranked.findIndex((s) => /^general surgery$/i.test(s.specialtyName));
    const paper =
      surgery === -1
        ? ""
        : ` The paper found general surgery the most expensive; here it ranks ${surgery + 1} of ${ranked.length}.`;
    lines.push(
      `Largest specialty by cost: ${largest.specialtyName} (code ${largest.specialtyCode}), ${formatInteger(largest.patients)} patients, ${formatMoney(largest.perPatient.eur, "€")} per-patient design.${paper}`,
    );
  }
  if (fit.perPatient !== undefined) {
    lines.push(
      `Linear in patients: across specialties, per-patient cost = ${formatInteger(fit.perPatient.slope)} gas × patients ${fit.perPatient.intercept >= 0 ? "+" : "−"} ${formatInteger(Math.abs(fit.perPatient.intercept))}, R² = ${fit.perPatient.rSquared.toFixed(6)}` +
        (fit.batched === undefined ? "." : `; batched, R² = ${fit.batched.rSquared.toFixed(6)}.`),
    );
  }
  if (result.executed !== undefined) {
    lines.push(
      `Executed slice ${result.executed.slice}: modeled and executed gas ${result.executed.agrees ? "agree" : "DO NOT agree"} within ${formatPercent(EXECUTED_TOLERANCE, 0)} (${result.executed.designs.map((d) => `${d.design} ${signedPercent(d.relativeDifference)}`).join(", ")}).`,
    );
  }
  lines.push(
    `Reconciliation: ${result.reconciliation.checks.filter((c) => c.ok).length} of ${result.reconciliation.checks.length} checks pass.`,
  );
  return lines;
}

export function reportSections(result: ReplayResult): ReportSection[] {
  const sections: ReportSection[] = [];
  const p = result.designs.perPatient;
  const b = result.designs.batched;

  sections.push({
    heading: "Totals per design",
    paragraphs: [],
    tables: [
      table(
        ["Design", "Patients", "Transactions", "Gas", "Gas per patient", "ETH", "EUR", "USD"],
        [false, true, true, true, true, true, true, true],
        [
          [
            "Per-patient transactions (paper)",
            formatInteger(p.patients),
            formatInteger(p.transactions),
            formatInteger(p.gas),
            formatInteger(p.gasPerPatient),
            ...money(p),
          ],
          [
            "Batched anchoring",
            formatInteger(b.patients),
            formatInteger(b.transactions),
            formatInteger(b.gas),
            formatInteger(b.gasPerPatient),
            ...money(b),
          ],
        ],
      ),
      table(
        ["Operation", "Per-patient: count", "Per-patient: gas", "Batched: count", "Batched: gas"],
        [false, true, true, true, true],
        COST_OPERATIONS.filter((op) => p.counts[op] + b.counts[op] > 0).map((op) => [
          op,
          formatInteger(p.counts[op]),
          formatInteger(p.gasByOperation[op]),
          formatInteger(b.counts[op]),
          formatInteger(b.gasByOperation[op]),
        ]),
      ),
    ],
  });

  sections.push({
    heading: "Reconciliation",
    paragraphs: [
      `Every total in this report adds back up to what was read: ${formatInteger(result.ingest.sumOfTotal)} patients in ${formatInteger(result.ingest.rowsRead)} rows, less ${formatInteger(result.overlap.excludedPatients)} patients (${formatInteger(result.overlap.excludedRows)} rows) excluded as overlap, gives the ${formatInteger(result.patients)} patients costed.`,
    ],
    tables: [
      table(
        ["Check", "Expected", "Actual", "Result"],
        [false, true, true, false],
        result.reconciliation.checks.map((c) => [
          c.name,
          formatInteger(c.expected),
          formatInteger(c.actual),
          c.ok ? "ok" : "MISMATCH",
        ]),
      ),
    ],
  });

  sections.push({
    heading: "Inputs",
    paragraphs: [result.attribution],
    tables: [
      table(
        ["File", "Shape", "Rows", "Sum of Total", "Months", "Blank lines", "Issues"],
        [false, false, true, true, false, true, true],
        result.inputs.map((f) => [
          basename(f.file),
          f.unusable ? `not read (${f.error?.kind ?? "unusable"})` : (f.shape ?? "unusable"),
          formatInteger(f.rows),
          formatInteger(f.patients),
          f.months.length === 0
            ? ""
            : f.months.length === 1
              ? f.months[0]
              : `${f.months[0]} … ${f.months[f.months.length - 1]} (${f.months.length})`,
          formatInteger(f.blankLines),
          formatInteger(f.issues),
        ]),
      ),
      table(
        ["List", "Patients costed", "Per-patient gas", "Per-patient EUR"],
        [false, true, true, true],
        result.byList.map((l) => [
          listLabel(l.list),
          formatInteger(l.patients),
          formatInteger(l.perPatient.gas),
          formatMoney(l.perPatient.eur, "€"),
        ]),
      ),
    ],
  });

  const notRead = result.notRead;
  sections.push({
    heading: "Files not read",
    paragraphs: [
      notReadSentence(result) ??
        `None: every file given had a known header (long or wide format) and was read to the end. Without ${notRead.flag}, a file that cannot be used stops the run.`,
    ],
    tables:
      notRead.files.length === 0
        ? []
        : [
            table(
              ["File", "Problem", "Header", "Rows not read", "Patients not read"],
              [false, false, false, true, true],
              notRead.files.map((f) => [
                basename(f.file),
                f.reason,
                f.header === undefined ? "(none)" : f.header.join(","),
                f.rowsNotRead === null ? "unknown" : formatInteger(f.rowsNotRead),
                f.patientsNotRead === null ? "unknown" : formatInteger(f.patientsNotRead),
              ]),
            ),
          ],
  });

  sections.push({
    heading: "Overlapping files",
    paragraphs: [
      result.overlap.policy,
      result.overlap.decisions.length === 0
        ? "No list and month was covered by more than one file."
        : `${result.overlap.decisions.length} list-months were covered by more than one file.`,
    ],
    tables:
      result.overlap.decisions.length === 0
        ? []
        : [
            table(
              ["Month", "List", "Kept", "Kept patients", "Excluded", "Excluded patients", "Same count"],
              [false, false, false, true, false, true, false],
              result.overlap.decisions.map((d) => [
                d.month,
                listLabel(d.list),
                basename(d.kept.file),
                formatInteger(d.kept.patients),
                d.excluded.map((e) => basename(e.file)).join(", "),
                formatInteger(d.excluded.reduce((s, e) => s + e.patients, 0)),
                d.patientsDiffer ? "no: check the files" : "yes",
              ]),
            ),
          ],
  });

  const table0 = result.gasTable;
  const prov = table0.provenance;
  sections.push({
    heading: "Workflow model and assumptions",
    paragraphs: [
      `Prescription share ${formatPercent(result.assumptions.prescriptionShare)}, lab share ${formatPercent(result.assumptions.labShare)}, consents ${result.assumptions.consentBySignature ? "by signature (grantConsentBySig)" : "sent directly (grantConsent)"}: defaults are planning assumptions (the paper gives no proportions), set with --prescription-share and --lab-share.`,
      ...result.modelNotes,
      `${formatInteger(result.cohorts)} cohorts (list × month × hospital × specialty), ${formatInteger(result.batches)} batches (hospital × specialty × month).`,
    ],
    tables: [
      table(
        ["Operation", "Gas", "Transactions"],
        [false, true, true],
        [
          ["anchorRecord", formatInteger(table0.anchorRecord), "1"],
          ["grantConsent", formatInteger(table0.grantConsent), "1"],
          [
            "grantConsentBySig",
            table0.grantConsentBySig === undefined ? "not measured" : formatInteger(table0.grantConsentBySig),
            "1",
          ],
          ["workflowPrescription", formatInteger(table0.workflowPrescription), "3"],
          ["workflowLabResult", formatInteger(table0.workflowLabResult), "3"],
          ["anchorBatch: fixed", formatDecimal(table0.anchorBatchFixed, 1), "1 per batch"],
          ["anchorBatch: per record", formatDecimal(table0.anchorBatchPerRecord, 2), ""],
          ...Object.entries(table0.other)
            .filter(([name]) => !PRICED_OPERATIONS.has(name))
            .map(([name, gas]) => [`${name} (measured, not used by the model)`, formatInteger(gas), ""]),
        ],
      ),
      table(
        ["Gas figures from", "Measured", "Chain", "Notes"],
        [false, false, false, false],
        [
          [
            prov.source,
            prov.measuredAt ?? "unknown",
            `${prov.chain ?? "unknown"}${prov.chainId === undefined ? "" : ` (chain id ${prov.chainId})`}`,
            prov.notes ?? "",
          ],
        ],
      ),
    ],
  });

  const pricing = result.pricing;
  sections.push({
    heading: "Money",
    paragraphs: [
      `Scenario ${pricing.label}: gas price ${pricing.gasPriceGwei} gwei, 1 ETH = €${formatInteger(pricing.ethEur)} = $${formatInteger(pricing.ethUsd)}${pricing.overridden.length === 0 ? "" : ` (set by flag: ${pricing.overridden.join(", ")})`}.`,
      `Default prices are assumptions as of ${pricing.asOf}, not live quotes: change them with --scenario, --gas-price-gwei, --eth-eur and --eth-usd. ETH = gas × gwei / 10⁹.`,
      ...(result.nextFork === undefined
        ? []
        : [
            `Under the next fork (${result.nextFork.name}, draft rules as of ${result.nextFork.asOf}: ${result.nextFork.rules}), with gas derived from each measured transaction's trace and the same prices: per-patient ${formatInteger(result.nextFork.perPatient.gas)} gas, ${formatMoney(result.nextFork.perPatient.eur, "€")}, ${formatMoney(result.nextFork.perPatient.usd, "$")} (${signedPercent(result.designs.perPatient.gas === 0 ? null : result.nextFork.perPatient.gas / result.designs.perPatient.gas - 1)} against today's rules); batched ${formatInteger(result.nextFork.batched.gas)} gas, ${formatMoney(result.nextFork.batched.eur, "€")}, ${formatMoney(result.nextFork.batched.usd, "$")} (${signedPercent(result.designs.batched.gas === 0 ? null : result.nextFork.batched.gas / result.designs.batched.gas - 1)}). Today's rules (Osaka) stay the default everywhere else in this report.`,
          ]),
    ],
    tables: [
      table(
        ["Scenario", "Gas price (gwei)", "Why", "Per-patient EUR", "Batched EUR", "Per-patient USD", "Batched USD"],
        [false, true, false, true, true, true, true],
        result.scenarios.map((s) => [
          s.label,
          String(s.gasPriceGwei),
          PRICE_SCENARIOS[s.scenario].rationale,
          formatMoney(s.perPatient.eur, "€"),
          formatMoney(s.batched.eur, "€"),
          formatMoney(s.perPatient.usd, "$"),
          formatMoney(s.batched.usd, "$"),
        ]),
      ),
    ],
  });

  const fits = result.fits;
  const fitRow = (label: string, points: string, fit: ReplayResult["fits"]["bySpecialty"]["perPatient"]): string[] =>
    fit === undefined
      ? [label, points, "", "", "", "too few points"]
      : [
          label,
          points,
          formatInteger(fit.points),
          formatDecimal(fit.slope, 1),
          formatInteger(fit.intercept),
          fit.rSquared.toFixed(6),
        ];
  sections.push({
    heading: "Linear in patients?",
    paragraphs: [
      "Least-squares line gas = slope × patients + intercept. The chart plots one point per specialty; the finer fit over batches (hospital × specialty × month) shows where batching bends the line: small groups pay the batch's fixed cost over few records.",
    ],
    tables: [
      table(
        ["Design", "Points", "n", "Slope (gas per patient)", "Intercept (gas)", "R²"],
        [false, false, true, true, true, true],
        [
          fitRow("Per-patient", fits.bySpecialty.points, fits.bySpecialty.perPatient),
          fitRow("Batched", fits.bySpecialty.points, fits.bySpecialty.batched),
          fitRow("Per-patient", fits.byBatch.points, fits.byBatch.perPatient),
          fitRow("Batched", fits.byBatch.points, fits.byBatch.batched),
        ],
      ),
    ],
  });

  sections.push({
    heading: "Cost per specialty",
    paragraphs: [
      "All specialties by HIPE code (the data of figures 6 and 7); results.csv has the same rows with ETH and USD.",
    ],
    tables: [
      table(
        [
          "Code",
          "Specialty",
          "Patients",
          "Per-patient gas",
          "Per-patient EUR",
          "Batches",
          "Batched gas",
          "Batched EUR",
        ],
        [true, false, true, true, true, true, true, true],
        [...result.bySpecialty]
          .sort((x, y) => y.perPatient.gas - x.perPatient.gas || x.specialtyCode - y.specialtyCode)
          .map((s) => [
            String(s.specialtyCode),
            s.specialtyName,
            formatInteger(s.patients),
            formatInteger(s.perPatient.gas),
            formatMoney(s.perPatient.eur, "€"),
            formatInteger(s.batched.counts.anchorBatch),
            formatInteger(s.batched.gas),
            formatMoney(s.batched.eur, "€"),
          ]),
      ),
    ],
  });

  sections.push({
    heading: "Cost per month",
    paragraphs: [],
    tables: [
      table(
        ["Month", "Patients", "Per-patient gas", "Per-patient EUR", "Batched gas", "Batched EUR"],
        [false, true, true, true, true, true],
        result.byMonth.map((m) => [
          m.month,
          formatInteger(m.patients),
          formatInteger(m.perPatient.gas),
          formatMoney(m.perPatient.eur, "€"),
          formatInteger(m.batched.gas),
          formatMoney(m.batched.eur, "€"),
        ]),
      ),
    ],
  });

  if (result.executed !== undefined) {
    const executed = result.executed;
    sections.push({
      heading: "Modeled vs executed",
      paragraphs: [
        `Slice ${executed.slice}: ${formatInteger(executed.patients)} patients run through the contracts; modeled and executed gas must agree within ${formatPercent(executed.tolerance, 0)}.`,
      ],
      tables: [
        table(
          ["Design", "Operation", "Modeled gas", "Executed gas", "Difference"],
          [false, false, true, true, true],
          executed.designs.flatMap((d) => [
            ...d.operations.map((o) => [
              d.design,
              o.operation,
              formatInteger(o.modeledGas),
              formatInteger(o.executedGas),
              signedPercent(o.relativeDifference),
            ]),
            [
              d.design,
              `total (${formatInteger(d.executedTransactions)} tx in ${formatDecimal(d.seconds, 1)} s)`,
              formatInteger(d.modeledGas),
              formatInteger(d.executedGas),
              `${signedPercent(d.relativeDifference)} ${d.agrees ? "ok" : "OUT OF TOLERANCE"}`,
            ],
          ]),
        ),
      ],
    });
    const curves = executed.designs.filter((d) => d.curve.length > 0);
    sections.push({
      heading: "Executed throughput",
      paragraphs: [
        `Transactions mined against time in each design's run (${executed.designs.map((d) => `${d.design} ${formatInteger(d.transactionsPerSecond)} tx/s overall`).join(", ")}). ` +
          "When the rate of each stretch stays level as the count grows, time, and so the cost of executing more patients, grows linearly.",
      ],
      tables:
        curves.length === 0
          ? []
          : [
              table(
                ["Design", "Transactions", "Seconds", "tx/s so far", "tx/s in this stretch"],
                [false, true, true, true, true],
                curves.flatMap((d) =>
                  d.curve.map((point, i) => {
                    const previous = i === 0 ? { transactions: 0, seconds: 0 } : d.curve[i - 1];
                    const stretch = point.seconds - previous.seconds;
                    return [
                      d.design,
                      formatInteger(point.transactions),
                      formatDecimal(point.seconds, 1),
                      formatInteger(point.seconds > 0 ? point.transactions / point.seconds : 0),
                      formatInteger(stretch > 0 ? (point.transactions - previous.transactions) / stretch : 0),
                    ];
                  }),
                ),
              ),
            ],
    });
  }

  const issues = result.ingest.issues.slice(0, MAX_ISSUES_LISTED);
  sections.push({
    heading: "Malformed rows and unusable files",
    paragraphs: [
      result.ingest.malformedRows === 0
        ? "None: every line of the files read was a header, a data row or blank."
        : `${formatInteger(result.ingest.malformedRows)} skipped (${Object.entries(result.ingest.issuesByKind)
            .filter(([kind]) => !FILE_ISSUE_KINDS.has(kind as IngestIssueKind))
            .map(([kind, count]) => `${kind} ${formatInteger(count ?? 0)}`)
            .join(
              ", ",
            )})${result.ingest.malformedRows > issues.length ? `; the first ${issues.length} are listed` : ""}. Their patients are not in any total.`,
    ],
    tables:
      issues.length === 0
        ? []
        : [
            table(
              ["File", "Line", "Problem", "Reason"],
              [false, true, false, false],
              issues.map((i) => [basename(i.file), String(i.line), i.kind, i.reason]),
            ),
          ],
  });

  sections.push({
    heading: "Performance",
    paragraphs: [
      `Ingestion ${formatDecimal(result.ingest.seconds, 2)} s (${formatInteger(result.ingest.rowsPerSecond)} rows/s, ${formatInteger(result.ingest.patientsPerSecond)} patients/s); whole replay before writing the report ${formatDecimal(result.performance.totalSeconds, 2)} s (${formatInteger(result.performance.rowsPerSecond)} rows/s).`,
    ],
    tables: [],
  });
  return sections;
}
