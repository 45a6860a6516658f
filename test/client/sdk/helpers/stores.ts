import { readFile, rm, writeFile } from "node:fs/promises";

import type { ContentRef, ContentStore } from "../../../../client/index.js";

/** Every ref in the store, sorted: compare before and after to prove nothing was written. */
export async function listing(store: ContentStore): Promise<string[]> {
  const refs: string[] = [];
  for await (const ref of store.list()) refs.push(ref);
  return refs.sort();
}

/** Flips one byte in the middle of a stored blob's file, behind the store's back. */
export async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[bytes.length >> 1] ^= 0x01;
  await writeFile(path, bytes);
}

/** Deletes a stored blob's file behind the store's back. */
export async function deleteFile(path: string): Promise<void> {
  await rm(path);
}

/**
 * A store in front of another that serves altered bytes for chosen refs without checking them,
 * as a buggy or hostile backend (a remote gateway) could: the SDK must catch it itself.
 */
export class TamperingStore implements ContentStore {
  readonly #tampered = new Map<ContentRef, (bytes: Uint8Array) => Uint8Array>();

  constructor(private readonly inner: ContentStore) {}

  tamper(ref: ContentRef, change: (bytes: Uint8Array) => Uint8Array): void {
    this.#tampered.set(ref, change);
  }

  put(bytes: Uint8Array): Promise<ContentRef> {
    return this.inner.put(bytes);
  }

  async get(ref: ContentRef): Promise<Uint8Array> {
    const bytes = await this.inner.get(ref);
    const change = this.#tampered.get(ref);
    return change === undefined ? bytes : change(bytes);
  }

  has(ref: ContentRef): Promise<boolean> {
    return this.inner.has(ref);
  }

  delete(ref: ContentRef): Promise<void> {
    return this.inner.delete(ref);
  }

  list(): AsyncIterable<ContentRef> {
    return this.inner.list();
  }

  async close(): Promise<void> {
    await Promise.resolve();
  }
}

/**
 * A store that serves blocks by their address and lists nothing, as an IPFS peer on another machine
 * does: a client on it has no manifest in its index and must find an envelope from the commitment.
 */
export class BlocksOnlyStore implements ContentStore {
  constructor(private readonly inner: ContentStore) {}

  put(bytes: Uint8Array): Promise<ContentRef> {
    return this.inner.put(bytes);
  }

  get(ref: ContentRef): Promise<Uint8Array> {
    return this.inner.get(ref);
  }

  has(ref: ContentRef): Promise<boolean> {
    return this.inner.has(ref);
  }

  delete(ref: ContentRef): Promise<void> {
    return this.inner.delete(ref);
  }

  async *list(): AsyncIterable<ContentRef> {
    return;
  }

  async close(): Promise<void> {
    await Promise.resolve();
  }
}
