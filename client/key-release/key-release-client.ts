import { randomBytes } from "node:crypto";

import { ZeroHash, getAddress, getBytes, hexlify, keccak256, type TypedDataDomain } from "ethers";

import { bytesOfLength, toHex } from "../crypto/bytes.js";
import type { TypedDataSigner } from "../eip712.js";
import { DecryptionError, InvalidArgumentError } from "../errors.js";
import type { CareLedgerAddresses } from "../sdk/contract-abis.js";
import type { EncryptionKeyRegistry } from "../../typechain-types/index.js";
import type { EncryptionKeyring } from "./encryption-keyring.js";
import { KeyReleaseDeniedError, KeyReleaseUnavailableError, type CustodianOutcome } from "./errors.js";
import { hpkeOpen } from "./hpke.js";
import type { ReleaseLogEntry } from "./release-log.js";
import {
  RELEASE_SEAL_INFO,
  keyReleaseDomain,
  keyReleaseTypes,
  parseReleaseAnswer,
  releaseRequestHash,
  type KeyReleaseRequest,
  type ReleaseErrorBody,
  type ReleaseQueryBody,
  type ReleaseRequestBody,
} from "./release-protocol.js";
import {
  SHARE_LENGTH,
  combineShares,
  shareDigest,
  type CustodianKey,
  type CustodianShare,
  type ShareBundle,
} from "./share-bundle.js";

/** Where a custodian listens and which account it is. */
export interface CustodianEndpoint {
  url: string;
  address: string;
}

/** A signer with an address: an ethers Wallet or JSON-RPC signer. */
export interface AccountSigner extends TypedDataSigner {
  getAddress(): Promise<string>;
}

export interface KeyReleaseClientOptions {
  custodians: readonly CustodianEndpoint[];
  /** The smallest threshold this client accepts in a bundle (the organisation's policy). */
  threshold: number;
  /** The requester's account. */
  signer: AccountSigner;
  /** The requester's X25519 keys; answers are sealed to its current published version. */
  keyring: EncryptionKeyring;
  chainId: bigint | number;
  addresses: Pick<CareLedgerAddresses, "consent">;
  /** Per custodian request. Default 10 s. */
  timeoutMs?: number;
  /** Validity of each signed request. Default 120 s (a custodian accepts at most 300 s). */
  ttlSeconds?: number;
  /**
   * Only t custodians are asked at first; the others are asked when one of those refuses or fails, or
   * when no key has been rebuilt after this many milliseconds. Saves the work of answers never used.
   * Default 1,000 ms (a custodian that is down fails at once and is replaced at once); 0 asks every custodian at once.
   */
  hedgeAfterMs?: number;
}

/** A record anchored in a batch: its root, the leaf's other fields and the inclusion proof. */
export interface BatchRecordProof {
  root: string;
  recordType: number;
  sensitive: boolean;
  proof: readonly string[];
}

export interface RecoverDataKeyRequest {
  patient: string;
  commitment: string;
  purpose: number;
  salt: Uint8Array | string;
  /** The envelope hash of the record's commitment preimage (see client/crypto/commitment.ts). */
  envelopeHash: Uint8Array | string;
  bundle: ShareBundle;
  batch?: BatchRecordProof;
}

/** Release-log entries of a patient, with the custodian that logged each one. */
export interface ReleaseListing {
  entries: (ReleaseLogEntry & { custodian: string })[];
  /** Custodians that did not answer the query. */
  failed: string[];
}

/** The parameters of one signed release request. */
export interface ReleaseRequestParams extends Pick<
  KeyReleaseRequest,
  "custodian" | "requester" | "patient" | "commitment" | "purpose" | "salt" | "envelopeHash" | "expiresAt"
> {
  domain: TypedDataDomain;
  share: CustodianShare;
  threshold: number;
  shareCount: number;
  batch?: BatchRecordProof;
  nonce?: string;
}

