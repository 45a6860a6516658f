// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEmergencyAccess} from "../interfaces/IEmergencyAccess.sol";
import {EmergencyAccess} from "../workflows/EmergencyAccess.sol";
import {WorkflowBase} from "../workflows/WorkflowBase.sol";
import {AccessBasis, AccessRequest, ProviderKind, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {WorkflowFixture, WorkflowInvariants} from "./utils/WorkflowFixture.sol";
import {VM} from "./utils/Vm.sol";

/// @title EmergencyAccessTest
/// @notice Break-glass sessions: opening, closing, their window, and the access they grant.
contract EmergencyAccessTest is WorkflowFixture {
    function setUp() public {
        _deployWorkflows();
    }

    function _open(uint16 reason, uint32 duration) internal returns (uint40) {
        VM.prank(_emergencyDept);
        return _emergency.openEmergencyAccess(_patient, reason, duration);
    }

    function _grants(bool sensitive, Purpose purpose) internal view returns (bool) {
        return
            _emergency.grantsAccess(
                AccessRequest(_emergencyDept, _patient, bytes32(0), RecordType.ClinicalNote, sensitive, purpose)
            );
    }

    /// @notice A session lasts exactly `duration` from opening: it grants emergency access to
    /// non-sensitive records until then and never after.
    function testFuzz_sessionWindow(uint16 reason, uint32 duration, uint32 elapsed) public {
        reason = uint16(bound(reason, 1, type(uint16).max));
        duration = uint32(bound(duration, 1, _emergency.MAX_DURATION()));
        uint40 expiresAt = _open(reason, duration);
        assertEq(uint256(expiresAt), block.timestamp + duration, "expiresAt");
        IEmergencyAccess.Session memory session = _emergency.sessionOf(_patient, _emergencyDept);
        assertEq(uint256(session.openedAt), block.timestamp, "openedAt");
        assertEq(uint256(session.expiresAt), uint256(expiresAt), "session expiresAt");
        assertEq(uint256(session.reasonCode), reason, "reason");
        assertEq(uint256(session.count), 1, "count");
        // Times are absolute: via-IR may reuse a `block.timestamp` read from before a warp.
        VM.warp(_T0 + elapsed);
        bool open = _T0 + elapsed < expiresAt;
        assertEq(_emergency.isSessionOpen(_patient, _emergencyDept), open, "isSessionOpen");
        assertEq(_grants(false, Purpose.Emergency), open, "grants");
        assertFalse(_grants(false, Purpose.Treatment), "other purpose");
        assertFalse(_grants(true, Purpose.Emergency), "sensitive without the patient's leave");
    }

    /// @notice Through the consent manager: an open session is the emergency department's `Workflow`
    /// basis (the lab-order source, asked first, declines), and nothing before or after it.
    function test_consentManagerAsksEverySource() public {
        bytes32 note = _anchor(_doctor, _patient, keccak256("emergency note"), RecordType.ClinicalNote, false);
        assertEq(uint8(_basis(note)), uint8(AccessBasis.None), "before the session");
        _open(1, 1 hours);
        assertEq(uint8(_basis(note)), uint8(AccessBasis.Workflow), "during the session");
        VM.warp(_T0 + 1 hours);
        assertEq(uint8(_basis(note)), uint8(AccessBasis.None), "after the session");
    }

    function _basis(bytes32 record) private view returns (AccessBasis) {
        return _consent.accessBasis(_emergencyDept, _patient, record, Purpose.Emergency);
    }

    /// @notice Only an active emergency department opens a session, for a named patient, with a
    /// reason and a duration of at most 24 hours.
    function test_openRules() public {
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(
                WorkflowBase.WorkflowUnauthorizedProvider.selector,
                _doctor,
                ProviderKind.EmergencyDepartment
            )
        );
        _emergency.openEmergencyAccess(_patient, 1, 1 hours);
        _expectRevertAs(_emergencyDept, abi.encodeWithSelector(IEmergencyAccess.EmergencyAccessZeroPatient.selector));
        _emergency.openEmergencyAccess(address(0), 1, 1 hours);
        _expectRevertAs(_emergencyDept, abi.encodeWithSelector(IEmergencyAccess.EmergencyAccessMissingReason.selector));
        _emergency.openEmergencyAccess(_patient, 0, 1 hours);
        uint256 max = _emergency.MAX_DURATION();
        VM.prank(_emergencyDept);
        VM.expectRevert(abi.encodeWithSelector(IEmergencyAccess.EmergencyAccessInvalidDuration.selector, 0, max));
        _emergency.openEmergencyAccess(_patient, 1, 0);
        VM.prank(_emergencyDept);
        VM.expectRevert(abi.encodeWithSelector(IEmergencyAccess.EmergencyAccessInvalidDuration.selector, max + 1, max));
        _emergency.openEmergencyAccess(_patient, 1, uint32(max + 1));
    }

    /// @notice Closing ends the session now; there is nothing to close once it ended; reopening counts.
    function test_closeAndReopen() public {
        _expectRevertAs(
            _emergencyDept,
            abi.encodeWithSelector(IEmergencyAccess.EmergencyAccessNoSession.selector, _patient, _emergencyDept)
        );
        _emergency.closeEmergencyAccess(_patient);
        _open(7, 2 hours);
        VM.warp(_T0 + 1 hours);
        VM.prank(_emergencyDept);
        _emergency.closeEmergencyAccess(_patient);
        assertFalse(_emergency.isSessionOpen(_patient, _emergencyDept), "closed");
        assertEq(uint256(_emergency.sessionOf(_patient, _emergencyDept).expiresAt), _T0 + 1 hours, "ended now");
        assertFalse(_grants(false, Purpose.Emergency), "no access once closed");
        _expectRevertAs(
            _emergencyDept,
            abi.encodeWithSelector(IEmergencyAccess.EmergencyAccessNoSession.selector, _patient, _emergencyDept)
        );
        _emergency.closeEmergencyAccess(_patient);
        _open(8, 1 hours);
        assertEq(uint256(_emergency.sessionOf(_patient, _emergencyDept).count), 2, "count");
    }

    /// @notice Sensitive records only when the patient allowed it, and only while the department is active.
    function test_sensitiveAndSuspended() public {
        _open(1, 1 hours);
        VM.prank(_patient);
        _emergency.setEmergencyAccessToSensitive(true);
        assertTrue(_emergency.allowsSensitiveAccess(_patient), "allowed");
        assertTrue(_grants(true, Purpose.Emergency), "sensitive allowed");
        _suspend(_emergencyDept);
        assertFalse(_grants(false, Purpose.Emergency), "suspended department");
    }
}

