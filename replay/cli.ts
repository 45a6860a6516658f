/**
 * The replay's command line (`npm run replay -- <files or folders> --out <dir> [options]`, entry
 * point scripts/replay.ts).
 *
 * Replays HSE/NTPF waiting-list files through the CareLedger workflow model and writes a gas-cost report.
 * Errors are one sentence on stderr and a non-zero exit code.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";

import { ReplayError } from "./errors.js";
import type { ExecutedRunner } from "./gas/executed-runner.js";
import { ContractsExecutedRunner } from "./chain/contracts-executed-runner.js";
import { measuredGasProvider } from "./chain/measured-gas-provider.js";
import { gasJsonProvider, type GasTableProvider } from "./gas/gas-table-provider.js";
import type { IngestIssue } from "./ingest/waiting-list-row.js";
import { parseSliceSelector } from "./model/patient-slice.js";
import { DEFAULT_WORKFLOW_ASSUMPTIONS } from "./model/workflow-assumptions.js";
import { DEFAULT_SCENARIO, SCENARIO_NAMES } from "./money/price-scenarios.js";
import { createProgressMeter, type ProgressTarget } from "./progress/progress-meter.js";
import { formatDecimal, formatEth, formatInteger, formatMoney, formatPercent } from "./report/format.js";
import { notReadFileLine, notReadSentence } from "./report/not-read.js";
import { DEFAULT_TOP_SPECIALTIES, runReplay, SKIP_UNUSABLE_FILES_FLAG } from "./replay.js";
import type { ReplayMode, ReplayResult } from "./replay-result.js";

export interface ReplayIo {
  readonly stdout: { write(text: string): boolean };
  readonly stderr: ProgressTarget;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What the CLI is wired to; the contracts-backed implementations are injected here when they exist. */
export interface CliDependencies {
  /** Used when --gas is not given. */
  readonly gasTableProvider: GasTableProvider;
  readonly executedRunner?: ExecutedRunner;
}

/** Gas measured from the contracts in the same run; executed slices run on an in-process EDR chain. */
export const DEFAULT_CLI_DEPENDENCIES: CliDependencies = {
  gasTableProvider: measuredGasProvider,
  executedRunner: new ContractsExecutedRunner(),
};

/** Warnings printed on stderr; the full list is in the report. */
const ISSUES_PRINTED = 20;

function numberArgument(what: string, min: number, max: number, whole = false) {
  return (value: string): number => {
    const number = Number(value);
    if (
      value.trim() === "" ||
      !Number.isFinite(number) ||
      number < min ||
      number > max ||
      (whole && !Number.isInteger(number))
    ) {
      throw new InvalidArgumentError(`It must be ${what}.`);
    }
    return number;
  };
}

interface CliOptions {
  out: string;
  mode: ReplayMode;
  slice?: string;
  strict?: boolean;
  skipUnknownFiles?: boolean;
  scenario: string;
  gasPriceGwei?: number;
  ethEur?: number;
  ethUsd?: number;
  prescriptionShare: number;
  labShare: number;
  consentBySignature?: boolean;
  top: number;
  gas?: string;
  json?: boolean;
  quiet?: boolean;
}

