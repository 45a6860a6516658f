import { ZeroAddress, getAddress } from "ethers";

import { Purpose, RecordFlag, RecordType } from "../../care-types.js";
import { sha256 } from "@noble/hashes/sha2.js";

import {
  computeCommitment,
  envelopeRefOf,
  locatorRefOf,
  parseBoundPreimage,
  parseCommitmentPreimage,
  recordCommitmentOf,
  verifyBoundPreimage,
} from "../../crypto/commitment.js";
import {
  IntegrityError,
  InvalidArgumentError,
  KeyUnavailableError,
  MalformedEnvelopeError,
  NotFoundError,
} from "../../errors.js";
import type { FhirResource } from "../../fhir/index.js";
import { contentRefOf, type ContentRef } from "../../storage/content-ref.js";
import { AccessDeniedError, RecordErasedError, RecordNotFoundError } from "../errors.js";
import type { LedgerCore } from "../ledger-core.js";
import {
  encodeLedgerObject,
  type AnchorInfo,
  type ErasureTombstone,
  type KeyRef,
  type RecordManifest,
  type WorkflowLink,
} from "./manifest.js";
import { allKeyRefs, primaryManifest, type IndexedRecord } from "./manifest-index.js";
import {
  keySectionOf,
  openWithKey,
  recordContext,
  sealWithKeys,
  type KeySplitter,
  type SealedDraft,
} from "./record-crypto.js";
import { openDirectKey, type DirectReader } from "./record-keys.js";
import { addressArgument, bytes32Argument, enumArgument, optionalAddressArgument } from "../arguments.js";

/** A record as this client's store knows it. */
export interface StoredRecord {
  readonly patient: string;
  readonly commitment: string;
  readonly author: string;
  readonly recordType: RecordType;
  /** The sensitivity the author anchored. */
  readonly sensitive: boolean;
  readonly manifestRef: ContentRef;
  readonly envelopeRef: ContentRef;
  readonly anchor: AnchorInfo;
  readonly workflow?: WorkflowLink;
  /** Readers holding a direct key in the envelope: the patient and the author. */
  readonly readers: readonly string[];
  /** True when an erasure tombstone exists for it. */
  readonly erased: boolean;
}

/**
 * Where a record anchored in a batch sits: the batch's bound root (the name the registry gives the
 * batch, `recordCommitmentOf(author, merkleRoot)`), the leaf's type and sensitivity, and its
 * inclusion proof. The batch's writer returns it (`putRecordsBatch`) and hands it to whoever should
 * read the record; nothing on-chain names a leaf.
 */
export interface BatchLocation {
  readonly root: string;
  readonly recordType: RecordType;
  readonly sensitive: boolean;
  readonly proof: readonly string[];
}

/** A record read through the access rule, verified and decrypted. */
export interface ReadRecordResult<R extends FhirResource = FhirResource> {
  readonly patient: string;
  readonly commitment: string;
  readonly author: string;
  readonly recordType: RecordType;
  readonly resource: R;
  readonly purpose: Purpose;
  readonly envelopeRef: ContentRef;
  readonly anchor: AnchorInfo["kind"];
}

/** What was stored for a sealed record. */
export interface PersistedRecord {
  readonly manifest: RecordManifest;
  readonly manifestRef: ContentRef;
  readonly envelopeRef: ContentRef;
  readonly keyRefs: readonly KeyRef[];
}

/** A manifest ready to store, with the refs it names. */
export interface PreparedManifest {
  readonly manifest: RecordManifest;
  readonly bytes: Uint8Array;
  readonly ref: ContentRef;
  readonly envelopeRef: ContentRef;
  readonly keyRefs: readonly KeyRef[];
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Sealing, storing, reading, sharing and destroying records for one client. The chain's access
 * rule is asked before any content is fetched; the envelope is checked against its commitment
 * before decryption; every failure is a typed error.
 */
export class RecordService {
  constructor(readonly core: LedgerCore) {}

  /** The AEAD context of a record of this deployment (the author as the chain names it). */
  contextOf(patient: string, author: string, recordType: RecordType): Uint8Array {
    return recordContext(this.core.chainId, this.core.addresses.registry, patient, author, recordType);
  }

  /**
   * The direct readers of a new record: the patient and the author, the two parties the chain
   * always allows. Everyone else — grantees, pharmacies, laboratories, emergency departments, heirs,
   * relationship windows — obtains the key from the custodians, who release it only when the chain
   * allows at that moment. Resolves the keys first, so a missing key fails before anything is written.
   */
  async readersFor(patient: string): Promise<DirectReader[]> {
    const { core } = this;
    const accounts = [...new Set([getAddress(patient), core.address])];
    return Promise.all(accounts.map((account) => core.keys.readerOf(account)));
  }

