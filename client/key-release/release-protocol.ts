import { TypedDataEncoder, ZeroHash, getAddress, type TypedDataDomain, type TypedDataField } from "ethers";

import { ascii } from "../crypto/bytes.js";
import { typedDataTable, typesOf } from "../typed-data-fields.js";
import { MAX_SHARES, MIN_THRESHOLD, SEALED_SHARE_LENGTH } from "./share-bundle.js";

/**
 * The custodians' HTTP protocol: one implementation of the wire format, used by the service and
 * by the client.
 *
 * POST /v1/release          ReleaseRequestBody  -> 200 ReleaseAnswer
 * POST /v1/releases/query   ReleaseQueryBody    -> 200 { entries: ReleaseLogEntry[] }
 * GET  /v1/health                               -> 200 HealthAnswer
 * Any error                                     -> { error: ReleaseErrorCode, message: one sentence }
 */

export const KEY_RELEASE_DOMAIN_NAME = "CareLedger Key Release";
export const KEY_RELEASE_DOMAIN_VERSION = "1";

/**
 * The EIP-712 types a requester (KeyRelease) and a patient (ReleaseQuery) sign. No contract hashes
 * them: the custodians verify them off-chain, over the domain of `keyReleaseDomain`.
 */
export const KEY_RELEASE_EIP712_TYPES = typedDataTable(
  "KeyRelease(address custodian,address requester,address patient,bytes32 commitment,uint8 purpose,bytes32 salt,bytes32 envelopeHash,bytes32 sealedShareHash,bytes32 batchRoot,bytes32 nonce,uint64 expiresAt)",
  "ReleaseQuery(address custodian,address patient,bytes32 nonce,uint64 expiresAt)",
);

export type KeyReleaseTypeName = keyof typeof KEY_RELEASE_EIP712_TYPES;

/** The types of one primary type, as the mutable record ethers wants. */
export function keyReleaseTypes(name: KeyReleaseTypeName): Record<string, TypedDataField[]> {
  return typesOf(KEY_RELEASE_EIP712_TYPES, name);
}

/** The key-release EIP-712 domain: the chain and its ConsentManager, whose rule decides. */
export function keyReleaseDomain(chainId: bigint | number, consentManager: string): TypedDataDomain {
  return {
    name: KEY_RELEASE_DOMAIN_NAME,
    version: KEY_RELEASE_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: getAddress(consentManager),
  };
}

/** HPKE `info` of a share a custodian seals to a requester. */
export const RELEASE_SEAL_INFO: Uint8Array = ascii("CareLedger/key-release/v1");
/** The longest a signed request or query may stay valid. */
export const MAX_REQUEST_TTL_SECONDS = 300;
export const MAX_PROOF_LENGTH = 64;
export const MAX_RECORD_TYPE = 11;
export const MAX_PURPOSE = 7;

