import { Worker } from "node:worker_threads";

import { deserializeCryptoError } from "./crypto-errors.js";
import type { OpenInput, Recipient, RecordCrypto, RewrapInput, SealedDraft, WrappedFor } from "./record-crypto.js";
import type { CryptoRequest, CryptoResponse } from "./worker-protocol.js";

// Started with `eval` so the same code works from TypeScript sources (through tsx's loader, as
// tests and scripts run) and from compiled JavaScript.
const BOOTSTRAP = `
const { workerData, parentPort } = require("node:worker_threads");
(async () => {
  if (workerData.tsImport !== undefined) {
    const { tsImport } = await import(workerData.tsImport);
    await tsImport(workerData.module, workerData.parent);
  } else {
    await import(workerData.module);
  }
  parentPort.postMessage({ ready: true });
})().catch((error) => parentPort.postMessage({ bootError: String(error && error.name) }));
`;

interface Pending {
  resolve: (response: CryptoResponse) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  inFlight: number;
}

/**
 * A pool of worker threads running the record crypto: the secp256k1 operations (a few milliseconds
 * each with a pure-JS curve) run in parallel with each other and with the calling thread's I/O.
 * Requests go to the least busy worker. Data keys are created, used and zeroed inside a worker;
 * only envelopes, wrapped keys and plaintext for the caller cross threads.
 */
class CryptoWorkerPool implements RecordCrypto {
  readonly #workers: PooledWorker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  constructor(size: number) {
    const ownUrl = import.meta.url;
    const typescript = ownUrl.endsWith(".ts");
    const moduleUrl = new URL(typescript ? "./crypto-worker.ts" : "./crypto-worker.js", ownUrl).href;
    const workerData = typescript
      ? { module: moduleUrl, parent: ownUrl, tsImport: import.meta.resolve("tsx/esm/api") }
      : { module: moduleUrl };
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData });
      worker.unref();
      const ready = new Promise<void>((resolve, reject) => {
        const onBoot = (message: unknown): void => {
          const boot = message as { ready?: boolean; bootError?: string };
          if (boot.ready === true) {
            worker.off("message", onBoot);
            worker.on("message", (response: CryptoResponse) => this.#settle(response));
            resolve();
          } else if (boot.bootError !== undefined) {
            reject(new Error(`crypto worker failed to start (${boot.bootError})`));
          }
        };
        worker.on("message", onBoot);
        worker.once("error", (error) => {
          reject(error);
          this.#failAll(error);
        });
      });
      // Surface start-up failures on first use, not as unhandled rejections.
      ready.catch(() => undefined);
      this.#workers.push({ worker, ready, inFlight: 0 });
    }
  }

  async seal(plaintext: Uint8Array, context: Uint8Array, recipients: readonly Recipient[]): Promise<SealedDraft> {
    const response = await this.#request((id) => ({ id, op: "seal", plaintext, context, recipients }));
    if (response.ok && response.op === "seal") return response.draft;
    throw new Error("unexpected crypto worker response");
  }

  async open(input: OpenInput): Promise<Uint8Array> {
    const response = await this.#request((id) => ({ id, op: "open", input }));
    if (response.ok && response.op === "open") return response.plaintext;
    throw new Error("unexpected crypto worker response");
  }

  async rewrap(input: RewrapInput): Promise<WrappedFor[]> {
    const response = await this.#request((id) => ({ id, op: "rewrap", input }));
    if (response.ok && response.op === "rewrap") return response.wrapped;
    throw new Error("unexpected crypto worker response");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#failAll(new Error("crypto workers closed"));
    await Promise.all(this.#workers.map((pooled) => pooled.worker.terminate()));
  }

  async #request(build: (id: number) => CryptoRequest): Promise<CryptoResponse> {
    if (this.#closed) throw new Error("crypto workers closed");
    const pooled = this.#workers.reduce((best, candidate) => (candidate.inFlight < best.inFlight ? candidate : best));
    // An idle pool must not keep the process alive, a busy one must (or a pending request could be
    // abandoned by an exiting event loop).
    if (pooled.inFlight++ === 0) pooled.worker.ref();
    try {
      await pooled.ready;
      const id = this.#nextId++;
      const response = await new Promise<CryptoResponse>((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        pooled.worker.postMessage(build(id));
      });
      if (!response.ok) throw deserializeCryptoError(response.error);
      return response;
    } finally {
      if (--pooled.inFlight === 0) pooled.worker.unref();
    }
  }

  #settle(response: CryptoResponse): void {
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    this.#pending.delete(response.id);
    pending.resolve(response);
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

const POOLS = new Map<number, { pool: CryptoWorkerPool; users: number }>();

/**
 * RecordCrypto on a process-wide pool of `size` worker threads, shared by every client that asks
 * for the same size (so ten clients in one process do not start ten pools). `close` releases this
 * client's use; the pool stops when its last user closes.
 */
export class WorkerRecordCrypto implements RecordCrypto {
  readonly #size: number;
  readonly #pool: CryptoWorkerPool;
  #closed = false;

  constructor(size: number) {
    this.#size = Math.max(1, Math.floor(size));
    let shared = POOLS.get(this.#size);
    if (shared === undefined) {
      shared = { pool: new CryptoWorkerPool(this.#size), users: 0 };
      POOLS.set(this.#size, shared);
    }
    shared.users++;
    this.#pool = shared.pool;
  }

  seal(plaintext: Uint8Array, context: Uint8Array, recipients: readonly Recipient[]): Promise<SealedDraft> {
    return this.#pool.seal(plaintext, context, recipients);
  }

  open(input: OpenInput): Promise<Uint8Array> {
    return this.#pool.open(input);
  }

  rewrap(input: RewrapInput): Promise<WrappedFor[]> {
    return this.#pool.rewrap(input);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const shared = POOLS.get(this.#size);
    if (shared === undefined || shared.pool !== this.#pool) return;
    shared.users--;
    if (shared.users === 0) {
      POOLS.delete(this.#size);
      await this.#pool.close();
    }
  }
}
