import { ZeroAddress, getAddress } from "ethers";

import { RecordFlag, type RecordType } from "../care-types.js";
import { recordCommitmentOf } from "../crypto/commitment.js";
import { computeCommitment } from "../crypto/index.js";
import { IntegrityError, NotFoundError } from "../errors.js";
import type { ContentRef } from "../storage/index.js";
import { CARELEDGER_INTERFACES } from "./contract-abis.js";
import type { LedgerCore } from "./ledger-core.js";
import { zeroPadTopic } from "./records/anchored-write.js";
import { primaryManifest, type IndexedRecord } from "./records/manifest-index.js";
import { boundContentCommitment } from "./records/record-service.js";
import { recordKey, type RecordManifest } from "./records/manifest.js";

/** How a record compares between the store and the chain. */
export type AuditStatus =
  /** Anchored, and the stored envelope matches the commitment. */
  | "intact"
  /** Anchored, but the stored bytes no longer match (content address or commitment). */
  | "altered"
  /** Anchored, but the store has no envelope (or no manifest naming one) for it. */
  | "missing"
  /** In the store, but never anchored on-chain. */
  | "unanchored"
  /** Erased on-chain by the patient. */
  | "erased";

/** Why an entry got its status. */
export type AuditDetail =
  | "verified"
  | "verified-without-manifest"
  | "content-address-mismatch"
  | "commitment-mismatch"
  | "envelope-absent"
  | "manifest-absent"
  | "not-on-chain"
  | "payload-destroyed"
  | "payload-still-present";

export interface AuditEntry {
  readonly patient: string;
  readonly commitment: string;
  readonly status: AuditStatus;
  readonly detail: AuditDetail;
  readonly anchor: "record" | "batch" | "none";
  readonly recordType?: RecordType;
  readonly author?: string;
  readonly manifestRef?: ContentRef;
  readonly envelopeRef?: ContentRef;
}

export interface AuditReport {
  /** The patient audited, or undefined for every patient. */
  readonly patient?: string;
  readonly fromBlock: number;
  readonly toBlock: number;
  readonly entries: readonly AuditEntry[];
  readonly counts: Readonly<Record<AuditStatus, number>>;
  /** Stored objects whose bytes do not match their content address (altered manifests, keys, ...). */
  readonly unreadableRefs: readonly ContentRef[];
}

export interface AuditOptions {
  /** Audit one patient; default every patient the chain and the store know. */
  readonly patient?: string;
  /** First block of the chain's logs to read. Default 0. */
  readonly fromBlock?: number;
  /**
   * Only the chain's records by this author. An organisation's store holds what it wrote, so an
   * organisation audits with its own address; records others wrote live on their nodes.
   */
  readonly author?: string;
}

interface ChainRecord {
  patient: string;
  commitment: string;
  author?: string;
  recordType?: RecordType;
  erased: boolean;
}

const registryInterface = CARELEDGER_INTERFACES.registry;

/**
 * The tamper check of the paper: compares the store with the chain and reports every record as
 * intact, altered, missing, unanchored or erased. The chain side comes from the registry's
 * RecordAnchored / RecordAmended / RecordErased logs (from `fromBlock`) and `recordOf`; batched
 * records from their manifests' inclusion proofs (`verifyBatchRecord`). The store side comes from
 * the manifests and from every envelope the store lists (the commitment is computable from the
 * envelope bytes alone), so an envelope whose manifest was lost is still matched.
 */
