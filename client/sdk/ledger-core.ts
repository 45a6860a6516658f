import { join, resolve } from "node:path";

import {
  getAddress,
  hexlify,
  type ContractTransaction,
  type Log,
  type LogDescription,
  type Provider,
  type Signer,
  type TransactionReceipt,
} from "ethers";

import { ProviderKind } from "../care-types.js";
import type { CareLedgerContracts, ContractName } from "../deploy.js";
import type { DeploymentFile } from "../deployment-file.js";
import type { ContentStore } from "../storage/content-store.js";
import { LocalDiskStore } from "../storage/local-disk-store.js";
import { connectContracts } from "../contract-factories.js";
import type { TypedContractEvent } from "../../typechain-types/common.js";
import { CARELEDGER_INTERFACES, CONTRACT_NAMES, type CareLedgerAddresses } from "./contract-abis.js";
import { InvalidArgumentError } from "../errors.js";
import { UnregisteredAccountError } from "./errors.js";
import { EncryptionKeyring } from "../key-release/encryption-keyring.js";
import { EncryptionKeyDirectory } from "./keys/encryption-key-directory.js";
import { custodianAccessFor, type CustodianAccess } from "./records/custodian-access.js";
import { indexFor, type ManifestIndex } from "./records/manifest-index.js";
import { WriteJournal } from "./records/write-journal.js";
import { uintArgument } from "./arguments.js";
import { decodeRevert } from "./revert-decoder.js";
import {
  TransactionSender,
  type MinedTransaction,
  type PreparedCall,
  type SendOptions,
  type TxOverrides,
} from "./transport/transaction-sender.js";
import type { RetryPolicy } from "./transport/retry.js";
import type { TxResult } from "./results.js";

/** Hooks that let tests stop a write where a crash could stop it. Not for production use. */
export interface WriteFaults {
  /** Called after the record is sealed, stored and journalled, before the transaction is sent. */
  readonly afterStore?: (info: { idempotencyKey: string; commitments: readonly string[] }) => void | Promise<void>;
  /** Called after the transaction was broadcast, before its hash is journalled. */
  readonly afterBroadcast?: (info: { idempotencyKey: string; transactionHash: string }) => void | Promise<void>;
}

/** Where a client's deployment addresses can come from. */
export type AddressSource = CareLedgerAddresses | CareLedgerContracts | DeploymentFile;

export interface CareLedgerOptions {
  /** Any ethers v6 signer connected to a provider: a Wallet, a JSON-RPC signer, Hardhat's signer. */
  readonly signer: Signer;
  /** The deployment: an address map, the contracts `deployCareLedger` returned, or a deployment file. */
  readonly addresses: AddressSource;
  /** Where envelopes, wrapped keys and manifests live. Default: a LocalDiskStore in `<dataDir>/store`. */
  readonly store?: ContentStore;
  /**
   * This account's X25519 encryption keys (every version), or the path of their file. Default:
   * `<dataDir>/encryption-keys.json`, created with a fresh key on first use. Separate from the
   * signer, so JSON-RPC and hardware signers read records too.
   */
  readonly keyring?: EncryptionKeyring | string;
  /** Publish the keyring's current key in the EncryptionKeyRegistry on connect when it is not there yet. Default true. */
  readonly publishKey?: boolean;
  /**
   * The key custodians of the deployment: each record's key is split among them (any
   * `custodianThreshold` of them together can release it), and a reader who is neither author nor
   * patient obtains it from them once the chain allows. Without custodians only the author and the
   * patient can ever open what this client writes.
   */
  readonly custodians?: readonly { readonly url: string; readonly address: string }[];
  /** How many custodians must answer to release a key. Default: a majority of `custodians`. */
  readonly custodianThreshold?: number;
  /** Milliseconds to wait for each custodian. Default 5000. */
  readonly custodianTimeoutMs?: number;
  /** Directory of the default store, keyring and write journal. Default `.careledger`. */
  readonly dataDir?: string;
  /** The write journal's directory, or `false` for an in-memory journal. Default `<dataDir>/journal/<chain>-<account>`. */
  readonly journal?: string | false;
  /** Default confirmations of every write. Default 1. */
  readonly confirmations?: number;
  /** Retries of transient RPC failures. */
  readonly retry?: Partial<RetryPolicy>;
  /** Crash simulation for tests. */
  readonly faults?: WriteFaults;
}