/// @title EmergencyAccessHandler
/// @notice The runner's actions on `EmergencyAccess`: open (any duration, including invalid ones),
/// close, let time pass. Refused actions are no-ops.
contract EmergencyAccessHandler {
    EmergencyAccess internal immutable _emergency;
    address internal immutable _department;
    address[3] internal _patients = [address(0xB001), address(0xB002), address(0xB003)];

    constructor(EmergencyAccess emergency, address department) {
        _emergency = emergency;
        _department = department;
    }

    function open(uint256 patient, uint16 reason, uint32 duration) external {
        VM.prank(_department);
        try _emergency.openEmergencyAccess(_patients[patient % 3], reason, duration % 2 days) {} catch {}
    }

    function close(uint256 patient) external {
        VM.prank(_department);
        try _emergency.closeEmergencyAccess(_patients[patient % 3]) {} catch {}
    }

    function warp(uint32 seconds_) external {
        VM.warp(block.timestamp + (seconds_ % 2 days));
    }

    function patientAt(uint256 index) external view returns (address) {
        return _patients[index];
    }
}

/// @title EmergencyAccessInvariants
/// @notice Stateful fuzzing of break-glass: no emergency session outlives its window.
contract EmergencyAccessInvariants is WorkflowInvariants {
    EmergencyAccessHandler internal _handler;

    function setUp() public {
        _deployWorkflows();
        _handler = new EmergencyAccessHandler(_emergency, _emergencyDept);
        bytes4[] memory actions = new bytes4[](3);
        actions[0] = EmergencyAccessHandler.open.selector;
        actions[1] = EmergencyAccessHandler.close.selector;
        actions[2] = EmergencyAccessHandler.warp.selector;
        _fuzzOnly(address(_handler), actions);
    }

    /// @notice Every session ends at most MAX_DURATION after it opened, and grants access only inside
    /// [openedAt, expiresAt).
    function invariant_noSessionOutlivesItsWindow() public view {
        for (uint256 i = 0; i < 3; ++i) {
            address patient = _handler.patientAt(i);
            IEmergencyAccess.Session memory session = _emergency.sessionOf(patient, _emergencyDept);
            assertTrue(
                uint256(session.expiresAt) <= uint256(session.openedAt) + _emergency.MAX_DURATION(),
                "session longer than MAX_DURATION"
            );
            bool inWindow = block.timestamp < session.expiresAt;
            assertEq(
                _emergency.grantsAccess(
                    AccessRequest(
                        _emergencyDept,
                        patient,
                        bytes32(0),
                        RecordType.ClinicalNote,
                        false,
                        Purpose.Emergency
                    )
                ),
                inWindow,
                "access outside the window"
            );
        }
    }
}
