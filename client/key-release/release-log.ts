import { open, readFile, truncate, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

import { StorageError } from "../errors.js";
import { fsyncDirectory } from "../storage/atomic-file.js";

/** One release, as the custodian logs it and the patient lists it. */
export interface ReleaseLogEntry {
  requester: string;
  patient: string;
  commitment: string;
  purpose: number;
  /** Zero for a record anchored on its own. */
  batchRoot: string;
  /** The block whose state allowed the release. */
  blockNumber: number;
  nonce: string;
  /** When the request stopped being valid (unix seconds); keeps replay protection across restarts. */
  expiresAt: number;
  /** ISO 8601 time of the release. */
  releasedAt: string;
  /** The share's position in the record's bundle. */
  index: number;
}

const KEYS: readonly (keyof ReleaseLogEntry)[] = [
  "requester",
  "patient",
  "commitment",
  "purpose",
  "batchRoot",
  "blockNumber",
  "nonce",
  "expiresAt",
  "releasedAt",
  "index",
];

interface Pending {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The custodian's durable release log: one JSON line per release, appended and fsynced before the
 * share is answered (group commit: lines that arrive while a sync runs share the next one). A kill
 * can only tear the last line; `open` drops it (the request it belonged to was never answered).
 * A damaged line anywhere else means the file was altered, and `open` refuses it.
 */
export class ReleaseLog {
  readonly #path: string;
  #handle: FileHandle | undefined;
  #queue: Pending[] = [];
  #flushing = false;
  #broken: unknown;
  readonly #recovered: ReleaseLogEntry[];

  private constructor(path: string, handle: FileHandle, recovered: ReleaseLogEntry[]) {
    this.#path = path;
    this.#handle = handle;
    this.#recovered = recovered;
  }

  /** Opens (creating) the log, dropping a torn last line. */
  static async open(path: string): Promise<ReleaseLog> {
    let text = "";
    let existed = true;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw ioError("open", error);
      existed = false;
    }
    const lines = text.split("\n");
    // The text after the last newline is a torn write (or empty).
    const torn = lines.pop() ?? "";
    const entries: ReleaseLogEntry[] = [];
    let keptBytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const entry = parseEntry(lines[i]);
      if (entry === undefined) {
        // A fully written but unreadable last line (zero-filled blocks after a crash) is torn too.
        if (i === lines.length - 1) break;
        throw new StorageError("local-disk", "open", "unexpected-response");
      }
      entries.push(entry);
      keptBytes += Buffer.byteLength(lines[i], "utf8") + 1;
    }
    if (keptBytes !== Buffer.byteLength(text, "utf8") || torn.length > 0) {
      try {
        await truncate(path, keptBytes);
      } catch (error) {
        throw ioError("open", error);
      }
    }
    let handle: FileHandle;
    try {
      handle = await open(path, "a", 0o600);
      if (!existed || keptBytes !== Buffer.byteLength(text, "utf8")) {
        await handle.sync();
        await fsyncDirectory(dirname(path));
      }
    } catch (error) {
      throw ioError("open", error);
    }
    return new ReleaseLog(path, handle, entries);
  }

  /** The entries found when the log was opened (for rebuilding replay protection). */
  recovered(): readonly ReleaseLogEntry[] {
    return this.#recovered;
  }

  /** Appends `entry`; resolves once it is on disk (fsynced). */
  append(entry: ReleaseLogEntry): Promise<void> {
    if (this.#broken !== undefined || this.#handle === undefined) {
      return Promise.reject(new StorageError("local-disk", "put", this.#handle === undefined ? "closed" : "io"));
    }
    const line = `${JSON.stringify(pick(entry))}\n`;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          const handle = this.#handle;
          if (handle === undefined) throw new StorageError("local-disk", "put", "closed");
          await handle.write(batch.map((p) => p.line).join(""));
          await handle.datasync();
          for (const p of batch) p.resolve();
        } catch (error) {
          // After a failed write the file may end in a torn line: stop appending (a restart repairs it).
          this.#broken = error;
          const failure = error instanceof StorageError ? error : ioError("put", error);
          for (const p of [...batch, ...this.#queue]) p.reject(failure);
          this.#queue = [];
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** Every entry on disk whose patient is `patient` (checksummed address). */
  async entriesOf(patient: string): Promise<ReleaseLogEntry[]> {
    let text: string;
    try {
      text = await readFile(this.#path, "utf8");
    } catch (error) {
      throw ioError("list", error);
    }
    const out: ReleaseLogEntry[] = [];
    for (const line of text.split("\n")) {
      const entry = parseEntry(line);
      if (entry !== undefined && entry.patient === patient) out.push(entry);
    }
    return out;
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    while (this.#flushing || this.#queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }
}

function pick(entry: ReleaseLogEntry): ReleaseLogEntry {
  const out = {} as Record<string, unknown>;
  for (const key of KEYS) out[key] = entry[key];
  return out as unknown as ReleaseLogEntry;
}

function parseEntry(line: string): ReleaseLogEntry | undefined {
  if (line.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  for (const key of ["requester", "patient", "commitment", "batchRoot", "nonce", "releasedAt"]) {
    if (typeof entry[key] !== "string") return undefined;
  }
  for (const key of ["purpose", "blockNumber", "expiresAt", "index"]) {
    if (typeof entry[key] !== "number") return undefined;
  }
  return pick(entry as unknown as ReleaseLogEntry);
}

function ioError(operation: "open" | "put" | "list", error: unknown): StorageError {
  return new StorageError("local-disk", operation, "io", (error as NodeJS.ErrnoException).code, { cause: error });
}