  /**
   * Seals canonical bytes for `patient`, its key sealed to `readers` and split among the custodians
   * (by `split` when given: a batch's one reading of their keys). Nothing is stored.
   */
  seal(
    canonicalBytes: Uint8Array,
    patient: string,
    recordType: RecordType,
    readers: readonly DirectReader[],
    split: KeySplitter | undefined = this.core.custodianAccess?.split,
  ): Promise<SealedDraft> {
    const { core } = this;
    return sealWithKeys({
      plaintext: canonicalBytes,
      context: this.contextOf(patient, core.address, recordType),
      chainId: core.chainId,
      registry: core.addresses.registry,
      patient: getAddress(patient),
      author: core.address,
      readers,
      split,
    });
  }

  /**
   * The manifest of a sealed record and every ref it names, computed locally: refs are content
   * addresses, so nothing needs to be stored to know them.
   */
  manifestFor(
    draft: SealedDraft,
    meta: {
      patient: string;
      recordType: RecordType;
      sensitive: boolean;
      anchor: AnchorInfo;
      workflow?: WorkflowLink;
    },
  ): PreparedManifest {
    const { core } = this;
    const envelopeRef = contentRefOf(draft.envelopeBytes);
    const keyRefs: KeyRef[] = [];
    const manifest: RecordManifest = {
      kind: "record",
      chainId: core.chainId.toString(),
      registry: core.addresses.registry,
      patient: getAddress(meta.patient),
      commitment: draft.commitment.toLowerCase(),
      author: core.address,
      recordType: meta.recordType,
      sensitive: meta.sensitive,
      envelope: envelopeRef,
      keys: keyRefs,
      anchor: meta.anchor,
      ...(meta.workflow === undefined ? {} : { workflow: meta.workflow }),
    };
    const bytes = encodeLedgerObject(manifest);
    return { manifest, bytes, ref: contentRefOf(bytes), envelopeRef, keyRefs };
  }

