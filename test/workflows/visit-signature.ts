import { hexlify, randomBytes } from "ethers";

import type { TypedDataSigner } from "../../client/eip712.js";
import { signVisit, VISIT_EIP712_TYPES, type SignedVisit } from "../../client/sdk/visit-signature.js";
import type { CareRelationships } from "../../typechain-types/index.js";
import { relationshipsDomain } from "../helpers/workflow-fixture.js";

// The one table of visit types is the SDK's; the suite checks it against CHECK_IN_TYPEHASH and ADMISSION_TYPEHASH.
export { VISIT_EIP712_TYPES, type SignedVisit };

type PatientSigner = TypedDataSigner & { getAddress(): Promise<string> };

/** The patient's signature letting `hospital` record a check-in, valid until `expiresAt`. */
export async function signCheckIn(
  patient: PatientSigner,
  relationships: CareRelationships,
  hospital: string,
  expiresAt: number,
  visitId: string = hexlify(randomBytes(32)),
): Promise<SignedVisit> {
  const message = { patient: await patient.getAddress(), hospital, visitId, expiresAt };
  const signature = await signVisit(patient, await relationshipsDomain(relationships), "CheckIn", message);
  return { visitId, expiresAt, signature };
}

/** The patient's signature letting the ward's hospital admit them to `ward`, valid until `expiresAt`. */
export async function signAdmission(
  patient: PatientSigner,
  relationships: CareRelationships,
  ward: string,
  expiresAt: number,
  visitId: string = hexlify(randomBytes(32)),
): Promise<SignedVisit> {
  const message = { patient: await patient.getAddress(), ward, visitId, expiresAt };
  const signature = await signVisit(patient, await relationshipsDomain(relationships), "Admission", message);
  return { visitId, expiresAt, signature };
}
