import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";

import { InputPathError } from "../errors.js";

const WAITING_LIST_FILE = /\.csv(\.gz)?$/i;

async function walk(directory: string, found: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walk(path, found);
    else if (entry.isFile() && WAITING_LIST_FILE.test(entry.name)) found.push(path);
  }
}

/**
 * Turns the user's files and folders into the list of files to read: folders are searched recursively for
 * .csv and .csv.gz files in name order; a file named explicitly is read whatever its extension. The same file
 * reached twice (named twice, or through a folder and by name) is read once.
 */
export async function expandInputPaths(paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) throw new InputPathError("none-given", []);
  const files: string[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new InputPathError("not-found", [path]);
    }
    const candidates: string[] = [];
    if (info.isDirectory()) await walk(path, candidates);
    else candidates.push(path);
    for (const candidate of candidates) {
      const canonical = await realpath(candidate);
      if (seen.has(canonical)) continue;
      seen.add(canonical);
      files.push(candidate);
    }
  }
  if (files.length === 0) throw new InputPathError("no-csv-files", paths);
  return files;
}
