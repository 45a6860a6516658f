import { mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

import {
  JsonRpcProvider,
  getAddress,
  getBytes,
  hexlify,
  keccak256,
  verifyTypedData,
  ZeroAddress,
  ZeroHash,
  type BlockTag,
  type Provider,
  type Signer,
} from "ethers";

import { commitmentOf, recordCommitmentOf } from "../crypto/commitment.js";
import { DecryptionError } from "../errors.js";
import type { CareLedgerAddresses } from "../sdk/contract-abis.js";
import {
  ConsentManager__factory,
  EncryptionKeyRegistry__factory,
  RecordRegistry__factory,
  type ConsentManager,
  type EncryptionKeyRegistry,
  type RecordRegistry,
} from "../../typechain-types/index.js";
import { EncryptionKeyring } from "./encryption-keyring.js";
import { hpkeOpen, hpkeSeal } from "./hpke.js";
import { ReleaseLog, type ReleaseLogEntry } from "./release-log.js";
import {
  MAX_REQUEST_TTL_SECONDS,
  RELEASE_SEAL_INFO,
  ReleaseProtocolError,
  keyReleaseDomain,
  keyReleaseTypes,
  parseQueryBody,
  parseReleaseBody,
  releaseRequestHash,
  type HealthAnswer,
  type ReleaseAnswer,
  type ReleaseErrorBody,
  type ReleaseRequestBody,
} from "./release-protocol.js";
import { SHARE_LENGTH, SHARE_SEAL_INFO, shareAad } from "./share-bundle.js";

/** Resource limits of a custodian's HTTP server. */
export interface CustodianLimits {
  /** Largest request body accepted (413 above). Default 64 KiB. */
  maxBodyBytes: number;
  /** Time a client has to send its request headers. Default 5 s. */
  headersTimeoutMs: number;
  /** Time a client has to send its whole request. Default 10 s. */
  requestTimeoutMs: number;
  /** How often the server looks for requests over those limits. Default 1 s. */
  timeoutCheckIntervalMs: number;
  /** Idle time before a kept-alive connection is closed. Default 5 s. */
  keepAliveTimeoutMs: number;
  /** Simultaneous connections; more are dropped. Default 512. */
  maxConnections: number;
  /** Longest validity a signed request may claim. Default 300 s. */
  maxRequestTtlSeconds: number;
  /** Longest wait for the chain's answer before the request fails with 503. Default 5 s. */
  chainTimeoutMs: number;
}

export const DEFAULT_CUSTODIAN_LIMITS: Readonly<CustodianLimits> = {
  maxBodyBytes: 64 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  timeoutCheckIntervalMs: 1_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 512,
  maxRequestTtlSeconds: MAX_REQUEST_TTL_SECONDS,
  chainTimeoutMs: 5_000,
};

export interface CustodianServiceOptions {
  /** The custodian's own directory: its X25519 keyring and its release log. */
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port; `url` tells which). */
  port?: number;
  /** JSON-RPC endpoint; or give `provider`. */
  rpcUrl?: string;
  provider?: Provider;
  addresses: CareLedgerAddresses;
  /** The custodian's account; publishes its X25519 key on start when the registry lacks it. */
  signer: Signer;
  /** Blocks below the head whose state decides (0 = the head). */
  confirmations?: number;
  limits?: Partial<CustodianLimits>;
  /** Clock in unix seconds (tests). */
  now?: () => number;
}

export interface RunningCustodian {
  readonly url: string;
  readonly address: string;
  /** The custodian's published X25519 key and its registry version. */
  readonly publicKey: Uint8Array;
  readonly keyVersion: number;
  close(): Promise<void>;
}

const KEYRING_FILE = "custodian-keys.json";
const LOG_FILE = "releases.jsonl";

/**
 * A key custodian: releases its share of a record's data key to a requester the chain allows, and
 * to no one else. Every request is authenticated (EIP-712 signature of the requester over a fresh,
 * short-lived request), checked against the on-chain access rule at the configured depth (asked
 * again for every request; nothing is cached), logged durably, and answered with the share sealed
 * to the requester's published X25519 key.
 */
