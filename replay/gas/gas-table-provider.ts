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
