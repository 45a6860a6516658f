// Mirrors of contracts/libraries/CareTypes.sol. Solidity enums travel as uint8 in the ABI, so
// these numeric values must follow the Solidity declaration order exactly.

export enum ProviderKind {
  None = 0,
  Doctor = 1,
  Pharmacy = 2,
  Laboratory = 3,
  EmergencyDepartment = 4,
  Hospital = 5,
}

export enum ProviderForm {
  Practitioner = 0,
  Organisation = 1,
}

export enum HipaaRole {
  CoveredEntity = 0,
  BusinessAssociate = 1,
}

export enum RecordType {
  None = 0,
  ClinicalNote = 1,
  Prescription = 2,
  Dispense = 3,
  LabOrder = 4,
  LabResult = 5,
  Wellness = 6,
  Referral = 7,
  Imaging = 8,
  Immunization = 9,
  Allergy = 10,
  Other = 11,
}

export enum Purpose {
  None = 0,
  Treatment = 1,
  Dispensing = 2,
  Emergency = 3,
  Research = 4,
  Payment = 5,
  LegalRepresentation = 6,
  Inheritance = 7,
}

export enum ConsentScope {
  None = 0,
  Record = 1,
  RecordType = 2,
  AllRecords = 3,
}

export enum AccessBasis {
  None = 0,
  Patient = 1,
  Author = 2,
  Delegate = 3,
  Consent = 4,
  Workflow = 5,
}

/** Capability bits of PatientDelegation. */
export const Capability = {
  ManageConsent: 1,
  Erase: 2,
  Read: 4,
} as const;

/** Record flag bits of RecordRegistry. */
export const RecordFlag = {
  Sensitive: 1,
  Erased: 2,
  Superseded: 4,
} as const;
