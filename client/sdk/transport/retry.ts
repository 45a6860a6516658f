import { isError } from "ethers";

import { decodeRevert } from "../revert-decoder.js";
import { RpcUnavailableError } from "../errors.js";

/** How transient RPC failures are retried: exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Attempts after the first. Default 5. */
  readonly retries: number;
  /** Delay before the first retry, doubled each time. Default 100 ms. */
  readonly baseDelayMs: number;
  /** Upper bound of one delay. Default 3 s. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 5, baseDelayMs: 100, maxDelayMs: 3_000 };

// Node and undici socket failures: the request may not have reached the node, or its answer was lost.
const TRANSIENT_SYSTEM_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

// JSON-RPC error codes that providers use for "try again": limit exceeded / rate limited.
const TRANSIENT_RPC_CODES = new Set([-32005, 429]);

/**
 * Whether an error is a transient transport failure worth retrying: a network error, a timeout,
 * an HTTP 5xx or 429, a rate-limit JSON-RPC code. Never a revert (the contract decided), never a
 * nonce or fee problem, never a bad argument.
 */
export function isTransientRpcError(error: unknown): boolean {
  if (decodeRevert(error) !== undefined) return false;
  if (isError(error, "CALL_EXCEPTION") || isError(error, "INVALID_ARGUMENT")) return false;
  if (isError(error, "NONCE_EXPIRED") || isError(error, "REPLACEMENT_UNDERPRICED")) return false;
  if (isError(error, "INSUFFICIENT_FUNDS")) return false;
  if (isError(error, "NETWORK_ERROR") || isError(error, "TIMEOUT")) return true;
  if (isError(error, "SERVER_ERROR")) {
    const status = (error.info as { responseStatus?: unknown } | undefined)?.responseStatus;
    // A 4xx other than 429 is a request the node will keep refusing; anything else is worth a retry.
    if (typeof status === "string") {
      const code = Number.parseInt(status, 10);
      return !(code >= 400 && code < 500 && code !== 429);
    }
    return true;
  }
  return hasTransientCause(error, 0);
}

function hasTransientCause(error: unknown, depth: number): boolean {
  if (depth > 5 || typeof error !== "object" || error === null) return false;
  const record = error as Record<string, unknown>;
  if (typeof record.code === "string" && TRANSIENT_SYSTEM_CODES.has(record.code)) return true;
  if (typeof record.code === "number" && TRANSIENT_RPC_CODES.has(record.code)) return true;
  if (record.name === "AbortError" || record.name === "TimeoutError") return true;
  // fetch() failures surface as "TypeError: fetch failed" with the socket error as cause.
  return hasTransientCause(record.cause, depth + 1) || hasTransientCause(record.error, depth + 1);
}

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `action`, retrying it on transient RPC failures with exponential backoff and jitter. Any
 * other error is thrown at once. After the last attempt, RpcUnavailableError names the operation.
 * Only wrap actions that are safe to repeat (reads, or sends whose repetition is handled).
 */
export async function withRetry<T>(
  operation: string,
  policy: RetryPolicy,
  action: (attempt: number) => Promise<T>,
  isTransient: (error: unknown) => boolean = isTransientRpcError,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= policy.retries) throw new RpcUnavailableError(operation, attempt + 1, { cause: error });
      await sleep(backoffDelay(policy, attempt));
    }
  }
}
