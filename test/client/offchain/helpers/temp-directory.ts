import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory under the OS temp dir; remove it with `removeDirectory`. */
export async function makeTempDirectory(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `careledger-${label}-`));
}

export async function removeDirectory(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