/** A decoded log of a CareLedger contract. */
export interface DecodedEvent {
  readonly contract: ContractName;
  readonly name: string;
  readonly args: LogDescription["args"];
  readonly log: Log;
}

/** What every write returns: the transaction's hash, its block and the gas it used. */
export function txResult(mined: MinedTransaction): TxResult {
  return { transactionHash: mined.hash, blockNumber: mined.blockNumber, gasUsed: mined.gasUsed };
}

/** The names of the events of contract `C`. */
export type EventName<C extends ContractName> = Extract<keyof CareLedgerContracts[C]["filters"], string>;

/** An event of contract `C` decoded with its TypeChain argument types. */
export interface TypedEvent<C extends ContractName, E extends EventName<C>> extends Omit<DecodedEvent, "args"> {
  readonly args: CareLedgerContracts[C]["filters"][E] extends TypedContractEvent<infer _In, infer _Out, infer Args>
    ? Args
    : never;
}

/** What `transactForEvent` returns: the write's TxResult and its event's typed arguments. */
export interface TxWithEvent<C extends ContractName, E extends EventName<C>> {
  readonly tx: TxResult;
  readonly args: TypedEvent<C, E>["args"];
}

/** Read-only TypeChain views of every contract. */
type Views = CareLedgerContracts;

/**
 * What every role of one client shares: the signer and its sender, the deployment, the store, the
 * key directory, the index, the journal and the record crypto.
 */
export class LedgerCore {
  readonly #ownsStore: boolean;
  readonly #addressToContract: ReadonlyMap<string, ContractName>;

  private constructor(
    readonly signer: Signer,
    readonly address: string,
    readonly provider: Provider,
    readonly chainId: bigint,
    readonly addresses: CareLedgerAddresses,
    readonly views: Views,
    readonly sender: TransactionSender,
    readonly store: ContentStore,
    ownsStore: boolean,
    readonly keys: EncryptionKeyDirectory,
    /** Undefined when no custodians are configured. */
    readonly custodianAccess: CustodianAccess | undefined,
    readonly index: ManifestIndex,
    readonly journal: WriteJournal,
    readonly options: CareLedgerOptions,
  ) {
    this.#ownsStore = ownsStore;
    this.#addressToContract = new Map(CONTRACT_NAMES.map((name) => [addresses[name].toLowerCase(), name]));
  }

  static async create(options: CareLedgerOptions): Promise<LedgerCore> {
    const { signer } = options;
    if (signer.provider === null) throw new TypeError("The signer must be connected to a provider.");
    const provider = signer.provider;
    const address = getAddress(await signer.getAddress());
    const addresses = normaliseAddresses(options.addresses);
    const sender = new TransactionSender(signer, address, {
      retry: options.retry,
      confirmations: options.confirmations,
    });
    const { chainId } = await sender.read("getNetwork", () => provider.getNetwork());
    const dataDir = resolve(options.dataDir ?? ".careledger");
    const ownsStore = options.store === undefined;
    const store = options.store ?? (await LocalDiskStore.open(join(dataDir, "store")));
    const keyring =
      options.keyring instanceof EncryptionKeyring
        ? options.keyring
        : await EncryptionKeyring.open(options.keyring ?? join(dataDir, "encryption-keys.json"), address);
    const journal =
      options.journal === false
        ? WriteJournal.inMemory()
        : await WriteJournal.open(options.journal ?? join(dataDir, "journal", `${chainId}-${address}`));
    const views: Views = connectContracts(addresses, provider);
    const index = indexFor(store, { chainId: chainId.toString(), registry: addresses.registry });
    const readView = <T>(operation: string, action: () => Promise<T>): Promise<T> => sender.read(operation, action);
    const keys = new EncryptionKeyDirectory(views.keyRegistry, readView, keyring);
    const custodianAccess =
      options.custodians === undefined || options.custodians.length === 0
        ? undefined
        : custodianAccessFor({
            custodians: options.custodians,
            threshold: options.custodianThreshold,
            timeoutMs: options.custodianTimeoutMs,
            signer,
            keyring,
            chainId,
            consent: addresses.consent,
            keyRegistry: views.keyRegistry,
            read: readView,
          });
    const core = new LedgerCore(
      signer,
      address,
      provider,
      chainId,
      addresses,
      views,
      sender,
      store,
      ownsStore,
      keys,
      custodianAccess,
      index,
      journal,
      options,
    );
    if (options.publishKey !== false) await core.publishEncryptionKey();
    return core;
  }