export class CustodianService {
  readonly #address: string;
  readonly #chainId: bigint;
  readonly #consent: ConsentManager;
  readonly #keyRegistry: EncryptionKeyRegistry;
  readonly #registry: RecordRegistry;
  readonly #provider: Provider;
  readonly #keyring: EncryptionKeyring;
  readonly #log: ReleaseLog;
  readonly #registryAddress: string;
  readonly #confirmations: number;
  readonly #limits: CustodianLimits;
  readonly #now: () => number;
  readonly #domain: ReturnType<typeof keyReleaseDomain>;
  /** requester:nonce (releases) and patient:nonce (queries) -> expiry, in memory; releases are also on disk. */
  readonly #nonces = new Map<string, number>();
  #server: Server | undefined;

  private constructor(init: {
    address: string;
    chainId: bigint;
    provider: Provider;
    addresses: CareLedgerAddresses;
    keyring: EncryptionKeyring;
    log: ReleaseLog;
    confirmations: number;
    limits: CustodianLimits;
    now: () => number;
  }) {
    this.#address = init.address;
    this.#chainId = init.chainId;
    this.#provider = init.provider;
    this.#consent = ConsentManager__factory.connect(init.addresses.consent, init.provider);
    this.#keyRegistry = EncryptionKeyRegistry__factory.connect(init.addresses.keyRegistry, init.provider);
    this.#registry = RecordRegistry__factory.connect(init.addresses.registry, init.provider);
    this.#registryAddress = getAddress(init.addresses.registry);
    this.#keyring = init.keyring;
    this.#log = init.log;
    this.#confirmations = init.confirmations;
    this.#limits = init.limits;
    this.#now = init.now;
    this.#domain = keyReleaseDomain(init.chainId, init.addresses.consent);
    for (const entry of init.log.recovered()) this.#nonces.set(nonceKey(entry.requester, entry.nonce), entry.expiresAt);
  }

