import type { TypedDataDomain } from "ethers";

import type { TypedDataSigner } from "../eip712.js";
import { typedDataTable, typesOf } from "../typed-data-fields.js";

/**
 * The EIP-712 type CareRelationships verifies for a one-time unlock, in the text of its
 * UNLOCK_TYPEHASH; a test compares it with the contract's source.
 */
export const UNLOCK_EIP712_TYPES = typedDataTable(
  "Unlock(address patient,address doctor,bytes32 codeId,uint40 expiresAt)",
);

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
  return signer.signTypedData(domain, typesOf(UNLOCK_EIP712_TYPES, "Unlock"), { ...unlock });
}
