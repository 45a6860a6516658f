import { isError, type Provider } from "ethers";

import { Mutex } from "./mutex.js";
import { PerObjectCache } from "../per-object-cache.js";

/** What a send attempt reports back to the nonce manager. */
export type NonceOutcome =
  /** The transaction now holds the nonce (broadcast accepted, or found on-chain). */
  | "consumed"
  /** Nothing holds the nonce (the attempt failed before the node accepted it). */
  | "unused";

/** Whether the node refused a transaction because its nonce is already used. */
export function isNonceConflict(error: unknown): boolean {
  if (isError(error, "NONCE_EXPIRED")) return true;
  const text = messageOf(error);
  return /nonce too low|nonce has already been used|nonce is too low|invalid nonce|already known/i.test(text);
}

function messageOf(error: unknown, depth = 0): string {
  if (depth > 4 || typeof error !== "object" || error === null) return "";
  const record = error as Record<string, unknown>;
  const own = typeof record.message === "string" ? record.message : "";
  return `${own} ${messageOf(record.error, depth + 1)} ${messageOf(record.info, depth + 1)} ${messageOf(record.cause, depth + 1)}`;
}

/**
 * The nonces of one account on one provider. Nonce assignment and broadcast are serialised (a
 * FIFO lock held only until the node accepts the transaction, never while waiting for receipts),
 * so concurrent sends from one account get consecutive nonces. The first use reads the pending
 * transaction count; a "nonce too low" answer (another process sent meanwhile) drops the cached
 * value so the next attempt reads it again.
 */
export class AccountNonces {
  readonly #mutex = new Mutex();
  #next: number | undefined;

  constructor(
    readonly provider: Provider,
    readonly address: string,
  ) {}

  /**
   * Runs `broadcast` with the next nonce, under the account's lock. The action returns its result
   * and whether it consumed the nonce; a nonce conflict is retried with a fresh count up to
   * `maxConflicts` times.
   */
  async use<T>(
    broadcast: (nonce: number) => Promise<{ result: T; outcome: NonceOutcome }>,
    readCount: () => Promise<number>,
    maxConflicts = 3,
  ): Promise<T> {
    return this.#mutex.run(async () => {
      for (let conflicts = 0; ; conflicts++) {
        if (this.#next === undefined) this.#next = await readCount();
        const nonce = this.#next;
        try {
          const { result, outcome } = await broadcast(nonce);
          if (outcome === "consumed") this.#next = nonce + 1;
          return result;
        } catch (error) {
          if (isNonceConflict(error) && conflicts < maxConflicts) {
            this.#next = undefined;
            continue;
          }
          // The node may or may not have taken the nonce: re-read it next time.
          this.#next = undefined;
          throw error;
        }
      }
    });
  }

  /** Forgets the cached nonce (e.g. after an external send from the same account). */
  reset(): void {
    this.#next = undefined;
  }
}

const REGISTRY = new PerObjectCache<Provider, AccountNonces>();

/**
 * The process-wide nonce manager of `address` on `provider`: every CareLedger client built on the
 * same provider object shares it, so concurrent clients of one account never collide. Keyed by
 * provider object because two chains may share a chain id (two local Hardhat networks).
 */
export function accountNonces(provider: Provider, address: string): AccountNonces {
  return REGISTRY.get(provider, address.toLowerCase(), () => new AccountNonces(provider, address));
}