/** The signed part of a release request (all hex lower- or mixed-case, 0x-prefixed). */
export interface KeyReleaseRequest {
  custodian: string;
  requester: string;
  patient: string;
  commitment: string;
  purpose: number;
  salt: string;
  envelopeHash: string;
  /** keccak256 of the sealed share sent along. */
  sealedShareHash: string;
  /** Zero for a record anchored on its own. */
  batchRoot: string;
  /** 32 random bytes, never reused. */
  nonce: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** The share the requester hands the custodian (from the bundle) and the policy it was split under. */
export interface ReleaseShareRef {
  index: number;
  keyVersion: number;
  threshold: number;
  shares: number;
  sealed: string;
}

/** For a batch record: the leaf's remaining fields and its inclusion proof under `batchRoot`. */
export interface ReleaseBatchProof {
  recordType: number;
  sensitive: boolean;
  proof: string[];
}

export interface ReleaseRequestBody {
  request: KeyReleaseRequest;
  signature: string;
  share: ReleaseShareRef;
  batch?: ReleaseBatchProof;
}

/** A custodian's answer: the share sealed to the requester's current published key. */
export interface ReleaseAnswer {
  index: number;
  /** The requester's EncryptionKeyRegistry version the share is sealed to. */
  keyVersion: number;
  sealed: string;
  /** The block whose state allowed the release. */
  blockNumber: number;
}

export interface ReleaseQuery {
  custodian: string;
  patient: string;
  nonce: string;
  expiresAt: number;
}

export interface ReleaseQueryBody {
  query: ReleaseQuery;
  signature: string;
}

export interface HealthAnswer {
  status: "ok";
  custodian: string;
  chainId: string;
  keyVersion: number;
}

/** Error codes of the protocol and their HTTP statuses. */
export const RELEASE_ERROR_STATUS = {
  "malformed-request": 400,
  "commitment-mismatch": 400,
  "expiry-too-far": 400,
  "bad-signature": 401,
  "access-denied": 403,
  "not-found": 404,
  "method-not-allowed": 405,
  "replayed-request": 409,
  "expired-request": 410,
  "requester-key-missing": 412,
  "body-too-large": 413,
  "unsupported-media-type": 415,
  "wrong-custodian": 421,
  "share-unopenable": 422,
  "internal-error": 500,
  "chain-unavailable": 503,
} as const satisfies Record<string, number>;

export type ReleaseErrorCode = keyof typeof RELEASE_ERROR_STATUS;

export interface ReleaseErrorBody {
  error: ReleaseErrorCode;
  message: string;
}

/** A request the protocol refuses; `code` decides the status. Messages never carry request values. */
export class ReleaseProtocolError extends Error {
  override readonly name = "ReleaseProtocolError";

  constructor(
    readonly code: ReleaseErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return RELEASE_ERROR_STATUS[this.code];
  }
}

/** The EIP-712 hash of a release request: the aad of the answer sealed to the requester. */
export function releaseRequestHash(domain: TypedDataDomain, request: KeyReleaseRequest): string {
  return TypedDataEncoder.hash(domain, keyReleaseTypes("KeyRelease"), request);
}

// ---- strict parsing of untrusted JSON ----

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
const SEALED = new RegExp(`^0x[0-9a-fA-F]{${SEALED_SHARE_LENGTH * 2}}$`);

function malformed(what: string): never {
  throw new ReleaseProtocolError("malformed-request", `The request's ${what} is missing or malformed.`);
}

function object(value: unknown, what: string, keys: readonly string[], optional: readonly string[] = []): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) malformed(what);
  const own = Object.keys(value as object);
  for (const key of own) if (!keys.includes(key) && !optional.includes(key)) malformed(what);
  for (const key of keys) if (!own.includes(key)) malformed(what);
}

function addressField(value: unknown, what: string): string {
  if (typeof value !== "string" || !ADDRESS.test(value)) malformed(what);
  return getAddress(value as string);
}

function bytes32Field(value: unknown, what: string): string {
  if (typeof value !== "string" || !BYTES32.test(value)) malformed(what);
  return (value as string).toLowerCase();
}

function intField(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) malformed(what);
  return value as number;
}

function signatureField(value: unknown): string {
  if (typeof value !== "string" || !SIGNATURE.test(value)) malformed("signature");
  return (value as string).toLowerCase();
}

const MAX_EXPIRY = 2 ** 40;

