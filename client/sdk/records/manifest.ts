import { getAddress } from "ethers";

import type { RecordType } from "../../care-types.js";
import type { ContentRef } from "../../storage/index.js";

/**
 * Off-chain objects the SDK keeps next to the envelopes in a ContentStore. Every object is
 * immutable and content-addressed, so each write is atomic on any backend (LocalDiskStore,
 * HeliaStore, Kubo) and a crash leaves either the whole object or nothing:
 *
 * - record manifest: where a record's envelope and wrapped keys are, written before anchoring;
 * - key share: wrapped keys added later for new readers (a grant, a family doctor);
 * - erasure: a tombstone listing what was destroyed when the patient erased the record.
 *
 * Serialised as the 4-byte magic "CLMF", a version byte, then UTF-8 JSON. The magic lets a scan
 * tell these objects from envelopes ("CLRE") and wrapped keys ("CLWK") by their first bytes.
 * They carry addresses, commitments, record types and content refs only: no payload, no key.
 */
export const MANIFEST_MAGIC = Uint8Array.from([0x43, 0x4c, 0x4d, 0x46]);
export const MANIFEST_VERSION = 1;

/** A wrapped data key stored for one reader. */
export interface KeyRef {
  readonly reader: string;
  readonly ref: ContentRef;
}

/** How a record is anchored: on its own, or as a leaf of a batch root. */
export type AnchorInfo =
  { readonly kind: "record" } | { readonly kind: "batch"; readonly root: string; readonly proof: readonly string[] };

/** Links to the workflow a record belongs to (commitments only). */
export interface WorkflowLink {
  readonly kind: "prescription" | "dispense" | "lab-order" | "lab-result" | "amendment";
  /** The prescription a dispense fills, the order a result answers, the version an amendment corrects. */
  readonly related?: string;
}

interface DeploymentScope {
  /** Chain id as a decimal string. */
  readonly chainId: string;
  /** The record registry's address: a store may hold records of several deployments. */
  readonly registry: string;
}

export interface RecordManifest extends DeploymentScope {
  readonly kind: "record";
  readonly patient: string;
  readonly commitment: string;
  readonly author: string;
  readonly recordType: RecordType;
  /** The sensitivity the author anchored (the patient may change it on-chain later). */
  readonly sensitive: boolean;
  readonly envelope: ContentRef;
  readonly keys: readonly KeyRef[];
  readonly anchor: AnchorInfo;
  readonly workflow?: WorkflowLink;
}

export interface KeyShare extends DeploymentScope {
  readonly kind: "key-share";
  readonly patient: string;
  readonly commitment: string;
  readonly sharedBy: string;
  readonly keys: readonly KeyRef[];
  /** The consent grant the share serves, when a grant caused it (revocation destroys the share). */
  readonly grantId?: string;
}

export interface ErasureTombstone extends DeploymentScope {
  readonly kind: "erasure";
  readonly patient: string;
  readonly commitment: string;
  readonly transactionHash: string;
  /** Every ref the erasure destroyed (envelope, wrapped keys, manifests, shares). */
  readonly destroyed: readonly ContentRef[];
}

export type LedgerObject = RecordManifest | KeyShare | ErasureTombstone;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeLedgerObject(object: LedgerObject): Uint8Array {
  const json = utf8.encode(JSON.stringify(object));
  const bytes = new Uint8Array(MANIFEST_MAGIC.length + 1 + json.length);
  bytes.set(MANIFEST_MAGIC, 0);
  bytes[MANIFEST_MAGIC.length] = MANIFEST_VERSION;
  bytes.set(json, MANIFEST_MAGIC.length + 1);
  return bytes;
}

export function isLedgerObject(bytes: Uint8Array): boolean {
  return bytes.length > MANIFEST_MAGIC.length && MANIFEST_MAGIC.every((byte, index) => bytes[index] === byte);
}

/** Parses and shape-checks a stored object; undefined when the bytes are not one of ours. */
export function decodeLedgerObject(bytes: Uint8Array): LedgerObject | undefined {
  if (!isLedgerObject(bytes) || bytes[MANIFEST_MAGIC.length] !== MANIFEST_VERSION) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(utf8Decoder.decode(bytes.subarray(MANIFEST_MAGIC.length + 1)));
  } catch {
    return undefined;
  }
  return isObjectShape(value) ? value : undefined;
}

function isObjectShape(value: unknown): value is LedgerObject {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  const common =
    typeof record.chainId === "string" &&
    isAddressText(record.registry) &&
    isAddressText(record.patient) &&
    isBytes32(record.commitment);
  if (!common) return false;
  switch (record.kind) {
    case "record":
      return (
        isAddressText(record.author) &&
        typeof record.recordType === "number" &&
        typeof record.sensitive === "boolean" &&
        typeof record.envelope === "string" &&
        isKeyRefs(record.keys) &&
        typeof record.anchor === "object" &&
        record.anchor !== null
      );
    case "key-share":
      return isAddressText(record.sharedBy) && isKeyRefs(record.keys);
    case "erasure":
      return typeof record.transactionHash === "string" && Array.isArray(record.destroyed);
    default:
      return false;
  }
}

function isKeyRefs(value: unknown): value is KeyRef[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item: unknown) =>
        typeof item === "object" &&
        item !== null &&
        isAddressText((item as Record<string, unknown>).reader) &&
        typeof (item as Record<string, unknown>).ref === "string",
    )
  );
}

function isAddressText(value: unknown): value is string {
  return typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value);
}

function isBytes32(value: unknown): value is string {
  return typeof value === "string" && /^0x[0-9a-f]{64}$/.test(value);
}

/** The key of a record in maps: lower-case patient and commitment. */
export function recordKey(patient: string, commitment: string): string {
  return `${patient.toLowerCase()}:${commitment.toLowerCase()}`;
}

/** Normalises an address for storage in objects (EIP-55). */
export function addressOf(address: string): string {
  return getAddress(address);
}
