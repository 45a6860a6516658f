import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  id,
  keccak256,
  toUtf8Bytes,
  TypedDataEncoder,
  Wallet,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

import type { CareLedgerContracts } from "../../client/deploy.js";
import type { TypedDataSigner } from "../../client/eip712.js";
import { signUnlock, UNLOCK_EIP712_TYPES, type UnlockCode } from "../../client/sdk/unlock-code.js";
import type { CareRelationships } from "../../typechain-types/index.js";
import { reasonCodeOf, receiptOf, RecordType, type CareLedgerActors } from "./care-ledger.js";
import { addressOf, deployWorld } from "./roster.js";

export { addressOf };

/**
 * The EIP-712 types CareRelationships verifies: the SDK's table itself (never a copy), exported
 * under this name for the suites that import it from here.
 */
export const RELATIONSHIPS_EIP712_TYPES = UNLOCK_EIP712_TYPES;

/** The typehash of one entry of an EIP-712 types table, computed off-chain. */
export function typehashOf(types: Record<string, readonly TypedDataField[]>, name: string): string {
  const mutable: Record<string, TypedDataField[]> = {};
  for (const [key, fields] of Object.entries(types)) mutable[key] = fields.map((field) => ({ ...field }));
  return keccak256(toUtf8Bytes(TypedDataEncoder.from(mutable).encodeType(name)));
}

/** What the patient signs to hand a doctor a one-time unlock (the SDK's `UnlockCode` without the signature). */
export type UnlockMessage = Omit<UnlockCode, "signature">;

/** CareRelationships' EIP-712 domain, read from the contract (ERC-5267) rather than assumed. */
export async function relationshipsDomain(relationships: CareRelationships): Promise<TypedDataDomain> {
  const domain = await relationships.eip712Domain();
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

/** The patient's signature over an unlock through the SDK, in the contract's own domain unless one is given. */
export async function signUnlockFor(
  signer: TypedDataSigner,
  relationships: CareRelationships,
  message: UnlockMessage,
  domain?: TypedDataDomain,
): Promise<string> {
  return signUnlock(signer, domain ?? (await relationshipsDomain(relationships)), message);
}

/** A deterministic key, funded by `funder`, for actors beyond the node's twenty accounts. */
export async function fundedWallet(ethers: HardhatEthers, funder: HardhatEthersSigner, label: string): Promise<Wallet> {
  const wallet = new Wallet(id(`careledger/test/wallet/${label}`), ethers.provider);
  await (await funder.sendTransaction({ to: wallet.address, value: ethers.parseEther("10") })).wait();
  return wallet;
}

/** Every signer and ward the workflow suites use, by role (test/helpers/roster.ts registers them). */
export interface WorkflowActors extends CareLedgerActors {
  /** An independent doctor (no organisation). */
  secondDoctor: HardhatEthersSigner;
  /** A second independent pharmacy. */
  secondPharmacy: HardhatEthersSigner;
  /** A second independent laboratory. */
  secondLab: HardhatEthersSigner;
  /** An emergency department (organisation, covered entity). */
  emergencyDepartment: HardhatEthersSigner;
  /** A hospital other than `hospital`. */
  otherHospital: HardhatEthersSigner;
  /** A doctor working for `otherHospital`. */
  otherHospitalDoctor: HardhatEthersSigner;
  /** A doctor working for `ward`, a ward of `hospital`. */
  wardDoctor: HardhatEthersSigner;
  /** A ward (an organisation whose organisation is `hospital`); it never signs. */
  ward: string;
  /** A ward of `otherHospital`; it never signs. */
  otherWard: string;
}

export type WorkflowWorld = CareLedgerContracts & WorkflowActors;

/**
 * Every contract deployed and wired with the SDK's `deployCareLedger` and the whole roster
 * registered: a hospital with a doctor and a ward with its own doctor, a second hospital with a
 * doctor and a ward, an independent doctor, two pharmacies, two labs and an emergency department.
 * Needs the node's twenty default accounts.
 */
export async function deployWorkflowWorld(ethers: HardhatEthers): Promise<WorkflowWorld> {
  const { contracts, signers, wards } = await deployWorld(ethers, "all");
  return { ...(contracts as CareLedgerContracts), ...signers, ...wards };
}

/** Suspends a provider through the registrar (every access of it stops in that block). */
export async function suspend(world: WorkflowWorld, account: string, reason = "audit"): Promise<void> {
  await receiptOf(world.directory.connect(world.registrar).suspendProvider(account, reasonCodeOf(reason)));
}

/** Lifts a provider's suspension through the registrar. */
export async function reinstate(world: WorkflowWorld, account: string): Promise<void> {
  await receiptOf(world.directory.connect(world.registrar).reinstateProvider(account));
}

/** A record as plain values, for deep comparison with `recordOf`. */
export function recordEntry(
  author: string,
  anchoredAt: number,
  recordType: RecordType,
  flags: number,
  version: number,
): Record<string, bigint | string> {
  return {
    author,
    anchoredAt: BigInt(anchoredAt),
    recordType: BigInt(recordType),
    flags: BigInt(flags),
    version: BigInt(version),
  };
}
