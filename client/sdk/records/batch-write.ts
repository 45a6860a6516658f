import { ZeroAddress, hexlify, id, keccak256, randomBytes } from "ethers";

import { BatchTree } from "../../batch-tree.js";
import { recordCommitmentOf } from "../../crypto/commitment.js";
import type { RecordType } from "../../care-types.js";
import { InvalidArgumentError } from "../../errors.js";
import type { BatchRecordResult, BatchWriteResult } from "../results.js";
import type { MinedTransaction, PreparedCall, SendOptions } from "../transport/transaction-sender.js";
import { addressArgument, canonicalResource } from "../arguments.js";
import { broadcastJournalled, deriveIdempotencyKey } from "./anchored-write.js";
import { primaryManifest } from "./manifest-index.js";
import type { SealedDraft } from "./record-crypto.js";
import type { DirectReader } from "./record-keys.js";
import type { RecordService } from "./record-service.js";
import type { JournalEntry } from "./write-journal.js";
import { Semaphore } from "../transport/mutex.js";

/** One record of a batch write. */
export interface BatchRecordInput {
  readonly patient: string;
  readonly resource: unknown;
  readonly recordType: RecordType;
  readonly sensitive: boolean;
}

export interface BatchWriteSpec {
  readonly records: readonly BatchRecordInput[];
  readonly idempotencyKey?: string;
  readonly preflight?: () => Promise<void>;
  readonly send?: SendOptions;
}

const BATCH_ANCHORED_TOPIC = id("BatchAnchored(address,bytes32,uint32)");
const PERSIST_CONCURRENCY = 16;
/** The registry stores a batch size as uint32; far fewer keep one call's memory and proofs sane. */
export const MAX_BATCH_SIZE = 10_000;

/**
 * Seals and stores N records, builds one Merkle tree over their leaves, anchors its root in one
 * transaction, and keeps each record's inclusion proof in its manifest (reads then use
 * canAccessBatchRecord). Journalled like single writes: a repeat after a crash anchors the same root
 * or returns the batch the chain already holds.
 */
export async function anchoredBatchWrite(service: RecordService, spec: BatchWriteSpec): Promise<BatchWriteResult> {
  const { core } = service;
  if (!Array.isArray(spec.records) || spec.records.length === 0) {
    throw new InvalidArgumentError("records", "at least one record");
  }
  if (spec.records.length > MAX_BATCH_SIZE)
    throw new InvalidArgumentError("records", `at most ${MAX_BATCH_SIZE} records`);
  // Every resource is checked before anything is sealed, stored or sent.
  const inputs = spec.records.map((record) => ({
    ...record,
    patient: addressArgument(record.patient, "records.patient"),
    canonicalBytes: canonicalResource(record.resource),
  }));
  const key =
    spec.idempotencyKey ??
    deriveIdempotencyKey(
      core,
      "putRecordsBatch",
      ZeroAddress,
      0,
      false,
      new Uint8Array(0),
      inputs.map((input) => [input.patient, input.recordType, input.sensitive, keccak256(input.canonicalBytes)]),
    );

  return core.journal.exclusive(key, async () => {
    const journalled = await core.journal.get(key);
    if (journalled !== undefined) return resumeBatch(service, spec, journalled);

    await spec.preflight?.();
    // Simulate the anchoring before anything is sealed or stored: what can make anchorBatch revert
    // (the author, the size) does not depend on the root, so a placeholder root tells.
    await core.prepare(
      "registry",
      core.views.registry.anchorBatch.populateTransaction(hexlify(randomBytes(32)), inputs.length),
      spec.send?.overrides,
    );
    const readerCache = new Map<string, Promise<DirectReader[]>>();
    const readersOf = (input: (typeof inputs)[number]): Promise<DirectReader[]> => {
      const cacheKey = input.patient.toLowerCase();
      let readers = readerCache.get(cacheKey);
      if (readers === undefined) {
        readers = service.readersFor(input.patient);
        readerCache.set(cacheKey, readers);
      }
      return readers;
    };
    // Resolve every reader's key, and the custodians' once for the whole batch, first: a missing
    // one fails before anything is stored.
    const [split] = await Promise.all([core.custodianAccess?.splitter(), ...inputs.map((input) => readersOf(input))]);
    // Seal on the crypto workers and store each envelope and its keys as soon as it is sealed, so
    // disk writes overlap with the sealing of the next records.
    const storing = new Semaphore(PERSIST_CONCURRENCY);
    const drafts: SealedDraft[] = await Promise.all(
      inputs.map(async (input) => {
        const draft = await service.seal(
          input.canonicalBytes,
          input.patient,
          input.recordType,
          await readersOf(input),
          split,
        );
        await storing.run(() => service.persistContent(draft));
        return draft;
      }),
    );
    // Leaves commit to content commitments; the registry names each record by this author's record
    // commitment of it, and the batch by the root bound to this author.
    const leaves = inputs.map((input, index) => ({
      patient: input.patient,
      commitment: drafts[index].contentCommitment,
      recordType: input.recordType,
      sensitive: input.sensitive,
    }));
    const tree = new BatchTree(leaves);
    const boundRoot = recordCommitmentOf(core.address, tree.root);
    const manifests = leaves.map((leaf, index) =>
      service.manifestFor(drafts[index], {
        patient: leaf.patient,
        recordType: leaf.recordType,
        sensitive: leaf.sensitive,
        anchor: { kind: "batch", root: boundRoot, proof: tree.proof(leaf.patient, leaf.commitment) },
      }),
    );
    const [prepared, fromBlock] = await Promise.all([
      core.prepare(
        "registry",
        core.views.registry.anchorBatch.populateTransaction(tree.root, leaves.length),
        spec.send?.overrides,
      ),
      core.read("getBlockNumber", () => core.provider.getBlockNumber()),
      Promise.all(manifests.map((manifest) => storing.run(() => service.persistManifest(manifest)))),
    ]);
    const entry: JournalEntry = {
      version: 1,
      key,
      operation: "putRecordsBatch",
      state: "prepared",
      patient: ZeroAddress,
      commitments: drafts.map((draft) => draft.commitment),
      patients: leaves.map((leaf) => leaf.patient),
      manifestRefs: manifests.map((manifest) => manifest.ref),
      root: tree.root,
      fromBlock,
    };
    await core.journal.put(entry);
    await core.options.faults?.afterStore?.({ idempotencyKey: key, commitments: entry.commitments });
    return sendBatch(service, spec, entry, prepared, false, false);
  });
}