export async function auditStore(core: LedgerCore, options: AuditOptions = {}): Promise<AuditReport> {
  const patient = options.patient === undefined ? undefined : getAddress(options.patient);
  const fromBlock = options.fromBlock ?? 0;
  const toBlock = await core.read("getBlockNumber", () => core.provider.getBlockNumber());
  const chain = await chainRecords(core, patient, fromBlock, toBlock);
  if (options.author !== undefined) {
    const author = getAddress(options.author);
    for (const [key, record] of chain) {
      if (record.author !== undefined && getAddress(record.author) !== author) chain.delete(key);
    }
  }
  const { index } = core;
  await index.refresh();

  const stored = new Map<string, IndexedRecord>();
  for (const entry of index.records(patient)) stored.set(recordKey(entry.patient, entry.commitment), entry);
  const envelopeOfManifest = new Set<ContentRef>();
  for (const entry of stored.values())
    for (const manifest of entry.manifests.values()) envelopeOfManifest.add(manifest.envelope);
  // Envelopes without a manifest, by record commitment (by content commitment when no stored
  // preimage binds it to an author).
  const orphanEnvelopes = new Map<string, ContentRef>();
  for (const [ref, content] of index.scannedEnvelopes) {
    const commitment = index.scannedBindings.get(content.toLowerCase()) ?? content;
    if (!envelopeOfManifest.has(ref)) orphanEnvelopes.set(commitment.toLowerCase(), ref);
  }

  const keys = new Set([...chain.keys(), ...stored.keys()]);
  const entries: AuditEntry[] = [];
  for (const key of keys) {
    const onChain = chain.get(key);
    const entry = stored.get(key);
    const primary = entry === undefined ? undefined : primaryManifest(entry);
    const [recordPatient, commitment] = key.split(":");
    entries.push(
      await auditOne(
        core,
        getAddress(recordPatient),
        commitment,
        onChain,
        entry,
        primary?.ref,
        primary?.manifest,
        orphanEnvelopes,
      ),
    );
  }
  // Envelopes nobody names, for a record the chain does not know either: stored but never anchored.
  if (patient === undefined) {
    const named = new Set([...keys].map((key) => key.split(":")[1]));
    for (const [commitment, ref] of orphanEnvelopes) {
      if (named.has(commitment)) continue;
      const anchored = await anchoredByLogs(core, commitment);
      entries.push({
        patient: anchored ?? ZeroAddress,
        commitment,
        status: anchored === undefined ? "unanchored" : "intact",
        detail: anchored === undefined ? "not-on-chain" : "verified-without-manifest",
        anchor: anchored === undefined ? "none" : "record",
        envelopeRef: ref,
      });
    }
  }
  const counts: Record<AuditStatus, number> = { intact: 0, altered: 0, missing: 0, unanchored: 0, erased: 0 };
  for (const item of entries) counts[item.status]++;
  return {
    ...(patient === undefined ? {} : { patient }),
    fromBlock,
    toBlock,
    entries,
    counts,
    unreadableRefs: [...index.unreadable],
  };
}

async function auditOne(
  core: LedgerCore,
  patient: string,
  commitment: string,
  onChain: ChainRecord | undefined,
  entry: IndexedRecord | undefined,
  manifestRef: ContentRef | undefined,
  manifest: RecordManifest | undefined,
  orphanEnvelopes: ReadonlyMap<string, ContentRef>,
): Promise<AuditEntry> {
  const base = {
    patient,
    commitment,
    ...(manifest === undefined ? {} : { recordType: manifest.recordType, author: manifest.author }),
    ...(manifestRef === undefined ? {} : { manifestRef }),
  };
  const state = await chainState(core, patient, commitment, onChain, manifest);
  const envelopeRef = manifest?.envelope ?? orphanEnvelopes.get(commitment);
  const withEnvelope = envelopeRef === undefined ? base : { ...base, envelopeRef };
  if (state.erased) {
    const present = envelopeRef !== undefined && (await core.store.has(envelopeRef));
    return {
      ...withEnvelope,
      status: "erased",
      detail: present ? "payload-still-present" : "payload-destroyed",
      anchor: state.anchor,
      ...(onChain?.recordType === undefined ? {} : { recordType: onChain.recordType }),
    };
  }
  if (!state.anchored) {
    return { ...withEnvelope, status: "unanchored", detail: "not-on-chain", anchor: "none" };
  }
  const chainFields = {
    ...(onChain?.recordType === undefined ? {} : { recordType: onChain.recordType }),
    ...(onChain?.author === undefined ? {} : { author: onChain.author }),
  };
  if (envelopeRef === undefined) {
    return { ...withEnvelope, ...chainFields, status: "missing", detail: "manifest-absent", anchor: state.anchor };
  }
  let bytes: Uint8Array;
  try {
    bytes = await core.store.get(envelopeRef);
  } catch (error) {
    if (error instanceof NotFoundError) {
      return { ...withEnvelope, ...chainFields, status: "missing", detail: "envelope-absent", anchor: state.anchor };
    }
    if (error instanceof IntegrityError) {
      return {
        ...withEnvelope,
        ...chainFields,
        status: "altered",
        detail: "content-address-mismatch",
        anchor: state.anchor,
      };
    }
    throw error;
  }
  // The envelope's content commitment bound to the record's author (the chain's, else the manifest's).
  const author = onChain?.author ?? manifest?.author;
  let actual: string | undefined;
  try {
    actual = author === undefined ? undefined : recordCommitmentOf(author, computeCommitment(bytes));
  } catch {
    actual = undefined;
  }
  if (actual !== commitment.toLowerCase()) {
    return { ...withEnvelope, ...chainFields, status: "altered", detail: "commitment-mismatch", anchor: state.anchor };
  }
  return {
    ...withEnvelope,
    ...chainFields,
    status: "intact",
    detail: entry === undefined || manifest === undefined ? "verified-without-manifest" : "verified",
    anchor: state.anchor,
  };
}

