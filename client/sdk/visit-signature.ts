import type { TypedDataDomain, TypedDataField } from "ethers";

import type { TypedDataSigner } from "../eip712.js";

/**
 * The EIP-712 types CareRelationships verifies for a patient's consent to a hospital visit, next to
 * their typehash preimages `CheckIn(address patient,address hospital,bytes32 visitId,uint40 expiresAt)`
 * and `Admission(address patient,address ward,bytes32 visitId,uint40 expiresAt)`. One table, so a test
 * can check it against CHECK_IN_TYPEHASH and ADMISSION_TYPEHASH.
 */
export const VISIT_EIP712_TYPES = {
  CheckIn: [
    { name: "patient", type: "address" },
    { name: "hospital", type: "address" },
    { name: "visitId", type: "bytes32" },
    { name: "expiresAt", type: "uint40" },
  ],
  Admission: [
    { name: "patient", type: "address" },
    { name: "ward", type: "address" },
    { name: "visitId", type: "bytes32" },
    { name: "expiresAt", type: "uint40" },
  ],
} as const satisfies Record<string, readonly TypedDataField[]>;

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
  const types = { [kind]: VISIT_EIP712_TYPES[kind].map((field) => ({ ...field })) };
  return signer.signTypedData(domain, types, { ...message });
}
