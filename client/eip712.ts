import type { BigNumberish, TypedDataDomain, TypedDataField } from "ethers";

import { typedDataTable, typesOf } from "./typed-data-fields.js";

/**
 * The EIP-712 types ConsentManager verifies, in the very text of its GRANT_CONSENT_TYPEHASH and
 * REVOKE_CONSENT_TYPEHASH; a test compares them with the contract's source.
 */
export const CONSENT_EIP712_TYPES = typedDataTable(
  "GrantConsent(address patient,address grantee,uint8 scope,bytes32 scopeValue,uint8 purpose,uint40 validFrom,uint40 validUntil,uint256 nonce,uint256 deadline)",
  "RevokeConsent(address patient,bytes32 grantId,uint256 nonce,uint256 deadline)",
);

export interface GrantRequestInput {
  grantee: string;
  scope: number;
  scopeValue: string;
  purpose: number;
  validFrom: BigNumberish;
  validUntil: BigNumberish;
}

/** Anything that signs typed data: an ethers Wallet, a JSON-RPC signer, a hardware wallet. */
export interface TypedDataSigner {
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** A contract exposing ERC-5267 `eip712Domain()` and per-account nonces. */
export interface Eip712Contract {
  eip712Domain(): Promise<
    [string, string, string, bigint, string, string, bigint[]] & {
      name: string;
      version: string;
      chainId: bigint;
      verifyingContract: string;
    }
  >;
  nonces(owner: string): Promise<bigint>;
}

/** The signing domain in a contract's ERC-5267 `eip712Domain()` answer. */
export function typedDataDomainOf(domain: Awaited<ReturnType<Eip712Contract["eip712Domain"]>>): TypedDataDomain {
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

/** Reads the contract's EIP-712 domain (ERC-5267) rather than assuming it. */
export async function consentDomain(contract: Eip712Contract): Promise<TypedDataDomain> {
  return typedDataDomainOf(await contract.eip712Domain());
}

/** The patient's signature over a grant, with the patient's current nonce unless one is given. */
export async function signGrantConsent(
  signer: TypedDataSigner,
  contract: Eip712Contract,
  patient: string,
  request: GrantRequestInput,
  deadline: BigNumberish,
  nonce?: BigNumberish,
): Promise<string> {
  const value = {
    patient,
    ...request,
    nonce: nonce ?? (await contract.nonces(patient)),
    deadline,
  };
  return signer.signTypedData(await consentDomain(contract), typesOf(CONSENT_EIP712_TYPES, "GrantConsent"), value);
}

/** The patient's signature over a revocation. */
export async function signRevokeConsent(
  signer: TypedDataSigner,
  contract: Eip712Contract,
  patient: string,
  grantId: string,
  deadline: BigNumberish,
  nonce?: BigNumberish,
): Promise<string> {
  const value = { patient, grantId, nonce: nonce ?? (await contract.nonces(patient)), deadline };
  return signer.signTypedData(await consentDomain(contract), typesOf(CONSENT_EIP712_TYPES, "RevokeConsent"), value);
}