function buildProgram(io: ReplayIo): Command {
  return new Command("replay")
    .description("Replay HSE/NTPF waiting-list files through the CareLedger workflows and report their gas cost.")
    .argument("<paths...>", "waiting-list .csv or .csv.gz files, or folders searched recursively")
    .requiredOption("--out <dir>", "folder for summary.md, results.csv, results.json, report.html and charts/")
    .addOption(
      new Option(
        "--mode <mode>",
        "modeled costs every patient from the gas table; executed also runs --slice through the contracts",
      )
        .choices(["modeled", "executed"])
        .default("modeled"),
    )
    .option(
      "--slice <spec>",
      "executed mode's patients, e.g. month=2020-01,hospital=0918,specialty=8003 (also list=outpatient)",
    )
    .option("--strict", "stop at the first malformed row or unusable file")
    .option(
      SKIP_UNUSABLE_FILES_FLAG,
      "leave out files whose header matches no known shape, or that cannot be read, instead of stopping; the report and the last lines printed state the files, rows and patients left out",
    )
    .addOption(new Option("--scenario <name>", "price scenario").choices(SCENARIO_NAMES).default(DEFAULT_SCENARIO))
    .option(
      "--gas-price-gwei <n>",
      "gas price in gwei, instead of the scenario's",
      numberArgument("a non-negative number", 0, Number.MAX_VALUE),
    )
    .option(
      "--eth-eur <n>",
      "price of one ether in euro, instead of the scenario's",
      numberArgument("a non-negative number", 0, Number.MAX_VALUE),
    )
    .option(
      "--eth-usd <n>",
      "price of one ether in US dollars, instead of the scenario's",
      numberArgument("a non-negative number", 0, Number.MAX_VALUE),
    )
    .option(
      "--prescription-share <x>",
      "share of patients with a prescription workflow, 0..1",
      numberArgument("a number between 0 and 1", 0, 1),
      DEFAULT_WORKFLOW_ASSUMPTIONS.prescriptionShare,
    )
    .option(
      "--lab-share <y>",
      "share of patients with a lab-result workflow, 0..1",
      numberArgument("a number between 0 and 1", 0, 1),
      DEFAULT_WORKFLOW_ASSUMPTIONS.labShare,
    )
    .option("--consent-by-signature", "patients sign consents off-chain and a relayer sends grantConsentBySig")
    .option(
      "--top <n>",
      "specialties named in the cost-per-specialty chart",
      numberArgument("a whole number from 1 to 500", 1, 500, true),
      DEFAULT_TOP_SPECIALTIES,
    )
    .option("--gas <file>", "gas figures from the gas benchmark (reports/gas.json)")
    .option("--json", "print the results as JSON on stdout instead of a summary")
    .option("--quiet", "no progress line")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    });
}

function printSummary(result: ReplayResult, outDir: string, io: ReplayIo): void {
  const p = result.designs.perPatient;
  const b = result.designs.batched;
  const lines = [
    `Read ${result.notRead.files.length === 0 ? "" : `${result.inputs.length - result.notRead.files.length} of `}${result.inputs.length} files: ${formatInteger(result.ingest.rowsRead)} rows, sum of Total ${formatInteger(result.ingest.sumOfTotal)}, ${formatInteger(result.ingest.malformedRows)} malformed rows skipped.`,
    result.overlap.decisions.length === 0
      ? "No overlapping files."
      : `Overlap: ${result.overlap.decisions.length} list-months are in more than one file; kept one file each (the hospital-level one where there is one) and excluded ${formatInteger(result.overlap.excludedPatients)} patients (${formatInteger(result.overlap.excludedRows)} rows).`,
    `Patients costed: ${formatInteger(result.patients)} (sum of Total ${formatInteger(result.ingest.sumOfTotal)} - overlap ${formatInteger(result.overlap.excludedPatients)}).`,
    `Per-patient design: ${formatInteger(p.transactions)} transactions, ${formatInteger(p.gas)} gas, ${formatEth(p.eth)}, ${formatMoney(p.eur, "€")}, ${formatMoney(p.usd, "$")} (${result.pricing.label}, ${result.pricing.gasPriceGwei} gwei).`,
    `Batched anchoring: ${formatInteger(b.transactions)} transactions, ${formatInteger(b.gas)} gas, ${formatEth(b.eth)}, ${formatMoney(b.eur, "€")}, ${formatMoney(b.usd, "$")} (${formatPercent(result.designs.batchingSaving)} less gas).`,
  ];
  if (result.nextFork !== undefined) {
    const f = result.nextFork;
    lines.push(
      `Under ${f.name} (draft rules as of ${f.asOf}, gas derived from traces): per-patient ${formatInteger(f.perPatient.gas)} gas, ${formatMoney(f.perPatient.eur, "€")}; batched ${formatInteger(f.batched.gas)} gas, ${formatMoney(f.batched.eur, "€")}.`,
    );
  }
  if (result.executed !== undefined) {
    const transactions = result.executed.designs.reduce((sum, d) => sum + d.executedTransactions, 0);
    const seconds = result.executed.designs.reduce((sum, d) => sum + d.seconds, 0);
    lines.push(
      `Executed ${result.executed.slice}: ${formatInteger(result.executed.patients)} patients, ${formatInteger(transactions)} transactions in ${formatDecimal(seconds, 1)} s (${formatInteger(seconds > 0 ? Math.round(transactions / seconds) : 0)} tx/s); modeled and executed gas ${result.executed.agrees ? "agree" : "DO NOT agree"}.`,
    );
  }
  lines.push(
    `Speed: ${formatInteger(result.ingest.rowsPerSecond)} rows/s ingesting, ${formatDecimal(result.performance.totalSeconds, 2)} s in all.`,
    `Report: ${outDir}/summary.md, report.html, results.csv, results.json, charts/.`,
  );
  io.stdout.write(`${lines.join("\n")}\n`);
}

