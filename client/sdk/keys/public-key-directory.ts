import { open, readFile, rm, stat } from "node:fs/promises";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";

import { getAddress, type Signer } from "ethers";

import { addressOfPublicKey, assertPublicKeyMatchesAddress, toHex } from "../../crypto/index.js";
import { InvalidArgumentError, StorageError } from "../../errors.js";
import { writeJsonFileAtomic } from "../../storage/index.js";
import { PublicKeyNotRegisteredError } from "../errors.js";
import { sleep } from "../transport/retry.js";
import { Mutex } from "../transport/mutex.js";
import { publicKeyOfSigner } from "./signer-public-key.js";

const FORMAT = "careledger-public-keys";
const VERSION = 1;
const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

interface DirectoryFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  /** EIP-55 address -> compressed secp256k1 public key (0x-hex). */
  keys: Record<string, string>;
}

/**
 * Who can receive a wrapped record key: each account's secp256k1 public key, kept in a local JSON
 * file (written atomically, merged under a lock file so several processes can register) or in
 * memory. Every entry is verified against its address when added and when loaded: an entry whose
 * key does not hash to its address is never used, so a substituted key cannot receive data.
 * Parties register their own key from their signer (`register`).
 */
export class PublicKeyDirectory {
  readonly #keys = new Map<string, string>();
  readonly #mutex = new Mutex();
  /** Addresses whose stored key did not verify when the file was last loaded. */
  readonly rejected = new Set<string>();

  private constructor(readonly path: string | undefined) {}

  /** Opens the directory file at `path`, creating it on first registration. */
  static async open(path: string): Promise<PublicKeyDirectory> {
    const directory = new PublicKeyDirectory(path);
    await directory.reload();
    return directory;
  }

  /** A directory that lives only in this process. */
  static inMemory(entries: Readonly<Record<string, string>> = {}): PublicKeyDirectory {
    const directory = new PublicKeyDirectory(undefined);
    for (const [address, publicKey] of Object.entries(entries)) directory.#accept(address, publicKey);
    return directory;
  }

  /** Registers the signer's own public key (derived or recovered from a signature) and returns it. */
  async register(signer: Signer): Promise<{ address: string; publicKey: string }> {
    const [address, publicKey] = await Promise.all([signer.getAddress(), publicKeyOfSigner(signer)]);
    await this.add(address, publicKey);
    return { address: getAddress(address), publicKey };
  }

  /** Adds a key after checking that it belongs to `address` (InvalidPublicKeyError otherwise). */
  async add(address: string, publicKey: string): Promise<void> {
    const checked = toHex(assertPublicKeyMatchesAddress(publicKey, address).compressed);
    const account = getAddress(address);
    if (this.#keys.get(account) === checked) return;
    await this.#mutex.run(async () => {
      if (this.path === undefined) {
        this.#keys.set(account, checked);
        return;
      }
      await this.#withFileLock(async () => {
        await this.#load();
        this.#keys.set(account, checked);
        const file: DirectoryFile = { format: FORMAT, version: VERSION, keys: Object.fromEntries(this.#keys) };
        await writeJsonFileAtomic(this.path as string, file);
      });
    });
  }

  /** The verified public key of `address`, re-reading the file once when it is not known yet. */
  async publicKeyOf(address: string): Promise<string | undefined> {
    const account = getAddress(address);
    const known = this.#keys.get(account);
    if (known !== undefined || this.path === undefined) return known;
    await this.reload();
    return this.#keys.get(account);
  }

  /** Like `publicKeyOf`, but PublicKeyNotRegisteredError when there is none. */
  async require(address: string): Promise<string> {
    const key = await this.publicKeyOf(address);
    if (key === undefined) throw new PublicKeyNotRegisteredError(getAddress(address));
    return key;
  }

  /** Every verified entry. */
  entries(): ReadonlyMap<string, string> {
    return new Map(this.#keys);
  }

  /** Re-reads the file (entries added by other processes appear). */
  async reload(): Promise<void> {
    if (this.path === undefined) return;
    await this.#mutex.run(() => this.#load());
  }

  async #load(): Promise<void> {
    if (this.path === undefined) return;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as { code?: unknown }).code === "ENOENT") return;
      throw new StorageError("local-disk", "get", "io", (error as { code?: string }).code, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InvalidArgumentError("public key directory file", `a ${FORMAT} JSON document`);
    }
    const file = parsed as Partial<DirectoryFile>;
    if (file.format !== FORMAT || file.version !== VERSION || typeof file.keys !== "object" || file.keys === null) {
      throw new InvalidArgumentError("public key directory file", `a ${FORMAT} v${VERSION} JSON document`);
    }
    for (const [address, publicKey] of Object.entries(file.keys)) {
      if (typeof publicKey !== "string" || !this.#accept(address, publicKey)) this.rejected.add(address);
    }
  }

  #accept(address: string, publicKey: string): boolean {
    try {
      if (addressOfPublicKey(publicKey).toLowerCase() !== address.toLowerCase()) return false;
      this.#keys.set(getAddress(address), toHex(assertPublicKeyMatchesAddress(publicKey, address).compressed));
      return true;
    } catch {
      return false;
    }
  }

  /** A lock file next to the directory file, so read-merge-write is safe across processes. */
  async #withFileLock(action: () => Promise<void>): Promise<void> {
    const path = this.path as string;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const lockPath = `${path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lockPath, "wx", 0o600);
        await handle.close();
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== "EEXIST") throw error;
        try {
          if (Date.now() - (await stat(lockPath)).mtimeMs > LOCK_STALE_MS) await rm(lockPath, { force: true });
        } catch {
          // Released meanwhile.
        }
        if (Date.now() > deadline) throw new StorageError("local-disk", "put", "unavailable");
        await sleep(10 + Math.floor(Math.random() * 40));
      }
    }
    try {
      await action();
    } finally {
      await rm(lockPath, { force: true });
    }
  }
}