  /**
   * Publishes the keyring's current key in the EncryptionKeyRegistry unless it is already this
   * account's newest key there. Through the retry policy and the nonce manager like every other
   * write: an unreachable node is RpcUnavailableError, and a repeat after a lost answer finds the key
   * published and sends nothing. Returns the key's version.
   */
  async publishEncryptionKey(): Promise<number> {
    const { keyring } = this.keys;
    const current = keyring.current();
    const [version, publicKey] = await this.read("currentEncryptionKey", () =>
      this.views.keyRegistry.currentEncryptionKey(this.address),
    );
    if (version !== 0n && publicKey.toLowerCase() === hexlify(current.publicKey).toLowerCase()) {
      await keyring.markCurrentPublished(Number(version));
      return Number(version);
    }
    const { args } = await this.transactForEvent(
      "keyRegistry",
      (c) => c.publishEncryptionKey.populateTransaction(hexlify(current.publicKey)),
      "EncryptionKeyPublished",
    );
    const published = Number(args.version);
    await keyring.markCurrentPublished(published);
    return published;
  }

  /** A read through the retry policy, with reverts decoded. */
  async read<T>(operation: string, action: () => Promise<T>): Promise<T> {
    try {
      return await this.sender.read(operation, action);
    } catch (error) {
      throw decodeRevert(error) ?? error;
    }
  }

  /** Simulates a call from this signer (a revert throws ContractRevertError, nothing is sent). */
  async prepare(
    contract: ContractName,
    populated: ContractTransaction | Promise<ContractTransaction>,
    overrides?: TxOverrides,
  ): Promise<PreparedCall> {
    let tx: ContractTransaction;
    try {
      tx = await populated;
    } catch {
      // Encoding failed before anything was sent: an argument the contract's ABI does not accept.
      throw new InvalidArgumentError("arguments", "values the contract's parameters accept");
    }
    const method = CARELEDGER_INTERFACES[contract].parseTransaction({ data: tx.data })?.name ?? "unknown";
    return this.sender.prepare({ contract, method, to: tx.to, data: tx.data }, overrides);
  }

  /** Sends a prepared call and waits for it. */
  async submit(prepared: PreparedCall, options: SendOptions = {}): Promise<MinedTransaction> {
    const hash = await this.sender.broadcast(prepared, options.overrides);
    return this.sender.wait(hash, options.confirmations, prepared);
  }

  /** prepare + submit. */
  async send(
    contract: ContractName,
    populated: ContractTransaction | Promise<ContractTransaction>,
    options: SendOptions = {},
  ): Promise<MinedTransaction> {
    return this.submit(await this.prepare(contract, populated, options.overrides), options);
  }

  /**
   * Sends one call to a contract of the deployment and returns what every write returns (hash,
   * block, gas used). `build` gets the contract's typed view, so the call is checked against its ABI.
   */
  async transact<C extends ContractName>(
    contract: C,
    build: (view: Views[C]) => Promise<ContractTransaction>,
    options: SendOptions = {},
  ): Promise<TxResult> {
    return txResult(await this.send(contract, build(this.views[contract]), options));
  }

