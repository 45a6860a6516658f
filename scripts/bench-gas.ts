// Gas per operation on the in-process EDR network, each on cold, realistic state: the registry
// already holds records and grants of other patients, and every measured transaction touches slots
// no earlier transaction in it touched. Writes reports/gas.json and prints a table.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import { deployCareLedger } from "../client/deploy.js";
import { measureCoreGas } from "../replay/gas/core-gas.js";
import { measureWorkflowGas } from "../replay/gas/workflow-gas.js";
import { checkCeilings, formatGasTable, type GasReport } from "../replay/gas/gas-report.js";

const { ethers } = await network.create();
const [deployer] = await ethers.getSigners();
const core = await deployCareLedger(deployer);
const operations = {
  ...(await measureCoreGas(ethers, core)),
  ...(await measureWorkflowGas(ethers, core)),
};

const report: GasReport = {
  network: "hardhat (EDR, in-process)",
  measuredAt: new Date().toISOString(),
  operations,
};
const out = path.resolve("reports", "gas.json");
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(report, null, 2) + "\n");
console.log(formatGasTable(report));
console.log(`\nwrote ${out}`);

const failures = checkCeilings(report);
if (failures.length > 0) {
  for (const failure of failures) console.error(failure);
  process.exitCode = 1;
}
