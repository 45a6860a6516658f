import { createHash } from "node:crypto";

import { ZeroAddress, getAddress, id, keccak256, type ContractTransaction } from "ethers";

import type { RecordType } from "../../care-types.js";
import type { ContractName } from "../../deploy.js";
import { addressArgument, canonicalResource } from "../arguments.js";
import { locatorRefOf } from "../../crypto/index.js";
import { ContractRevertError, RecordSquattedError } from "../errors.js";
import type { LedgerCore } from "../ledger-core.js";
import type { RecordWriteResult } from "../results.js";
import type { MinedTransaction, PreparedCall, SendOptions } from "../transport/transaction-sender.js";
import { primaryManifest } from "./manifest-index.js";
import type { WorkflowLink } from "./manifest.js";
import type { RecordService } from "./record-service.js";
import type { JournalEntry } from "./write-journal.js";

/** Fresh seals tried when the chain shows each commitment anchored by someone else first. */
const MAX_SEAL_ATTEMPTS = 3;

/** One anchoring transaction for a new record. */
export interface AnchorCall {
  readonly contract: ContractName;
  readonly populated: Promise<ContractTransaction>;
}

/** Everything an operation that writes one record tells the shared write pipeline. */
export interface RecordWriteSpec<R> {
  readonly operation: string;
  readonly patient: string;
  readonly resource: unknown;
  readonly recordType: RecordType;
  readonly sensitive: boolean;
  readonly workflow?: WorkflowLink;
  readonly idempotencyKey?: string;
  /** Operation arguments that make two writes of the same resource different writes. */
  readonly keyParts?: readonly unknown[];
  /** Checks before anything is sealed (the signer's role). */
  readonly preflight?: () => Promise<void>;
  /** The anchoring call for a commitment. */
  readonly call: (commitment: string) => AnchorCall;
  /** The operation's own fields, decoded from the anchoring receipt (and state at its block). */
  readonly decode: (mined: MinedTransaction, commitment: string) => R | Promise<R>;
  readonly send?: SendOptions;
}

const ANCHOR_TOPICS = [
  id("RecordAnchored(address,bytes32,address,uint8,bool)"),
  id("RecordAmended(address,bytes32,bytes32,address,uint16,bool)"),
];

/**
 * The idempotency key of a write when the caller gives none: the same author writing the same
 * canonical resource for the same patient through the same operation (and arguments) is the same
 * write. Pass an explicit key to write an identical resource twice on purpose.
 */
export function deriveIdempotencyKey(
  core: LedgerCore,
  operation: string,
  patient: string,
  recordType: RecordType,
  sensitive: boolean,
  canonicalBytes: Uint8Array,
  keyParts: readonly unknown[] = [],
): string {
  const material = JSON.stringify([
    "careledger/idempotency/v1",
    core.chainId.toString(),
    core.addresses.registry.toLowerCase(),
    core.address.toLowerCase(),
    operation,
    patient.toLowerCase(),
    recordType,
    sensitive,
    keccak256(canonicalBytes),
    keyParts.map((part) => (typeof part === "bigint" ? part.toString() : part)),
  ]);
  return `derived:${createHash("sha256").update(material).digest("hex")}`;
}

/**
 * The one pipeline every single-record write goes through:
 *
 * 1. validate and canonicalise the FHIR resource (typed error, nothing written);
 * 2. under the idempotency key's lock, resume a journalled attempt if there is one;
 * 3. otherwise check the role, resolve readers' keys, seal, and simulate the anchoring call with the
 *    new commitment (a revert is a typed error, nothing written);
 * 4. store envelope, wrapped keys and manifest, and journal "prepared" (in parallel);
 * 5. broadcast, journal "sent" with the hash, wait for the receipt.
 *
 * A repeat after a crash at any point reuses the journalled commitment: if the chain already holds
 * it under this author and type, the existing result is returned; if not, the same commitment is
 * anchored. A second anchoring of one record cannot happen (the registry refuses it with
 * RecordRegistryAlreadyAnchored, which is mapped to the existing result). When the chain holds the
 * commitment under another author or type, someone anchored it first: the record is sealed again
 * with a fresh salt (RecordSquattedError after MAX_SEAL_ATTEMPTS).
 */