  /**
   * Stores the envelope and its locator (`persistContent`) and the manifest naming them. All
   * of it happens before the record is anchored, so a crash in between can leave stored objects
   * that were never anchored (the audit reports them) but never an anchored record without them.
   */
  async persist(draft: SealedDraft, prepared: PreparedManifest): Promise<PersistedRecord> {
    await Promise.all([this.persistContent(draft), this.#put(prepared.bytes, prepared.ref)]);
    this.core.index.add(prepared.ref, prepared.manifest);
    return {
      manifest: prepared.manifest,
      manifestRef: prepared.ref,
      envelopeRef: prepared.envelopeRef,
      keyRefs: prepared.keyRefs,
    };
  }

  /**
   * Stores a sealed record's envelope and both preimages: the record commitment's (naming the author
   * and the content commitment) and the content commitment's (naming the salt and the envelope's
   * hash). Each preimage's content address is a function of its commitment alone, so a reader
   * anywhere finds the envelope from the record commitment on the chain.
   */
  async persistContent(draft: SealedDraft): Promise<void> {
    const refs = await Promise.all([
      this.#put(draft.envelopeBytes, contentRefOf(draft.envelopeBytes)),
      this.#put(draft.boundPreimage, locatorRefOf(draft.commitment)),
      this.#put(draft.preimage, locatorRefOf(draft.contentCommitment)),
    ]);
    this.core.index.markSeen(...refs);
  }

  /** Stores a manifest computed by `manifestFor`. */
  async persistManifest(prepared: PreparedManifest): Promise<void> {
    await this.#put(prepared.bytes, prepared.ref);
    this.core.index.add(prepared.ref, prepared.manifest);
  }

  async #put(bytes: Uint8Array, expected: ContentRef): Promise<ContentRef> {
    const ref = await this.core.store.put(bytes);
    // Every backend addresses content the same way; anything else would break the manifest's refs.
    if (ref !== expected) throw new IntegrityError("content-address", expected, ref);
    return ref;
  }

  /** The store's view of a record (refreshing the index once when it is unknown). */
  async stored(patient: string, commitment: string): Promise<StoredRecord | undefined> {
    const entry = await this.core.index.find(patient, commitment);
    return entry === undefined ? undefined : storedRecordOf(entry);
  }

  /** Every record of `patient` in the store (all patients when omitted), after a refresh. */
  async list(patientArgument?: string): Promise<StoredRecord[]> {
    const patient = optionalAddressArgument(patientArgument, "patient");
    await this.core.index.refresh();
    return this.core.index
      .records(patient)
      .map((entry) => storedRecordOf(entry))
      .filter((record): record is StoredRecord => record !== undefined);
  }

  /**
   * Reads a record as this client's account: the chain's access rule first (canAccess, or
   * canAccessBatchRecord for a batched record), then fetch, commitment check and decryption.
   */
  async read<R extends FhirResource = FhirResource>(
    patientArgument: string,
    commitmentArgument: string,
    purposeArgument: Purpose,
    batchArgument?: BatchLocation,
  ): Promise<ReadRecordResult<R>> {
    const { core } = this;
    const patient = addressArgument(patientArgument, "patient");
    const commitment = bytes32Argument(commitmentArgument, "commitment");
    const purpose = enumArgument<Purpose>(purposeArgument, "purpose", Purpose);
    const given = batchArgument === undefined ? undefined : batchLocationArgument(batchArgument);
    const accessor = core.address;
    const entry = await core.index.find(patient, commitment);
    const primary = entry === undefined ? undefined : primaryManifest(entry);
    const manifest = primary?.manifest;
    const batch = given ?? batchLocationOf(manifest);
    // A batch leaf names its content commitment: the bound preimage gives it, checked against the
    // batch's author on the chain (who is the author of every leaf).
    const leafContent =
      batch === undefined
        ? undefined
        : await this.#contentCommitmentOf(
            patient,
            commitment,
            (await core.read("batchOf", () => core.views.registry.batchOf(batch.root))).author,
          ).catch((error: unknown) => {
            // An unknown batch, or a leaf whose preimage is not stored, is asked of the chain with the
            // record commitment: it is refused there and reported as such below.
            if (error instanceof RecordNotFoundError || error instanceof IntegrityError) return commitment;
            throw error;
          });
    const allowed = await this.#canAccess(accessor, patient, commitment, purpose, batch, leafContent);
    if (!allowed) {
      // Tell "erased" and "never anchored" apart from "not allowed".
      if (entry !== undefined && entry.erasures.size > 0) throw new RecordErasedError(getAddress(patient), commitment);
      const [record, batchErased] = await Promise.all([
        core.read("recordOf", () => core.views.registry.recordOf(patient, commitment)),
        core.read("isBatchRecordErased", () => core.views.registry.isBatchRecordErased(patient, commitment)),
      ]);
      if ((Number(record.flags) & RecordFlag.Erased) !== 0 || batchErased) {
        throw new RecordErasedError(getAddress(patient), commitment);
      }
      if (record.author === ZeroAddress && batch === undefined) {
        throw new RecordNotFoundError("chain", getAddress(patient), commitment);
      }
      throw new AccessDeniedError(accessor, getAddress(patient), commitment, purpose);
    }
    const facts = await this.#onChainFacts(patient, commitment, batch);
    const envelopeBytes = await this.#fetchEnvelope(patient, commitment, facts.author, manifest);
    // Keys are opened, or asked of the custodians, only from an envelope the chain vouches for: its
    // content commitment bound to the author the chain names must be the record commitment.
    const contentCommitment = computeCommitment(envelopeBytes);
    const bound = recordCommitmentOf(facts.author, contentCommitment);
    if (bound !== commitment.toLowerCase())
      throw new IntegrityError("record-commitment", commitment.toLowerCase(), bound);
    const { section, salt } = keySectionOf(envelopeBytes);
    const binding = { chainId: core.chainId, registry: core.addresses.registry, patient, salt };
    let dataKey = await openDirectKey(section, accessor, core.keys.keyring, binding);
    if (dataKey === undefined) {
      if (core.custodianAccess === undefined || section.custodianBundle.length === 0) {
        // The zero address as recipient: nothing was sealed for this reader and no custodian can release it.
        throw new KeyUnavailableError(accessor, ZeroAddress);
      }
      dataKey = await core.custodianAccess.recover({
        patient,
        commitment,
        purpose,
        salt,
        envelopeHash: sha256(envelopeBytes),
        bundle: section.custodianBundle,
        ...(batch === undefined ? {} : { batch }),
      });
    }
    let plaintext: Uint8Array;
    try {
      plaintext = openWithKey(
        envelopeBytes,
        dataKey,
        this.contextOf(patient, facts.author, facts.recordType),
        contentCommitment,
      );
    } finally {
      dataKey.fill(0);
    }
    const resource = JSON.parse(utf8Decoder.decode(plaintext)) as R;
    return {
      patient,
      commitment,
      author: facts.author,
      recordType: facts.recordType,
      resource,
      purpose,
      envelopeRef: contentRefOf(envelopeBytes),
      anchor: batch === undefined ? "record" : "batch",
    };
  }

