import { network } from "hardhat";

import { deployCareLedger } from "../../client/deploy.js";
import { BATCH_SIZE, measureCoreGas } from "../gas/core-gas.js";
import { measureWorkflowGas } from "../gas/workflow-gas.js";
import type { GasEntry } from "../gas/gas-report.js";
import { AMSTERDAM_RULES, AMSTERDAM_RULES_AS_OF } from "../gas/amsterdam/index.js";
import type { ForkGasTable, GasTable } from "../gas/gas-table.js";
import type { GasTableProvider } from "../gas/gas-table-provider.js";

/**
 * Measures the gas table from the contracts themselves, on a fresh in-process EDR chain, in the
 * same run as the replay: the numbers the report prices with are receipts, not constants.
 */
export const measuredGasProvider: GasTableProvider = {
  async gasTable(): Promise<GasTable> {
    const connection = await network.create();
    try {
      return await measure(connection.ethers);
    } finally {
      await connection.close();
    }
  },
};

type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];

/** The cost model's operations as derived under Amsterdam, when every one of them was derived. */
function amsterdamTable(ops: Record<string, GasEntry>): ForkGasTable | undefined {
  const total = (name: string): number | undefined => ops[name]?.amsterdam?.total;
  const [anchor, grant, bySig, rx, lab, small, large] = [
    "anchorRecord",
    "grantConsent",
    "grantConsentBySig",
    "workflowPrescription",
    "workflowLabResult",
    "anchorBatch1",
    `anchorBatch${BATCH_SIZE}`,
  ].map(total);
  if ([anchor, grant, rx, lab, small, large].some((value) => value === undefined)) return undefined;
  const perRecord = ((large as number) - (small as number)) / (BATCH_SIZE - 1);
  return {
    anchorRecord: anchor as number,
    grantConsent: grant as number,
    ...(bySig === undefined ? {} : { grantConsentBySig: bySig }),
    workflowPrescription: rx as number,
    workflowLabResult: lab as number,
    anchorBatchFixed: (small as number) - perRecord,
    anchorBatchPerRecord: perRecord,
    rules: AMSTERDAM_RULES,
    asOf: AMSTERDAM_RULES_AS_OF,
  };
}

async function measure(ethers: Ethers): Promise<GasTable> {
  const [deployer] = await ethers.getSigners();
  const core = await deployCareLedger(deployer);
  const ops = { ...(await measureCoreGas(ethers, core)), ...(await measureWorkflowGas(ethers, core)) };

  const gas = (name: string): number => {
    const entry = ops[name];
    if (entry === undefined) throw new Error(`The gas measurement has no ${name} figure.`);
    return entry.gasUsed;
  };
  // The core measurement anchors a batch of one record and one of BATCH_SIZE: the line through
  // them gives the fixed and the per-record part of anchorBatch's gas.
  const small = gas("anchorBatch1");
  const perRecord = (gas(`anchorBatch${BATCH_SIZE}`) - small) / (BATCH_SIZE - 1);
  const other: Record<string, number> = {};
  for (const [name, entry] of Object.entries(ops)) other[name] = entry.gasUsed;
  return {
    amsterdam: amsterdamTable(ops),
    anchorRecord: gas("anchorRecord"),
    grantConsent: gas("grantConsent"),
    grantConsentBySig: gas("grantConsentBySig"),
    workflowPrescription: gas("workflowPrescription"),
    workflowLabResult: gas("workflowLabResult"),
    anchorBatchFixed: small - perRecord,
    anchorBatchPerRecord: perRecord,
    other,
    provenance: {
      source: "measured in this run from the CareLedger contracts",
      measuredAt: new Date().toISOString(),
      chain: "hardhat EDR, in-process (cancun)",
      chainId: Number((await ethers.provider.getNetwork()).chainId),
      notes:
        "receipt.gasUsed of each transaction, 21,000 base included, each on storage slots no earlier transaction touched",
    },
  };
}