/** Checks the shape of a release request body exactly; extra or missing keys are refused. */
export function parseReleaseBody(json: unknown): ReleaseRequestBody {
  object(json, "body", ["request", "signature", "share"], ["batch"]);
  const body = json as Record<string, unknown>;
  const r = body.request as Record<string, unknown>;
  object(
    r,
    "request",
    KEY_RELEASE_EIP712_TYPES.KeyRelease.map((field) => field.name),
  );
  const request: KeyReleaseRequest = {
    custodian: addressField(r.custodian, "custodian"),
    requester: addressField(r.requester, "requester"),
    patient: addressField(r.patient, "patient"),
    commitment: bytes32Field(r.commitment, "commitment"),
    purpose: intField(r.purpose, "purpose", 1, MAX_PURPOSE),
    salt: bytes32Field(r.salt, "salt"),
    envelopeHash: bytes32Field(r.envelopeHash, "envelope hash"),
    sealedShareHash: bytes32Field(r.sealedShareHash, "sealed share hash"),
    batchRoot: bytes32Field(r.batchRoot, "batch root"),
    nonce: bytes32Field(r.nonce, "nonce"),
    expiresAt: intField(r.expiresAt, "expiry", 0, MAX_EXPIRY),
  };
  const s = body.share as Record<string, unknown>;
  object(s, "share", ["index", "keyVersion", "threshold", "shares", "sealed"]);
  const shares = intField(s.shares, "share count", MIN_THRESHOLD, MAX_SHARES);
  const share: ReleaseShareRef = {
    index: intField(s.index, "share index", 0, shares - 1),
    keyVersion: intField(s.keyVersion, "key version", 1, 0xffff_ffff),
    threshold: intField(s.threshold, "threshold", MIN_THRESHOLD, shares),
    shares,
    sealed: typeof s.sealed === "string" && SEALED.test(s.sealed) ? s.sealed.toLowerCase() : malformed("sealed share"),
  };
  const isBatch = request.batchRoot !== ZeroHash;
  if (isBatch !== (body.batch !== undefined)) malformed("batch proof");
  let batch: ReleaseBatchProof | undefined;
  if (body.batch !== undefined) {
    const b = body.batch as Record<string, unknown>;
    object(b, "batch proof", ["recordType", "sensitive", "proof"]);
    if (typeof b.sensitive !== "boolean") malformed("batch proof");
    if (!Array.isArray(b.proof) || b.proof.length > MAX_PROOF_LENGTH) malformed("batch proof");
    batch = {
      recordType: intField(b.recordType, "record type", 1, MAX_RECORD_TYPE),
      sensitive: b.sensitive as boolean,
      proof: (b.proof as unknown[]).map((node) => bytes32Field(node, "batch proof")),
    };
  }
  return { request, signature: signatureField(body.signature), share, batch };
}

/** Checks the shape of a release-log query body exactly. */
export function parseQueryBody(json: unknown): ReleaseQueryBody {
  object(json, "body", ["query", "signature"]);
  const body = json as Record<string, unknown>;
  const q = body.query as Record<string, unknown>;
  object(
    q,
    "query",
    KEY_RELEASE_EIP712_TYPES.ReleaseQuery.map((field) => field.name),
  );
  return {
    query: {
      custodian: addressField(q.custodian, "custodian"),
      patient: addressField(q.patient, "patient"),
      nonce: bytes32Field(q.nonce, "nonce"),
      expiresAt: intField(q.expiresAt, "expiry", 0, MAX_EXPIRY),
    },
    signature: signatureField(body.signature),
  };
}

/** Checks a custodian's answer (from the network: untrusted). Returns undefined when malformed. */
export function parseReleaseAnswer(json: unknown): ReleaseAnswer | undefined {
  try {
    object(json, "answer", ["index", "keyVersion", "sealed", "blockNumber"]);
    const a = json as Record<string, unknown>;
    if (typeof a.sealed !== "string" || !/^0x(?:[0-9a-fA-F]{2})+$/.test(a.sealed) || a.sealed.length > 2 + 2 * 256) {
      return undefined;
    }
    return {
      index: intField(a.index, "index", 0, MAX_SHARES - 1),
      keyVersion: intField(a.keyVersion, "key version", 1, 0xffff_ffff),
      sealed: a.sealed,
      blockNumber: intField(a.blockNumber, "block number", 0, Number.MAX_SAFE_INTEGER),
    };
  } catch {
    return undefined;
  }
}
