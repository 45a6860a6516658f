import { createHash } from "node:crypto";

import { ZeroAddress, getAddress, id, keccak256, type ContractTransaction } from "ethers";

import type { RecordType } from "../../care-types.js";
import type { ContractName } from "../../deploy.js";
import { addressArgument, canonicalResource } from "../arguments.js";
import { locatorRefOf, parseBoundPreimage } from "../../crypto/commitment.js";
import { IntegrityError, NotFoundError } from "../../errors.js";
import { ContractRevertError } from "../errors.js";
import type { LedgerCore } from "../ledger-core.js";
import type { RecordWriteResult } from "../results.js";
import type { MinedTransaction, PreparedCall, SendOptions } from "../transport/transaction-sender.js";
import { primaryManifest } from "./manifest-index.js";
import type { WorkflowLink } from "./manifest.js";
import type { RecordService } from "./record-service.js";
import type { JournalEntry } from "./write-journal.js";

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
  /** The anchoring call for a content commitment (the registry binds it to the author). */
  readonly call: (contentCommitment: string) => AnchorCall;
  /**
   * The operation's own fields, decoded from the anchoring receipt (and state at its block), given
   * the record commitment: the name the registry and the workflows give the record.
   */
  readonly decode: (mined: MinedTransaction, recordCommitment: string) => R | Promise<R>;
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
 * it, the existing result is returned; if not, the same commitment is anchored. A second anchoring
 * of one record cannot happen (the registry refuses it with RecordRegistryAlreadyAnchored, which is
 * mapped to the existing result). The registry keys the record by this author's record commitment,
 * so that refusal can only come from this author's own earlier anchoring: whoever anchors the same
 * content commitment first (a front-runner) gets a record of its own and cannot block or take this one.
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
      const resumed = await resume(service, spec, journalled);
      if (resumed !== undefined) return resumed;
      // The journal names a record the store no longer holds and the chain never got: start over
      // with a fresh seal.
      await core.journal.delete(key);
    }
    return freshWrite(service, spec, patient, canonicalBytes, key);
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
  const anchor = spec.call(draft.contentCommitment);
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
    contentCommitment: draft.contentCommitment,
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
  const mined = await broadcastJournalled(service.core, entry, prepared, spec.send);
  if (mined === "already-anchored") return fromChain(service, spec, entry, resumed);
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
  const content = await journalledContent(service, entry);
  if (
    manifest === undefined ||
    content === undefined ||
    !(await allStored(service, [manifest.envelope, locatorRefOf(commitment), locatorRefOf(content)]))
  ) {
    return undefined;
  }
  const anchor = spec.call(content);
  const prepared = await core.prepare(anchor.contract, anchor.populated, spec.send?.overrides);
  return sendJournalled(service, spec, entry, prepared, false, true);
}

/**
 * The content commitment a journalled write anchors: journalled with it, or (for an entry written
 * before it was) read from the record commitment's stored preimage. Undefined when neither exists.
 */
async function journalledContent(service: RecordService, entry: JournalEntry): Promise<string | undefined> {
  if (entry.contentCommitment !== undefined) return entry.contentCommitment;
  try {
    return parseBoundPreimage(await service.core.store.get(locatorRefOf(entry.commitments[0]))).contentCommitment;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
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

/**
 * Broadcasts a prepared anchoring, journals its hash while the receipt is awaited, and waits for it.
 * A crash before the receipt is recovered from the chain through the journalled hash. An anchoring
 * the registry already holds (a repeat of our own write: records are bound to their author) comes
 * back as "already-anchored" for the caller to read from the chain.
 */
export async function broadcastJournalled(
  core: LedgerCore,
  entry: JournalEntry,
  prepared: PreparedCall,
  send: SendOptions | undefined,
): Promise<MinedTransaction | "already-anchored"> {
  try {
    const hash = await core.sender.broadcast(prepared, send?.overrides);
    await core.options.faults?.afterBroadcast?.({ idempotencyKey: entry.key, transactionHash: hash });
    const [mined] = await Promise.all([
      core.sender.wait(hash, send?.confirmations, prepared),
      core.journal.put({ ...entry, state: "sent", transactionHash: hash }),
    ]);
    return mined;
  } catch (error) {
    if (isAlreadyAnchored(error)) return "already-anchored";
    throw error;
  }
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
  // The record commitment binds this client's address, so the chain can hold it under no one else;
  // a disagreement means the chain or the journal is not what this client wrote.
  const record = await core.read("recordOf", () => core.views.registry.recordOf(entry.patient, commitment));
  if (getAddress(record.author) !== core.address) {
    throw new IntegrityError("record-author", core.address, getAddress(record.author));
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
