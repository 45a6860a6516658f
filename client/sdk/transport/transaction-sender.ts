import {
  BaseWallet,
  keccak256,
  type BigNumberish,
  type FeeData,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionRequest,
} from "ethers";

import type { ContractName } from "../../deploy.js";
import { TransactionFailedError } from "../errors.js";
import { decodeRevert } from "../revert-decoder.js";
import { accountNonces, isNonceConflict, type AccountNonces, type NonceOutcome } from "./nonce-manager.js";
import { DEFAULT_RETRY_POLICY, isTransientRpcError, sleep, withRetry, type RetryPolicy } from "./retry.js";

/** Gas and fee settings passed through to the transaction (ethers `Overrides`, the parts that apply). */
export interface TxOverrides {
  readonly gasLimit?: BigNumberish;
  readonly gasPrice?: BigNumberish;
  readonly maxFeePerGas?: BigNumberish;
  readonly maxPriorityFeePerGas?: BigNumberish;
}

/** Per-call sending options every write accepts. */
export interface SendOptions {
  /** Blocks to wait for: 1 means mined. Default: the client's `confirmations`. */
  readonly confirmations?: number;
  /** Gas and fee overrides. */
  readonly overrides?: TxOverrides;
}

export interface SenderOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Default confirmations of every write. Default 1. */
  readonly confirmations?: number;
  /** How long to wait for a receipt before TransactionFailedError("no-receipt"). Default 5 minutes. */
  readonly receiptTimeoutMs?: number;
  /** Percent added to the gas estimate. Default 20. */
  readonly gasMarginPercent?: number;
  /** How long fee data is reused between sends. Default 1 s (EIP-1559's 2 x base fee covers drift). */
  readonly feeDataTtlMs?: number;
}

/** An encoded call to one CareLedger contract. */
export interface ContractCall {
  readonly contract: ContractName;
  /** The function's name, for diagnostics. */
  readonly method: string;
  readonly to: string;
  readonly data: string;
}

/** A call that simulated successfully: ready to send with the gas limit it needs. */
export interface PreparedCall extends ContractCall {
  readonly gasLimit: bigint;
}

/** A mined transaction. */
export interface MinedTransaction {
  readonly hash: string;
  readonly blockNumber: number;
  /** This transaction's gas (`receipt.gasUsed`, never the block's cumulative figure). */
  readonly gasUsed: bigint;
  readonly receipt: TransactionReceipt;
}

/**
 * Sends CareLedger transactions robustly from one signer: simulates first (a revert becomes a
 * ContractRevertError before anything is sent), assigns nonces through the account's shared nonce
 * manager, retries transient RPC failures with backoff (a broadcast is retried with the very same
 * signed transaction, so a retry can never send twice), never retries a revert, and waits for the
 * requested confirmations.
 */
export class TransactionSender {
  readonly provider: Provider;
  readonly policy: RetryPolicy;
  readonly confirmations: number;
  readonly #receiptTimeoutMs: number;
  readonly #gasMargin: bigint;
  readonly #feeTtlMs: number;
  #fees: { data: FeeData; at: number } | undefined;
  #chainId: bigint | undefined;
  #nonces: AccountNonces | undefined;

  constructor(
    readonly signer: Signer,
    readonly address: string,
    options: SenderOptions = {},
  ) {
    if (signer.provider === null) throw new TypeError("The signer must be connected to a provider.");
    this.provider = signer.provider;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.confirmations = options.confirmations ?? 1;
    this.#receiptTimeoutMs = options.receiptTimeoutMs ?? 5 * 60_000;
    this.#gasMargin = BigInt(options.gasMarginPercent ?? 20);
    this.#feeTtlMs = options.feeDataTtlMs ?? 1_000;
  }

  /** Reads through the retry policy. */
  read<T>(operation: string, action: () => Promise<T>): Promise<T> {
    return withRetry(operation, this.policy, action);
  }