  /** Opens the custodian's directory, publishes its key if needed, and starts serving HTTP. */
  static async start(options: CustodianServiceOptions): Promise<RunningCustodian> {
    const confirmations = options.confirmations ?? 0;
    if (!Number.isSafeInteger(confirmations) || confirmations < 0) throw new RangeError("confirmations must be >= 0");
    const limits = { ...DEFAULT_CUSTODIAN_LIMITS, ...options.limits };
    let ownProvider: JsonRpcProvider | undefined;
    let provider = options.provider;
    if (provider === undefined) {
      if (options.rpcUrl === undefined) throw new RangeError("give rpcUrl or provider");
      ownProvider = new JsonRpcProvider(options.rpcUrl, undefined, { cacheTimeout: -1, batchStallTime: 0 });
      provider = ownProvider;
    }
    let log: ReleaseLog | undefined;
    try {
      const { chainId } = await provider.getNetwork();
      const signer = options.signer.provider === null ? options.signer.connect(provider) : options.signer;
      const address = getAddress(await signer.getAddress());
      await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
      const keyring = await EncryptionKeyring.open(join(options.dataDir, KEYRING_FILE), address);
      const keyRegistry = EncryptionKeyRegistry__factory.connect(options.addresses.keyRegistry, signer);
      const keyVersion = await keyring.publish(keyRegistry, signer);
      log = await ReleaseLog.open(join(options.dataDir, LOG_FILE));
      const service = new CustodianService({
        address,
        chainId,
        provider,
        addresses: options.addresses,
        keyring,
        log,
        confirmations,
        limits,
        now: options.now ?? (() => Math.floor(Date.now() / 1000)),
      });
      const url = await service.#listen(options.host ?? "127.0.0.1", options.port ?? 0);
      const pruner = setInterval(() => service.#pruneNonces(), 60_000);
      pruner.unref();
      return {
        url,
        address,
        publicKey: keyring.current().publicKey,
        keyVersion,
        close: async () => {
          clearInterval(pruner);
          await service.#close();
          ownProvider?.destroy();
        },
      };
    } catch (error) {
      await log?.close();
      ownProvider?.destroy();
      throw error;
    }
  }

  async #listen(host: string, port: number): Promise<string> {
    const limits = this.#limits;
    const server = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
        maxHeaderSize: 8 * 1024,
      },
      (req, res) => {
        this.#handle(req, res).catch(() => {
          // #handle answers every error itself; this only guards against a failure while answering.
          res.destroy();
        });
      },
    );
    server.maxConnections = limits.maxConnections;
    // Idle sockets (a client that connects and says nothing) are cut off too.
    server.setTimeout(limits.requestTimeoutMs, (socket) => socket.destroy());
    server.on("clientError", (_error, socket) => {
      if (socket.writable && !socket.destroyed) {
        socket.end(
          "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n" +
            JSON.stringify(errorBody("malformed-request", "The HTTP request is malformed or too slow.")),
        );
      }
      socket.destroy();
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const bound = server.address() as AddressInfo;
    const shownHost = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
    return `http://${shownHost}:${bound.port}`;
  }

  async #close(): Promise<void> {
    const server = this.#server;
    if (server !== undefined) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    await this.#log.close();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0];
    try {
      if (path === "/v1/health") {
        if (req.method !== "GET") throw new ReleaseProtocolError("method-not-allowed", "Use GET for this path.");
        const health: HealthAnswer = {
          status: "ok",
          custodian: this.#address,
          chainId: this.#chainId.toString(),
          keyVersion: this.#keyring.current().version,
        };
        return send(res, 200, health);
      }
      if (path === "/v1/release" || path === "/v1/releases/query") {
        if (req.method !== "POST") throw new ReleaseProtocolError("method-not-allowed", "Use POST for this path.");
        const json = await this.#readJson(req);
        if (path === "/v1/release") return send(res, 200, await this.#release(parseReleaseBody(json)));
        return send(res, 200, await this.#query(json));
      }
      throw new ReleaseProtocolError("not-found", "There is no such path on a custodian.");
    } catch (error) {
      const failure =
        error instanceof ReleaseProtocolError
          ? error
          : new ReleaseProtocolError("internal-error", "The custodian failed to handle the request.");
      if (failure.code === "body-too-large") res.setHeader("connection", "close");
      return send(res, failure.status, errorBody(failure.code, failure.message));
    }
  }

  async #readJson(req: IncomingMessage): Promise<unknown> {
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json") {
      req.resume();
      throw new ReleaseProtocolError("unsupported-media-type", "Send the request as application/json.");
    }
    const limit = this.#limits.maxBodyBytes;
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > limit) {
      req.resume();
      throw new ReleaseProtocolError("body-too-large", `The request body is over the limit of ${limit} bytes.`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    await new Promise<void>((resolve, reject) => {
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.removeAllListeners("data");
          req.resume();
          reject(new ReleaseProtocolError("body-too-large", `The request body is over the limit of ${limit} bytes.`));
          return;
        }
        chunks.push(chunk);
      });
      req.once("end", () => resolve());
      req.once("error", () =>
        reject(new ReleaseProtocolError("malformed-request", "The request body could not be read.")),
      );
    });
    try {
      return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    } catch {
      throw new ReleaseProtocolError("malformed-request", "The request body is not valid JSON.");
    }
  }

  async #release(body: ReleaseRequestBody): Promise<ReleaseAnswer> {
    const { request, share, batch } = body;
    if (request.custodian !== this.#address) {
      throw new ReleaseProtocolError("wrong-custodian", "The request is addressed to another custodian.");
    }
    this.#checkExpiry(request.expiresAt);
    let signer: string;
    try {
      signer = verifyTypedData(this.#domain, keyReleaseTypes("KeyRelease"), request, body.signature);
    } catch {
      throw new ReleaseProtocolError("bad-signature", "The signature is not valid.");
    }
    if (signer !== request.requester) {
      throw new ReleaseProtocolError("bad-signature", "The signature is not the requester's.");
    }
    if (keccak256(share.sealed) !== request.sealedShareHash) {
      throw new ReleaseProtocolError("malformed-request", "The sealed share does not match its signed hash.");
    }
    // The one commitment formula (client/crypto/commitment.ts), never a copy of it. The request names
    // the record commitment; the salt and envelope hash give the content commitment, which must be
    // bound to the author the chain names (checked once the author is read, below).
    const contentCommitment = commitmentOf(getBytes(request.salt), getBytes(request.envelopeHash));
    const key = nonceKey(request.requester, request.nonce);
    if (this.#nonces.has(key)) {
      throw new ReleaseProtocolError("replayed-request", "This request was already received; sign a fresh one.");
    }
    this.#nonces.set(key, request.expiresAt);

    // The chain decides, at the configured depth, for this very request.
    let blockNumber: number;
    let allowed: boolean;
    let requesterKey: { version: number; publicKey: Uint8Array };
    let author: string;
    const chainTimeout = new AbortController();
    const timer = setTimeout(() => chainTimeout.abort(), this.#limits.chainTimeoutMs);
    const timedOut = new Promise<never>((_, reject) =>
      chainTimeout.signal.addEventListener("abort", () => reject(new Error("chain timeout"))),
    );
    // Never an unhandled rejection when the chain answers first.
    timedOut.catch(() => undefined);
    try {
      const head = await Promise.race([this.#provider.getBlockNumber(), timedOut]);
      blockNumber = Math.max(0, head - this.#confirmations);
      const blockTag: BlockTag = blockNumber;
      const access =
        batch === undefined
          ? this.#consent.canAccess(request.requester, request.patient, request.commitment, request.purpose, {
              blockTag,
            })
          : this.#consent.canAccessBatchRecord(
              request.requester,
              request.batchRoot,
              {
                patient: request.patient,
                commitment: contentCommitment,
                recordType: batch.recordType,
                sensitive: batch.sensitive,
              },
              batch.proof,
              request.purpose,
              { blockTag },
            );
      // The author the share is bound to: whoever the registry says anchored this record (or batch).
      const anchoredBy =
        batch === undefined
          ? this.#registry.recordOf(request.patient, request.commitment, { blockTag }).then((record) => record.author)
          : this.#registry.batchOf(request.batchRoot, { blockTag }).then((anchored) => anchored.author);
      const authorOrNone = anchoredBy.catch((error: unknown) => {
        if (isCallException(error)) return ZeroAddress;
        throw error;
      });
      const [answer, [version, publicKey], anchoredAuthor] = await Promise.race([
        Promise.all([
          access.catch((error: unknown) => {
            // A revert of the view (a bad proof, an enum out of range) is a refusal, not an outage.
            if (isCallException(error)) return false;
            throw error;
          }),
          this.#keyRegistry.currentEncryptionKey(request.requester, { blockTag }),
          authorOrNone,
        ]),
        timedOut,
      ]);
      allowed = answer;
      author = getAddress(anchoredAuthor);
      requesterKey = { version: Number(version), publicKey: getBytes(publicKey) };
    } catch {
      // Nothing was released: the same signed request may be retried.
      this.#nonces.delete(key);
      throw new ReleaseProtocolError("chain-unavailable", "The chain could not be read; try again later.");
    } finally {
      clearTimeout(timer);
    }
    if (!allowed) {
      throw new ReleaseProtocolError("access-denied", "The chain does not allow this access.");
    }
    // The record commitment binds the on-chain author (of the record, or of the batch and so of its
    // leaves) to this content: a copied salt under someone else's record commitment fails here.
    if (recordCommitmentOf(author, contentCommitment) !== request.commitment) {
      throw new ReleaseProtocolError(
        "commitment-mismatch",
        "The commitment does not bind the salt and envelope hash to the record's author.",
      );
    }
    if (requesterKey.version === 0) {
      throw new ReleaseProtocolError("requester-key-missing", "The requester has published no encryption key.");
    }

    const own = this.#keyring.byVersion(share.keyVersion);
    if (own === undefined) {
      throw new ReleaseProtocolError("share-unopenable", "The share is sealed to a key this custodian does not hold.");
    }
    let plain: Uint8Array;
    try {
      const aad = shareAad(
        {
          chainId: this.#chainId,
          registry: this.#registryAddress,
          patient: request.patient,
          salt: getBytes(request.salt),
          author,
        },
        this.#address,
        share.index,
        share.threshold,
        share.shares,
      );
      plain = await hpkeOpen(own.privateKey, getBytes(share.sealed), SHARE_SEAL_INFO, aad);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new ReleaseProtocolError("share-unopenable", "The share does not open for this record and custodian.");
    }
    if (plain.length !== SHARE_LENGTH) {
      plain.fill(0);
      throw new ReleaseProtocolError("share-unopenable", "The share does not have the expected length.");
    }
    let sealed: Uint8Array;
    try {
      sealed = await hpkeSeal(
        requesterKey.publicKey,
        plain,
        RELEASE_SEAL_INFO,
        getBytes(releaseRequestHash(this.#domain, request)),
      );
    } catch {
      throw new ReleaseProtocolError("requester-key-missing", "The requester's published key is not usable.");
    } finally {
      plain.fill(0);
    }

    const entry: ReleaseLogEntry = {
      requester: request.requester,
      patient: request.patient,
      commitment: request.commitment,
      purpose: request.purpose,
      batchRoot: request.batchRoot === ZeroHash ? ZeroHash : request.batchRoot,
      blockNumber,
      nonce: request.nonce,
      expiresAt: request.expiresAt,
      releasedAt: new Date(this.#now() * 1000).toISOString(),
      index: share.index,
    };
    // Durable before the answer: a share never leaves without its log line.
    await this.#log.append(entry);
    return { index: share.index, keyVersion: requesterKey.version, sealed: hexlify(sealed), blockNumber };
  }

  async #query(json: unknown): Promise<{ entries: ReleaseLogEntry[] }> {
    const { query, signature } = parseQueryBody(json);
    if (query.custodian !== this.#address) {
      throw new ReleaseProtocolError("wrong-custodian", "The query is addressed to another custodian.");
    }
    this.#checkExpiry(query.expiresAt);
    let signer: string;
    try {
      signer = verifyTypedData(this.#domain, keyReleaseTypes("ReleaseQuery"), query, signature);
    } catch {
      throw new ReleaseProtocolError("bad-signature", "The signature is not valid.");
    }
    if (signer !== query.patient)
      throw new ReleaseProtocolError("bad-signature", "The signature is not the patient's.");
    const key = `query:${nonceKey(query.patient, query.nonce)}`;
    if (this.#nonces.has(key)) {
      throw new ReleaseProtocolError("replayed-request", "This query was already received; sign a fresh one.");
    }
    this.#nonces.set(key, query.expiresAt);
    try {
      return { entries: await this.#log.entriesOf(query.patient) };
    } catch {
      throw new ReleaseProtocolError("internal-error", "The release log could not be read.");
    }
  }

  #checkExpiry(expiresAt: number): void {
    const now = this.#now();
    if (expiresAt <= now) throw new ReleaseProtocolError("expired-request", "The request has expired.");
    if (expiresAt > now + this.#limits.maxRequestTtlSeconds) {
      throw new ReleaseProtocolError(
        "expiry-too-far",
        `The request may be valid for at most ${this.#limits.maxRequestTtlSeconds} seconds.`,
      );
    }
  }

  /** Forgets nonces whose requests have expired: an expired request is refused anyway. */
  #pruneNonces(): void {
    const now = this.#now();
    for (const [key, expiresAt] of this.#nonces) if (expiresAt < now) this.#nonces.delete(key);
  }
}

function nonceKey(account: string, nonce: string): string {
  return `${account.toLowerCase()}:${nonce.toLowerCase()}`;
}

function isCallException(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "CALL_EXCEPTION";
}

function errorBody(code: ReleaseErrorBody["error"], message: string): ReleaseErrorBody {
  return { error: code, message };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}
