// Deploys CareLedger with Hardhat Ignition to the network given by `--network` and writes the
// addresses to deployments/<network>.json for the SDK and the CLI. Safe to run again: Ignition
// resumes or reuses the recorded deployment instead of deploying twice.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import CareLedgerModule from "../ignition/modules/CareLedger.js";
import { deploymentPath, type DeploymentFile } from "../client/deployment-file.js";
import { CONTRACT_NAMES, type ContractName } from "../client/deployment-plan.js";

const HARDHAT_CHAIN_ID = 31337;

const connection = await network.create();
const { ethers, ignition, networkName } = connection;
const [deployer] = await ethers.getSigners();
const chainId = Number((await ethers.provider.getNetwork()).chainId);

const deploymentId = process.env.CARELEDGER_DEPLOYMENT_ID ?? `careledger-${chainId}`;
const journalDir = path.resolve("ignition", "deployments", deploymentId);

// A local node forgets everything when it restarts, but Ignition's journal does not: on the
// development chain a journal whose contracts are gone is stale and is discarded; on any other
// chain that situation needs a human, so the deployment stops.
const recorded = await readFile(path.join(journalDir, "deployed_addresses.json"), "utf8").then(
  (text) => Object.values(JSON.parse(text) as Record<string, string>),
  () => [] as string[],
);
if (recorded.length > 0) {
  const codes = await Promise.all(recorded.map((address) => ethers.provider.getCode(address)));
  if (codes.some((code) => code === "0x")) {
    if (chainId !== HARDHAT_CHAIN_ID) {
      console.error(
        `Ignition's journal in ${journalDir} lists contracts that chain ${chainId} does not have; check the network and that journal before deploying again.`,
      );
      process.exit(1);
    }
    console.log(`The local node was reset since the last deployment; deploying afresh.`);
    await rm(journalDir, { recursive: true, force: true });
  }
}

const deployed = await ignition.deploy(CareLedgerModule, {
  deploymentId,
  displayUi: process.env.CI === undefined,
});

const contracts = {} as Record<ContractName, string>;
for (const name of CONTRACT_NAMES) contracts[name] = await deployed[name].getAddress();

const file: DeploymentFile = {
  version: 1,
  chainId,
  network: networkName,
  deployedAt: new Date().toISOString(),
  deployer: deployer.address,
  contracts,
};
const out = path.resolve(process.env.CARELEDGER_DEPLOYMENT ?? deploymentPath(networkName));
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(file, null, 2) + "\n");
console.log(`CareLedger is deployed on ${networkName} (chain ${chainId}); addresses written to ${out}.`);