  /**
   * Encodes and simulates a call from this signer (eth_estimateGas). A revert throws
   * ContractRevertError; nothing is sent.
   */
  async prepare(call: ContractCall, overrides: TxOverrides = {}): Promise<PreparedCall> {
    const { data } = call;
    let gasLimit: bigint;
    if (overrides.gasLimit !== undefined) {
      gasLimit = BigInt(overrides.gasLimit);
    } else {
      let estimate: bigint;
      try {
        estimate = await this.read(`estimateGas ${call.contract}.${call.method}`, () =>
          this.provider.estimateGas({ from: this.address, to: call.to, data }),
        );
      } catch (error) {
        throw decodeRevert(error) ?? error;
      }
      gasLimit = (estimate * (100n + this.#gasMargin)) / 100n;
    }
    return { ...call, gasLimit };
  }

  /** Broadcasts a prepared call under the account's nonce lock; returns the transaction hash. */
  async broadcast(prepared: PreparedCall, overrides: TxOverrides = {}): Promise<string> {
    const nonces = this.#nonceManager();
    const [chainId, fees] = await Promise.all([this.#chainIdOf(), this.#feesFor(overrides)]);
    try {
      return await nonces.use(
        (nonce) => this.#broadcastWithNonce(prepared, { ...fees, chainId, nonce }),
        () => this.read("getTransactionCount", () => this.provider.getTransactionCount(this.address, "pending")),
      );
    } catch (error) {
      // Nodes that simulate on submission (Hardhat's automine) refuse a reverting transaction here.
      throw decodeRevert(error) ?? error;
    }
  }

  /** Waits for `hash` to reach `confirmations`; a mined revert becomes ContractRevertError. */
  async wait(hash: string, confirmations = this.confirmations, prepared?: PreparedCall): Promise<MinedTransaction> {
    const deadline = Date.now() + this.#receiptTimeoutMs;
    let delay = 25;
    for (;;) {
      const receipt = await this.read("getTransactionReceipt", () => this.provider.getTransactionReceipt(hash));
      if (receipt !== null) {
        if (receipt.status === 0) throw await this.#revertOf(receipt, prepared);
        if (confirmations <= 1) return mined(receipt);
        const head = await this.read("getBlockNumber", () => this.provider.getBlockNumber());
        if (head - receipt.blockNumber + 1 >= confirmations) return mined(receipt);
      }
      if (Date.now() > deadline) throw new TransactionFailedError("no-receipt", hash);
      await sleep(delay);
      delay = Math.min(delay * 2, 1_000);
    }
  }

  /** prepare + broadcast + wait. */
  async send(call: ContractCall, options: SendOptions = {}): Promise<MinedTransaction> {
    const prepared = await this.prepare(call, options.overrides);
    const hash = await this.broadcast(prepared, options.overrides);
    return this.wait(hash, options.confirmations, prepared);
  }

  async #broadcastWithNonce(
    prepared: PreparedCall,
    fields: Omit<TransactionRequest, "to" | "data">,
  ): Promise<{ result: string; outcome: NonceOutcome }> {
    const request: TransactionRequest = {
      ...fields,
      to: prepared.to,
      data: prepared.data,
      gasLimit: prepared.gasLimit,
    };
    if (this.signer instanceof BaseWallet) {
      // Sign once: every retry re-sends the same bytes, so the hash is known and no retry can
      // create a second transaction.
      const raw = await this.signer.signTransaction({ ...request, from: this.address });
      const hash = keccak256(raw);
      try {
        await withRetry(`broadcast ${prepared.contract}.${prepared.method}`, this.policy, () =>
          this.provider.broadcastTransaction(raw),
        );
      } catch (error) {
        // An earlier attempt may have reached the node even though its answer was lost.
        if (await this.#isKnown(hash)) return { result: hash, outcome: "consumed" };
        throw error;
      }
      return { result: hash, outcome: "consumed" };
    }
    // A signer that signs remotely (JSON-RPC account, hardware wallet): retries keep the nonce,
    // and after a lost answer a nonce conflict means our own earlier attempt landed.
    const startBlock = await this.read("getBlockNumber", () => this.provider.getBlockNumber());
    let lostAnswer = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.signer.sendTransaction({ ...request, from: this.address });
        return { result: response.hash, outcome: "consumed" };
      } catch (error) {
        if (lostAnswer && isNonceConflict(error)) {
          const found = await this.#findByNonce(Number(fields.nonce), startBlock);
          if (found !== undefined) return { result: found, outcome: "consumed" };
        }
        if (!isTransientRpcError(error) || attempt >= this.policy.retries) throw error;
        lostAnswer = true;
        await sleep(
          Math.floor(Math.random() * Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** attempt)),
        );
      }
    }
  }

  async #isKnown(hash: string): Promise<boolean> {
    try {
      return (await this.read("getTransaction", () => this.provider.getTransaction(hash))) !== null;
    } catch {
      return false;
    }
  }