export async function anchoredWrite<R>(
  service: RecordService,
  spec: RecordWriteSpec<R>,
): Promise<R & RecordWriteResult> {
  const { core } = service;
  const patient = addressArgument(spec.patient, "patient");
  const canonicalBytes = canonicalResource(spec.resource);
  const key =
    spec.idempotencyKey ??
    deriveIdempotencyKey(core, spec.operation, patient, spec.recordType, spec.sensitive, canonicalBytes, spec.keyParts);

  return core.journal.exclusive(key, async () => {
    const journalled = await core.journal.get(key);
    if (journalled !== undefined) {
      const resumed = await resume(service, spec, journalled).catch((error: unknown) => {
        if (error instanceof RecordSquattedError) return undefined;
        throw error;
      });
      if (resumed !== undefined) return resumed;
      // The journal names a record the store no longer holds and the chain never got, or one that
      // someone else anchored first: start over with a fresh seal.
      await core.journal.delete(key);
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await freshWrite(service, spec, patient, canonicalBytes, key);
      } catch (error) {
        // A squatter front-ran the commitment: a new salt gives a new commitment it cannot know.
        if (!(error instanceof RecordSquattedError) || attempt >= MAX_SEAL_ATTEMPTS) throw error;
        await core.journal.delete(key);
      }
    }
  });
}

/** Seals afresh, stores, journals and sends (steps 3 to 5 above). */
async function freshWrite<R>(
  service: RecordService,
  spec: RecordWriteSpec<R>,
  patient: string,
  canonicalBytes: Uint8Array,
  key: string,
): Promise<R & RecordWriteResult> {
  const { core } = service;
  const [, readers] = await Promise.all([spec.preflight?.(), service.readersFor(patient)]);
  const draft = await service.seal(canonicalBytes, patient, spec.recordType, readers);
  const anchor = spec.call(draft.commitment);
  const [prepared, fromBlock] = await Promise.all([
    core.prepare(anchor.contract, anchor.populated, spec.send?.overrides),
    core.read("getBlockNumber", () => core.provider.getBlockNumber()),
  ]);
  const manifest = service.manifestFor(draft, {
    patient,
    recordType: spec.recordType,
    sensitive: spec.sensitive,
    anchor: { kind: "record" },
    workflow: spec.workflow,
  });
  const entry: JournalEntry = {
    version: 1,
    key,
    operation: spec.operation,
    state: "prepared",
    patient,
    commitments: [draft.commitment],
    manifestRefs: [manifest.ref],
    fromBlock,
  };
  // Both before the send, in parallel: a journal entry whose manifest never became durable is
  // detected on resume (the store lacks it) and the write starts over.
  await Promise.all([service.persist(draft, manifest), core.journal.put(entry)]);
  await core.options.faults?.afterStore?.({ idempotencyKey: key, commitments: entry.commitments });
  return sendJournalled(service, spec, entry, prepared, false, false);
}

async function sendJournalled<R>(
  service: RecordService,
  spec: RecordWriteSpec<R>,
  entry: JournalEntry,
  prepared: PreparedCall,
  reused: boolean,
  resumed: boolean,
): Promise<R & RecordWriteResult> {
  const { core } = service;
  let hash: string;
  try {
    hash = await core.sender.broadcast(prepared, spec.send?.overrides);
  } catch (error) {
    if (isAlreadyAnchored(error)) return fromChain(service, spec, entry, resumed);
    throw error;
  }
  await core.options.faults?.afterBroadcast?.({ idempotencyKey: entry.key, transactionHash: hash });
  // The hash is journalled while the receipt is awaited; a crash before the write completes is
  // recovered from the chain (recordOf and the anchoring log).
  let mined: MinedTransaction;
  try {
    [mined] = await Promise.all([
      core.sender.wait(hash, spec.send?.confirmations, prepared),
      core.journal.put({ ...entry, state: "sent", transactionHash: hash }),
    ]);
  } catch (error) {
    if (isAlreadyAnchored(error)) return fromChain(service, spec, entry, resumed);
    throw error;
  }
  // No "done" write: a repeat finds the mined receipt through the journalled hash.
  return result(service, spec, entry, mined, reused, resumed);
}