async function sendBatch(
  service: RecordService,
  spec: BatchWriteSpec,
  entry: JournalEntry,
  prepared: PreparedCall,
  reused: boolean,
  resumed: boolean,
): Promise<BatchWriteResult> {
  const mined = await broadcastJournalled(service.core, entry, prepared, spec.send);
  if (mined === "already-anchored") return batchFromChain(service, spec, entry, resumed);
  return batchResult(service, entry, mined, reused, resumed);
}

async function resumeBatch(
  service: RecordService,
  spec: BatchWriteSpec,
  entry: JournalEntry,
): Promise<BatchWriteResult> {
  const { core } = service;
  const root = entry.root as string;
  const batch = await core.read("batchOf", () => core.views.registry.batchOf(recordCommitmentOf(core.address, root)));
  if (batch.author !== ZeroAddress) return batchFromChain(service, spec, entry, true);
  const prepared = await core.prepare(
    "registry",
    core.views.registry.anchorBatch.populateTransaction(root, entry.commitments.length),
    spec.send?.overrides,
  );
  return sendBatch(service, spec, entry, prepared, false, true);
}

async function batchFromChain(
  service: RecordService,
  spec: BatchWriteSpec,
  entry: JournalEntry,
  resumed: boolean,
): Promise<BatchWriteResult> {
  const { core } = service;
  const logs = await core.read("getLogs", () =>
    core.provider.getLogs({
      address: core.addresses.registry,
      fromBlock: entry.fromBlock ?? 0,
      toBlock: "latest",
      topics: [BATCH_ANCHORED_TOPIC, null, recordCommitmentOf(core.address, entry.root as string)],
    }),
  );
  const log = logs[0];
  if (log === undefined) throw new Error("The anchored batch's transaction was not found in the logs.");
  const mined = await core.sender.wait(log.transactionHash, spec.send?.confirmations);
  await core.journal.put({ ...entry, state: "sent", transactionHash: log.transactionHash });
  return batchResult(service, entry, mined, true, resumed);
}

async function batchResult(
  service: RecordService,
  entry: JournalEntry,
  mined: MinedTransaction,
  reused: boolean,
  resumed: boolean,
): Promise<BatchWriteResult> {
  const { core } = service;
  const event = core.event(mined.receipt, "registry", "BatchAnchored");
  const records: BatchRecordResult[] = [];
  for (const [index, commitment] of entry.commitments.entries()) {
    const manifestRef = entry.manifestRefs[index];
    const patient = entry.patients?.[index] ?? ZeroAddress;
    const stored = await core.index.find(patient, commitment);
    const manifest =
      stored?.manifests.get(manifestRef) ?? (stored === undefined ? undefined : primaryManifest(stored))?.manifest;
    if (manifest === undefined || manifest.anchor.kind !== "batch") continue;
    records.push({
      patient: manifest.patient,
      commitment,
      recordType: manifest.recordType,
      sensitive: manifest.sensitive,
      proof: manifest.anchor.proof,
      envelopeRef: manifest.envelope,
      manifestRef,
    });
  }
  return {
    transactionHash: mined.hash,
    blockNumber: mined.blockNumber,
    gasUsed: mined.gasUsed,
    root: event.args.root,
    size: Number(event.args.size),
    author: event.args.author,
    records,
    idempotencyKey: entry.key,
    reused,
    resumed,
  };
}
