import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ZeroAddress, getBytes, hexlify, type Wallet } from "ethers";

import { ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../../client/care-types.js";
import { commitmentOf, recordCommitmentOf } from "../../client/crypto/commitment.js";
import { deployCareLedger, type CareLedgerContracts } from "../../client/deploy.js";
import type { DeploymentFile } from "../../client/deployment-file.js";
import {
  CustodianService,
  type CustodianLimits,
  type RunningCustodian,
} from "../../client/key-release/custodian-service.js";
import { EncryptionKeyring } from "../../client/key-release/encryption-keyring.js";
import { KeyReleaseClient, fetchCustodianKeys } from "../../client/key-release/key-release-client.js";
import { splitDataKey, type ShareBundle } from "../../client/key-release/share-bundle.js";
import type { CareLedgerAddresses } from "../../client/sdk/contract-abis.js";
import { DAY } from "../../client/time-units.js";
import { startHardhatNode, type HardhatNode } from "../helpers/node.js";

/** Development account indexes of the parties. */
export const ACCOUNTS = {
  deployer: 0,
  doctor: 1,
  reader: 2,
  suspended: 3,
  revoked: 4,
  patient: 5,
  stranger: 6,
  attacker: 7,
  custodians: [10, 11, 12],
  processCustodian: 13,
} as const;

/** A record made directly through the contracts: what the SDK would store, minus the payload. */
export interface TestRecord {
  patient: string;
  author: string;
  commitment: string;
  salt: Uint8Array;
  envelopeHash: string;
  dataKey: Uint8Array;
  bundle: ShareBundle;
  batch?: { root: string; recordType: number; sensitive: boolean; proof: string[] };
}

export interface ReleaseWorld {
  node: HardhatNode;
  contracts: CareLedgerContracts;
  addresses: CareLedgerAddresses;
  chainId: bigint;
  dir: string;
  wallet(index: number): Wallet;
  /** In-process custodians (index -> running service); `startCustodian` restarts one. */
  custodians: (RunningCustodian | undefined)[];
  custodianDirs: string[];
  startCustodian(i: number, limits?: Partial<CustodianLimits>, confirmations?: number): Promise<RunningCustodian>;
  /** A requester's published keyring (published once per account). */
  keyringOf(index: number): Promise<EncryptionKeyring>;
  clientFor(index: number, custodians?: readonly { url: string; address: string }[]): Promise<KeyReleaseClient>;
  makeRecord(options?: {
    author?: number;
    sensitive?: boolean;
    custodians?: readonly string[];
    threshold?: number;
  }): Promise<TestRecord>;
  grant(record: TestRecord, grantee: number, purpose?: Purpose): Promise<string>;
  revoke(record: TestRecord, grantId: string): Promise<void>;
  deploymentFile(): Promise<string>;
  stop(): Promise<void>;
}

export function commitmentFrom(salt: Uint8Array, envelopeHash: string): string {
  return commitmentOf(salt, getBytes(envelopeHash));
}

/** A node with CareLedger deployed, providers registered and three in-process custodians. */
export async function startReleaseWorld(): Promise<ReleaseWorld> {
  const node = await startHardhatNode();
  const dir = await mkdtemp(join(tmpdir(), "careledger-release-"));
  const deployer = node.wallet(ACCOUNTS.deployer);
  const contracts = await deployCareLedger(deployer);
  const addresses = Object.fromEntries(
    await Promise.all(Object.entries(contracts).map(async ([name, c]) => [name, await c.getAddress()])),
  ) as CareLedgerAddresses;
  const { chainId } = await node.provider.getNetwork();
  for (const index of [ACCOUNTS.doctor, ACCOUNTS.reader, ACCOUNTS.suspended, ACCOUNTS.revoked, ACCOUNTS.attacker]) {
    await (
      await contracts.directory.registerProvider(node.wallet(index).address, {
        kind: ProviderKind.Doctor,
        form: ProviderForm.Practitioner,
        hipaa: HipaaRole.CoveredEntity,
        organisation: ZeroAddress,
      })
    ).wait();
  }
  const keyrings = new Map<number, EncryptionKeyring>();
  const custodianDirs = ACCOUNTS.custodians.map((_, i) => join(dir, `custodian-${i}`));
  const world: ReleaseWorld = {
    node,
    contracts,
    addresses,
    chainId,
    dir,
    wallet: (index) => node.wallet(index),
    custodians: [],
    custodianDirs,
    startCustodian: async (i, limits, confirmations) => {
      const running = await CustodianService.start({
        dataDir: custodianDirs[i],
        rpcUrl: node.url,
        addresses,
        signer: node.wallet(ACCOUNTS.custodians[i]),
        limits,
        confirmations,
      });
      world.custodians[i] = running;
      return running;
    },
    keyringOf: async (index) => {
      let keyring = keyrings.get(index);
      if (keyring === undefined) {
        const wallet = node.wallet(index);
        keyring = EncryptionKeyring.inMemory(wallet.address);
        await keyring.publish(contracts.keyRegistry, wallet);
        keyrings.set(index, keyring);
      }
      return keyring;
    },
    clientFor: async (index, custodians) =>
      new KeyReleaseClient({
        custodians:
          custodians ??
          world.custodians.map((c, i) => ({
            url: c?.url ?? "http://127.0.0.1:9",
            address: node.wallet(ACCOUNTS.custodians[i]).address,
          })),
        threshold: 2,
        signer: node.wallet(index),
        keyring: await world.keyringOf(index),
        chainId,
        addresses,
        timeoutMs: 5_000,
      }),
    makeRecord: async (options = {}) => {
      const author = node.wallet(options.author ?? ACCOUNTS.doctor);
      const patient = node.wallet(ACCOUNTS.patient).address;
      const salt = Uint8Array.from(randomBytes(32));
      const envelopeHash = hexlify(randomBytes(32));
      const content = commitmentFrom(salt, envelopeHash);
      await (
        await contracts.registry
          .connect(author)
          .anchorRecord(patient, content, RecordType.ClinicalNote, options.sensitive ?? false)
      ).wait();
      // The registry, the grants and the custodians name the record by its record commitment.
      const commitment = recordCommitmentOf(author.address, content);
      const dataKey = Uint8Array.from(randomBytes(32));
      const custodianAddresses = options.custodians ?? ACCOUNTS.custodians.map((index) => node.wallet(index).address);
      const keys = await fetchCustodianKeys(contracts.keyRegistry, custodianAddresses);
      const bundle = await splitDataKey(Uint8Array.from(dataKey), keys, options.threshold ?? 2, {
        chainId,
        registry: addresses.registry,
        patient,
        salt,
        author: author.address,
      });
      return { patient, author: author.address, commitment, salt, envelopeHash, dataKey, bundle };
    },
    grant: async (record, grantee, purpose = Purpose.Treatment) => {
      const patient = node.wallet(ACCOUNTS.patient);
      const latest = await node.provider.getBlock("latest");
      const request = {
        grantee: node.wallet(grantee).address,
        scope: ConsentScope.Record,
        scopeValue: record.commitment,
        purpose,
        validFrom: (latest?.timestamp ?? 0) - 60,
        validUntil: (latest?.timestamp ?? 0) + DAY,
      };
      const consent = contracts.consent.connect(patient);
      const grantId = await consent.grantConsent.staticCall(patient.address, request);
      await (await consent.grantConsent(patient.address, request)).wait();
      return grantId;
    },
    revoke: async (record, grantId) => {
      const patient = node.wallet(ACCOUNTS.patient);
      await (await contracts.consent.connect(patient).revokeConsent(patient.address, grantId)).wait();
    },
    deploymentFile: async () => {
      const file: DeploymentFile = {
        version: 1,
        chainId: Number(chainId),
        network: "localhost",
        deployedAt: new Date().toISOString(),
        deployer: deployer.address,
        contracts: addresses as DeploymentFile["contracts"],
      };
      const path = join(dir, "deployment.json");
      await writeFile(path, JSON.stringify(file, null, 2));
      return path;
    },
    stop: async () => {
      for (const custodian of world.custodians) await custodian?.close();
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < ACCOUNTS.custodians.length; i++) await world.startCustodian(i);
  return world;
}

// Custodian processes start the way an operator starts them, from the one shared launcher.
export { spawnCustodian, type CustodianProcess } from "../../harness/custodian-process.js";
