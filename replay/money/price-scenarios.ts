import { InvalidSettingError } from "../errors.js";

export type ScenarioName = "ethereum-mainnet" | "l2-rollup" | "permissioned";

/** A gas price and an ether price: what turns gas into money. */
export interface PriceScenario {
  readonly name: ScenarioName;
  readonly label: string;
  readonly gasPriceGwei: number;
  readonly ethEur: number;
  readonly ethUsd: number;
  readonly rationale: string;
}

/** When the default prices were set. They are assumptions, not live quotes, and every one can be overridden. */
export const PRICES_AS_OF = "2026-11";

/** Ether prices shared by the public-network scenarios (assumed, as of PRICES_AS_OF). */
const ETH_EUR = 3000;
const ETH_USD = 3500;

export const PRICE_SCENARIOS: Readonly<Record<ScenarioName, PriceScenario>> = {
  "ethereum-mainnet": {
    name: "ethereum-mainnet",
    label: "Ethereum mainnet",
    gasPriceGwei: 2,
    ethEur: ETH_EUR,
    ethUsd: ETH_USD,
    rationale: "base fee plus tip on an ordinary, uncongested day; congestion multiplies it",
  },
  "l2-rollup": {
    name: "l2-rollup",
    label: "L2 rollup",
    gasPriceGwei: 0.01,
    ethEur: ETH_EUR,
    ethUsd: ETH_USD,
    rationale:
      "effective L2 gas price with the L1 data fee folded in; the data fee really scales with calldata, not gas",
  },
  permissioned: {
    name: "permissioned",
    label: "Permissioned network (zero gas price)",
    gasPriceGwei: 0,
    ethEur: ETH_EUR,
    ethUsd: ETH_USD,
    rationale: "validators run by the participants charge no gas fee; gas still measures the load on their nodes",
  },
};

export const SCENARIO_NAMES = Object.keys(PRICE_SCENARIOS) as ScenarioName[];
export const DEFAULT_SCENARIO: ScenarioName = "ethereum-mainnet";

export interface PriceOverrides {
  readonly gasPriceGwei?: number;
  readonly ethEur?: number;
  readonly ethUsd?: number;
}

/** The scenario in force, after the user's overrides. */
export interface Pricing {
  readonly scenario: ScenarioName;
  readonly label: string;
  readonly gasPriceGwei: number;
  readonly ethEur: number;
  readonly ethUsd: number;
  readonly asOf: string;
  /** Which values the user set instead of the scenario's. */
  readonly overridden: readonly (keyof PriceOverrides)[];
  readonly rationale: string;
}

function checkPrice(setting: keyof PriceOverrides, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new InvalidSettingError(setting, value, "a non-negative number");
}

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

export function resolvePricing(name: string = DEFAULT_SCENARIO, overrides: PriceOverrides = {}): Pricing {
  if (!isScenarioName(name)) throw new InvalidSettingError("scenario", name, SCENARIO_NAMES);
  const scenario = PRICE_SCENARIOS[name];
  const overridden: (keyof PriceOverrides)[] = [];
  const pick = (key: keyof PriceOverrides): number => {
    const value = overrides[key];
    if (value === undefined) return scenario[key];
    checkPrice(key, value);
    overridden.push(key);
    return value;
  };
  const gasPriceGwei = pick("gasPriceGwei");
  const ethEur = pick("ethEur");
  const ethUsd = pick("ethUsd");
  return {
    scenario: name,
    label: scenario.label,
    gasPriceGwei,
    ethEur,
    ethUsd,
    asOf: PRICES_AS_OF,
    overridden,
    rationale: scenario.rationale,
  };
}
