import { getAddress, getBytes } from "ethers";

import type { EncryptionKeyRegistry } from "../../../typechain-types/index.js";
import type { EncryptionKeyring } from "../../key-release/encryption-keyring.js";
import { PublicKeyNotRegisteredError } from "../errors.js";
import type { DirectReader } from "../records/record-keys.js";

/**
 * Who can receive a record key: every account's X25519 key as published in the on-chain
 * EncryptionKeyRegistry, the only place a party on another machine can learn it from. Only the
 * account itself can publish its key, so a substituted key cannot be slipped in by a store, a
 * directory file or another party. Always read fresh: a rotation takes effect on the next write.
 */
export class EncryptionKeyDirectory {
  constructor(
    private readonly registry: EncryptionKeyRegistry,
    private readonly read: <T>(operation: string, action: () => Promise<T>) => Promise<T>,
    /** This client's own keyring: its current key is known without a call once published. */
    readonly keyring: EncryptionKeyring,
  ) {}

  /** The current key of `account`; PublicKeyNotRegisteredError when it never published one. */
  async readerOf(account: string): Promise<DirectReader> {
    const address = getAddress(account);
    const own = this.keyring.current();
    if (address === this.keyring.account && own.version !== 0) {
      return { address, version: own.version, publicKey: own.publicKey };
    }
    const [version, publicKey] = await this.read("currentEncryptionKey", () =>
      this.registry.currentEncryptionKey(address),
    );
    if (version === 0n) throw new PublicKeyNotRegisteredError(address);
    return { address, version: Number(version), publicKey: getBytes(publicKey) };
  }

  /** Whether `account` has published an encryption key. */
  async isRegistered(account: string): Promise<boolean> {
    const [version] = await this.read("currentEncryptionKey", () =>
      this.registry.currentEncryptionKey(getAddress(account)),
    );
    return version !== 0n;
  }
}