/** Builds and signs one release request body (what `POST /v1/release` takes). */
export async function signReleaseRequest(
  signer: TypedDataSigner,
  params: ReleaseRequestParams,
): Promise<{ body: ReleaseRequestBody; requestHash: string }> {
  const request: KeyReleaseRequest = {
    custodian: getAddress(params.custodian),
    requester: getAddress(params.requester),
    patient: getAddress(params.patient),
    commitment: params.commitment.toLowerCase(),
    purpose: params.purpose,
    salt: params.salt.toLowerCase(),
    envelopeHash: params.envelopeHash.toLowerCase(),
    sealedShareHash: keccak256(params.share.sealed),
    batchRoot: params.batch === undefined ? ZeroHash : params.batch.root.toLowerCase(),
    nonce: params.nonce ?? hexlify(randomBytes(32)),
    expiresAt: params.expiresAt,
  };
  const signature = await signer.signTypedData(params.domain, keyReleaseTypes("KeyRelease"), { ...request });
  const body: ReleaseRequestBody = {
    request,
    signature,
    share: {
      index: params.share.index,
      keyVersion: params.share.keyVersion,
      threshold: params.threshold,
      shares: params.shareCount,
      sealed: hexlify(params.share.sealed),
    },
  };
  if (params.batch !== undefined) {
    body.batch = {
      recordType: params.batch.recordType,
      sensitive: params.batch.sensitive,
      proof: params.batch.proof.map((node) => node.toLowerCase()),
    };
  }
  return { body, requestHash: releaseRequestHash(params.domain, request) };
}

/**
 * The custodians' current X25519 keys from the EncryptionKeyRegistry, for `splitDataKey`. Throws
 * KeyReleaseUnavailableError when a custodian has published no key (it was never started).
 */
export async function fetchCustodianKeys(
  keyRegistry: Pick<EncryptionKeyRegistry, "currentEncryptionKey">,
  custodians: readonly string[],
): Promise<CustodianKey[]> {
  const keys = await Promise.all(custodians.map((address) => keyRegistry.currentEncryptionKey(address)));
  const missing = keys.filter(([version]) => version === 0n).length;
  if (missing > 0) {
    throw new KeyReleaseUnavailableError(custodians.length, custodians.length - missing, 0, missing);
  }
  return keys.map(([version, publicKey], i) => ({
    address: getAddress(custodians[i]),
    version: Number(version),
    publicKey: getBytes(publicKey),
  }));
}

/** An HTTP answer: status and parsed JSON (undefined when the body is not JSON). */
export interface CustodianResponse {
  status: number;
  json: unknown;
}

/** POSTs `body` as JSON to `url`, with a timeout. Network failures reject. */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<CustodianResponse> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

/**
 * Recovers records' data keys through the threshold custodians: asks every custodian holding a
 * share at once, opens each answer with the requester's keyring, keeps only shares that match the
 * bundle's digests, and combines as soon as t are in.
 */
export class KeyReleaseClient {
  readonly #custodians: readonly CustodianEndpoint[];
  readonly #threshold: number;
  readonly #signer: AccountSigner;
  readonly #keyring: EncryptionKeyring;
  readonly #domain: TypedDataDomain;
  readonly #timeoutMs: number;
  readonly #ttlSeconds: number;
  readonly #hedgeAfterMs: number;
  /** Rotates which custodians are asked first, so the load spreads over all of them. */
  #rotation = 0;
  readonly #chainId: bigint;
  readonly #consent: string;
  #requester: string | undefined;

