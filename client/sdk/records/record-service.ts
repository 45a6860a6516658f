import { ZeroAddress, getAddress } from "ethers";

import { Purpose, RecordFlag, RecordType } from "../../care-types.js";
import { CareLedgerError, IntegrityError, KeyUnavailableError, NotFoundError } from "../../errors.js";
import type { FhirResource } from "../../fhir/index.js";
import { contentRefOf, type ContentRef } from "../../storage/index.js";
import { AccessDeniedError, RecordErasedError, RecordNotFoundError } from "../errors.js";
import type { LedgerCore } from "../ledger-core.js";
import {
  encodeLedgerObject,
  type AnchorInfo,
  type ErasureTombstone,
  type KeyRef,
  type KeyShare,
  type RecordManifest,
  type WorkflowLink,
} from "./manifest.js";
import { allKeyRefs, keyRefsFor, primaryManifest, type IndexedRecord } from "./manifest-index.js";
import { recordContext, type Recipient, type SealedDraft } from "./record-crypto.js";
import { Semaphore } from "../transport/mutex.js";
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
  /** Readers holding a wrapped key (from the manifest and every key share). */
  readonly readers: readonly string[];
  /** True when an erasure tombstone exists for it. */
  readonly erased: boolean;
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

/** Optional readers of a new record beyond the patient and the author. */
export interface ReaderPlan {
  /** Must receive a key: PublicKeyNotRegisteredError when one has no public key. */
  readonly required?: readonly string[];
  /** Receive a key when their public key is known (a workflow party, the family doctor). */
  readonly optional?: readonly string[];
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const SHARE_CONCURRENCY = 16;

/**
 * Sealing, storing, reading, sharing and destroying records for one client. The chain's access
 * rule is asked before any content is fetched; the envelope is checked against its commitment
 * before decryption; every failure is a typed error.
 */
export class RecordService {
  constructor(readonly core: LedgerCore) {}

  /** The AEAD context of a record of this deployment. */
  contextOf(patient: string, recordType: RecordType): Uint8Array {
    return recordContext(this.core.chainId, this.core.addresses.registry, patient, recordType);
  }

  /**
   * Everyone a new record is wrapped for: the patient and the author always; the caller's extra
   * readers; the configured emergency readers (sensitive records only when the patient allowed
   * emergency access to them); the patient's family doctor for non-sensitive records.
   * Resolves public keys first, so a missing required key fails before anything is written.
   */
  async readersFor(patient: string, sensitive: boolean, plan: ReaderPlan = {}): Promise<Recipient[]> {
    const { core } = this;
    const required = [
      patient,
      core.address,
      ...(plan.required ?? []).map((reader) => addressArgument(reader, "readers")),
    ];
    const optional = (plan.optional ?? []).map((reader) => addressArgument(reader, "readers"));
    const emergencyReaders = core.options.emergencyReaders ?? [];
    if (emergencyReaders.length > 0) {
      const allowed =
        !sensitive ||
        (await core.read("allowsSensitiveAccess", () => core.views.emergency.allowsSensitiveAccess(patient)));
      if (allowed) optional.push(...emergencyReaders);
    }
    if (!sensitive && core.options.shareWithFamilyDoctor !== false) {
      const familyDoctor = await core.read("familyDoctorOf", () => core.views.relationships.familyDoctorOf(patient));
      if (familyDoctor !== ZeroAddress) optional.push(familyDoctor);
    }
    const recipients = new Map<string, Recipient>();
    for (const account of required) {
      const address = getAddress(account);
      if (!recipients.has(address)) recipients.set(address, { address, publicKey: await core.keys.require(address) });
    }
    for (const account of optional) {
      const address = getAddress(account);
      if (recipients.has(address)) continue;
      const publicKey = await core.keys.publicKeyOf(address);
      if (publicKey !== undefined) recipients.set(address, { address, publicKey });
    }
    return [...recipients.values()];
  }

