import type { ContentRef } from "./content-ref.js";

/**
 * Content-addressed storage for sealed records. Backends: LocalDiskStore (default),
 * HeliaStore (in-process IPFS node), KuboStore (external IPFS daemon).
 *
 * Every backend returns the same ContentRef for the same bytes, verifies bytes against
 * their ref on read, and reports failures with CareLedger's typed errors:
 * NotFoundError, IntegrityError, InvalidArgumentError (malformed ref), StorageError.
 */
export interface ContentStore {
  /** Stores bytes under their content address and returns it. Idempotent. */
  put(bytes: Uint8Array): Promise<ContentRef>;
  /** Returns the bytes; NotFoundError if absent, IntegrityError if they do not hash to `ref`. */
  get(ref: ContentRef): Promise<Uint8Array>;
  /** Whether bytes are stored under `ref` (without reading or verifying them). */
  has(ref: ContentRef): Promise<boolean>;
  /** Removes the bytes if present; deleting an absent ref is not an error. */
  delete(ref: ContentRef): Promise<void>;
  /** Every stored ref, once each, in no particular order. */
  list(): AsyncIterable<ContentRef>;
  /** Releases resources; any later call fails with StorageError("closed"). Idempotent. */
  close(): Promise<void>;
}