  constructor(options: KeyReleaseClientOptions) {
    if (!Array.isArray(options.custodians) || options.custodians.length === 0) {
      throw new InvalidArgumentError("custodians", "a non-empty list of custodian endpoints");
    }
    this.#custodians = options.custodians.map((c, i) => {
      if (typeof c.url !== "string" || !/^https?:\/\//.test(c.url)) {
        throw new InvalidArgumentError(`custodians[${i}].url`, "an http(s) URL");
      }
      return { url: c.url.replace(/\/+$/, ""), address: getAddress(c.address) };
    });
    if (!Number.isInteger(options.threshold) || options.threshold < 2) {
      throw new InvalidArgumentError("threshold", "an integer >= 2");
    }
    this.#threshold = options.threshold;
    this.#signer = options.signer;
    this.#keyring = options.keyring;
    this.#chainId = BigInt(options.chainId);
    this.#consent = getAddress(options.addresses.consent);
    this.#domain = keyReleaseDomain(this.#chainId, this.#consent);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const ttl = options.ttlSeconds ?? 120;
    if (!Number.isInteger(ttl) || ttl < 5 || ttl > 300) throw new InvalidArgumentError("ttlSeconds", "5 to 300");
    this.#ttlSeconds = ttl;
    const hedge = options.hedgeAfterMs ?? 1_000;
    if (!Number.isInteger(hedge) || hedge < 0) throw new InvalidArgumentError("hedgeAfterMs", "a whole number >= 0");
    this.#hedgeAfterMs = hedge;
  }

  /** The EIP-712 domain the requests are signed under. */
  get domain(): TypedDataDomain {
    return this.#domain;
  }

  async #requesterAddress(): Promise<string> {
    this.#requester ??= getAddress(await this.#signer.getAddress());
    if (this.#requester !== this.#keyring.account) {
      throw new InvalidArgumentError("keyring", "the keyring of the signer's account");
    }
    return this.#requester;
  }

  /**
   * The record's 32-byte data key. Throws KeyReleaseDeniedError when the chain refuses the
   * requester, KeyReleaseUnavailableError when fewer than t valid shares can be had.
   */
  async recoverDataKey(input: RecoverDataKeyRequest): Promise<Uint8Array> {
    const requester = await this.#requesterAddress();
    const bundle = input.bundle;
    const t = bundle.threshold;
    const n = bundle.shares.length;
    if (!Number.isInteger(t) || t < this.#threshold || t > n) {
      throw new InvalidArgumentError("bundle.threshold", `at least the configured threshold ${this.#threshold}`);
    }
    const salt = toHex(bytesOfLength(input.salt, 32, "salt"));
    const envelopeHash = toHex(bytesOfLength(input.envelopeHash, 32, "envelopeHash"));
    const commitment = toHex(bytesOfLength(input.commitment, 32, "commitment"));
    const patient = getAddress(input.patient);
    const expiresAt = Math.floor(Date.now() / 1000) + this.#ttlSeconds;

    return new Promise<Uint8Array>((resolve, reject) => {
      const valid: Uint8Array[] = [];
      const xs = new Set<number>();
      const outcomes: CustodianOutcome[] = [];
      let denied = 0;
      let failed = 0;
      let settled = false;
      let pending = n;

      const decide = (): void => {
        if (settled) return;
        if (valid.length >= t) {
          settled = true;
          combineShares(valid.slice(0, t)).then(resolve, reject);
          for (const share of valid) share.fill(0);
          return;
        }
        const answered = outcomes.length;
        if (denied >= n - t + 1 || (pending === 0 && denied > 0 && denied === answered - countUnanswered(outcomes))) {
          settled = true;
          reject(new KeyReleaseDeniedError(denied, answered, [...outcomes]));
          return;
        }
        if (valid.length + pending < t) {
          settled = true;
          reject(new KeyReleaseUnavailableError(t, valid.length, denied, failed, [...outcomes]));
        }
      };

      const record = (outcome: CustodianOutcome, share?: Uint8Array): void => {
        pending -= 1;
        outcomes.push(outcome);
        if (outcome.outcome === "released" && share !== undefined) {
          const x = share[SHARE_LENGTH - 1];
          if (xs.has(x)) {
            // Two answers with the same x coordinate cannot both be genuine different shares.
            share.fill(0);
          } else {
            xs.add(x);
            if (settled) share.fill(0);
            else valid.push(share);
          }
        } else if (outcome.outcome === "denied") denied += 1;
        else failed += 1;
        decide();
        // A refusal or failure among the first t: the others are needed now (to decide, or to have t).
        if (outcome.outcome !== "released" || settled) hedge();
      };
      let hedge: () => void = () => undefined;

      const ask = (share: CustodianShare): void => {
        const endpoint = this.#custodians.find((c) => c.address === getAddress(share.custodian));
        if (endpoint === undefined) {
          record({ custodian: share.custodian, outcome: "failed", reason: "not-configured" });
          return;
        }
        this.#askOne(endpoint, share, {
          requester,
          patient,
          commitment,
          purpose: input.purpose,
          salt,
          envelopeHash,
          threshold: t,
          shareCount: n,
          batch: input.batch,
          expiresAt,
        }).then(
          (result) => record(result.outcome, result.share),
          () => record({ custodian: endpoint.address, outcome: "failed", reason: "invalid-answer" }),
        );
      };
      const start = this.#rotation++ % n;
      const order = [...bundle.shares.slice(start), ...bundle.shares.slice(0, start)];
      const first = this.#hedgeAfterMs === 0 ? order : order.slice(0, t);
      const reserve = order.slice(first.length);
      let timer: NodeJS.Timeout | undefined;
      const askReserve = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        for (const share of reserve.splice(0)) ask(share);
      };
      if (reserve.length > 0) {
        timer = setTimeout(() => {
          if (!settled) askReserve();
        }, this.#hedgeAfterMs);
        timer.unref();
      }
      hedge = (): void => {
        if (settled) {
          if (timer !== undefined) clearTimeout(timer);
          return;
        }
        askReserve();
      };
      for (const share of first) ask(share);
    });
  }

  async #askOne(
    endpoint: CustodianEndpoint,
    share: CustodianShare,
    params: Omit<ReleaseRequestParams, "domain" | "custodian" | "share">,
  ): Promise<{ outcome: CustodianOutcome; share?: Uint8Array }> {
    const custodian = endpoint.address;
    const { body, requestHash } = await signReleaseRequest(this.#signer, {
      ...params,
      domain: this.#domain,
      custodian,
      share,
    });
    let response: CustodianResponse;
    try {
      response = await postJson(`${endpoint.url}/v1/release`, body, this.#timeoutMs);
    } catch (error) {
      const timeout = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      return { outcome: { custodian, outcome: "failed", reason: timeout ? "timeout" : "unreachable" } };
    }
    if (response.status !== 200) {
      const code = (response.json as Partial<ReleaseErrorBody> | undefined)?.error;
      const reason = typeof code === "string" && /^[a-z-]{1,40}$/.test(code) ? code : `http-${response.status}`;
      return { outcome: { custodian, outcome: response.status === 403 ? "denied" : "failed", reason } };
    }
    const answer = parseReleaseAnswer(response.json);
    if (answer === undefined || answer.index !== share.index) {
      return { outcome: { custodian, outcome: "failed", reason: "invalid-answer" } };
    }
    const key = this.#keyring.byVersion(answer.keyVersion);
    if (key === undefined) return { outcome: { custodian, outcome: "failed", reason: "invalid-answer" } };
    let plain: Uint8Array;
    try {
      plain = await hpkeOpen(key.privateKey, getBytes(answer.sealed), RELEASE_SEAL_INFO, getBytes(requestHash));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      return { outcome: { custodian, outcome: "failed", reason: "invalid-answer" } };
    }
    if (plain.length !== SHARE_LENGTH || !equal(shareDigest(plain), share.digest)) {
      plain.fill(0);
      return { outcome: { custodian, outcome: "failed", reason: "wrong-share" } };
    }
    return { outcome: { custodian, outcome: "released" }, share: plain };
  }

  /** The release-log entries of `patientSigner`'s records at every custodian. */
  async listReleases(patientSigner: AccountSigner): Promise<ReleaseListing> {
    const patient = getAddress(await patientSigner.getAddress());
    const expiresAt = Math.floor(Date.now() / 1000) + this.#ttlSeconds;
    const listing: ReleaseListing = { entries: [], failed: [] };
    await Promise.all(
      this.#custodians.map(async (endpoint) => {
        const query = { custodian: endpoint.address, patient, nonce: hexlify(randomBytes(32)), expiresAt };
        const signature = await patientSigner.signTypedData(this.#domain, keyReleaseTypes("ReleaseQuery"), query);
        const body: ReleaseQueryBody = { query, signature };
        try {
          const response = await postJson(`${endpoint.url}/v1/releases/query`, body, this.#timeoutMs);
          const entries = (response.json as { entries?: unknown } | undefined)?.entries;
          if (response.status !== 200 || !Array.isArray(entries)) throw new Error("bad answer");
          for (const entry of entries as ReleaseLogEntry[])
            listing.entries.push({ ...entry, custodian: endpoint.address });
        } catch {
          listing.failed.push(endpoint.address);
        }
      }),
    );
    listing.entries.sort((a, b) => a.releasedAt.localeCompare(b.releasedAt) || a.custodian.localeCompare(b.custodian));
    return listing;
  }
}

function countUnanswered(outcomes: readonly CustodianOutcome[]): number {
  return outcomes.filter((o) => o.reason === "unreachable" || o.reason === "timeout" || o.reason === "not-configured")
    .length;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