/** What was left out with the skip flag: always the last lines printed, on stdout (stderr with --json). */
function printNotRead(result: ReplayResult, target: { write(text: string): boolean }): void {
  const sentence = notReadSentence(result);
  if (sentence === undefined) return;
  const lines = [...result.notRead.files.map((f) => `  ${notReadFileLine(f)}`), sentence];
  target.write(`${lines.join("\n")}\n`);
}

function printIssue(issue: IngestIssue, io: ReplayIo): void {
  const where = issue.line > 0 ? `${issue.file} line ${issue.line}` : issue.file;
  io.stderr.write(`warning: skipped ${where}: ${issue.reason}.\n`);
}

/** Runs the CLI and returns the exit code. */
export async function main(
  argv: readonly string[],
  io: ReplayIo,
  dependencies: CliDependencies = DEFAULT_CLI_DEPENDENCIES,
): Promise<number> {
  const program = buildProgram(io);
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const options = program.opts<CliOptions>();
  const paths = program.processedArgs[0] as string[];
  let printed = 0;
  let unprinted = 0;
  try {
    const result = await runReplay(
      {
        paths,
        outDir: options.out,
        mode: options.mode,
        slice: options.slice === undefined ? undefined : parseSliceSelector(options.slice),
        strict: options.strict === true,
        skipUnusableFiles: options.skipUnknownFiles === true,
        assumptions: {
          prescriptionShare: options.prescriptionShare,
          labShare: options.labShare,
          consentBySignature: options.consentBySignature === true,
        },
        scenario: options.scenario,
        priceOverrides: { gasPriceGwei: options.gasPriceGwei, ethEur: options.ethEur, ethUsd: options.ethUsd },
        topSpecialties: options.top,
      },
      {
        gasTableProvider: options.gas === undefined ? dependencies.gasTableProvider : gasJsonProvider(options.gas),
        executedRunner: dependencies.executedRunner,
        progress: createProgressMeter({
          target: io.stderr,
          quiet: options.quiet === true || options.json === true,
          env: io.env,
        }),
        onIssue: (issue) => {
          if (printed < ISSUES_PRINTED) {
            printIssue(issue, io);
            printed += 1;
          } else unprinted += 1;
        },
      },
    );
    if (unprinted > 0)
      io.stderr.write(`warning: ${formatInteger(unprinted)} more rows skipped; all are counted in summary.md.\n`);
    if (options.json === true) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else printSummary(result, options.out, io);
    printNotRead(result, options.json === true ? io.stderr : io.stdout);
    if (!result.reconciliation.ok) {
      io.stderr.write(
        "error: The report's totals do not reconcile with the rows read; see the Reconciliation table in summary.md.\n",
      );
      return 1;
    }
    if (result.executed !== undefined && !result.executed.agrees) {
      io.stderr.write(
        `error: Modeled and executed gas differ by more than 1% for the slice ${result.executed.slice}; see summary.md.\n`,
      );
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof ReplayError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: The replay failed unexpectedly: ${message}\n`);
    return 2;
  }
}
