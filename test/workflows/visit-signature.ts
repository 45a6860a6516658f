import { hexlify, randomBytes, type TypedDataField } from "ethers";

import type { TypedDataSigner } from "../../client/eip712.js";
import type { CareRelationships } from "../../typechain-types/index.js";
import { relationshipsDomain } from "../helpers/workflow-fixture.js";

/**
 * The EIP-712 types of a patient's check-in and admission signatures, as CareRelationships verifies them
 * (`CHECK_IN_TYPEHASH`, `ADMISSION_TYPEHASH`; the suite checks both against this table).
 */
export const VISIT_EIP712_TYPES: Readonly<Record<"CheckIn" | "Admission", readonly TypedDataField[]>> = {
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
};

/** What a hospital presents: the visit id, the signature's expiry and the patient's signature. */
export interface SignedVisit {
  visitId: string;
  expiresAt: number;
  signature: string;
}

async function signVisit(
  patient: TypedDataSigner & { getAddress(): Promise<string> },
  relationships: CareRelationships,
  kind: "CheckIn" | "Admission",
  place: Record<string, string>,
  expiresAt: number,
  visitId: string,
): Promise<SignedVisit> {
  const domain = await relationshipsDomain(relationships);
  const message = { patient: await patient.getAddress(), ...place, visitId, expiresAt };
  const signature = await patient.signTypedData(domain, { [kind]: [...VISIT_EIP712_TYPES[kind]] }, message);
  return { visitId, expiresAt, signature };
}

/** The patient's signature letting `hospital` record a check-in, valid until `expiresAt`. */
export async function signCheckIn(
  patient: TypedDataSigner & { getAddress(): Promise<string> },
  relationships: CareRelationships,
  hospital: string,
  expiresAt: number,
  visitId: string = hexlify(randomBytes(32)),
): Promise<SignedVisit> {
  return signVisit(patient, relationships, "CheckIn", { hospital }, expiresAt, visitId);
}

/** The patient's signature letting the ward's hospital admit them to `ward`, valid until `expiresAt`. */
export async function signAdmission(
  patient: TypedDataSigner & { getAddress(): Promise<string> },
  relationships: CareRelationships,
  ward: string,
  expiresAt: number,
  visitId: string = hexlify(randomBytes(32)),
): Promise<SignedVisit> {
  return signVisit(patient, relationships, "Admission", { ward }, expiresAt, visitId);
}
