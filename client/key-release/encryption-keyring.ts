import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";

import { getAddress, hexlify, getBytes, type Signer } from "ethers";

import { InvalidArgumentError, StorageError } from "../errors.js";
import { writeJsonFileAtomic } from "../storage/atomic-file.js";
import type { EncryptionKeyRegistry } from "../../typechain-types/index.js";
import { encryptionPublicKeyOf, generateEncryptionKeyPair, type EncryptionKeyPair } from "./hpke.js";

const FORMAT = "careledger-encryption-keys";
const FORMAT_VERSION = 1;

/** One version of an account's X25519 key, as published in the EncryptionKeyRegistry. */
export interface KeyringEntry extends EncryptionKeyPair {
  /** The registry's version number (0 while not yet published). */
  readonly version: number;
}

interface KeyringFile {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  account: string;
  keys: { version: number; privateKey: string }[];
}

/**
 * An account's X25519 private keys, every version it ever published, in one JSON file of its own
 * data directory (mode 0600, replaced atomically). Old versions are kept so that what was sealed
 * to them stays readable after a rotation; `current()` is the key new records are sealed to.
 */
export class EncryptionKeyring {
  readonly #entries: KeyringEntry[];

  private constructor(
    readonly path: string | undefined,
    readonly account: string,
    entries: KeyringEntry[],
  ) {
    this.#entries = entries;
  }

  /** Opens the keyring file at `path`, creating it (with a fresh key) when absent. */
  static async open(path: string, account: string): Promise<EncryptionKeyring> {
    const owner = getAddress(account);
    let text: string | undefined;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        throw new StorageError("local-disk", "get", "io", (error as NodeJS.ErrnoException).code, { cause: error });
    }
    if (text === undefined) {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const keyring = new EncryptionKeyring(path, owner, [{ version: 0, ...generateEncryptionKeyPair() }]);
      await keyring.#save();
      return keyring;
    }
    return new EncryptionKeyring(path, owner, parseKeyringFile(text, owner));
  }

  /** A keyring that lives only in memory (tests, short-lived tools). */
  static inMemory(account: string, pair: EncryptionKeyPair = generateEncryptionKeyPair()): EncryptionKeyring {
    return new EncryptionKeyring(undefined, getAddress(account), [{ version: 0, ...pair }]);
  }

  /** The newest key: the one to publish and to receive new records with. */
  current(): KeyringEntry {
    return this.#entries[this.#entries.length - 1];
  }

  /** Every key, oldest first. */
  entries(): readonly KeyringEntry[] {
    return this.#entries;
  }

  /** The key published as `version`, if this keyring holds it. */
  byVersion(version: number): KeyringEntry | undefined {
    return this.#entries.find((entry) => entry.version === version && version !== 0);
  }

  /** The key whose public half is `publicKey`. */
  byPublicKey(publicKey: Uint8Array | string): KeyringEntry | undefined {
    const wanted = hexlify(publicKey).toLowerCase();
    return this.#entries.find((entry) => hexlify(entry.publicKey).toLowerCase() === wanted);
  }

  /** Adds a fresh key as the newest (unpublished until `publish`); old keys stay. */
  async rotate(): Promise<KeyringEntry> {
    const entry = { version: 0, ...generateEncryptionKeyPair() };
    this.#entries.push(entry);
    await this.#save();
    return entry;
  }

  /**
   * Publishes the current key in the registry unless the registry already has it as the account's
   * newest key, and records the version the registry assigned. `signer` must be the account.
   * Returns the published version.
   */
  async publish(registry: EncryptionKeyRegistry, signer: Signer): Promise<number> {
    const signerAddress = getAddress(await signer.getAddress());
    if (signerAddress !== this.account) throw new InvalidArgumentError("signer", `the keyring's own account`);
    const current = this.current();
    const [onChainVersion, onChainKey] = await registry.currentEncryptionKey(this.account);
    if (onChainVersion !== 0n && getBytes(onChainKey).every((byte, i) => byte === current.publicKey[i])) {
      return this.#setVersion(current, Number(onChainVersion));
    }
    const receipt = await (await registry.connect(signer).publishEncryptionKey(hexlify(current.publicKey))).wait();
    let version = Number(onChainVersion) + 1;
    for (const log of receipt?.logs ?? []) {
      const parsed = registry.interface.parseLog(log);
      if (parsed?.name === "EncryptionKeyPublished") version = Number(parsed.args.version);
    }
    return this.#setVersion(current, version);
  }

  /** Records that the current key is published as `version` (after the caller's own transaction). */
  async markCurrentPublished(version: number): Promise<void> {
    await this.#setVersion(this.current(), version);
  }

  async #setVersion(entry: KeyringEntry, version: number): Promise<number> {
    if (entry.version === version) return version;
    const index = this.#entries.indexOf(entry);
    this.#entries[index] = { ...entry, version };
    await this.#save();
    return version;
  }

  async #save(): Promise<void> {
    if (this.path === undefined) return;
    const file: KeyringFile = {
      format: FORMAT,
      version: FORMAT_VERSION,
      account: this.account,
      keys: this.#entries.map((entry) => ({ version: entry.version, privateKey: hexlify(entry.privateKey) })),
    };
    await writeJsonFileAtomic(this.path, file, { mode: 0o600 });
  }
}

function parseKeyringFile(text: string, account: string): KeyringEntry[] {
  const bad = (): never => {
    throw new StorageError("local-disk", "get", "unexpected-response");
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return bad();
  }
  const file = data as Partial<KeyringFile>;
  if (
    file.format !== FORMAT ||
    file.version !== FORMAT_VERSION ||
    !Array.isArray(file.keys) ||
    file.keys.length === 0
  ) {
    return bad();
  }
  if (typeof file.account !== "string" || getAddress(file.account) !== account) {
    throw new InvalidArgumentError("keyring", "a keyring file of this account");
  }
  return file.keys.map((key) => {
    if (
      typeof key.version !== "number" ||
      typeof key.privateKey !== "string" ||
      !/^0x[0-9a-f]{64}$/i.test(key.privateKey)
    ) {
      return bad();
    }
    const privateKey = getBytes(key.privateKey);
    return { version: key.version, privateKey, publicKey: encryptionPublicKeyOf(privateKey) };
  });
}
