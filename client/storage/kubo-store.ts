import { create as createKuboClient } from "kubo-rpc-client";
import type { BlockPutOptions, HTTPRPCOptions, KuboRPCClient } from "kubo-rpc-client";
import * as raw from "multiformats/codecs/raw";

import type { CareLedgerError, StorageOperation } from "../errors.js";
import { InvalidArgumentError, StorageError } from "../errors.js";
import type { ContentRef } from "./content-ref.js";
import { contentRefOf, contentRefOfCid } from "./content-ref.js";
import type { ContentStore } from "./content-store.js";
import { assertBytes, assertOpen, openBlock, probeHas, readVerified } from "./checked-access.js";
import { toStorageError } from "./storage-errors.js";

export const DEFAULT_KUBO_URL = "http://127.0.0.1:5001";
export const KUBO_URL_ENV = "CARELEDGER_KUBO_URL";

/** `CARELEDGER_KUBO_URL`, or the local daemon's default RPC address. */
export function kuboUrlFromEnvironment(): string {
  const configured = process.env[KUBO_URL_ENV];
  return configured === undefined || configured === "" ? DEFAULT_KUBO_URL : configured;
}

export interface KuboStoreOptions {
  /** Kubo RPC API base URL; defaults to `kuboUrlFromEnvironment()`. */
  readonly url?: string;
  /** Per-request timeout. Default 30 s; the connection probe uses at most 5 s. */
  readonly timeoutMs?: number;
}

// `cid-codec=raw` with sha2-256 gives the same CIDv1 as the other backends for any size.
// Kubo refuses blocks over 1 MiB unless allowed: sealed records of a full 1 MiB payload
// are 77 bytes over. Such blocks are stored and served by this daemon, but bitswap peers
// may refuse blocks over 2 MiB, so records should stay well below MAX_PAYLOAD_BYTES when
// they must replicate.
const BLOCK_PUT_OPTIONS: BlockPutOptions & { readonly cidCodec: string } = {
  cidCodec: "raw",
  mhtype: "sha2-256",
  pin: true,
  allowBigBlock: true,
};

// Kubo's global `offline` option stops block reads from searching the network for blocks
// this daemon does not hold (which would hang until the timeout).
const OFFLINE: HTTPRPCOptions & { readonly offline: boolean } = { offline: true };

const NOT_FOUND_RE = /not found|could not find|no such block/i;
const NOT_PINNED_RE = /not pinned/i;

/** Kubo says a block is absent only in its error message. */
function isKuboNotFound(error: unknown): boolean {
  return error instanceof Error && NOT_FOUND_RE.test(error.message);
}

/**
 * ContentStore backed by a Kubo (go-ipfs) daemon over its RPC API. Blocks are put raw and
 * pinned recursively; delete unpins and removes the block. `list` reports recursive pins of
 * raw sha2-256 blocks, so on a daemon shared with other applications it also reports their
 * pinned raw blocks.
 */
export class KuboStore implements ContentStore {
  private closed = false;

  private constructor(
    private readonly client: KuboRPCClient,
    private readonly timeoutMs: number,
  ) {}

  /** Connects and checks that the daemon answers (StorageError "unavailable" otherwise). */
  static async connect(options: KuboStoreOptions = {}): Promise<KuboStore> {
    const url = options.url ?? kuboUrlFromEnvironment();
    const timeoutMs = options.timeoutMs ?? 30_000;
    let client: KuboRPCClient;
    try {
      client = createKuboClient({ url });
    } catch {
      throw new InvalidArgumentError("url", "a Kubo RPC API URL");
    }
    try {
      await client.version({ signal: AbortSignal.timeout(Math.min(timeoutMs, 5_000)) });
    } catch (error) {
      throw new StorageError("kubo", "open", "unavailable", undefined, { cause: error });
    }
    return new KuboStore(client, timeoutMs);
  }

  async put(bytes: Uint8Array): Promise<ContentRef> {
    assertOpen("kubo", this.closed, "put");
    assertBytes(bytes);
    const ref = contentRefOf(bytes);
    let stored: ContentRef | undefined;
    try {
      stored = contentRefOfCid(await this.client.block.put(bytes, { ...BLOCK_PUT_OPTIONS, signal: this.signal() }));
    } catch (error) {
      throw this.storageError("put", error);
    }
    if (stored !== ref) {
      throw new StorageError("kubo", "put", "unexpected-response");
    }
    return ref;
  }

  async get(ref: ContentRef): Promise<Uint8Array> {
    const cid = openBlock("kubo", this.closed, "get", ref);
    return readVerified(
      "kubo",
      ref,
      () => this.client.block.get(cid, { ...OFFLINE, signal: this.signal() }),
      isKuboNotFound,
    );
  }

  async has(ref: ContentRef): Promise<boolean> {
    const cid = openBlock("kubo", this.closed, "has", ref);
    return probeHas(
      "kubo",
      async () => {
        await this.client.block.stat(cid, { ...OFFLINE, signal: this.signal() });
        return true;
      },
      isKuboNotFound,
    );
  }

  async delete(ref: ContentRef): Promise<void> {
    const cid = openBlock("kubo", this.closed, "delete", ref);
    try {
      try {
        await this.client.pin.rm(cid, { signal: this.signal() });
      } catch (error) {
        if (!(error instanceof Error && NOT_PINNED_RE.test(error.message))) {
          throw error;
        }
      }
      for await (const result of this.client.block.rm(cid, { force: true, signal: this.signal() })) {
        if (result.error !== undefined && !NOT_FOUND_RE.test(result.error.message)) {
          throw result.error;
        }
      }
    } catch (error) {
      throw this.storageError("delete", error);
    }
  }

  async *list(): AsyncIterable<ContentRef> {
    assertOpen("kubo", this.closed, "list");
    const seen = new Set<ContentRef>();
    try {
      for await (const pin of this.client.pin.ls({ type: "recursive", signal: this.signal() })) {
        // Only raw blocks: dag-pb roots pinned by `ipfs add` are other applications' files.
        const ref = pin.cid.code === raw.code ? contentRefOfCid(pin.cid) : undefined;
        if (ref !== undefined && !seen.has(ref)) {
          seen.add(ref);
          yield ref;
        }
      }
    } catch (error) {
      throw this.storageError("list", error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.resolve();
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.timeoutMs);
  }

  private storageError(operation: StorageOperation, error: unknown): CareLedgerError {
    return toStorageError("kubo", operation, error);
  }
}
