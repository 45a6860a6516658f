import { fitLine } from "../model/linear-fit.js";
import type { CostSummary, ReplayResult } from "../replay-result.js";
import { horizontalBarChart, stackedBarChart, verticalBarChart } from "./charts/bar-charts.js";
import { SERIES_COLORS, type ChartSvg } from "./charts/render-svg.js";
import { scatterChart } from "./charts/scatter-chart.js";
import { formatCompact, formatInteger, formatMoney } from "./format.js";

/** What the charts plot: euro when the scenario has a price, gas otherwise (a zero-price network costs €0). */
export interface ChartUnit {
  readonly name: "EUR" | "gas";
  readonly axis: string;
  value(cost: CostSummary): number;
  format(value: number): string;
  /** Written before each compact axis label. */
  readonly tickPrefix: string;
}

export function chartUnit(result: ReplayResult): ChartUnit {
  if (result.pricing.gasPriceGwei > 0 && result.pricing.ethEur > 0) {
    return {
      name: "EUR",
      axis: `Cost (EUR, ${result.pricing.label} at ${result.pricing.gasPriceGwei} gwei)`,
      value: (cost) => cost.eur,
      format: (value) => formatMoney(value, "€"),
      tickPrefix: "€",
    };
  }
  return {
    name: "gas",
    axis: "Gas used",
    value: (cost) => cost.gas,
    format: (value) => `${formatCompact(value)} gas`,
    tickPrefix: "",
  };
}

const PER_PATIENT = { label: "Per-patient transactions (paper)", color: SERIES_COLORS[0] };
const BATCHED = { label: "Batched anchoring", color: SERIES_COLORS[1] };

interface NamedCost {
  readonly name: string;
  readonly perPatient: number;
  readonly batched: number;
}

/** Specialties by name, largest per-patient cost first, the tail summed into "Other". */
export function topSpecialtiesByName(result: ReplayResult, unit: ChartUnit, top: number): NamedCost[] {
  const byName = new Map<string, { perPatient: number; batched: number }>();
  for (const s of result.bySpecialty) {
    const entry = byName.get(s.specialtyName) ?? { perPatient: 0, batched: 0 };
    entry.perPatient += unit.value(s.perPatient);
    entry.batched += unit.value(s.batched);
    byName.set(s.specialtyName, entry);
  }
  const sorted = [...byName.entries()]
    .map(([name, v]) => ({ name, ...v }))
    .sort((a, b) => b.perPatient - a.perPatient || a.name.localeCompare(b.name));
  if (sorted.length <= top + 1) return sorted;
  const rest = sorted.slice(top);
  return [
    ...sorted.slice(0, top),
    {
      name: `Other (${rest.length} specialties)`,
      perPatient: rest.reduce((s, r) => s + r.perPatient, 0),
      batched: rest.reduce((s, r) => s + r.batched, 0),
    },
  ];
}

function subtitle(result: ReplayResult): string {
  const months =
    result.byMonth.length === 0
      ? ""
      : `${result.byMonth[0].month} to ${result.byMonth[result.byMonth.length - 1].month}`;
  return `${formatInteger(result.patients)} patient-months, ${months}. Source: NTPF Open Data — Waiting List Data (CC BY 4.0)`;
}

/** Renders one after another: Vega numbers clip and gradient ids from a counter shared by every render. */
export async function buildCharts(result: ReplayResult, top: number): Promise<ChartSvg[]> {
  const unit = chartUnit(result);
  const note = subtitle(result);

  const named = topSpecialtiesByName(result, unit, top);
  const perSpecialty = await horizontalBarChart({
    name: "cost-per-specialty",
    title: "Total cost per specialty (paper's figure 6)",
    subtitle: note,
    categories: named.map((n) => n.name),
    series: [
      { ...PER_PATIENT, values: named.map((n) => n.perPatient) },
      { ...BATCHED, values: named.map((n) => n.batched) },
    ],
    valueAxisLabel: unit.axis,
    categoryAxisLabel: `Specialty (top ${top} by cost, then the rest)`,
    tickPrefix: unit.tickPrefix,
    formatValue: unit.format,
  });

  const codes = result.bySpecialty;
  const perCode = await verticalBarChart({
    name: "cost-per-specialty-code",
    title: "Total cost per specialty HIPE code (paper's figure 7)",
    subtitle: note,
    categories: codes.map((s) => String(s.specialtyCode)),
    series: [
      { ...PER_PATIENT, values: codes.map((s) => unit.value(s.perPatient)) },
      { ...BATCHED, values: codes.map((s) => unit.value(s.batched)) },
    ],
    valueAxisLabel: unit.axis,
    categoryAxisLabel: "Specialty HIPE code (0 = Small Volume Specialities)",
    tickPrefix: unit.tickPrefix,
    formatValue: unit.format,
  });

  const perPatientPoints = codes.map((s) => ({ x: s.patients, y: unit.value(s.perPatient), label: s.specialtyName }));
  const batchedPoints = codes.map((s) => ({ x: s.patients, y: unit.value(s.batched), label: s.specialtyName }));
  const linear = await scatterChart({
    name: "cost-vs-patients",
    title: "Cost grows linearly with patients: one point per specialty",
    subtitle: note,
    series: [
      {
        label: "Per-patient",
        color: PER_PATIENT.color,
        marker: "circle",
        points: perPatientPoints,
        fit: fitLine(perPatientPoints),
      },
      { label: "Batched", color: BATCHED.color, marker: "square", points: batchedPoints, fit: fitLine(batchedPoints) },
    ],
    xAxisLabel: "Patients waiting (patient-months)",
    yAxisLabel: unit.axis,
    formatX: formatCompact,
    yTickPrefix: unit.tickPrefix,
    formatY: unit.format,
    labelTop: 3,
  });

  const designs = [result.designs.perPatient, result.designs.batched];
  const scaled = (gas: (d: CostSummary) => number) =>
    designs.map((d) => (d.gas === 0 ? 0 : (unit.value(d) * gas(d)) / d.gas));
  const comparison = await stackedBarChart({
    name: "per-patient-vs-batched",
    title: "Per-patient transactions vs batched anchoring",
    subtitle: note,
    bars: ["Per-patient (paper)", "Batched anchoring"],
    segments: [
      {
        label: "Referral record anchoring",
        color: SERIES_COLORS[0],
        values: scaled((d) => d.gasByOperation.anchorRecord + d.gasByOperation.anchorBatch),
      },
      {
        label: "Consent to specialist",
        color: SERIES_COLORS[2],
        values: scaled((d) => d.gasByOperation.grantConsent + d.gasByOperation.grantConsentBySig),
      },
      {
        label: "Prescription workflow",
        color: SERIES_COLORS[3],
        values: scaled((d) => d.gasByOperation.workflowPrescription),
      },
      {
        label: "Lab result workflow",
        color: SERIES_COLORS[4],
        values: scaled((d) => d.gasByOperation.workflowLabResult),
      },
    ],
    valueAxisLabel: unit.axis,
    tickPrefix: unit.tickPrefix,
    formatValue: unit.format,
  });
  return [perSpecialty, perCode, linear, comparison];
}