  /**
   * `transact` for a call whose result is in the event it emits: the transaction's hash, block and
   * gas, and the first `name` event's arguments typed as TypeChain declares them.
   */
  async transactForEvent<C extends ContractName, E extends EventName<C>>(
    contract: C,
    build: (view: Views[C]) => Promise<ContractTransaction>,
    name: E,
    options: SendOptions = {},
  ): Promise<TxWithEvent<C, E>> {
    const mined = await this.send(contract, build(this.views[contract]), options);
    return { tx: txResult(mined), args: this.event(mined.receipt, contract, name).args };
  }

  /** Every CareLedger event in a receipt, decoded with its contract's interface. */
  events(receipt: TransactionReceipt): DecodedEvent[] {
    const events: DecodedEvent[] = [];
    for (const log of receipt.logs) {
      const contract = this.#addressToContract.get(log.address.toLowerCase());
      if (contract === undefined) continue;
      const parsed = CARELEDGER_INTERFACES[contract].parseLog({ topics: [...log.topics], data: log.data });
      if (parsed !== null) events.push({ contract, name: parsed.name, args: parsed.args, log });
    }
    return events;
  }

  /**
   * The first `name` event of `contract` in the receipt, its arguments typed as TypeChain declares
   * them (addresses and bytes32 as strings, integers as bigint), so no caller casts an argument.
   */
  event<C extends ContractName, E extends EventName<C>>(
    receipt: TransactionReceipt,
    contract: C,
    name: E,
  ): TypedEvent<C, E> {
    const found = this.events(receipt).find((event) => event.contract === contract && event.name === name);
    if (found === undefined) throw new Error(`The receipt has no ${contract}.${name} event.`);
    // ethers' Result answers the event's parameter names as properties: TypeChain's OutputObject.
    return found as unknown as TypedEvent<C, E>;
  }

  /** Which contract of this deployment lives at `address`. */
  contractAt(address: string): ContractName | undefined {
    return this.#addressToContract.get(address.toLowerCase());
  }

  /** The active provider kind of this signer. */
  async activeKind(account: string = this.address): Promise<ProviderKind> {
    return Number(await this.read("activeKindOf", () => this.views.directory.activeKindOf(account))) as ProviderKind;
  }

  /**
   * UnregisteredAccountError unless this signer is an active provider of one of `kinds` (any kind
   * when empty). Checked before anything is stored or sent.
   */
  async requireProvider(...kinds: ProviderKind[]): Promise<ProviderKind> {
    const kind = await this.activeKind();
    const allowed = kinds.length === 0 ? kind !== ProviderKind.None : kinds.includes(kind);
    if (!allowed) {
      const expected = kinds.length === 0 ? "provider" : kinds.map((k) => ProviderKind[k]).join(" or ");
      throw new UnregisteredAccountError(this.address, expected, ProviderKind[kind]);
    }
    return kind;
  }

  /** The latest block's timestamp (the contracts' clock). */
  async now(): Promise<number> {
    const block = await this.read("getBlock", () => this.provider.getBlock("latest"));
    return block?.timestamp ?? Math.floor(Date.now() / 1000);
  }

  /**
   * A unix-seconds argument that fits `bits` bits or, when the caller gives none, the chain's clock
   * plus `fromNow`: the contracts judge times by their block, not by this machine's clock.
   */
  async timeArgument(value: unknown, argument: string, bits: number, fromNow = 0): Promise<number> {
    return value === undefined ? (await this.now()) + fromNow : uintArgument(value, argument, bits);
  }

  async close(): Promise<void> {
    if (this.#ownsStore) await this.store.close();
  }
}

function normaliseAddresses(source: AddressSource): CareLedgerAddresses {
  const map: Record<string, string> = {};
  if ("contracts" in source && typeof source.contracts === "object") {
    for (const name of CONTRACT_NAMES) map[name] = getAddress(source.contracts[name]);
  } else {
    for (const name of CONTRACT_NAMES) {
      const value: unknown = (source as Record<string, unknown>)[name];
      if (typeof value === "string") map[name] = getAddress(value);
      else if (typeof value === "object" && value !== null && "target" in value && typeof value.target === "string") {
        map[name] = getAddress(value.target);
      } else {
        throw new TypeError(`The deployment has no address for ${name}.`);
      }
    }
  }
  return map as CareLedgerAddresses;
}
