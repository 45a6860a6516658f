import { readFile } from "node:fs/promises";

import { getAddress, isAddress, type Provider } from "ethers";

import { CONTRACT_NAMES, type ContractName } from "./deployment-plan.js";

/** Where a deployment lives: written by `npm run deploy`, read by the SDK and the CLI. */
export interface DeploymentFile {
  /** Format version of this file. */
  version: 1;
  chainId: number;
  network: string;
  deployedAt: string;
  deployer: string;
  contracts: Record<ContractName, string>;
}

/** The deployment file is malformed, or belongs to another chain, or its contracts are missing. */
export class DeploymentFileError extends Error {
  override readonly name = "DeploymentFileError";
}

/** Parses and checks the shape of a deployment file's JSON. */
export function parseDeploymentFile(json: unknown, source: string): DeploymentFile {
  const bad = (what: string): never => {
    throw new DeploymentFileError(`The deployment file ${source} is not valid: ${what}.`);
  };
  if (typeof json !== "object" || json === null) return bad("it is not a JSON object");
  const data = json as Record<string, unknown>;
  if (data.version !== 1) bad("unknown version");
  if (typeof data.chainId !== "number" || !Number.isSafeInteger(data.chainId) || data.chainId <= 0) {
    bad("chainId must be a positive integer");
  }
  const contracts = data.contracts;
  if (typeof contracts !== "object" || contracts === null) return bad("contracts is missing");
  const parsed = {} as Record<ContractName, string>;
  for (const name of CONTRACT_NAMES) {
    const address = (contracts as Record<string, unknown>)[name];
    if (typeof address !== "string" || !isAddress(address)) bad(`contracts.${name} is not an address`);
    parsed[name] = getAddress(address as string);
  }
  return {
    version: 1,
    chainId: data.chainId as number,
    network: typeof data.network === "string" ? data.network : "unknown",
    deployedAt: typeof data.deployedAt === "string" ? data.deployedAt : "",
    deployer: typeof data.deployer === "string" ? data.deployer : "",
    contracts: parsed,
  };
}

/** Reads a deployment file from disk. */
export async function readDeploymentFile(path: string): Promise<DeploymentFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new DeploymentFileError(`No deployment file at ${path}; run the deploy command first.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DeploymentFileError(`The deployment file ${path} is not valid JSON.`);
  }
  return parseDeploymentFile(json, path);
}

/**
 * Refuses a deployment that does not belong to the provider's chain: a file for another chain
 * id, or addresses without contract code (a node that was restarted since the deployment).
 */
export async function checkDeploymentOnChain(deployment: DeploymentFile, provider: Provider): Promise<void> {
  const { chainId } = await provider.getNetwork();
  if (Number(chainId) !== deployment.chainId) {
    throw new DeploymentFileError(
      `The deployment is for chain ${deployment.chainId} but the node is on chain ${chainId}; use the deployment file of this network.`,
    );
  }
  const codes = await Promise.all(CONTRACT_NAMES.map((name) => provider.getCode(deployment.contracts[name])));
  const missing = CONTRACT_NAMES.filter((_, i) => codes[i] === "0x");
  if (missing.length > 0) {
    throw new DeploymentFileError(
      `The node has no contract code at the deployed ${missing.join(", ")} address; the chain was reset since the deployment, so deploy again.`,
    );
  }
}

/** The conventional path of a network's deployment file. */
export function deploymentPath(network: string): string {
  return `deployments/${network}.json`;
}
