import type { TypedDataDomain, TypedDataField } from "ethers";

import type { TypedDataSigner } from "../eip712.js";

/**
 * The EIP-712 type CareRelationships verifies for a one-time unlock, next to its typehash preimage
 * `Unlock(address patient,address doctor,bytes32 codeId,uint40 expiresAt)`. Kept in one table so a
 * test can check it against the contract's UNLOCK_TYPEHASH.
 */
export const UNLOCK_EIP712_TYPES = {
  Unlock: [
    { name: "patient", type: "address" },
    { name: "doctor", type: "address" },
    { name: "codeId", type: "bytes32" },
    { name: "expiresAt", type: "uint40" },
  ],
} as const satisfies Record<string, readonly TypedDataField[]>;

/**
 * A one-time unlock the patient hands to one doctor at a visit (a QR code or typed text). It holds
 * a random code id and the patient's signature: nothing on-chain can be brute-forced before use.
 */
export interface UnlockCode {
  readonly patient: string;
  readonly doctor: string;
  readonly codeId: string;
  readonly expiresAt: number;
  readonly signature: string;
}

/** Signs an unlock with the patient's key over the relationships contract's domain. */
export async function signUnlock(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  unlock: Omit<UnlockCode, "signature">,
): Promise<string> {
  const types = { Unlock: UNLOCK_EIP712_TYPES.Unlock.map((field) => ({ ...field })) };
  return signer.signTypedData(domain, types, { ...unlock });
}
