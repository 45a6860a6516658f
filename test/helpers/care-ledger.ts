import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  AbiCoder,
  concat,
  id,
  keccak256,
  Result,
  Signature,
  toBeHex,
  toBigInt,
  zeroPadValue,
  ZeroHash,
  type ContractTransactionResponse,
  type TransactionReceipt,
} from "ethers";

import { ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType } from "../../client/care-types.js";
import type { IConsentManager } from "../../typechain-types/interfaces/IConsentManager.js";
import { ADMIN_DELAY, deployCore, deployWorld, type CoreContracts } from "./roster.js";
import { DAY, HOUR } from "../../client/time-units.js";

export { DAY, HOUR };
export { ADMIN_DELAY, deployCore, type CoreContracts };
/** The order of the secp256k1 curve: a signature (r, s) and (r, n - s) recover the same key. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * A grant request with plain values: accepted both by the contract (`GrantRequestStruct`) and by
 * the SDK's signing helpers (`GrantRequestInput`).
 */
export interface GrantRequest {
  grantee: string;
  scope: number;
  scopeValue: string;
  purpose: number;
  validFrom: number;
  validUntil: number;
}

// Fails to compile if the contract's struct and this shape ever diverge.
const _requestFitsStruct: (request: GrantRequest) => IConsentManager.GrantRequestStruct = (request) => request;
void _requestFitsStruct;

/** A stand-in for a salted commitment to an encrypted record: random-looking and deterministic. */
export function commitmentOf(label: string): string {
  return id(`careledger/test/commitment/${label}`);
}

/** An opaque registrar reason code. */
export function reasonCodeOf(label: string): string {
  return id(`careledger/test/reason/${label}`);
}

/** The scope value of a `RecordType` grant: the type's number as a 32-byte word. */
export function recordTypeScope(recordType: RecordType | number | bigint): string {
  return zeroPadValue(toBeHex(recordType), 32);
}

/** The grant id computed off-chain: `keccak256(abi.encode(grantee, scope, scopeValue, purpose))`. */
export function grantIdOf(grantee: string, scope: ConsentScope, scopeValue: string, purpose: Purpose): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["address", "uint8", "bytes32", "uint8"], [grantee, scope, scopeValue, purpose]),
  );
}

/** A grant request over all of a patient's records for treatment, valid from now for 30 days. */
export function grantRequest(grantee: string, now: number, overrides: Partial<GrantRequest> = {}): GrantRequest {
  return {
    grantee,
    scope: ConsentScope.AllRecords,
    scopeValue: ZeroHash,
    purpose: Purpose.Treatment,
    validFrom: now,
    validUntil: now + 30 * DAY,
    ...overrides,
  };
}

/** The grant id of a request, computed off-chain. */
export function grantIdOfRequest(request: GrantRequest): string {
  return grantIdOf(request.grantee, request.scope, request.scopeValue, request.purpose);
}

/** A struct returned by a getter as a plain object keyed by field name, for deep comparison. */
export function structOf(value: object): Record<string, unknown> {
  if (!(value instanceof Result)) throw new TypeError("The value is not an ABI-decoded struct.");
  return value.toObject();
}

/** Waits for a transaction and returns its receipt (never null on a local network). */
export async function receiptOf(tx: Promise<ContractTransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("The transaction has no receipt.");
  return receipt;
}

/** The timestamp of the block that mined a transaction. */
export async function minedAt(ethers: HardhatEthers, tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await receiptOf(tx);
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error("The block is missing.");
  return block.timestamp;
}

/**
 * The same signature made malleable: s replaced by n - s and v flipped. ecrecover still returns
 * the signer, so only a contract that enforces low s (EIP-2) rejects it.
 */
export function toHighS(signature: string): string {
  const sig = Signature.from(signature);
  const highS = SECP256K1_N - toBigInt(sig.s);
  const v = sig.v === 27 ? 28 : 27;
  return concat([sig.r, toBeHex(highS, 32), toBeHex(v, 1)]);
}

/** Every signer the contract suites share, by role (test/helpers/roster.ts says who is registered as what). */
export interface CareLedgerActors {
  admin: HardhatEthersSigner;
  registrar: HardhatEthersSigner;
  /** A hospital (organisation, covered entity). */
  hospital: HardhatEthersSigner;
  /** A doctor working for `hospital`. */
  doctor: HardhatEthersSigner;
  /** An independent pharmacy (organisation, covered entity). */
  pharmacy: HardhatEthersSigner;
  /** An independent laboratory (organisation, business associate). */
  lab: HardhatEthersSigner;
  patient: HardhatEthersSigner;
  otherPatient: HardhatEthersSigner;
  /** Not appointed by anyone until a suite appoints it. */
  delegate: HardhatEthersSigner;
  /** Not appointed by anyone until a suite appoints it. */
  reader: HardhatEthersSigner;
  /** An account nobody registered or appointed. */
  stranger: HardhatEthersSigner;
  /** Sends other people's signed messages. */
  relayer: HardhatEthersSigner;
  /** Takes over an admin role in the handover tests. */
  newAdmin: HardhatEthersSigner;
}

export type CareLedgerWorld = CoreContracts & CareLedgerActors;

/** The core contracts alone and the core actors' providers registered (the roster's core world). */
export async function deployCareLedgerWorld(ethers: HardhatEthers): Promise<CareLedgerWorld> {
  const { contracts, signers } = await deployWorld(ethers, "core");
  return { ...(contracts as CoreContracts), ...signers };
}

export { ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType };

/**
 * The record commitment under which the registry keeps `author`'s anchoring of a content commitment
 * (and names a batch from its Merkle root): the SDK's one implementation, which the contract's
 * `recordCommitmentOf` is tested against.
 */
export { recordCommitmentOf } from "../../client/crypto/commitment.js";