  /**
   * Author and record type as the chain knows them, never as a stored manifest claims: a forged
   * "from the laboratory" manifest changes nothing. A batch leaf's type is proven by the proof the
   * access rule checked; its author is the batch's anchoring account.
   */
  async #onChainFacts(
    patient: string,
    commitment: string,
    batch: BatchLocation | undefined,
  ): Promise<{ author: string; recordType: RecordType }> {
    const { core } = this;
    if (batch !== undefined) {
      const anchored = await core.read("batchOf", () => core.views.registry.batchOf(batch.root));
      return { author: getAddress(anchored.author), recordType: batch.recordType };
    }
    const record = await core.read("recordOf", () => core.views.registry.recordOf(patient, commitment));
    if (record.author === ZeroAddress) throw new RecordNotFoundError("chain", patient, commitment);
    return { author: getAddress(record.author), recordType: Number(record.recordType) as RecordType };
  }

  /**
   * The envelope, from this client's own index when it wrote or saw the record, otherwise through
   * the locators: the record commitment's preimage (checked against the chain's author) names the
   * content commitment, whose preimage names the envelope's hash. The store verifies each block
   * against its address; the commitments are checked again before decryption.
   */
  async #fetchEnvelope(
    patient: string,
    commitment: string,
    author: string,
    manifest: RecordManifest | undefined,
  ): Promise<Uint8Array> {
    const { store } = this.core;
    try {
      if (manifest !== undefined) return await store.get(manifest.envelope);
      const content = await this.#contentCommitmentOf(patient, commitment, author);
      const { envelopeHash } = parseCommitmentPreimage(await store.get(locatorRefOf(content)));
      return await store.get(envelopeRefOf(envelopeHash));
    } catch (error) {
      if (error instanceof NotFoundError) throw new RecordNotFoundError("store", patient, commitment);
      throw error;
    }
  }

  /**
   * The content commitment a record commitment binds, from its stored preimage: IntegrityError
   * unless the preimage hashes to the record commitment and names `author`, the author the chain
   * gives the record (or batch); RecordNotFoundError when the store lacks it.
   */
  async #contentCommitmentOf(patient: string, commitment: string, author: string): Promise<string> {
    try {
      return await boundContentCommitment(this.core.store, commitment, author);
    } catch (error) {
      if (error instanceof NotFoundError) throw new RecordNotFoundError("store", patient, commitment);
      throw error;
    }
  }

  /**
   * Destroys everything the store holds for a record: the envelope, every wrapped key, every
   * manifest and key share. Writes a tombstone naming what was destroyed, then checks that each
   * destroyed ref now reads as NotFound. Returns the destroyed refs and the tombstone's ref.
   */
  async destroy(
    patient: string,
    commitment: string,
    transactionHash: string,
  ): Promise<{ destroyed: ContentRef[]; tombstoneRef: ContentRef; verifiedAbsent: boolean }> {
    const { core } = this;
    await core.index.refresh();
    const entry = core.index.get(patient, commitment);
    const refs = new Set<ContentRef>();
    if (entry !== undefined) {
      for (const [ref, manifest] of entry.manifests) {
        refs.add(manifest.envelope);
        refs.add(ref);
      }
      for (const ref of entry.shares.keys()) refs.add(ref);
      for (const key of allKeyRefs(entry)) refs.add(key.ref);
    }
    refs.add(locatorRefOf(commitment));
    // The content commitment's preimage too, found through the record commitment's.
    const boundRef = locatorRefOf(commitment);
    const bound = await core.store.get(boundRef).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (bound !== undefined) {
      try {
        refs.add(locatorRefOf(parseBoundPreimage(bound).contentCommitment));
      } catch (error) {
        if (!(error instanceof MalformedEnvelopeError)) throw error;
      }
    }
    const destroyed = [...refs];
    // Keys and envelope first, manifests last: a crash midway leaves manifests that still name
    // what remains, so a second erase finds and finishes it.
    const manifestRefs = new Set([...(entry?.manifests.keys() ?? []), ...(entry?.shares.keys() ?? [])]);
    await Promise.all(destroyed.filter((ref) => !manifestRefs.has(ref)).map((ref) => core.store.delete(ref)));
    await Promise.all([...manifestRefs].map((ref) => core.store.delete(ref)));
    for (const ref of destroyed) core.index.remove(ref);
    const tombstone: ErasureTombstone = {
      kind: "erasure",
      chainId: core.chainId.toString(),
      registry: core.addresses.registry,
      patient: getAddress(patient),
      commitment: commitment.toLowerCase(),
      transactionHash,
      destroyed,
    };
    const tombstoneRef = await core.store.put(encodeLedgerObject(tombstone));
    core.index.add(tombstoneRef, tombstone);
    const checks = await Promise.all(
      destroyed.map(async (ref) => {
        try {
          await core.store.get(ref);
          return false;
        } catch (error) {
          return error instanceof NotFoundError;
        }
      }),
    );
    return { destroyed, tombstoneRef, verifiedAbsent: checks.every(Boolean) };
  }

  /** Whether the chain currently marks the record sensitive (falls back to the manifest for batches). */
  async isSensitiveOnChain(entry: IndexedRecord): Promise<boolean> {
    const primary = primaryManifest(entry);
    if (primary?.manifest.anchor.kind === "batch") return primary.manifest.sensitive;
    const record = await this.core.read("recordOf", () =>
      this.core.views.registry.recordOf(entry.patient, entry.commitment),
    );
    return (Number(record.flags) & RecordFlag.Sensitive) !== 0;
  }

  async #canAccess(
    accessor: string,
    patient: string,
    commitment: string,
    purpose: Purpose,
    batch: BatchLocation | undefined,
    leafContent: string | undefined,
  ): Promise<boolean> {
    const { core } = this;
    if (batch !== undefined) {
      const leaf = {
        patient,
        commitment: leafContent ?? commitment,
        recordType: batch.recordType,
        sensitive: batch.sensitive,
      };
      return core.read("canAccessBatchRecord", () =>
        core.views.consent.canAccessBatchRecord(accessor, batch.root, leaf, [...batch.proof], purpose),
      );
    }
    return core.read("canAccess", () => core.views.consent.canAccess(accessor, patient, commitment, purpose));
  }
}

