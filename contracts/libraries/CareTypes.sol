// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title CareTypes
/// @notice Enumerations shared by every CareLedger contract. Values are append-only: a deployed
/// contract and its off-chain readers agree on them by position, so never reorder or remove one.

/// @notice What a provider is. `None` marks an unregistered account.
enum ProviderKind {
    None,
    Doctor,
    Pharmacy,
    Laboratory,
    EmergencyDepartment,
    Hospital
}

/// @notice Whether a provider is a person or an organisation (FHIR Practitioner vs Organization).
enum ProviderForm {
    Practitioner,
    Organisation
}

/// @notice The provider's standing under HIPAA: covered entities and their business associates
/// carry the same duties; the directory records which one an account is.
enum HipaaRole {
    CoveredEntity,
    BusinessAssociate
}

/// @notice The clinical kind of a record. The payload itself is an encrypted FHIR R4 resource;
/// the type is coarse on purpose so that it reveals no diagnosis.
enum RecordType {
    None,
    ClinicalNote,
    Prescription,
    Dispense,
    LabOrder,
    LabResult,
    Wellness,
    Referral,
    Imaging,
    Immunization,
    Allergy,
    Other
}

/// @notice Why an account wants access. A grant covers exactly one purpose.
enum Purpose {
    None,
    Treatment,
    Dispensing,
    Emergency,
    Research,
    Payment,
    LegalRepresentation,
    Inheritance
}

/// @notice What a consent grant covers.
enum ConsentScope {
    None,
    /// @dev One record; the scope value is the record's commitment.
    Record,
    /// @dev Every non-sensitive record of one type; the scope value is the RecordType.
    RecordType,
    /// @dev Every non-sensitive record of the patient; the scope value is zero.
    AllRecords
}

/// @notice On what basis the access rule let an account in (or `None` when it did not).
enum AccessBasis {
    None,
    Patient,
    Author,
    Delegate,
    Consent,
    Workflow
}
