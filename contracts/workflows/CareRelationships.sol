// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IAccessSource} from "../interfaces/IAccessSource.sol";
import {ICareRelationships} from "../interfaces/ICareRelationships.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IProviderDirectory} from "../interfaces/IProviderDirectory.sol";
import {AccessRequest, Capability, ProviderForm, ProviderKind, Purpose} from "../libraries/CareTypes.sol";
import {PatientAuthorised} from "../PatientAuthorised.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// @title CareRelationships
/// @notice Relationship-bound access windows and the one-time unlock; see ICareRelationships.
contract CareRelationships is ICareRelationships, IAccessSource, WorkflowBase, EIP712, PatientAuthorised {
    /// @inheritdoc ICareRelationships
    uint256 public constant CHECK_IN_PERIOD = 24 hours;
    /// @inheritdoc ICareRelationships
    uint256 public constant UNLOCK_PERIOD = 12 hours;
    /// @inheritdoc ICareRelationships
    uint256 public constant MAX_CODE_LIFETIME = 1 hours;
    /// @inheritdoc ICareRelationships
    uint256 public constant MAX_ADMISSION_PERIOD = 30 days;
    /// @inheritdoc ICareRelationships
    bytes32 public constant CHECK_IN_TYPEHASH = keccak256(
        "CheckIn(address patient,address hospital,bytes32 visitId,uint40 expiresAt)"
    );
    /// @inheritdoc ICareRelationships
    bytes32 public constant ADMISSION_TYPEHASH = keccak256(
        "Admission(address patient,address ward,bytes32 visitId,uint40 expiresAt)"
    );
    /// @inheritdoc ICareRelationships
    bytes32 public constant UNLOCK_TYPEHASH = keccak256(
        "Unlock(address patient,address doctor,bytes32 codeId,uint40 expiresAt)"
    );

    mapping(address patient => address doctor) private _familyDoctors;
    mapping(address patient => mapping(address doctor => uint40 day)) private _appointments;
    mapping(address patient => mapping(address hospital => uint40 until)) private _checkIns;
    mapping(address patient => mapping(address ward => uint40 until)) private _admissions;
    mapping(address patient => bool required) private _unlockRequired;
    mapping(address patient => mapping(address doctor => uint40 until)) private _unlocks;
    /// @dev Unlock code ids and visit ids share one namespace, so `cancelUnlockCode` cancels either.
    mapping(address patient => mapping(bytes32 codeId => bool used)) private _usedCodes;

    /// @param consent The consent manager; its directory, registry and delegation registry are this contract's.
    constructor(
        IConsentManager consent
    ) WorkflowBase(consent) EIP712("CareLedger Relationships", "1") PatientAuthorised(_nonZero(consent).delegation()) {}

    /// @inheritdoc ICareRelationships
    function setFamilyDoctor(address patient, address doctor) external {
        _checkPatientOrDelegate(patient, Capability.MANAGE_CONSENT);
        _checkNotSelf(patient, doctor);
        if (doctor != address(0) && _directory.activeKindOf(doctor) != ProviderKind.Doctor) {
            revert CareRelationshipsNotDoctor(doctor);
        }
        _familyDoctors[patient] = doctor;
        emit FamilyDoctorChanged(patient, doctor);
    }

    /// @inheritdoc ICareRelationships
    function recordAppointment(address patient, address doctor, uint40 day) external {
        if (patient == address(0)) revert CareRelationshipsZeroAddress();
        // A hospital booking alone would open a day's window it could renew every day: only the patient
        // (or a consent delegate, never for itself) books.
        _checkPatientOrDelegate(patient, Capability.MANAGE_CONSENT);
        _checkNotSelf(patient, doctor);
        if (_directory.activeKindOf(doctor) != ProviderKind.Doctor) revert CareRelationshipsNotDoctor(doctor);
        if (day % 1 days != 0 || day + 1 days <= block.timestamp) revert CareRelationshipsInvalidDay(day);
        _appointments[patient][doctor] = day;
        emit AppointmentRecorded(patient, doctor, day, msg.sender);
    }

    /// @inheritdoc ICareRelationships
    function recordCheckIn(address patient, SignedVisit calldata visit) external {
        if (patient == address(0)) revert CareRelationshipsZeroAddress();
        _checkHospital(msg.sender);
        _useVisitSignature(patient, visit, CHECK_IN_TYPEHASH, msg.sender);
        uint40 until = uint40(block.timestamp + CHECK_IN_PERIOD);
        _checkIns[patient][msg.sender] = until;
        emit CheckedIn(patient, msg.sender, until);
    }

    /// @inheritdoc ICareRelationships
    function admitPatient(address patient, address ward, SignedVisit calldata visit) external {
        if (patient == address(0)) revert CareRelationshipsZeroAddress();
        _checkHospital(msg.sender);
        _checkWard(ward, msg.sender);
        _useVisitSignature(patient, visit, ADMISSION_TYPEHASH, ward);
        uint40 until = uint40(block.timestamp + MAX_ADMISSION_PERIOD);
        _admissions[patient][ward] = until;
        emit Admitted(patient, ward, msg.sender, until);
    }

    /// @inheritdoc ICareRelationships
    function dischargePatient(address patient, address ward) external {
        _checkHospital(msg.sender);
        _checkWard(ward, msg.sender);
        if (block.timestamp >= _admissions[patient][ward]) revert CareRelationshipsNotAdmitted(patient, ward);
        delete _admissions[patient][ward];
        emit Discharged(patient, ward, msg.sender);
    }

    /// @inheritdoc ICareRelationships
    function setUnlockRequired(address patient, bool required) external {
        _checkPatientOrDelegate(patient, Capability.MANAGE_CONSENT);
        _unlockRequired[patient] = required;
        emit UnlockRequirementChanged(patient, required);
    }

    /// @inheritdoc ICareRelationships
    function unlockWithCode(address patient, bytes32 codeId, uint40 expiresAt, bytes calldata signature) external {
        if (block.timestamp >= expiresAt || expiresAt > block.timestamp + MAX_CODE_LIFETIME) {
            revert CareRelationshipsUnlockExpired(expiresAt);
        }
        if (_usedCodes[patient][codeId]) revert CareRelationshipsUnlockUsed(patient, codeId);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(UNLOCK_TYPEHASH, patient, msg.sender, codeId, expiresAt))
        );
        if (!SignatureChecker.isValidSignatureNowCalldata(patient, digest, signature)) {
            revert CareRelationshipsInvalidUnlock(patient);
        }
        _usedCodes[patient][codeId] = true;
        uint40 until = uint40(block.timestamp + UNLOCK_PERIOD);
        _unlocks[patient][msg.sender] = until;
        emit Unlocked(patient, msg.sender, codeId, until);
    }

    /// @inheritdoc ICareRelationships
    function cancelUnlockCode(bytes32 codeId) external {
        if (_usedCodes[msg.sender][codeId]) revert CareRelationshipsUnlockUsed(msg.sender, codeId);
        _usedCodes[msg.sender][codeId] = true;
        emit UnlockCancelled(msg.sender, codeId);
    }

    /// @inheritdoc IAccessSource
    function grantsAccess(AccessRequest calldata request) external view returns (bool) {
        if (request.purpose != Purpose.Treatment || request.sensitive) return false;
        (address accessor, address patient) = (request.accessor, request.patient);
        if (_unlockRequired[patient] && block.timestamp >= _unlocks[patient][accessor]) return false;
        return _hasRelationship(patient, accessor);
    }

    /// @inheritdoc ICareRelationships
    function familyDoctorOf(address patient) external view returns (address) {
        return _familyDoctors[patient];
    }

    /// @inheritdoc ICareRelationships
    function hasRelationship(address patient, address doctor) external view returns (bool) {
        return _hasRelationship(patient, doctor);
    }

    /// @inheritdoc ICareRelationships
    function admittedUntil(address patient, address ward) external view returns (uint40) {
        return _admissions[patient][ward];
    }

    /// @inheritdoc ICareRelationships
    function isUnlockRequired(address patient) external view returns (bool) {
        return _unlockRequired[patient];
    }

    /// @inheritdoc ICareRelationships
    function unlockedUntil(address patient, address doctor) external view returns (uint40) {
        return _unlocks[patient][doctor];
    }

    /// @inheritdoc ICareRelationships
    function isCodeUsed(address patient, bytes32 codeId) external view returns (bool) {
        return _usedCodes[patient][codeId];
    }

    function _hasRelationship(address patient, address doctor) private view returns (bool) {
        if (_directory.activeKindOf(doctor) != ProviderKind.Doctor) return false;
        if (_familyDoctors[patient] == doctor) return true;
        uint256 day = _appointments[patient][doctor];
        uint256 nowTime = block.timestamp;
        if (day != 0 && nowTime >= day && nowTime < day + 1 days) return true;

        address unit = _directory.providerOf(doctor).organisation;
        if (unit == address(0)) return false;
        if (nowTime < _admissions[patient][unit]) return true;
        if (nowTime < _checkIns[patient][unit]) return true;
        // A ward's doctors are staff of the ward's hospital too.
        address hospital = _directory.providerOf(unit).organisation;
        return hospital != address(0) && nowTime < _checkIns[patient][hospital];
    }

    // A check-in or admission needs the patient: a fresh signature (at most MAX_CODE_LIFETIME ahead) over
    // a one-time visit id, so a hospital can neither open a window alone nor renew one indefinitely.
    // `place` is the hospital of a check-in or the ward of an admission: the typed data differ only by it.
    function _useVisitSignature(address patient, SignedVisit calldata visit, bytes32 typehash, address place) private {
        (bytes32 visitId, uint40 expiresAt) = (visit.visitId, visit.expiresAt);
        if (block.timestamp >= expiresAt || expiresAt > block.timestamp + MAX_CODE_LIFETIME) {
            revert CareRelationshipsUnlockExpired(expiresAt);
        }
        if (_usedCodes[patient][visitId]) revert CareRelationshipsUnlockUsed(patient, visitId);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(typehash, patient, place, visitId, expiresAt)));
        if (!SignatureChecker.isValidSignatureNowCalldata(patient, digest, visit.signature)) {
            revert CareRelationshipsInvalidVisitSignature(patient);
        }
        _usedCodes[patient][visitId] = true;
    }

    function _checkNotSelf(address patient, address doctor) private view {
        if (msg.sender != patient && doctor == msg.sender) {
            revert CareRelationshipsDelegateSelfAppointment(msg.sender, patient);
        }
    }

    function _checkHospital(address account) private view {
        if (_directory.activeKindOf(account) != ProviderKind.Hospital) revert CareRelationshipsNotHospital(account);
    }

    function _checkWard(address ward, address hospital) private view {
        IProviderDirectory.Provider memory unit = _directory.providerOf(ward);
        if (unit.form != ProviderForm.Organisation || unit.organisation != hospital || unit.kind == ProviderKind.None) {
            revert CareRelationshipsNotWard(ward, hospital);
        }
    }

    // After a recorded death nobody, the key holder included, changes the patient's relationships; that
    // refusal comes before the caller's standing, as it always has.
    function _checkPatientOrDelegate(address patient, uint8 capability) internal view override {
        if (_delegation.diedAt(patient) != 0) revert CareRelationshipsPatientDeceased(patient);
        super._checkPatientOrDelegate(patient, capability);
    }

    function _revertNotPatientOrDelegate(address account, address patient) internal pure override {
        revert CareRelationshipsNotPatientOrDelegate(account, patient);
    }
}