/**
 * The content commitment a record commitment binds to `author`, read from the record commitment's
 * stored preimage: what a batch leaf names (NotFoundError when the store lacks the preimage,
 * IntegrityError when it does not hash to the record commitment or names another author).
 */
export async function boundContentCommitment(
  store: { get(ref: string): Promise<Uint8Array> },
  commitment: string,
  author: string,
): Promise<string> {
  return verifyBoundPreimage(await store.get(locatorRefOf(commitment)), commitment, author);
}

function batchLocationOf(manifest: RecordManifest | undefined): BatchLocation | undefined {
  if (manifest?.anchor.kind !== "batch") return undefined;
  return {
    root: manifest.anchor.root,
    recordType: manifest.recordType,
    sensitive: manifest.sensitive,
    proof: manifest.anchor.proof,
  };
}

/** Checks a caller's batch location (InvalidArgumentError naming the bad field). */
function batchLocationArgument(batch: BatchLocation): BatchLocation {
  if (typeof batch !== "object" || batch === null)
    throw new InvalidArgumentError("batch", "{ root, recordType, sensitive, proof }");
  if (!Array.isArray(batch.proof) || batch.proof.length > 64) {
    throw new InvalidArgumentError("batch.proof", "an array of at most 64 hashes");
  }
  if (typeof batch.sensitive !== "boolean") throw new InvalidArgumentError("batch.sensitive", "a boolean");
  return {
    root: bytes32Argument(batch.root, "batch.root"),
    recordType: enumArgument<RecordType>(batch.recordType, "batch.recordType", RecordType),
    sensitive: batch.sensitive,
    proof: batch.proof.map((hash) => bytes32Argument(hash, "batch.proof")),
  };
}

function storedRecordOf(entry: IndexedRecord): StoredRecord | undefined {
  const primary = primaryManifest(entry);
  if (primary === undefined) return undefined;
  const { ref, manifest } = primary;
  const readers = [...new Set([manifest.patient, manifest.author].map((account) => getAddress(account)))];
  return {
    patient: manifest.patient,
    commitment: manifest.commitment,
    author: manifest.author,
    recordType: manifest.recordType,
    sensitive: manifest.sensitive,
    manifestRef: ref,
    envelopeRef: manifest.envelope,
    anchor: manifest.anchor,
    ...(manifest.workflow === undefined ? {} : { workflow: manifest.workflow }),
    readers,
    erased: entry.erasures.size > 0,
  };
}
