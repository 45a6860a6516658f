import type { TypedDataDomain } from "ethers";

import type { TypedDataSigner } from "../eip712.js";
import { typedDataTable, typesOf } from "../typed-data-fields.js";

/**
 * The EIP-712 types CareRelationships verifies for a patient's consent to a hospital visit, in the
 * text of its CHECK_IN_TYPEHASH and ADMISSION_TYPEHASH; a test compares them with the contract's source.
 */
export const VISIT_EIP712_TYPES = typedDataTable(
  "CheckIn(address patient,address hospital,bytes32 visitId,uint40 expiresAt)",
  "Admission(address patient,address ward,bytes32 visitId,uint40 expiresAt)",
);

/**
 * What the patient hands the hospital at the desk (a QR code): a one-time visit id, the signature's
 * expiry (at most an hour ahead) and the patient's signature. The hospital records it on-chain.
 */
export interface SignedVisit {
  readonly visitId: string;
  readonly expiresAt: number;
  readonly signature: string;
}

/** Signs a check-in (`place` = `{ hospital }`) or an admission (`{ ward }`) over the relationships contract's domain. */
export async function signVisit(
  signer: TypedDataSigner,
  domain: TypedDataDomain,
  kind: keyof typeof VISIT_EIP712_TYPES,
  message: { patient: string; visitId: string; expiresAt: number } & ({ hospital: string } | { ward: string }),
): Promise<string> {
  return signer.signTypedData(domain, typesOf(VISIT_EIP712_TYPES, kind), { ...message });
}
