import type { Pricing } from "./price-scenarios.js";

const GWEI_PER_ETH = 1e9;

export interface Money {
  readonly eth: number;
  readonly eur: number;
  readonly usd: number;
}

/** gas x gas price (gwei) / 1e9 = ether; ether x ether price = euro and dollars. */
export function gasToMoney(gas: number, pricing: Pick<Pricing, "gasPriceGwei" | "ethEur" | "ethUsd">): Money {
  const eth = (gas * pricing.gasPriceGwei) / GWEI_PER_ETH;
  return { eth, eur: eth * pricing.ethEur, usd: eth * pricing.ethUsd };
}
