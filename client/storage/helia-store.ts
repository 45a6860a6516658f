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
import { ContentUnreachableError, IntegrityError, NotFoundError, StorageError } from "../errors.js";
import type { ContentRef } from "./content-ref.js";
import { SHA2_256_CODE, SHA2_256_LENGTH, contentRefOf, parseContentRef } from "./content-ref.js";
import type { ContentStore } from "./content-store.js";
import { assertBytes, assertOpen, openBlock, probeHas, readVerified } from "./checked-access.js";
import { DurableFsBlockstore, concat } from "./durable-fs-blockstore.js";
import { startNetworkedHelia, type NetworkedHelia } from "./helia-network.js";
import { errorCode, toStorageError } from "./storage-errors.js";

const BLOCK_FILE_RE = /^[A-Z2-7]+\.data$/;
const NOT_FOUND_ERROR_NAMES = new Set(["NotFoundError", "BlockNotFoundWhileOfflineError"]);

/** libp2p networking of a HeliaStore: where it listens and which peers it fetches from. */
export interface HeliaNetworkOptions {
  /** Multiaddrs to listen on, e.g. `/ip4/127.0.0.1/tcp/4101` (port 0 picks one). Default: none (dial only). */
  readonly listen?: readonly string[];
  /** Peers to dial, as multiaddrs ending in `/p2p/<peer id>`. No public bootstrap, no DHT: only these. */
  readonly peers?: readonly string[];
  /** How long a read waits for a block from the peers. Default 10,000 ms. */
  readonly fetchTimeoutMs?: number;
}

/**
 * ContentStore on an in-process Helia (IPFS) node. Blocks are raw-codec, sha2-256, so refs equal
 * LocalDiskStore's and Kubo's.
 *
 * Offline by default: no libp2p, no routers, no block brokers. With `network`, the node runs libp2p
 * over TCP (noise encryption, yamux), dials the configured peers and exchanges blocks with bitswap:
 * it serves what it pins to its peers, and a block it lacks is fetched from them, verified against
 * its CID (Helia checks the hash before handing it over, and so does `get`) and kept. No public
 * bootstrap, no DHT: an organisation names its peers. The peer identity (an Ed25519 key) lives in
 * `<directory>/peer-key`, so the node's multiaddr stays the same across restarts.
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
    private readonly network: NetworkedHelia | undefined,
  ) {}

  static async open(directory: string, options: { network?: HeliaNetworkOptions } = {}): Promise<HeliaStore> {
    const blocks = new DurableFsBlockstore(join(directory, "blocks"));
    const datastore = new FsDatastore(join(directory, "datastore"));
    try {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await blocks.open();
      await datastore.open();
      const light = createHeliaLight({ blockstore: blocks, datastore });
      if (options.network === undefined) {
        await light.start();
        return new HeliaStore(light, blocks, datastore, undefined);
      }
      const network = await startNetworkedHelia(light, directory, options.network);
      return new HeliaStore(network.helia, blocks, datastore, network);
    } catch (error) {
      await Promise.allSettled([blocks.close(), datastore.close()]);
      throw toStorageError("helia", "open", error);
    }
  }

  /** The multiaddrs other organisations dial to reach this node (empty when offline). */
  get multiaddrs(): string[] {
    return this.network?.helia.libp2p.getMultiaddrs().map((address) => address.toString()) ?? [];
  }

  /** Dials `peer` (a multiaddr with /p2p/<id>) now, in addition to the configured peers. */
  async addPeer(peer: string): Promise<void> {
    assertOpen("helia", this.closed, "open");
    if (this.network === undefined) throw new StorageError("helia", "open", "unavailable");
    this.network.peers.add(peer);
    await this.network.dialPeers();
  }

  /** File holding the block of `ref` (for audits and operational tooling). */
  blockPathOf(ref: ContentRef): string {
    return this.blocks.pathOf(parseContentRef(ref));
  }

  async put(bytes: Uint8Array): Promise<ContentRef> {
    assertOpen("helia", this.closed, "put");
    assertBytes(bytes);
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
    const cid = openBlock("helia", this.closed, "get", ref);
    return readVerified(
      "helia",
      ref,
      async () => {
        if (await this.blocks.has(cid)) return this.readBlock(cid);
        if (this.network === undefined) throw new NotFoundError(ref);
        return this.network.fetch(cid, ref);
      },
      isHeliaNotFound,
    );
  }

  async has(ref: ContentRef): Promise<boolean> {
    const cid = openBlock("helia", this.closed, "has", ref);
    return probeHas(
      "helia",
      async () => this.helia.blockstore.has(cid),
      () => false,
    );
  }

  async delete(ref: ContentRef): Promise<void> {
    const cid = openBlock("helia", this.closed, "delete", ref);
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
    assertOpen("helia", this.closed, "list");
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

/** Helia's and blockstore-fs' ways of saying a block is absent; the peers' answers are already typed. */
function isHeliaNotFound(error: unknown): boolean {
  if (error instanceof ContentUnreachableError || error instanceof IntegrityError) return false;
  return error instanceof Error && (NOT_FOUND_ERROR_NAMES.has(error.name) || errorCode(error) === "ENOENT");
}

async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const item of source) {
    void item;
  }
}
