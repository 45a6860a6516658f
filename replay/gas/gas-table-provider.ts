import { ReplayError } from "../errors.js";
import { loadGasJson } from "./gas-json.js";
import type { GasTable } from "./gas-table.js";

/** Supplies the gas figures a replay prices operations with. */
export interface GasTableProvider {
  gasTable(): Promise<GasTable>;
}

/** Reads the gas benchmark's report (the CLI's --gas). */
export function gasJsonProvider(path: string): GasTableProvider {
  return { gasTable: () => loadGasJson(path) };
}

/** Stands in until gas is measured from the contracts directly: the replay then needs --gas. */
export const UNWIRED_GAS_TABLE_PROVIDER: GasTableProvider = {
  gasTable: () =>
    Promise.reject(
      new ReplayError(
        "No gas figures: pass --gas <reports/gas.json> from the gas benchmark (measuring the contracts directly is not wired yet).",
      ),
    ),
};
