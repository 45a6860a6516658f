import { network } from "hardhat";

import { BatchTree } from "../../client/batch-tree.js";
import { RecordType } from "../../client/care-types.js";
import { deployCareLedger } from "../../client/deploy.js";
import { measureCoreGas } from "../../scripts/lib/core-gas.js";
import { measureWorkflowGas } from "../../scripts/lib/workflow-gas.js";
import type { GasTable } from "../gas/gas-table.js";
import type { GasTableProvider } from "../gas/gas-table-provider.js";

/** Two batch sizes give the fixed and the per-record part of anchorBatch's gas. */
const SMALL_BATCH = 1;
const LARGE_BATCH = 1024;

/**
 * Measures the gas table from the contracts themselves, on a fresh in-process EDR chain, in the
 * same run as the replay: the numbers the report prices with are receipts, not constants.
 */
export const measuredGasProvider: GasTableProvider = {
  async gasTable(): Promise<GasTable> {
    const { ethers } = await network.create();
    const [deployer, doctor] = await ethers.getSigners();
    const core = await deployCareLedger(deployer);
    const ops = { ...(await measureCoreGas(ethers, core)), ...(await measureWorkflowGas(ethers, core)) };

    const batchGas = async (size: number): Promise<number> => {
      const tree = new BatchTree(
        Array.from({ length: size }, () => ({
          patient: ethers.Wallet.createRandom().address,
          commitment: ethers.hexlify(ethers.randomBytes(32)),
          recordType: RecordType.Referral,
          sensitive: false,
        })),
      );
      const receipt = await (await core.registry.connect(doctor).anchorBatch(tree.root, size)).wait();
      return Number(receipt!.gasUsed);
    };
    const small = await batchGas(SMALL_BATCH);
    const large = await batchGas(LARGE_BATCH);
    const perRecord = (large - small) / (LARGE_BATCH - SMALL_BATCH);

    const gas = (name: string): number => {
      const entry = ops[name];
      if (entry === undefined) throw new Error(`The gas measurement has no ${name} figure.`);
      return entry.gasUsed;
    };
    const other: Record<string, number> = {};
    for (const [name, entry] of Object.entries(ops)) other[name] = entry.gasUsed;
    return {
      anchorRecord: gas("anchorRecord"),
      grantConsent: gas("grantConsent"),
      grantConsentBySig: gas("grantConsentBySig"),
      workflowPrescription: gas("workflowPrescription"),
      workflowLabResult: gas("workflowLabResult"),
      anchorBatchFixed: small - perRecord * SMALL_BATCH,
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
  },
};