  async #findByNonce(nonce: number, fromBlock: number): Promise<string | undefined> {
    const head = await this.read("getBlockNumber", () => this.provider.getBlockNumber());
    for (let number = head; number >= fromBlock && number > head - 64; number--) {
      const block = await this.read("getBlock", () => this.provider.getBlock(number, true));
      const match = block?.prefetchedTransactions.find(
        (tx) => tx.from.toLowerCase() === this.address.toLowerCase() && tx.nonce === nonce,
      );
      if (match !== undefined) return match.hash;
    }
    return undefined;
  }

  async #revertOf(receipt: TransactionReceipt, prepared?: PreparedCall): Promise<Error> {
    if (prepared !== undefined) {
      // Replay on the state before the block to recover the revert data the receipt lacks.
      try {
        await this.provider.call({
          from: this.address,
          to: prepared.to,
          data: prepared.data,
          blockTag: Math.max(receipt.blockNumber - 1, 0),
        });
      } catch (error) {
        const decoded = decodeRevert(error, receipt.hash);
        if (decoded !== undefined) return decoded;
      }
    }
    return new TransactionFailedError("reverted-without-data", receipt.hash);
  }

  #nonceManager(): AccountNonces {
    this.#nonces ??= accountNonces(this.provider, this.address);
    return this.#nonces;
  }

  async #chainIdOf(): Promise<bigint> {
    this.#chainId ??= (await this.read("getNetwork", () => this.provider.getNetwork())).chainId;
    return this.#chainId;
  }

  async #feesFor(overrides: TxOverrides): Promise<Omit<TransactionRequest, "to" | "data">> {
    if (overrides.gasPrice !== undefined) return { type: 0, gasPrice: overrides.gasPrice };
    if (overrides.maxFeePerGas !== undefined && overrides.maxPriorityFeePerGas !== undefined) {
      return { type: 2, maxFeePerGas: overrides.maxFeePerGas, maxPriorityFeePerGas: overrides.maxPriorityFeePerGas };
    }
    const now = Date.now();
    if (this.#fees === undefined || now - this.#fees.at > this.#feeTtlMs) {
      this.#fees = { data: await this.read("getFeeData", () => this.provider.getFeeData()), at: now };
    }
    const fees = this.#fees.data;
    if (fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null) {
      return {
        type: 2,
        maxFeePerGas: overrides.maxFeePerGas ?? fees.maxFeePerGas,
        maxPriorityFeePerGas: overrides.maxPriorityFeePerGas ?? fees.maxPriorityFeePerGas,
      };
    }
    if (fees.gasPrice !== null) return { type: 0, gasPrice: fees.gasPrice };
    throw new TransactionFailedError("fee-data-unavailable");
  }
}

function mined(receipt: TransactionReceipt): MinedTransaction {
  return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt };
}
