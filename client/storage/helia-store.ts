import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import type { Helia } from "helia";
import { base32upper } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { decode as decodeDigest } from "multiformats/hashes/digest";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";

import type { CareLedgerError, StorageOperation } from "../errors.js";
import { InvalidArgumentError, NotFoundError, StorageError } from "../errors.js";
import type { ContentRef } from "./content-ref.js";
import { SHA2_256_CODE, SHA2_256_LENGTH, contentRefOf, parseContentRef, verifyContent } from "./content-ref.js";
import type { ContentStore } from "./content-store.js";
import { DurableFsBlockstore, concat } from "./durable-fs-blockstore.js";
import { errorCode, toStorageError } from "./storage-errors.js";

const BLOCK_FILE_RE = /^[A-Z2-7]+\.data$/;
const NOT_FOUND_ERROR_NAMES = new Set(["NotFoundError", "BlockNotFoundWhileOfflineError"]);

/**
 * ContentStore on an in-process Helia (IPFS) node, offline: no libp2p, no routers, no
 * block brokers, so nothing listens and nothing is fetched from the network. Blocks are
 * raw-codec, sha2-256, so refs equal LocalDiskStore's and Kubo's, and the directory can
 * later back a networked Helia node that serves them.
 *
 * Layout: `<directory>/blocks` (blockstore-fs, durable writes) and `<directory>/datastore`
 * (datastore-fs: pins). Every put pins its block so Helia's garbage collector keeps it;
 * delete unpins and removes the block. The blockstore is the source of truth for list()
 * and get(): block writes are fsynced, pin writes (datastore-fs) are not, so after a power
 * cut a block can survive unpinned, never the reverse with data loss.
 *
 * One process at a time per directory: neither Helia nor blockstore-fs takes a lock.
 */
export class HeliaStore implements ContentStore {
  private closed = false;

  private constructor(
    private readonly helia: Helia,
    private readonly blocks: DurableFsBlockstore,
    private readonly datastore: FsDatastore,
  ) {}

  static async open(directory: string): Promise<HeliaStore> {
    const blocks = new DurableFsBlockstore(join(directory, "blocks"));
    const datastore = new FsDatastore(join(directory, "datastore"));
    try {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await blocks.open();
      await datastore.open();
      const helia = createHeliaLight({ blockstore: blocks, datastore });
      await helia.start();
      return new HeliaStore(helia, blocks, datastore);
    } catch (error) {
      await Promise.allSettled([blocks.close(), datastore.close()]);
      throw toStorageError("helia", "open", error);
    }
  }

  /** File holding the block of `ref` (for audits and operational tooling). */
  blockPathOf(ref: ContentRef): string {
    return this.blocks.pathOf(parseContentRef(ref));
  }

  async put(bytes: Uint8Array): Promise<ContentRef> {
    this.assertOpen("put");
    if (!(bytes instanceof Uint8Array)) {
      throw new InvalidArgumentError("bytes", "a Uint8Array");
    }
    const ref = contentRefOf(bytes);
    const cid = parseContentRef(ref);
    try {
      if (!(await this.blocks.has(cid))) {
        await this.helia.blockstore.put(cid, bytes);
      } else if (contentRefOf(await this.readBlock(cid)) !== ref) {
        // Helia skips puts of blocks it has; rewrite a corrupted copy underneath it.
        await this.blocks.put(cid, bytes);
      }
      if (!(await this.helia.pins.isPinned(cid))) {
        await drain(this.helia.pins.add(cid));
      }
    } catch (error) {
      if (!(error instanceof Error && error.name === "AlreadyPinnedError")) {
        throw this.storageError("put", error);
      }
    }
    return ref;
  }

  async get(ref: ContentRef): Promise<Uint8Array> {
    this.assertOpen("get");
    const cid = parseContentRef(ref);
    let bytes: Uint8Array;
    try {
      if (!(await this.helia.blockstore.has(cid))) {
        throw new NotFoundError(ref);
      }
      bytes = await this.readBlock(cid);
    } catch (error) {
      if (error instanceof Error && (NOT_FOUND_ERROR_NAMES.has(error.name) || errorCode(error) === "ENOENT")) {
        throw new NotFoundError(ref);
      }
      throw this.storageError("get", error);
    }
    verifyContent(ref, bytes);
    return bytes;
  }

  async has(ref: ContentRef): Promise<boolean> {
    this.assertOpen("has");
    const cid = parseContentRef(ref);
    try {
      return await this.helia.blockstore.has(cid);
    } catch (error) {
      throw this.storageError("has", error);
    }
  }

  async delete(ref: ContentRef): Promise<void> {
    this.assertOpen("delete");
    const cid = parseContentRef(ref);
    try {
      if (await this.helia.pins.isPinned(cid)) {
        await drain(this.helia.pins.rm(cid));
      }
      await this.helia.blockstore.delete(cid);
    } catch (error) {
      throw this.storageError("delete", error);
    }
  }

  async *list(): AsyncIterable<ContentRef> {
    this.assertOpen("list");
    let shards: string[];
    try {
      shards = await readdir(this.blocks.path);
    } catch (error) {
      throw this.storageError("list", error);
    }
    for (const shard of shards) {
      let names: string[];
      try {
        names = await readdir(join(this.blocks.path, shard));
      } catch (error) {
        if (errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR") {
          continue;
        }
        throw this.storageError("list", error);
      }
      for (const name of names) {
        const ref = refOfBlockFile(name);
        if (ref !== undefined) {
          yield ref;
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    try {
      await this.helia.stop();
      await this.blocks.close();
      await this.datastore.close();
    } catch (error) {
      throw this.storageError("close", error);
    }
  }

  private async readBlock(cid: CID): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.helia.blockstore.get(cid, { offline: true })) {
      chunks.push(chunk);
    }
    return concat(chunks);
  }

  private assertOpen(operation: StorageOperation): void {
    if (this.closed) {
      throw new StorageError("helia", operation, "closed");
    }
  }

  private storageError(operation: StorageOperation, error: unknown): CareLedgerError {
    return toStorageError("helia", operation, error);
  }
}

/** blockstore-fs names files "B" + BASE32UPPER(multihash) + ".data"; temp files and strays do not match. */
function refOfBlockFile(name: string): ContentRef | undefined {
  if (!BLOCK_FILE_RE.test(name)) {
    return undefined;
  }
  try {
    const digest = decodeDigest(base32upper.decode(name.slice(0, -".data".length)));
    if (digest.code !== SHA2_256_CODE || digest.digest.length !== SHA2_256_LENGTH) {
      return undefined;
    }
    return CID.createV1(raw.code, digest).toString();
  } catch {
    return undefined;
  }
}

async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const item of source) {
    void item;
  }
}
