import { readFile, writeFile } from "node:fs/promises";

/** Flips one bit in the middle of a file, bypassing any store (simulates disk corruption or tampering). */
export async function flipByteInFile(path: string): Promise<void> {
  const bytes = await readFile(path);
  if (bytes.length === 0) {
    throw new Error("cannot corrupt an empty file by flipping a byte");
  }
  bytes[bytes.length >> 1] ^= 0x01;
  await writeFile(path, bytes);
}