  /** Seals canonical bytes for `patient` and wraps the fresh key for `readers`. Nothing is stored. */
  seal(
    canonicalBytes: Uint8Array,
    patient: string,
    recordType: RecordType,
    readers: Recipient[],
  ): Promise<SealedDraft> {
    return this.core.crypto.seal(canonicalBytes, this.contextOf(patient, recordType), readers);
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
    const keyRefs = draft.wrapped.map((wrapped) => ({ reader: wrapped.reader, ref: contentRefOf(wrapped.bytes) }));
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
   * Stores the envelope and the wrapped keys (`persistContent`) and the manifest naming them. All
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

  /** Stores a sealed record's envelope and wrapped keys. */
  async persistContent(draft: SealedDraft): Promise<void> {
    const refs = await Promise.all([
      this.#put(draft.envelopeBytes, contentRefOf(draft.envelopeBytes)),
      ...draft.wrapped.map((wrapped) => this.#put(wrapped.bytes, contentRefOf(wrapped.bytes))),
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
  ): Promise<ReadRecordResult<R>> {
    const { core } = this;
    const patient = addressArgument(patientArgument, "patient");
    const commitment = bytes32Argument(commitmentArgument, "commitment");
    const purpose = enumArgument<Purpose>(purposeArgument, "purpose", Purpose);
    const accessor = core.address;
    const entry = await core.index.find(patient, commitment);
    const primary = entry === undefined ? undefined : primaryManifest(entry);
    const manifest = primary?.manifest;
    const allowed = await this.#canAccess(accessor, patient, commitment, purpose, manifest);
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
      if (record.author === ZeroAddress && manifest?.anchor.kind !== "batch") {
        throw new RecordNotFoundError("chain", getAddress(patient), commitment);
      }
      throw new AccessDeniedError(accessor, getAddress(patient), commitment, purpose);
    }
    if (entry === undefined || manifest === undefined) {
      throw new RecordNotFoundError("store", getAddress(patient), commitment);
    }
    // KeyUnavailableError's recipient is the zero address when no key was wrapped for the reader at all.
    const mine = keyRefsFor(entry, accessor);
    if (core.privateKey === undefined || mine.length === 0) throw new KeyUnavailableError(accessor, ZeroAddress);
    const [envelopeBytes, wrappedKey] = await Promise.all([core.store.get(manifest.envelope), this.#firstKey(mine)]);
    const plaintext = await core.crypto.open({
      envelopeBytes,
      wrappedKey,
      privateKey: core.privateKey,
      context: this.contextOf(manifest.patient, manifest.recordType),
      commitment: manifest.commitment,
    });
    const resource = JSON.parse(utf8Decoder.decode(plaintext)) as R;
    return {
      patient: manifest.patient,
      commitment: manifest.commitment,
      author: manifest.author,
      recordType: manifest.recordType,
      resource,
      purpose,
      envelopeRef: manifest.envelope,
      anchor: manifest.anchor.kind,
    };
  }

  /**
   * Wraps the data key of each record for new readers, using this account's own wrapped key, and
   * stores the keys plus one key share per record. Records this account cannot unwrap are skipped.
   * Returns the commitments shared.
   */
  async share(entries: readonly IndexedRecord[], readers: readonly Recipient[], grantId?: string): Promise<string[]> {
    const { core } = this;
    if (core.privateKey === undefined || readers.length === 0) return [];
    const privateKey = core.privateKey;
    const shared: string[] = [];
    // Bounded: a grant over thousands of records must not open thousands of files at once.
    const limit = new Semaphore(SHARE_CONCURRENCY);
    await Promise.all(
      entries.map((entry) =>
        limit.run(async () => {
          const mine = keyRefsFor(entry, core.address);
          const newReaders = readers.filter(
            (reader) => keyRefsFor(entry, reader.address).length === 0 || grantId !== undefined,
          );
          if (mine.length === 0 || newReaders.length === 0 || entry.erasures.size > 0) return;
          let wrappedKey: Uint8Array;
          try {
            wrappedKey = await this.#firstKey(mine);
          } catch (error) {
            if (error instanceof CareLedgerError) return;
            throw error;
          }
          const wrapped = await core.crypto.rewrap({
            wrappedKey,
            privateKey,
            commitment: entry.commitment,
            recipients: newReaders,
          });
          const refs = await Promise.all(wrapped.map((item) => core.store.put(item.bytes)));
          const share: KeyShare = {
            kind: "key-share",
            chainId: core.chainId.toString(),
            registry: core.addresses.registry,
            patient: getAddress(entry.patient),
            commitment: entry.commitment,
            sharedBy: core.address,
            keys: wrapped.map((item, index) => ({ reader: item.reader, ref: refs[index] })),
            ...(grantId === undefined ? {} : { grantId }),
          };
          const shareRef = await core.store.put(encodeLedgerObject(share));
          core.index.markSeen(...refs);
          core.index.add(shareRef, share);
          shared.push(entry.commitment);
        }),
      ),
    );
    return shared;
  }

  /** Deletes the key shares made for `grantId` and their wrapped keys. Returns the deleted refs. */
  async destroyShares(patient: string, grantId: string): Promise<ContentRef[]> {
    const { core } = this;
    await core.index.refresh();
    const destroyed: ContentRef[] = [];
    for (const entry of core.index.records(patient)) {
      for (const [shareRef, share] of entry.shares) {
        if (share.grantId?.toLowerCase() !== grantId.toLowerCase()) continue;
        for (const key of share.keys) {
          await core.store.delete(key.ref);
          core.index.remove(key.ref);
          destroyed.push(key.ref);
        }
        await core.store.delete(shareRef);
        core.index.remove(shareRef);
        destroyed.push(shareRef);
      }
    }
    return destroyed;
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
    manifest: RecordManifest | undefined,
  ): Promise<boolean> {
    const { core } = this;
    if (manifest?.anchor.kind === "batch") {
      const { root, proof } = manifest.anchor;
      const leaf = {
        patient: manifest.patient,
        commitment: manifest.commitment,
        recordType: manifest.recordType,
        sensitive: manifest.sensitive,
      };
      return core.read("canAccessBatchRecord", () =>
        core.views.consent.canAccessBatchRecord(accessor, root, leaf, [...proof], purpose),
      );
    }
    return core.read("canAccess", () => core.views.consent.canAccess(accessor, patient, commitment, purpose));
  }

  async #firstKey(keys: readonly KeyRef[]): Promise<Uint8Array> {
    let lastError: unknown;
    for (const key of keys) {
      try {
        return await this.core.store.get(key.ref);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }
}

function storedRecordOf(entry: IndexedRecord): StoredRecord | undefined {
  const primary = primaryManifest(entry);
  if (primary === undefined) return undefined;
  const { ref, manifest } = primary;
  const readers = [...new Set(allKeyRefs(entry).map((key) => getAddress(key.reader)))];
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
