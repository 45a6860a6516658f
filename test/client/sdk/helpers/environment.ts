import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { JsonRpcSigner, Wallet, parseEther, type Provider, type Signer } from "ethers";
import { network } from "hardhat";

import {
  CareLedger,
  addressesOf as addressesOfDeployment,
  deployCareLedger,
  type CareLedgerAddresses,
  type CareLedgerOptions,
  type ContentStore,
} from "../../../../client/index.js";
import { HeliaStore, LocalDiskStore } from "../../../../client/storage/index.js";
import { CustodianService, type RunningCustodian } from "../../../../client/key-release/custodian-service.js";
import { devAccountKey, startHardhatNode, type HardhatNode } from "../../../helpers/node.js";

/** Key custodians every environment runs (real HTTP services on 127.0.0.1), and how many must answer. */
export const CUSTODIAN_COUNT = 3;
export const CUSTODIAN_THRESHOLD = 2;

export type Transport = "edr" | "json-rpc";
export type Backend = "local-disk" | "helia";

/** Every party the SDK suites use, by development-account index. */
export const ACTORS = {
  admin: 0,
  doctor: 1,
  doctor2: 2,
  doctor3: 3,
  pharmacy: 4,
  pharmacy2: 5,
  lab: 6,
  emergency: 7,
  hospital: 8,
  ward: 9,
  patient: 10,
  patient2: 11,
  patient3: 12,
  delegate: 13,
  relayer: 14,
  stranger: 15,
  writer: 16,
  patient4: 17,
} as const;

export type ActorName = keyof typeof ACTORS;

export interface Actor {
  readonly name: ActorName;
  readonly signer: Signer;
  readonly address: string;
  /** Needed to read when the signer cannot export its key (Hardhat's and JSON-RPC signers). */
  readonly privateKey: string;
}

export interface SdkEnvironment {
  readonly name: string;
  readonly transport: Transport;
  readonly backend: Backend;
  readonly provider: Provider;
  /** The JSON-RPC URL (json-rpc transport only). */
  readonly url?: string;
  readonly directory: string;
  readonly store: ContentStore;
  /** The running key custodians. */
  readonly custodians: readonly RunningCustodian[];
  addresses: CareLedgerAddresses;
  actor(name: ActorName): Actor;
  /** A client for an actor on the shared store and key directory (journal per actor). */
  connect(name: ActorName, options?: Partial<CareLedgerOptions>): Promise<CareLedger>;
  /** The file holding a stored blob (to corrupt or delete it behind the store's back). */
  blobPath(ref: string): string;
  /** A raw JSON-RPC call (evm_mine, evm_increaseTime, ...). */
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

// Which actors use a signer that cannot export its key, to cover "any ethers signer".
const REMOTE_SIGNERS: Readonly<Record<Transport, readonly ActorName[]>> = {
  edr: ["patient", "doctor2", "relayer"],
  "json-rpc": ["patient2", "relayer"],
};

/**
 * Starts a chain (Hardhat's in-process EDR network, or a `hardhat node` child process reached
 * over JSON-RPC), opens a store (LocalDiskStore or HeliaStore) in a temporary directory and
 * deploys CareLedger.
 */
export async function createEnvironment(transport: Transport, backend: Backend): Promise<SdkEnvironment> {
  const directory = await mkdtemp(join(tmpdir(), `careledger-sdk-${transport}-${backend}-`));
  let provider: Provider;
  let node: HardhatNode | undefined;
  let closeNetwork: () => Promise<void>;
  let rpc: (method: string, params?: unknown[]) => Promise<unknown>;
  const signers = new Map<ActorName, Signer>();
  if (transport === "edr") {
    const connection = await network.create();
    const { ethers } = connection;
    provider = ethers.provider;
    const hardhatSigners = await ethers.getSigners();
    for (const [name, index] of Object.entries(ACTORS) as [ActorName, number][]) {
      signers.set(
        name,
        REMOTE_SIGNERS.edr.includes(name) ? hardhatSigners[index] : new Wallet(devAccountKey(index), ethers.provider),
      );
    }
    rpc = (method, params = []) => ethers.provider.send(method, params) as Promise<unknown>;
    closeNetwork = () => connection.close();
  } else {
    node = await startHardhatNode();
    const started = node;
    provider = started.provider;
    for (const [name, index] of Object.entries(ACTORS) as [ActorName, number][]) {
      const wallet = started.wallet(index);
      signers.set(
        name,
        REMOTE_SIGNERS["json-rpc"].includes(name) ? new JsonRpcSigner(started.provider, wallet.address) : wallet,
      );
    }
    rpc = (method, params = []) => started.provider.send(method, params) as Promise<unknown>;
    closeNetwork = () => started.stop();
  }
  let store: ContentStore;
  try {
    store =
      backend === "local-disk"
        ? await LocalDiskStore.open(join(directory, "store"))
        : await HeliaStore.open(join(directory, "helia"));
  } catch (error) {
    await closeNetwork();
    throw error;
  }
  const actor = (name: ActorName): Actor => {
    const signer = signers.get(name);
    if (signer === undefined) throw new Error(`no signer for ${name}`);
    const privateKey = devAccountKey(ACTORS[name]);
    return { name, signer, address: new Wallet(privateKey).address, privateKey };
  };
  let contracts: Awaited<ReturnType<typeof deployCareLedger>>;
  try {
    contracts = await deployCareLedger(actor("admin").signer);
  } catch (error) {
    await store.close();
    await closeNetwork();
    throw error;
  }
  const addressesOf = await addressesOfDeployment(contracts);
  // Custodians are separate accounts with their own directories; each publishes its key on start.
  const custodians: RunningCustodian[] = [];
  try {
    const funder = actor("admin").signer;
    for (let index = 0; index < CUSTODIAN_COUNT; index += 1) {
      const custodianWallet = Wallet.createRandom().connect(provider);
      await (await funder.sendTransaction({ to: custodianWallet.address, value: parseEther("1") })).wait();
      custodians.push(
        await CustodianService.start({
          dataDir: join(directory, "custodians", String(index)),
          provider,
          addresses: addressesOf,
          signer: custodianWallet,
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(custodians.map((custodian) => custodian.close()));
    await store.close();
    await closeNetwork();
    throw error;
  }
  const env: SdkEnvironment = {
    name: `${transport === "edr" ? "in-process EDR" : "hardhat node over JSON-RPC"} with ${backend === "local-disk" ? "LocalDiskStore" : "HeliaStore"}`,
    transport,
    backend,
    provider,
    ...(node === undefined ? {} : { url: node.url }),
    directory,
    store,
    custodians,
    addresses: addressesOf,
    actor,
    connect: async (name, options = {}) => {
      const { signer } = actor(name);
      return CareLedger.connect({
        signer,
        addresses: env.addresses,
        store,
        dataDir: join(directory, "clients", name),
        custodians: custodians.map((custodian) => ({ url: custodian.url, address: custodian.address })),
        custodianThreshold: CUSTODIAN_THRESHOLD,
        ...options,
      });
    },
    blobPath: (ref) => (store instanceof LocalDiskStore ? store.pathOf(ref) : (store as HeliaStore).blockPathOf(ref)),
    rpc,
    close: async () => {
      await Promise.allSettled(custodians.map((custodian) => custodian.close()));
      await store.close();
      await closeNetwork();
      await rm(directory, { recursive: true, force: true });
    },
  };
  return env;
}
