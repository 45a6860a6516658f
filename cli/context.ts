import { readFile } from "node:fs/promises";

import { JsonRpcProvider, Wallet, getAddress, type HDNodeWallet } from "ethers";

import { isAddressArgument } from "../client/address-argument.js";

import {
  CareLedger,
  type ContentStore,
  checkDeploymentOnChain,
  readDeploymentFile,
  type DeploymentFile,
} from "../client/index.js";
import { HeliaStore, LocalDiskStore } from "../client/storage/index.js";
import { CliError } from "./cli-error.js";

/** Options every command shares. */
export interface GlobalOptions {
  rpc: string;
  deployment: string;
  dataDir: string;
  keyFile?: string;
  keystore?: string;
  json?: boolean;
  /** `address=url` pairs, comma-separated. */
  custodians?: string;
  custodianThreshold?: number;
  /** Multiaddrs, comma-separated. */
  peers?: string;
  listen?: string;
}

export const DEFAULT_RPC = "http://127.0.0.1:8545";
export const DEFAULT_DEPLOYMENT = "deployments/localhost.json";
export const DEFAULT_DATA_DIR = ".careledger";
const PRIVATE_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * Loads the account's key. Keys come from a file (a 0x-hex private key, mode 600 recommended) or an
 * encrypted JSON keystore whose password is in CARELEDGER_KEYSTORE_PASSWORD — never from argv,
 * where other users of the machine could read them.
 */
export async function loadWallet(options: GlobalOptions): Promise<Wallet | HDNodeWallet> {
  if (options.keyFile !== undefined && options.keystore !== undefined) {
    throw new CliError("Give either --key-file or --keystore, not both.", 2);
  }
  if (options.keyFile !== undefined) {
    const text = (await readText(options.keyFile, "key file")).trim();
    if (!PRIVATE_KEY.test(text))
      throw new CliError(`The key file ${options.keyFile} does not hold a 32-byte hex private key.`);
    return new Wallet(text.startsWith("0x") ? text : `0x${text}`);
  }
  if (options.keystore !== undefined) {
    const json = await readText(options.keystore, "keystore");
    const password = process.env.CARELEDGER_KEYSTORE_PASSWORD;
    if (password === undefined) {
      throw new CliError("Set CARELEDGER_KEYSTORE_PASSWORD to the keystore's password.");
    }
    try {
      return await Wallet.fromEncryptedJson(json, password);
    } catch {
      throw new CliError(`The keystore ${options.keystore} could not be decrypted with that password.`);
    }
  }
  throw new CliError("This command signs transactions: give --key-file <file> or --keystore <file>.", 2);
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    throw new CliError(`The ${what} ${path} cannot be read.`);
  }
}

/** A JSON-RPC provider without ethers' response cache (back-to-back sends would see stale nonces). */
export function connectProvider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: false });
}

/** The deployment file, checked against the node's chain id and code. */
export async function loadDeployment(options: GlobalOptions, provider: JsonRpcProvider): Promise<DeploymentFile> {
  const deployment = await readDeploymentFile(options.deployment);
  try {
    await provider.getBlockNumber();
  } catch {
    throw new CliError(`The node at ${options.rpc} does not answer; start it with \`npm run node\` or pass --rpc.`);
  }
  await checkDeploymentOnChain(deployment, provider);
  return deployment;
}

/** Parses `--custodians`: `0xAddress=http://host:port` pairs separated by commas. */
export function parseCustodians(text: string | undefined): { address: string; url: string }[] {
  if (text === undefined || text.trim() === "") return [];
  return text.split(",").map((pair) => {
    const [address, url, extra] = pair.trim().split("=");
    if (
      extra !== undefined ||
      address === undefined ||
      url === undefined ||
      !isAddressArgument(address) ||
      !/^https?:\/\/[^\s]+$/.test(url)
    ) {
      throw new CliError(`The custodian "${pair.trim()}" is not of the form 0xAddress=http://host:port.`, 2);
    }
    return { address: getAddress(address), url };
  });
}

function listOf(text: string | undefined): string[] {
  return text === undefined
    ? []
    : text
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
}

/**
 * The party's own store in --data-dir: a local disk store, or an IPFS (Helia) node when peers or a
 * listen address are configured, so records travel between organisations' machines.
 */
export async function openStore(options: GlobalOptions): Promise<ContentStore> {
  const peers = listOf(options.peers);
  const listen = listOf(options.listen);
  if (peers.length === 0 && listen.length === 0) return LocalDiskStore.open(`${options.dataDir}/store`);
  return HeliaStore.open(`${options.dataDir}/ipfs`, { network: { peers, listen } });
}

/** A connected SDK client for the command's account, with its own store and keys in --data-dir. */
export async function openLedger(options: GlobalOptions): Promise<{ ledger: CareLedger; close(): Promise<void> }> {
  const provider = connectProvider(options.rpc);
  const deployment = await loadDeployment(options, provider);
  const wallet = (await loadWallet(options)).connect(provider);
  const custodians = parseCustodians(options.custodians);
  const store = await openStore(options);
  const ledger = await CareLedger.connect({
    signer: wallet,
    addresses: deployment,
    store,
    dataDir: options.dataDir,
    ...(custodians.length === 0 ? {} : { custodians }),
    ...(options.custodianThreshold === undefined ? {} : { custodianThreshold: options.custodianThreshold }),
  });
  return {
    ledger,
    close: async () => {
      await ledger.close();
      await store.close();
      provider.destroy();
    },
  };
}