async function resume<R>(
  service: RecordService,
  spec: RecordWriteSpec<R>,
  entry: JournalEntry,
): Promise<(R & RecordWriteResult) | undefined> {
  const { core } = service;
  const commitment = entry.commitments[0];
  if (entry.transactionHash !== undefined) {
    const receipt = await core.read("getTransactionReceipt", () =>
      core.provider.getTransactionReceipt(entry.transactionHash as string),
    );
    if (receipt !== null && receipt.status === 1) {
      const mined = await core.sender.wait(receipt.hash, spec.send?.confirmations);
      return result(service, spec, entry, mined, true, true);
    }
  }
  const record = await core.read("recordOf", () => core.views.registry.recordOf(entry.patient, commitment));
  if (record.author !== ZeroAddress) return fromChain(service, spec, entry, true);
  // Stored but never anchored (a crash before the send, or a send that never landed): anchor the
  // same commitment now, provided its envelope is still stored.
  const stored = await core.index.find(entry.patient, commitment);
  const manifest = stored === undefined ? undefined : primaryManifest(stored)?.manifest;
  if (manifest === undefined || !(await allStored(service, [manifest.envelope, locatorRefOf(commitment)]))) {
    return undefined;
  }
  const anchor = spec.call(commitment);
  const prepared = await core.prepare(anchor.contract, anchor.populated, spec.send?.overrides);
  return sendJournalled(service, spec, entry, prepared, false, true);
}

/**
 * Whether every object of a journalled write is durable. The objects and the journal entry are
 * written in parallel, so a crash can leave the entry with a wrapped key missing: anchoring that
 * commitment would acknowledge a record its readers cannot open, so the write starts over instead.
 */
export async function allStored(service: RecordService, refs: readonly string[]): Promise<boolean> {
  const present = await Promise.all(refs.map((ref) => service.core.store.has(ref)));
  return present.every(Boolean);
}

/** The result of a write the chain already holds, rebuilt from its anchoring transaction. */
async function fromChain<R>(
  service: RecordService,
  spec: RecordWriteSpec<R>,
  entry: JournalEntry,
  resumed: boolean,
): Promise<R & RecordWriteResult> {
  const { core } = service;
  const commitment = entry.commitments[0];
  // Never take someone else's anchoring of our commitment for our own write.
  const record = await core.read("recordOf", () => core.views.registry.recordOf(entry.patient, commitment));
  if (getAddress(record.author) !== core.address || Number(record.recordType) !== spec.recordType) {
    throw new RecordSquattedError(getAddress(entry.patient), commitment, getAddress(record.author));
  }
  const logs = await core.read("getLogs", () =>
    core.provider.getLogs({
      address: core.addresses.registry,
      fromBlock: entry.fromBlock ?? 0,
      toBlock: "latest",
      topics: [ANCHOR_TOPICS, zeroPadTopic(entry.patient), commitment],
    }),
  );
  const log = logs[0];
  if (log === undefined) throw new Error("The anchored record's transaction was not found in the logs.");
  const mined = await core.sender.wait(log.transactionHash, spec.send?.confirmations);
  await core.journal.put({ ...entry, state: "sent", transactionHash: log.transactionHash });
  return result(service, spec, entry, mined, true, resumed);
}

async function result<R>(
  service: RecordService,
  spec: RecordWriteSpec<R>,
  entry: JournalEntry,
  mined: MinedTransaction,
  reused: boolean,
  resumed: boolean,
): Promise<R & RecordWriteResult> {
  const commitment = entry.commitments[0];
  const stored = await service.core.index.find(entry.patient, commitment);
  const primary = stored === undefined ? undefined : primaryManifest(stored);
  const own = await spec.decode(mined, commitment);
  return {
    ...own,
    transactionHash: mined.hash,
    blockNumber: mined.blockNumber,
    gasUsed: mined.gasUsed,
    patient: getAddress(entry.patient),
    commitment,
    author: primary?.manifest.author ?? service.core.address,
    recordType: spec.recordType,
    sensitive: spec.sensitive,
    envelopeRef: primary?.manifest.envelope ?? "",
    manifestRef: entry.manifestRefs[0],
    readers: [...new Set([getAddress(entry.patient), primary?.manifest.author ?? service.core.address])],
    idempotencyKey: entry.key,
    reused,
    resumed,
  };
}

export function isAlreadyAnchored(error: unknown): boolean {
  return (
    error instanceof ContractRevertError &&
    (error.errorName === "RecordRegistryAlreadyAnchored" || error.errorName === "RecordRegistryBatchAlreadyAnchored")
  );
}

export function zeroPadTopic(address: string): string {
  return `0x${"0".repeat(24)}${address.slice(2).toLowerCase()}`;
}
