import type { Signer } from "ethers";

import type { EncryptionKeyRegistry } from "../../../typechain-types/index.js";
import type { EncryptionKeyring } from "../../key-release/encryption-keyring.js";
import { KeyReleaseClient, type CustodianEndpoint, type ReleaseListing } from "../../key-release/key-release-client.js";
import {
  decodeShareBundle,
  encodeShareBundle,
  splitDataKey,
  type CustodianKey,
} from "../../key-release/share-bundle.js";
import { InvalidArgumentError } from "../../errors.js";
import { addressArgument } from "../arguments.js";
import { PublicKeyNotRegisteredError } from "../errors.js";
import type { KeySplitter } from "./record-crypto.js";

/** What the record service needs from the custodians: split a key on write, recover it on read. */
export interface CustodianAccess {
  readonly split: KeySplitter;
  /**
   * A splitter that reads the custodians' keys once and uses them for every key it splits: a batch
   * seals all its records for the custodians as they stand when it starts, in one round of reads.
   */
  splitter(): Promise<KeySplitter>;
  recover(target: RecoverTarget): Promise<Uint8Array>;
  /** The custodians' release logs for this client's own account as patient. */
  listReleases(): Promise<ReleaseListing>;
}

/** A record whose key a reader asks the custodians for. */
export interface RecoverTarget {
  readonly patient: string;
  readonly commitment: string;
  readonly purpose: number;
  readonly salt: Uint8Array;
  readonly envelopeHash: Uint8Array;
  /** The encoded share bundle from the envelope's key section. */
  readonly bundle: Uint8Array;
  /** For a batched record: its location; the custodians check the batch rule and its author. */
  readonly batch?: { root: string; recordType: number; sensitive: boolean; proof: readonly string[] };
}

export interface CustodianAccessOptions {
  readonly custodians: readonly CustodianEndpoint[];
  readonly threshold?: number;
  readonly timeoutMs?: number;
  readonly signer: Signer;
  readonly keyring: EncryptionKeyring;
  readonly chainId: bigint;
  readonly consent: string;
  readonly keyRegistry: EncryptionKeyRegistry;
  /** Runs a chain read through the client's retry policy (transient RPC failures are retried, then typed). */
  readonly read: <T>(operation: string, action: () => Promise<T>) => Promise<T>;
}

/**
 * Splits every record key this client writes among the deployment's custodians (any t of n
 * release it) and recovers keys through them. The custodians' encryption keys come from the
 * on-chain registry, read fresh for every write (once for a whole batch) so a custodian's rotation
 * is followed.
 */
export function custodianAccessFor(options: CustodianAccessOptions): CustodianAccess {
  const custodians = options.custodians.map((custodian) => ({
    url: custodian.url,
    address: addressArgument(custodian.address, "custodians.address"),
  }));
  const threshold = options.threshold ?? Math.floor(custodians.length / 2) + 1;
  if (custodians.length < 2 || threshold < 2 || threshold > custodians.length) {
    throw new InvalidArgumentError(
      "custodianThreshold",
      "at least 2 and at most the number of custodians (two or more)",
    );
  }
  const client = new KeyReleaseClient({
    custodians,
    threshold,
    signer: options.signer,
    keyring: options.keyring,
    chainId: options.chainId,
    addresses: { consent: options.consent },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const custodianKeys = async (): Promise<CustodianKey[]> =>
    Promise.all(
      custodians.map(async (custodian) => {
        const [version, publicKey] = await options.read("currentEncryptionKey", () =>
          options.keyRegistry.currentEncryptionKey(custodian.address),
        );
        if (version === 0n) throw new PublicKeyNotRegisteredError(custodian.address);
        return {
          address: custodian.address,
          version: Number(version),
          publicKey: Uint8Array.from(Buffer.from(publicKey.slice(2), "hex")),
        };
      }),
    );
  const splitterFor =
    (keys: readonly CustodianKey[]): KeySplitter =>
    async (dataKey, binding) =>
      encodeShareBundle(
        await splitDataKey(dataKey, [...keys], threshold, {
          chainId: binding.chainId,
          registry: binding.registry,
          patient: binding.patient,
          salt: binding.salt,
          author: binding.author,
        }),
      );
  return {
    split: async (dataKey, binding) => splitterFor(await custodianKeys())(dataKey, binding),
    splitter: async () => splitterFor(await custodianKeys()),
    recover: (target) =>
      client.recoverDataKey({
        patient: target.patient,
        commitment: target.commitment,
        purpose: target.purpose,
        salt: target.salt,
        envelopeHash: target.envelopeHash,
        bundle: decodeShareBundle(target.bundle),
        ...(target.batch === undefined ? {} : { batch: target.batch }),
      }),
    listReleases: () => client.listReleases(options.signer),
  };
}
