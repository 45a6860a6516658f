import {
  AUTHORSHIP_DOMAIN_TAG,
  BOUND_PREIMAGE_LENGTH,
  parseBoundPreimage,
  recordCommitmentOf,
} from "../../crypto/commitment.js";
import { RECORD_ENVELOPE_MAGIC, computeCommitment } from "../../crypto/index.js";
import { CareLedgerError } from "../../errors.js";
import { PerObjectCache } from "../per-object-cache.js";
import type { ContentRef, ContentStore } from "../../storage/index.js";
import {
  decodeLedgerObject,
  recordKey,
  type ErasureTombstone,
  type KeyRef,
  type KeyShare,
  type LedgerObject,
  type RecordManifest,
} from "./manifest.js";

/** Everything the store holds about one record. */
export interface IndexedRecord {
  readonly patient: string;
  readonly commitment: string;
  /** Record manifests by ref (normally one). */
  readonly manifests: Map<ContentRef, RecordManifest>;
  readonly shares: Map<ContentRef, KeyShare>;
  readonly erasures: Map<ContentRef, ErasureTombstone>;
}

/** The deployment whose objects an index holds. */
export interface IndexScope {
  readonly chainId: string;
  readonly registry: string;
}

const SCAN_CONCURRENCY = 16;

/**
 * An in-memory index from (patient, commitment) to the manifests, key shares and tombstones in a
 * ContentStore. The store stays the only source of truth: objects written through the SDK are
 * added as they are written, and anything written by other clients (another process, another
 * party sharing the store) is found by `refresh`, which reads only refs it has not seen yet.
 * Clients of one store object in one process share one index (`indexFor`).
 */
export class ManifestIndex {
  readonly #records = new Map<string, IndexedRecord>();
  readonly #seen = new Set<ContentRef>();
  /** Refs whose bytes failed verification during a scan (altered or unreadable objects). */
  readonly unreadable = new Set<ContentRef>();
  /**
   * Envelopes found by scans, with the commitment computed from their bytes: lets an audit match
   * an envelope whose manifest is gone (or was never written) against the chain.
   */
  readonly scannedEnvelopes = new Map<ContentRef, string>();
  /**
   * Record commitments found by scans (their stored preimages), by the content commitment they bind:
   * lets an audit match an envelope (known by its content commitment) with its record on the chain.
   */
  readonly scannedBindings = new Map<string, string>();
  #refreshing: Promise<void> | undefined;

  constructor(
    readonly store: ContentStore,
    readonly scope: IndexScope,
  ) {}

  /** Records an object written by this process. */
  add(ref: ContentRef, object: LedgerObject): void {
    this.#seen.add(ref);
    this.#addObject(ref, object);
  }

  /** Marks refs as known non-ledger content (envelopes, wrapped keys) so scans skip them. */
  markSeen(...refs: ContentRef[]): void {
    for (const ref of refs) this.#seen.add(ref);
  }

  /** Forgets a deleted object. */
  remove(ref: ContentRef): void {
    this.#seen.delete(ref);
    this.scannedEnvelopes.delete(ref);
    for (const entry of this.#records.values()) {
      entry.manifests.delete(ref);
      entry.shares.delete(ref);
      entry.erasures.delete(ref);
    }
  }

  get(patient: string, commitment: string): IndexedRecord | undefined {
    return this.#records.get(recordKey(patient, commitment));
  }

  /** `get`, refreshing from the store first when the record has no manifest yet. */
  async find(patient: string, commitment: string): Promise<IndexedRecord | undefined> {
    const known = this.get(patient, commitment);
    if (known !== undefined && known.manifests.size > 0) return known;
    await this.refresh();
    return this.get(patient, commitment);
  }

  /** Every indexed record, optionally of one patient. */
  records(patient?: string): IndexedRecord[] {
    const all = [...this.#records.values()];
    return patient === undefined ? all : all.filter((entry) => entry.patient.toLowerCase() === patient.toLowerCase());
  }

  /** Reads every ref of the store not seen before and indexes the CareLedger objects among them. */
  refresh(): Promise<void> {
    // One scan at a time; callers arriving meanwhile share it.
    this.#refreshing ??= this.#scan().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #scan(): Promise<void> {
    const fresh: ContentRef[] = [];
    for await (const ref of this.store.list()) {
      if (!this.#seen.has(ref)) fresh.push(ref);
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < fresh.length) {
        const ref = fresh[next++];
        let bytes: Uint8Array;
        try {
          bytes = await this.store.get(ref);
        } catch (error) {
          // Altered or vanished content is the audit's business; the scan goes on.
          if (error instanceof CareLedgerError) {
            this.unreadable.add(ref);
            continue;
          }
          throw error;
        }
        this.#seen.add(ref);
        this.unreadable.delete(ref);
        const object = decodeLedgerObject(bytes);
        if (object !== undefined) this.#addObject(ref, object);
        else if (bytes.length === BOUND_PREIMAGE_LENGTH && startsWith(bytes, AUTHORSHIP_DOMAIN_TAG)) {
          try {
            const { author, contentCommitment } = parseBoundPreimage(bytes);
            this.scannedBindings.set(contentCommitment, recordCommitmentOf(author, contentCommitment));
          } catch {
            this.unreadable.add(ref);
          }
        } else if (startsWith(bytes, RECORD_ENVELOPE_MAGIC)) {
          try {
            this.scannedEnvelopes.set(ref, computeCommitment(bytes));
          } catch {
            this.unreadable.add(ref);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, fresh.length) }, worker));
  }

  #addObject(ref: ContentRef, object: LedgerObject): void {
    if (object.chainId !== this.scope.chainId || object.registry.toLowerCase() !== this.scope.registry.toLowerCase()) {
      return;
    }
    const key = recordKey(object.patient, object.commitment);
    let entry = this.#records.get(key);
    if (entry === undefined) {
      entry = {
        patient: object.patient,
        commitment: object.commitment.toLowerCase(),
        manifests: new Map(),
        shares: new Map(),
        erasures: new Map(),
      };
      this.#records.set(key, entry);
    }
    if (object.kind === "record") entry.manifests.set(ref, object);
    else if (object.kind === "key-share") entry.shares.set(ref, object);
    else entry.erasures.set(ref, object);
  }
}

/** The first manifest of a record (manifests of one record only differ by their wrapped keys). */
export function primaryManifest(entry: IndexedRecord): { ref: ContentRef; manifest: RecordManifest } | undefined {
  for (const [ref, manifest] of entry.manifests) return { ref, manifest };
  return undefined;
}

/** Every wrapped key stored for `reader` across the record's manifests and shares. */
export function keyRefsFor(entry: IndexedRecord, reader: string): KeyRef[] {
  const lower = reader.toLowerCase();
  return allKeyRefs(entry).filter((key) => key.reader.toLowerCase() === lower);
}

export function allKeyRefs(entry: IndexedRecord): KeyRef[] {
  const keys: KeyRef[] = [];
  for (const manifest of entry.manifests.values()) keys.push(...manifest.keys);
  for (const share of entry.shares.values()) keys.push(...share.keys);
  return keys;
}

const INDEXES = new PerObjectCache<ContentStore, ManifestIndex>();

/** The shared index of `store` for one deployment. */
export function indexFor(store: ContentStore, scope: IndexScope): ManifestIndex {
  return INDEXES.get(store, `${scope.chainId}:${scope.registry.toLowerCase()}`, () => new ManifestIndex(store, scope));
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}
