import { createHash } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

import { writeJsonFileAtomic } from "../../storage/atomic-file.js";
import { KeyedMutex } from "../transport/mutex.js";

/** The stages of an idempotent write. */
export type JournalState =
  /** Sealed, stored (envelope, wrapped keys, manifest): about to send the anchoring transaction. */
  | "prepared"
  /** The transaction was broadcast with this hash; a repeat rebuilds the result from its receipt. */
  | "sent";

/** What the journal remembers of one write, keyed by its idempotency key. */
export interface JournalEntry {
  readonly version: 1;
  /** The caller's or the derived idempotency key. */
  readonly key: string;
  readonly operation: string;
  readonly state: JournalState;
  readonly patient: string;
  /** Record commitments the write anchors (one; or every leaf of a batch). */
  readonly commitments: readonly string[];
  /** The content commitment the anchoring call passes, for single writes (the record commitment binds it). */
  readonly contentCommitment?: string;
  /** Each commitment's patient, for batch writes (in the order of `commitments`). */
  readonly patients?: readonly string[];
  /** Manifest refs, in the order of `commitments`. */
  readonly manifestRefs: readonly string[];
  /** The batch's Merkle root, for batch writes (the registry names the batch by it bound to the author). */
  readonly root?: string;
  /** The block before the send: where to look for the anchoring log after a crash. */
  readonly fromBlock?: number;
  readonly transactionHash?: string;
}

/**
 * A crash-safe record of writes in progress, one small JSON file per idempotency key (written with
 * writeFileAtomic: after a crash a file holds the old or the new state, never a mix). The writer
 * journals the sealed record's commitment and refs before it sends, and the transaction hash after,
 * so a repeated call after a crash reuses the same commitment instead of sealing (and anchoring) a
 * new one. Entries for one key are updated under a lock; different keys never contend.
 */
export class WriteJournal {
  readonly #locks = new KeyedMutex();

  private constructor(readonly directory: string | undefined) {}

  /** A journal in `directory` (created if needed). */
  static async open(directory: string): Promise<WriteJournal> {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    return new WriteJournal(directory);
  }

  /** A journal that only lives in memory: writes are deduplicated within this process only. */
  static inMemory(): WriteJournal {
    return new WriteJournal(undefined);
  }

  readonly #memory = new Map<string, JournalEntry>();

  /** Runs `action` alone for this key: two concurrent calls with one key never both write. */
  exclusive<T>(key: string, action: () => Promise<T>): Promise<T> {
    return this.#locks.run(key, action);
  }

  async get(key: string): Promise<JournalEntry | undefined> {
    if (this.directory === undefined) return this.#memory.get(key);
    try {
      return JSON.parse(await readFile(this.#path(key), "utf8")) as JournalEntry;
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async put(entry: JournalEntry): Promise<void> {
    if (this.directory === undefined) {
      this.#memory.set(entry.key, entry);
      return;
    }
    await writeJsonFileAtomic(this.#path(entry.key), entry);
  }

  async delete(key: string): Promise<void> {
    if (this.directory === undefined) {
      this.#memory.delete(key);
      return;
    }
    await rm(this.#path(key), { force: true });
  }

  #path(key: string): string {
    // The key may be caller text: hash it into a safe, fixed-length file name.
    return join(this.directory as string, `${createHash("sha256").update(key).digest("hex")}.json`);
  }
}
