// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title CareTypes
/// @notice Enumerations and bit tables shared by every CareLedger contract. Values are append-only: a
/// deployed contract and its off-chain readers agree on them by position or bit, so never reorder,
/// renumber or remove one. client/care-types.ts mirrors this file; test/contracts/care-types.test.ts
/// checks the two against the deployed contracts.
///
/// Time: every contract reads `block.timestamp` directly, with no `_now()` hook. Tests move the chain's
/// clock (`vm.warp`, `evm_increaseTime`) and no contract or harness overrides a hook, so one would only
/// be a second way of reading the same clock.

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

/// @notice The question every access rule answers: may `accessor` read `patient`'s record `commitment`
/// (of `recordType`, `sensitive` or not) for `purpose`, now? The consent manager puts it to its own grants
/// (`hasConsent`) and to every access source (`grantsAccess`) as this one value, so the question cannot
/// differ between the rules that answer it.
struct AccessRequest {
    address accessor;
    address patient;
    bytes32 commitment;
    RecordType recordType;
    bool sensitive;
    Purpose purpose;
}

/// @notice Capability bits of a delegation (PatientDelegation): what a delegate may do for the patient.
/// @dev A library of constants rather than file-level ones: the namespace (`Capability.ERASE`) keeps
/// them apart from the public getters the contracts' ABI already has under the flat names
/// (`PatientDelegation.CAPABILITY_ERASE()`, `RecordRegistry.FLAG_ERASED()`), which are set from here.
library Capability {
    /// @dev Grant and revoke consent, and manage the patient's relationships and record sensitivity.
    uint8 internal constant MANAGE_CONSENT = 1;
    /// @dev Erase records (irreversible, so never part of a guardianship).
    uint8 internal constant ERASE = 2;
    /// @dev Read the patient's records.
    uint8 internal constant READ = 4;
}

/// @notice Flag bits of a record (RecordRegistry), individual or batched.
library RecordFlag {
    /// @dev Opened only by record-scoped consent, never by a type- or patient-wide grant.
    uint8 internal constant SENSITIVE = 1;
    /// @dev Erased at the patient's request: opens to no one.
    uint8 internal constant ERASED = 2;
    /// @dev Replaced by a newer version (amended).
    uint8 internal constant SUPERSEDED = 4;
}