async function chainState(
  core: LedgerCore,
  patient: string,
  commitment: string,
  onChain: ChainRecord | undefined,
  manifest: RecordManifest | undefined,
): Promise<{ anchored: boolean; erased: boolean; anchor: "record" | "batch" | "none" }> {
  if (manifest?.anchor.kind === "batch") {
    const { root, proof } = manifest.anchor;
    // The leaf names the content commitment the record commitment binds to the batch's author; without
    // its stored preimage the leaf cannot be shown, and the proof check below fails.
    const content = await boundContentCommitment(core.store, commitment, manifest.author).catch((error: unknown) => {
      if (error instanceof NotFoundError || error instanceof IntegrityError) return commitment;
      throw error;
    });
    const leaf = { patient, commitment: content, recordType: manifest.recordType, sensitive: manifest.sensitive };
    const [included, erased] = await Promise.all([
      core.read("verifyBatchRecord", () => core.views.registry.verifyBatchRecord(root, leaf, [...proof])),
      core.read("isBatchRecordErased", () => core.views.registry.isBatchRecordErased(patient, commitment)),
    ]);
    return { anchored: included, erased: included && erased, anchor: included ? "batch" : "none" };
  }
  if (onChain !== undefined && onChain.author !== undefined) {
    return { anchored: true, erased: onChain.erased, anchor: "record" };
  }
  // Not in the log window (or a batch erasure with no manifest left): ask the registry.
  const record = await core.read("recordOf", () => core.views.registry.recordOf(patient, commitment));
  if (record.author !== ZeroAddress) {
    return { anchored: true, erased: (Number(record.flags) & RecordFlag.Erased) !== 0, anchor: "record" };
  }
  if (onChain?.erased === true) return { anchored: true, erased: true, anchor: "batch" };
  return { anchored: false, erased: false, anchor: "none" };
}

async function chainRecords(
  core: LedgerCore,
  patient: string | undefined,
  fromBlock: number,
  toBlock: number,
): Promise<Map<string, ChainRecord>> {
  const topics = ["RecordAnchored", "RecordAmended", "RecordErased"].map(
    (name) => registryInterface.getEvent(name)?.topicHash as string,
  );
  const logs = await core.read("getLogs", () =>
    core.provider.getLogs({
      address: core.addresses.registry,
      fromBlock,
      toBlock,
      topics: [topics, patient === undefined ? null : zeroPadTopic(patient)],
    }),
  );
  const records = new Map<string, ChainRecord>();
  for (const log of logs) {
    const parsed = registryInterface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) continue;
    const recordPatient = getAddress(String(parsed.args.patient));
    const commitment = String(parsed.args.commitment).toLowerCase();
    const key = recordKey(recordPatient, commitment);
    const existing = records.get(key) ?? { patient: recordPatient, commitment, erased: false };
    if (parsed.name === "RecordErased") existing.erased = true;
    else {
      existing.author = getAddress(String(parsed.args.author));
      if (parsed.name === "RecordAnchored") existing.recordType = Number(parsed.args.recordType) as RecordType;
    }
    records.set(key, existing);
  }
  return records;
}

async function anchoredByLogs(core: LedgerCore, commitment: string): Promise<string | undefined> {
  const topic = registryInterface.getEvent("RecordAnchored")?.topicHash as string;
  const logs = await core.read("getLogs", () =>
    core.provider.getLogs({
      address: core.addresses.registry,
      fromBlock: 0,
      toBlock: "latest",
      topics: [topic, null, commitment],
    }),
  );
  const log = logs[0];
  return log === undefined ? undefined : getAddress(`0x${log.topics[1].slice(26)}`);
}
