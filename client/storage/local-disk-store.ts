import type { Dirent } from "node:fs";
import { mkdir, readFile, readdir, rm, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";

import type { CareLedgerError, StorageOperation } from "../errors.js";
import { NotFoundError, StorageError } from "../errors.js";
import { fsyncDirectory, isTempFileName, writeFileAtomic, writeJsonFileAtomic } from "./atomic-file.js";
import type { ContentRef } from "./content-ref.js";
import { contentRefOf, parseContentRef } from "./content-ref.js";
import type { ContentStore } from "./content-store.js";
import { assertBytes, assertOpen, probeHas, readVerified } from "./checked-access.js";
import { errorCode, toStorageError } from "./storage-errors.js";

const LAYOUT_FILE = "careledger-store.json";
const LAYOUT = { format: "careledger-local-disk-store", version: 1 } as const;
const SHARD_RE = /^[0-9a-f]{2}$/;

export interface LocalDiskStoreOptions {
  /**
   * Temp files older than this are crash leftovers and are deleted on open; younger ones
   * may belong to another process writing right now and are left alone. Default 10 minutes.
   */
  readonly tempFileGraceMs?: number;
}

const DEFAULT_TEMP_FILE_GRACE_MS = 10 * 60 * 1000;

/**
 * The default ContentStore: one file per blob under `<directory>/<xx>/<ref>`, where `xx`
 * is the first byte of the sha2-256 digest in hex (256 shards). Writes are atomic and
 * durable (temp file, fsync, rename, fsync directory); reads re-hash the bytes. Files and
 * directories are created owner-only (0600 / 0700). Several processes may share a directory:
 * renames are atomic and every writer of a ref writes the same bytes.
 */
export class LocalDiskStore implements ContentStore {
  private closed = false;

  private constructor(readonly directory: string) {}

  /** Opens (creating if needed) a store in `directory` and removes stale temp files. */
  static async open(directory: string, options: LocalDiskStoreOptions = {}): Promise<LocalDiskStore> {
    try {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      await ensureLayout(directory);
      await removeStaleTempFiles(directory, options.tempFileGraceMs ?? DEFAULT_TEMP_FILE_GRACE_MS);
    } catch (error) {
      throw storageError("open", error);
    }
    return new LocalDiskStore(directory);
  }

  /** Where the bytes of `ref` live on disk (for audits and operational tooling). */
  pathOf(ref: ContentRef): string {
    const digest = parseContentRef(ref).multihash.digest;
    return join(this.directory, shardOf(digest), ref);
  }

  async put(bytes: Uint8Array): Promise<ContentRef> {
    assertOpen("local-disk", this.closed, "put");
    assertBytes(bytes);
    const ref = contentRefOf(bytes);
    const path = this.pathOf(ref);
    try {
      const existing = await readIfPresent(path);
      // An intact copy makes put a no-op; a corrupted one is replaced (self-healing).
      if (existing !== undefined && contentRefOf(existing) === ref) {
        return ref;
      }
      const created = await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      if (created !== undefined) {
        await fsyncDirectory(this.directory);
      }
      await writeFileAtomic(path, bytes);
    } catch (error) {
      throw storageError("put", error);
    }
    return ref;
  }

  async get(ref: ContentRef): Promise<Uint8Array> {
    assertOpen("local-disk", this.closed, "get");
    const path = this.pathOf(ref);
    return readVerified(
      "local-disk",
      ref,
      async () => {
        const bytes = await readIfPresent(path);
        if (bytes === undefined) throw new NotFoundError(ref);
        return bytes;
      },
      () => false,
    );
  }

  async has(ref: ContentRef): Promise<boolean> {
    assertOpen("local-disk", this.closed, "has");
    const path = this.pathOf(ref);
    return probeHas(
      "local-disk",
      async () => (await stat(path)).isFile(),
      (error) => errorCode(error) === "ENOENT",
    );
  }

  async delete(ref: ContentRef): Promise<void> {
    assertOpen("local-disk", this.closed, "delete");
    const path = this.pathOf(ref);
    try {
      await unlink(path);
      await fsyncDirectory(dirname(path));
    } catch (error) {
      if (errorCode(error) === "ENOENT") {
        return;
      }
      throw storageError("delete", error);
    }
  }

  async *list(): AsyncIterable<ContentRef> {
    assertOpen("local-disk", this.closed, "list");
    let shards: Dirent[];
    try {
      shards = await readdir(this.directory, { withFileTypes: true });
    } catch (error) {
      throw storageError("list", error);
    }
    for (const shard of shards.filter((entry) => entry.isDirectory() && SHARD_RE.test(entry.name))) {
      let names: string[];
      try {
        names = await readdir(join(this.directory, shard.name));
      } catch (error) {
        if (errorCode(error) === "ENOENT") {
          continue;
        }
        throw storageError("list", error);
      }
      for (const name of names) {
        if (isStoredName(name, shard.name)) {
          yield name;
        }
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.resolve();
  }
}

function shardOf(digest: Uint8Array): string {
  return digest[0].toString(16).padStart(2, "0");
}

/** Temp files, stray files and misplaced blobs are not part of the store's content. */
function isStoredName(name: string, shard: string): boolean {
  if (isTempFileName(name)) {
    return false;
  }
  try {
    return shardOf(parseContentRef(name).multihash.digest) === shard;
  } catch {
    return false;
  }
}

async function ensureLayout(directory: string): Promise<void> {
  const path = join(directory, LAYOUT_FILE);
  const existing = await readIfPresent(path);
  if (existing === undefined) {
    await writeJsonFileAtomic(path, LAYOUT);
    return;
  }
  let layout: unknown;
  try {
    layout = JSON.parse(new TextDecoder().decode(existing));
  } catch {
    layout = undefined;
  }
  const compatible =
    typeof layout === "object" &&
    layout !== null &&
    (layout as Record<string, unknown>).format === LAYOUT.format &&
    (layout as Record<string, unknown>).version === LAYOUT.version;
  if (!compatible) {
    throw new StorageError("local-disk", "open", "incompatible-layout");
  }
}

async function removeStaleTempFiles(directory: string, graceMs: number): Promise<void> {
  const cutoff = Date.now() - graceMs;
  const directories = [directory];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.isDirectory() && SHARD_RE.test(entry.name)) {
      directories.push(join(directory, entry.name));
    }
  }
  for (const current of directories) {
    for (const name of await readdir(current)) {
      if (!isTempFileName(name)) {
        continue;
      }
      const path = join(current, name);
      try {
        if ((await stat(path)).mtimeMs <= cutoff) {
          await rm(path, { force: true });
        }
      } catch (error) {
        // Another process may have finished (renamed) or removed it meanwhile.
        if (errorCode(error) !== "ENOENT") {
          throw error;
        }
      }
    }
  }
}

async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if (errorCode(error) === "ENOENT") {
      return undefined;
    }
    throw error;
  }
}

function storageError(operation: StorageOperation, error: unknown): CareLedgerError {
  return toStorageError("local-disk", operation, error);
}
