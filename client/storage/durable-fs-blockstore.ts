import { FsBlockstore } from "blockstore-fs";
import { NextToLast } from "blockstore-fs/sharding";
import type { CID } from "multiformats/cid";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";

import { writeFileAtomic } from "./atomic-file.js";

/**
 * blockstore-fs with durable writes. Upstream writes through a temp file and rename but
 * never fsyncs, so a power cut can leave a renamed yet empty block; this override writes
 * with `writeFileAtomic` (fsync file, rename, fsync directory). Layout is unchanged:
 * `<root>/<last 2 chars>/<BASE32UPPER(multihash)>.data`, the same as Kubo's flatfs.
 */
export class DurableFsBlockstore extends FsBlockstore {
  private readonly sharding: NextToLast;

  constructor(location: string) {
    const sharding = new NextToLast();
    super(location, { shardingStrategy: sharding });
    this.sharding = sharding;
  }

  /** File holding the block of `cid`. */
  pathOf(cid: CID): string {
    const { dir, file } = this.sharding.encode(cid);
    return join(this.path, dir, file);
  }

  override async put(
    key: CID,
    value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options?: { signal?: AbortSignal },
  ): Promise<CID> {
    options?.signal?.throwIfAborted();
    const bytes = await collect(value);
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, bytes);
    return key;
  }
}

async function collect(value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (value instanceof Uint8Array) {
    return value;
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of value) {
    chunks.push(chunk);
  }
  return concat(chunks);
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) {
    return chunks[0];
  }
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}
