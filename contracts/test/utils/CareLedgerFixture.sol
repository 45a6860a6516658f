// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ConsentManager} from "../../ConsentManager.sol";
import {PatientDelegation} from "../../PatientDelegation.sol";
import {ProviderDirectory} from "../../ProviderDirectory.sol";
import {RecordRegistry} from "../../RecordRegistry.sol";
import {IConsentManager} from "../../interfaces/IConsentManager.sol";
import {IProviderDirectory} from "../../interfaces/IProviderDirectory.sol";
import {ConsentScope, HipaaRole, ProviderForm, ProviderKind, Purpose, RecordType} from "../../libraries/CareTypes.sol";
import {TestBase} from "./TestBase.sol";
import {VM} from "./Vm.sol";

/// @title CareLedgerFixture
/// @notice Deploys the real CareLedger contracts and a cast of accounts, with helpers shared by the
/// unit-level fuzz tests.
abstract contract CareLedgerFixture is TestBase {
    uint48 internal constant _ADMIN_DELAY = 2 days;
    /// @dev A realistic start time, so periods in the past and the future both exist.
    uint256 internal constant _T0 = 1_750_000_000;
    /// @dev secp256k1 group order: private keys live in [1, n - 1].
    uint256 internal constant _SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    uint8 internal constant _CAP_CONSENT = 1;
    uint8 internal constant _CAP_ERASE = 2;
    uint8 internal constant _CAP_READ = 4;

    uint8 internal constant _FLAG_SENSITIVE = 1;
    uint8 internal constant _FLAG_ERASED = 2;
    uint8 internal constant _FLAG_SUPERSEDED = 4;

    uint8 internal constant _PURPOSE_COUNT = 7; // Treatment .. Inheritance
    uint8 internal constant _RECORD_TYPE_COUNT = 11; // ClinicalNote .. Other

    ProviderDirectory internal _directory;
    PatientDelegation internal _delegation;
    RecordRegistry internal _registry;
    ConsentManager internal _consent;

    address internal _admin = address(0xAD11);
    address internal _registrar = address(0xBE61);
    /// @dev Hospital (organisation) employing `_doctor`.
    address internal _hospital = address(0x4051);
    /// @dev Practitioner of `_hospital`; the default author of records.
    address internal _doctor = address(0xD0C1);
    /// @dev An independent practitioner.
    address internal _doctor2 = address(0xD0C2);
    address internal _pharmacy = address(0xFA41);
    address internal _lab = address(0x1AB1);
    /// @dev A non-provider a patient may grant to (family member, researcher, insurer...).
    address internal _family = address(0xFA111);

    uint256 internal _patientKey = 0xA11CE;
    address internal _patient;

    function _deploy() internal {
        VM.warp(_T0);
        _patient = VM.addr(_patientKey);
        _directory = new ProviderDirectory(_admin, _registrar, _ADMIN_DELAY);
        _delegation = new PatientDelegation(_directory);
        _registry = new RecordRegistry(_admin, _ADMIN_DELAY, _directory, _delegation);
        _consent = new ConsentManager(_admin, _ADMIN_DELAY, _directory, _registry, _delegation);
        VM.label(_patient, "patient");
        VM.label(_doctor, "doctor");
        VM.label(_hospital, "hospital");
        VM.label(_pharmacy, "pharmacy");
        VM.label(_lab, "lab");
        VM.label(_family, "family");
    }

    function _registerDefaultProviders() internal {
        _register(_hospital, ProviderKind.Hospital, ProviderForm.Organisation, address(0));
        _register(_doctor, ProviderKind.Doctor, ProviderForm.Practitioner, _hospital);
        _register(_doctor2, ProviderKind.Doctor, ProviderForm.Practitioner, address(0));
        _register(_pharmacy, ProviderKind.Pharmacy, ProviderForm.Organisation, address(0));
        _register(_lab, ProviderKind.Laboratory, ProviderForm.Organisation, address(0));
    }

    function _register(address account, ProviderKind kind, ProviderForm form, address organisation) internal {
        VM.prank(_registrar);
        _directory.registerProvider(account, _profile(kind, form, organisation));
    }

    /// @dev A covered entity's provider profile.
    function _profile(
        ProviderKind kind,
        ProviderForm form,
        address organisation
    ) internal pure returns (IProviderDirectory.ProviderProfile memory) {
        return IProviderDirectory.ProviderProfile(kind, form, HipaaRole.CoveredEntity, organisation);
    }

    /// @dev The next call is made by `caller` and must revert with `revertData`.
    function _expectRevertAs(address caller, bytes memory revertData) internal {
        VM.prank(caller);
        VM.expectRevert(revertData);
    }

    function _suspend(address account) internal {
        VM.prank(_registrar);
        _directory.suspendProvider(account, keccak256("test"));
    }

    function _reinstate(address account) internal {
        VM.prank(_registrar);
        _directory.reinstateProvider(account);
    }

    /// @dev The registrar records `guardian` as `minor`'s guardian until `until` (in effect after the veto week).
    function _recordGuardian(address minor, address guardian, uint40 until) internal {
        VM.prank(_registrar);
        _delegation.recordGuardian(minor, guardian, until);
    }

    /// @dev The registrar records that `patient` died at `diedAt`.
    function _recordDeath(address patient, uint40 diedAt) internal {
        VM.prank(_registrar);
        _delegation.recordDeath(patient, diedAt);
    }

    /// @dev Returns the record commitment, the name the registry gives the record.
    function _anchor(
        address author,
        address patient,
        bytes32 commitment,
        RecordType recordType,
        bool sensitive
    ) internal returns (bytes32) {
        VM.prank(author);
        _registry.anchorRecord(patient, commitment, recordType, sensitive);
        return _recordOf(author, commitment);
    }

    /// @dev The record commitment of `author`'s anchoring of `contentCommitment` (or of a batch root).
    function _recordOf(address author, bytes32 contentCommitment) internal view returns (bytes32) {
        return _registry.recordCommitmentOf(author, contentCommitment);
    }

    function _request(
        address grantee,
        ConsentScope scope,
        bytes32 scopeValue,
        Purpose purpose,
        uint40 validFrom,
        uint40 validUntil
    ) internal pure returns (IConsentManager.GrantRequest memory) {
        return
            IConsentManager.GrantRequest({
                grantee: grantee,
                scope: scope,
                scopeValue: scopeValue,
                purpose: purpose,
                validFrom: validFrom,
                validUntil: validUntil
            });
    }

    /// @dev Grants from now for a year, as the patient.
    function _grantFor(
        address patient,
        address grantee,
        ConsentScope scope,
        bytes32 scopeValue,
        Purpose purpose
    ) internal returns (bytes32 grantId) {
        uint40 nowTime = uint40(block.timestamp);
        VM.prank(patient);
        grantId = _consent.grantConsent(
            patient,
            _request(grantee, scope, scopeValue, purpose, nowTime, nowTime + 365 days)
        );
    }

    /// @dev The grant id, computed here (an external `grantIdOf` call would eat a pending prank).
    function _grantId(
        address grantee,
        ConsentScope scope,
        bytes32 scopeValue,
        Purpose purpose
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(grantee, scope, scopeValue, purpose));
    }

    function _purpose(uint256 seed) internal pure returns (Purpose) {
        return Purpose(uint8(1 + (seed % _PURPOSE_COUNT)));
    }

    /// @dev A purpose that may be granted with a broad (type or all-records) scope: any but legal
    /// representation, which is granted per record only.
    function _broadPurpose(uint256 seed) internal pure returns (Purpose) {
        Purpose purpose = Purpose(uint8(1 + (seed % (_PURPOSE_COUNT - 1))));
        return purpose == Purpose.LegalRepresentation ? Purpose.Inheritance : purpose;
    }

    function _recordType(uint256 seed) internal pure returns (RecordType) {
        return RecordType(uint8(1 + (seed % _RECORD_TYPE_COUNT)));
    }

    /// @dev A scope that fits `commitment`/`recordType` and `purpose`: record, type or all records
    /// (legal representation is only ever granted per record).
    function _scopeFor(
        uint256 seed,
        bytes32 commitment,
        RecordType recordType,
        Purpose purpose
    ) internal pure returns (ConsentScope scope, bytes32 value) {
        uint256 pick = purpose == Purpose.LegalRepresentation ? 0 : seed % 3;
        if (pick == 0) return (ConsentScope.Record, commitment);
        if (pick == 1) return (ConsentScope.RecordType, bytes32(uint256(uint8(recordType))));
        return (ConsentScope.AllRecords, bytes32(0));
    }

    /// @dev Whether `account` is one of the fixture's named accounts or contracts (fuzzed
    /// "strangers" must not be).
    function _isKnown(address account) internal view returns (bool) {
        return
            account == address(0) ||
            account == _admin ||
            account == _registrar ||
            account == _hospital ||
            account == _doctor ||
            account == _doctor2 ||
            account == _pharmacy ||
            account == _lab ||
            account == _family ||
            account == _patient ||
            account == address(_directory) ||
            account == address(_delegation) ||
            account == address(_registry) ||
            account == address(_consent) ||
            account == address(this) ||
            account == address(VM);
    }

    function _privateKey(uint256 seed) internal pure returns (uint256) {
        return 1 + (seed % (_SECP256K1_N - 1));
    }
}
