import { ErrorFragment, Interface, Result, dataLength, dataSlice, isHexString } from "ethers";

import type { ContractName } from "../deploy.js";
import { CARELEDGER_INTERFACES, CONTRACT_NAMES } from "./contract-abis.js";
import { ContractRevertError, type RevertArgument } from "./errors.js";

/**
 * The one place that turns revert data into a typed error. Every custom error of every CareLedger
 * contract (OpenZeppelin's included) is indexed by selector once; `Error(string)` and
 * `Panic(uint256)` are decoded too.
 */

interface KnownError {
  readonly contract: ContractName | "unknown";
  readonly fragment: ErrorFragment;
  readonly iface: Interface;
}

const STANDARD = new Interface(["error Error(string message)", "error Panic(uint256 code)"]);

const ERRORS_BY_SELECTOR: ReadonlyMap<string, KnownError> = (() => {
  const map = new Map<string, KnownError>();
  for (const contract of CONTRACT_NAMES) {
    const iface = CARELEDGER_INTERFACES[contract];
    iface.forEachError((fragment) => {
      // Shared base errors (e.g. AccessControl's) appear in several ABIs: the first contract wins,
      // and the error's name and arguments are the same whichever contract declares it.
      if (!map.has(fragment.selector)) map.set(fragment.selector, { contract, fragment, iface });
    });
  }
  STANDARD.forEachError((fragment) => map.set(fragment.selector, { contract: "unknown", fragment, iface: STANDARD }));
  return map;
})();

/** The decoded custom error, or undefined when the data is not a known error of CareLedger. */
export function decodeRevertData(
  data: string,
  transactionHash?: string,
  cause?: unknown,
): ContractRevertError | undefined {
  if (!isHexString(data) || dataLength(data) < 4) return undefined;
  const selector = dataSlice(data, 0, 4).toLowerCase();
  const known = ERRORS_BY_SELECTOR.get(selector);
  if (known === undefined) return undefined;
  let decoded: Result;
  try {
    decoded = known.iface.decodeErrorResult(known.fragment, data);
  } catch {
    return undefined;
  }
  const args = decoded.map((value: unknown) => plain(value));
  const namedArgs: Record<string, RevertArgument> = {};
  known.fragment.inputs.forEach((input, index) => {
    if (input.name !== "") namedArgs[input.name] = args[index];
  });
  return new ContractRevertError(
    known.contract,
    known.fragment.name,
    args,
    namedArgs,
    selector,
    data,
    transactionHash,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Finds revert data inside whatever an ethers provider, Hardhat's in-process network or a JSON-RPC
 * node threw, and decodes it. Returns undefined when the error carries no CareLedger revert data
 * (a network failure, an out-of-gas, a nonce problem): those are not contract decisions.
 */
export function decodeRevert(error: unknown, transactionHash?: string): ContractRevertError | undefined {
  if (error instanceof ContractRevertError) return error;
  for (const data of revertDataCandidates(error, 0, new Set())) {
    const decoded = decodeRevertData(data, transactionHash, error);
    if (decoded !== undefined) return decoded;
  }
  return undefined;
}

/** Throws the decoded ContractRevertError when there is one, the original error otherwise. */
export function rethrowDecoded(error: unknown, transactionHash?: string): never {
  throw decodeRevert(error, transactionHash) ?? error;
}

/** Runs `action`, turning a revert into ContractRevertError. */
export async function withRevertDecoding<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    rethrowDecoded(error);
  }
}

// Keys that hold the *transaction's* calldata rather than revert data; never search them.
const SKIPPED_KEYS = new Set(["transaction", "invocation", "tx", "request", "payload", "receipt"]);

function* revertDataCandidates(value: unknown, depth: number, seen: Set<object>): Generator<string> {
  if (depth > 6 || value === null || value === undefined) return;
  if (typeof value === "string") {
    if (isHexString(value) && value.length >= 10) yield value;
    // JSON-RPC bodies sometimes arrive as text: look for the error's data in it.
    else if (value.startsWith("{")) {
      try {
        yield* revertDataCandidates(JSON.parse(value) as unknown, depth + 1, seen);
      } catch {
        return;
      }
    }
    return;
  }
  if (typeof value !== "object") return;
  if (seen.has(value)) return;
  seen.add(value);
  const record = value as Record<string, unknown>;
  // Most specific first: ethers' CallExceptionError.data, then nested JSON-RPC errors, then causes.
  for (const key of ["data", "error", "info", "cause", "body", "errorData", "returnData"]) {
    if (SKIPPED_KEYS.has(key)) continue;
    if (key in record) yield* revertDataCandidates(record[key], depth + 1, seen);
  }
}

function plain(value: unknown): RevertArgument {
  if (value instanceof Result) return value.map((item: unknown) => plain(item));
  if (Array.isArray(value)) return value.map((item: unknown) => plain(item));
  if (typeof value === "bigint" || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return BigInt(value);
  return String(value);
}
