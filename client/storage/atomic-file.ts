import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Temp files are `.<target name>.<16 hex>.tmp` in the target's directory. */
const TEMP_FILE_RE = /^\..+\.[0-9a-f]{16}\.tmp$/;

export function isTempFileName(name: string): boolean {
  return TEMP_FILE_RE.test(name);
}

export interface AtomicWriteOptions {
  /** Permission bits of a newly created file; owner-only by default since records are sensitive. */
  readonly mode?: number;
}

/**
 * Replaces `path` with `bytes` so that after a crash the file holds either the old or the
 * new content, never a mix: write a temp file in the same directory (same filesystem, so
 * rename is atomic), fsync it, rename it over the target, fsync the directory so the rename
 * itself is durable. The directory must exist. Throws Node's own errors (with `code`).
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const directory = dirname(path);
  const tempPath = join(directory, `.${basename(path)}.${randomBytes(8).toString("hex")}.tmp`);
  const handle = await open(tempPath, "wx", options.mode ?? 0o600);
  try {
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  await fsyncDirectory(directory);
}

/** `writeFileAtomic` of `JSON.stringify(value, null, 2)` plus a final newline. */
export async function writeJsonFileAtomic(
  path: string,
  value: unknown,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`), options);
}

/** Makes directory entry changes (create, rename, unlink) durable. */
export async function fsyncDirectory(directory: string): Promise<void> {
  if (process.platform === "win32") {
    // Windows cannot open a directory for fsync; NTFS journals metadata itself.
    return;
  }
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
