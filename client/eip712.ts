import type { BigNumberish, TypedDataDomain, TypedDataField } from "ethers";

/**
 * The EIP-712 types ConsentManager verifies. Tests check the contract's typehashes against this
 * table, so the SDK and the contract cannot drift apart silently.
 */
export const CONSENT_EIP712_TYPES = {
  GrantConsent: [
    { name: "patient", type: "address" },
    { name: "grantee", type: "address" },
    { name: "scope", type: "uint8" },
    { name: "scopeValue", type: "bytes32" },
    { name: "purpose", type: "uint8" },
    { name: "validFrom", type: "uint40" },
    { name: "validUntil", type: "uint40" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  RevokeConsent: [
    { name: "patient", type: "address" },
    { name: "grantId", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const satisfies Record<string, readonly TypedDataField[]>;

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

/** Reads the contract's EIP-712 domain (ERC-5267) rather than assuming it. */
export async function consentDomain(contract: Eip712Contract): Promise<TypedDataDomain> {
  const domain = await contract.eip712Domain();
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

function mutableTypes(name: keyof typeof CONSENT_EIP712_TYPES): Record<string, TypedDataField[]> {
  return { [name]: CONSENT_EIP712_TYPES[name].map((field) => ({ ...field })) };
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
  return signer.signTypedData(await consentDomain(contract), mutableTypes("GrantConsent"), value);
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
  return signer.signTypedData(await consentDomain(contract), mutableTypes("RevokeConsent"), value);
}
