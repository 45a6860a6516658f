// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICareRelationships} from "../interfaces/ICareRelationships.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {CareRelationships} from "../workflows/CareRelationships.sol";
import {WorkflowBase} from "../workflows/WorkflowBase.sol";
import {AccessRequest, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {WorkflowFixture} from "./utils/WorkflowFixture.sol";
import {VM} from "./utils/Vm.sol";

/// @title CareRelationshipsTest
/// @notice Family doctors, appointments, patient-signed check-ins and admissions, and the one-time
/// unlock: who may open each window, how long it lasts, and what access it grants.
contract CareRelationshipsTest is WorkflowFixture {
    bytes32 internal constant _DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant _VISIT = keccak256("visit");

    function setUp() public {
        _deployWorkflows();
    }

    function _sign(bytes32 structHash) internal view returns (bytes memory) {
        bytes32 domain = keccak256(
            abi.encode(
                _DOMAIN_TYPEHASH,
                keccak256("CareLedger Relationships"),
                keccak256("1"),
                block.chainid,
                address(_relationships)
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(
            _patientKey,
            keccak256(abi.encodePacked("\x19\x01", domain, structHash))
        );
        return abi.encodePacked(r, s, v);
    }

    function _checkInSig(address hospital, bytes32 visitId, uint40 expiresAt) internal view returns (bytes memory) {
        return _sign(keccak256(abi.encode(_relationships.CHECK_IN_TYPEHASH(), _patient, hospital, visitId, expiresAt)));
    }

    function _admissionSig(address ward, bytes32 visitId, uint40 expiresAt) internal view returns (bytes memory) {
        return _sign(keccak256(abi.encode(_relationships.ADMISSION_TYPEHASH(), _patient, ward, visitId, expiresAt)));
    }

    function _unlockSig(address doctor, bytes32 codeId, uint40 expiresAt) internal view returns (bytes memory) {
        return _sign(keccak256(abi.encode(_relationships.UNLOCK_TYPEHASH(), _patient, doctor, codeId, expiresAt)));
    }

    /// @dev The next call is made by `caller` and must be refused as expired at `expiresAt`.
    function _expectExpired(address caller, uint40 expiresAt) internal {
        _expectRevertAs(
            caller,
            abi.encodeWithSelector(ICareRelationships.CareRelationshipsUnlockExpired.selector, expiresAt)
        );
    }

    function _treats(address doctor) internal view returns (bool) {
        return
            _relationships.grantsAccess(
                AccessRequest(doctor, _patient, bytes32(0), RecordType.ClinicalNote, false, Purpose.Treatment)
            );
    }

    function _checkIn() internal {
        uint40 expiresAt = uint40(_T0 + 10 minutes);
        bytes memory signature = _checkInSig(_hospital, _VISIT, expiresAt);
        VM.prank(_hospital);
        _relationships.recordCheckIn(_patient, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
    }

    /// @notice A zero consent manager is refused before its delegation registry is asked for.
    function test_constructorRejectsZeroConsentManager() public {
        VM.expectRevert(WorkflowBase.WorkflowZeroAddress.selector);
        new CareRelationships(IConsentManager(address(0)));
    }

    // ------------------------------------------------------------------ family doctor

    /// @notice The patient names a family doctor, who then treats them; only a doctor; zero clears it.
    function test_familyDoctor() public {
        assertFalse(_treats(_doctor2), "before");
        VM.prank(_patient);
        _relationships.setFamilyDoctor(_patient, _doctor2);
        assertEq(_relationships.familyDoctorOf(_patient), _doctor2, "family doctor");
        assertTrue(_treats(_doctor2), "family doctor treats");
        assertFalse(
            _relationships.grantsAccess(
                AccessRequest(_doctor2, _patient, bytes32(0), RecordType.ClinicalNote, true, Purpose.Treatment)
            ),
            "never sensitive"
        );
        assertFalse(
            _relationships.grantsAccess(
                AccessRequest(_doctor2, _patient, bytes32(0), RecordType.ClinicalNote, false, Purpose.Research)
            ),
            "only treatment"
        );
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(ICareRelationships.CareRelationshipsNotDoctor.selector, _pharmacy));
        _relationships.setFamilyDoctor(_patient, _pharmacy);
        VM.prank(_patient);
        _relationships.setFamilyDoctor(_patient, address(0));
        assertFalse(_treats(_doctor2), "cleared");
        assertFalse(_relationships.hasRelationship(_patient, _pharmacy), "a pharmacy never has one");
    }

    /// @notice Strangers cannot name one, a delegate cannot name itself, and nobody acts for the dead.
    function test_familyDoctorAuthorisation() public {
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(ICareRelationships.CareRelationshipsNotPatientOrDelegate.selector, _doctor, _patient)
        );
        _relationships.setFamilyDoctor(_patient, _doctor);
        VM.prank(_patient);
        _delegation.appointDelegate(_doctor2, _CAP_CONSENT, uint40(_T0 + 30 days));
        _expectRevertAs(
            _doctor2,
            abi.encodeWithSelector(
                ICareRelationships.CareRelationshipsDelegateSelfAppointment.selector,
                _doctor2,
                _patient
            )
        );
        _relationships.setFamilyDoctor(_patient, _doctor2);
        VM.prank(_doctor2);
        _relationships.setFamilyDoctor(_patient, _doctor);
        assertEq(_relationships.familyDoctorOf(_patient), _doctor, "named by the delegate");
        _recordDeath(_patient, uint40(_T0));
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(ICareRelationships.CareRelationshipsPatientDeceased.selector, _patient));
        _relationships.setFamilyDoctor(_patient, _doctor2);
    }

    // ------------------------------------------------------------------ appointments

    /// @notice An appointment opens the doctor's window for that whole day and no other.
    function testFuzz_appointmentDay(uint8 daysAhead, uint32 offset) public {
        uint40 day = uint40((_T0 / 1 days + 1 + (daysAhead % 30)) * 1 days);
        VM.prank(_patient);
        _relationships.recordAppointment(_patient, _doctor2, day);
        uint256 checkedAt = uint256(day) - 1 days + (offset % 3 days);
        VM.warp(checkedAt);
        assertEq(_treats(_doctor2), checkedAt >= day && checkedAt < uint256(day) + 1 days, "window is the day");
    }

    /// @notice Appointments need a patient, a doctor and a whole day that is not over.
    function test_appointmentRules() public {
        _expectRevertAs(_patient, abi.encodeWithSelector(ICareRelationships.CareRelationshipsZeroAddress.selector));
        _relationships.recordAppointment(address(0), _doctor2, 0);
        _expectRevertAs(_patient, abi.encodeWithSelector(ICareRelationships.CareRelationshipsNotDoctor.selector, _lab));
        _relationships.recordAppointment(_patient, _lab, uint40((_T0 / 1 days + 1) * 1 days));
        uint40 notWhole = uint40((_T0 / 1 days + 1) * 1 days + 1);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(ICareRelationships.CareRelationshipsInvalidDay.selector, notWhole));
        _relationships.recordAppointment(_patient, _doctor2, notWhole);
        uint40 past = uint40((_T0 / 1 days - 1) * 1 days);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(ICareRelationships.CareRelationshipsInvalidDay.selector, past));
        _relationships.recordAppointment(_patient, _doctor2, past);
    }

    // ------------------------------------------------------------------ check-ins and admissions

    /// @notice A patient-signed check-in lets the hospital's doctors and its wards' doctors treat for
    /// 24 hours; the visit id is single-use.
    function test_checkIn() public {
        assertFalse(_treats(_doctor), "before");
        _checkIn();
        assertTrue(_treats(_doctor), "hospital doctor");
        assertTrue(_treats(_wardDoctor), "ward doctor");
        assertFalse(_treats(_doctor2), "independent doctor");
        assertTrue(_relationships.isCodeUsed(_patient, _VISIT), "visit id used");
        VM.warp(_T0 + _relationships.CHECK_IN_PERIOD());
        assertFalse(_treats(_doctor), "after 24 hours");
        assertFalse(_treats(_wardDoctor), "ward doctor after 24 hours");
    }

    /// @notice A check-in needs a hospital, a patient, a fresh, unused, valid patient signature.
    function test_checkInRules() public {
        uint40 expiresAt = uint40(_T0 + 10 minutes);
        bytes memory signature = _checkInSig(_hospital, _VISIT, expiresAt);
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(ICareRelationships.CareRelationshipsNotHospital.selector, _doctor));
        _relationships.recordCheckIn(_patient, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
        _expectRevertAs(_hospital, abi.encodeWithSelector(ICareRelationships.CareRelationshipsZeroAddress.selector));
        _relationships.recordCheckIn(address(0), ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
        // Signatures are made first: making one calls the contract, which would eat the expectRevert.
        uint40 stale = uint40(_T0);
        bytes memory staleSignature = _checkInSig(_hospital, _VISIT, stale);
        _expectExpired(_hospital, stale);
        _relationships.recordCheckIn(_patient, ICareRelationships.SignedVisit(_VISIT, stale, staleSignature));
        uint40 tooFar = uint40(_T0 + 2 hours);
        bytes memory tooFarSignature = _checkInSig(_hospital, _VISIT, tooFar);
        _expectExpired(_hospital, tooFar);
        _relationships.recordCheckIn(_patient, ICareRelationships.SignedVisit(_VISIT, tooFar, tooFarSignature));
        _expectRevertAs(
            _hospital,
            abi.encodeWithSelector(ICareRelationships.CareRelationshipsInvalidVisitSignature.selector, _patient)
        );
        _relationships.recordCheckIn(
            _patient,
            ICareRelationships.SignedVisit(keccak256("other visit"), expiresAt, signature)
        );
        VM.prank(_hospital);
        _relationships.recordCheckIn(_patient, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
        _expectRevertAs(
            _hospital,
            abi.encodeWithSelector(ICareRelationships.CareRelationshipsUnlockUsed.selector, _patient, _VISIT)
        );
        _relationships.recordCheckIn(_patient, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
    }

    /// @notice An admission to a ward lets the ward's doctors treat until discharge (at most 30 days).
    function test_admissionAndDischarge() public {
        uint40 expiresAt = uint40(_T0 + 10 minutes);
        bytes memory signature = _admissionSig(_ward, _VISIT, expiresAt);
        VM.prank(_hospital);
        _relationships.admitPatient(_patient, _ward, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
        assertEq(uint256(_relationships.admittedUntil(_patient, _ward)), _T0 + 30 days, "admitted until");
        assertTrue(_treats(_wardDoctor), "ward doctor");
        assertFalse(_treats(_doctor), "hospital doctor outside the ward");
        VM.prank(_hospital);
        _relationships.dischargePatient(_patient, _ward);
        assertFalse(_treats(_wardDoctor), "after discharge");
        _expectRevertAs(
            _hospital,
            abi.encodeWithSelector(ICareRelationships.CareRelationshipsNotAdmitted.selector, _patient, _ward)
        );
        _relationships.dischargePatient(_patient, _ward);
    }

    /// @notice Only a hospital admits, only to its own ward, only a named patient.
    function test_admissionRules() public {
        uint40 expiresAt = uint40(_T0 + 10 minutes);
        bytes memory signature = _admissionSig(_ward, _VISIT, expiresAt);
        _expectRevertAs(_lab, abi.encodeWithSelector(ICareRelationships.CareRelationshipsNotHospital.selector, _lab));
        _relationships.admitPatient(_patient, _ward, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
        _expectRevertAs(_hospital, abi.encodeWithSelector(ICareRelationships.CareRelationshipsZeroAddress.selector));
        _relationships.admitPatient(address(0), _ward, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
        VM.prank(_hospital);
        VM.expectRevert(abi.encodeWithSelector(ICareRelationships.CareRelationshipsNotWard.selector, _lab, _hospital));
        _relationships.admitPatient(_patient, _lab, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
        _expectRevertAs(
            _hospital,
            abi.encodeWithSelector(ICareRelationships.CareRelationshipsNotWard.selector, _doctor, _hospital)
        );
        _relationships.admitPatient(_patient, _doctor, ICareRelationships.SignedVisit(_VISIT, expiresAt, signature));
    }

    // ------------------------------------------------------------------ unlock

    /// @notice With the unlock required, a relationship alone grants nothing until the patient's
    /// one-time code unlocks the doctor for 12 hours.
    function test_unlock() public {
        VM.prank(_patient);
        _relationships.setFamilyDoctor(_patient, _doctor2);
        VM.prank(_patient);
        _relationships.setUnlockRequired(_patient, true);
        assertTrue(_relationships.isUnlockRequired(_patient), "required");
        assertFalse(_treats(_doctor2), "locked");
        bytes32 code = keccak256("code");
        uint40 expiresAt = uint40(_T0 + 30 minutes);
        bytes memory signature = _unlockSig(_doctor2, code, expiresAt);
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(ICareRelationships.CareRelationshipsInvalidUnlock.selector, _patient));
        _relationships.unlockWithCode(_patient, code, expiresAt, signature);
        _expectExpired(_doctor2, uint40(_T0));
        _relationships.unlockWithCode(_patient, code, uint40(_T0), signature);
        uint40 tooFar = uint40(_T0 + 2 hours);
        _expectExpired(_doctor2, tooFar);
        _relationships.unlockWithCode(_patient, code, tooFar, signature);
        VM.prank(_doctor2);
        _relationships.unlockWithCode(_patient, code, expiresAt, signature);
        assertEq(uint256(_relationships.unlockedUntil(_patient, _doctor2)), _T0 + 12 hours, "unlocked until");
        assertTrue(_treats(_doctor2), "unlocked");
        _expectRevertAs(
            _doctor2,
            abi.encodeWithSelector(ICareRelationships.CareRelationshipsUnlockUsed.selector, _patient, code)
        );
        _relationships.unlockWithCode(_patient, code, expiresAt, signature);
        VM.warp(_T0 + 12 hours);
        assertFalse(_treats(_doctor2), "locked again");
    }

    /// @notice The patient cancels an unused code once; a cancelled code no longer unlocks.
    function test_cancelUnlockCode() public {
        bytes32 code = keccak256("code");
        VM.prank(_patient);
        _relationships.cancelUnlockCode(code);
        assertTrue(_relationships.isCodeUsed(_patient, code), "cancelled");
        _expectRevertAs(
            _patient,
            abi.encodeWithSelector(ICareRelationships.CareRelationshipsUnlockUsed.selector, _patient, code)
        );
        _relationships.cancelUnlockCode(code);
    }
}
