// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IPatientDelegation} from "../interfaces/IPatientDelegation.sol";
import {ConsentScope, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {CareLedgerFixture} from "./utils/CareLedgerFixture.sol";
import {VM} from "./utils/Vm.sol";
import {VM_EVENTS} from "./utils/VmEvents.sol";

/// @title PatientDelegationCoverageTest
/// @notice The patient's side of guardianships (veto within the week, acceptance after a veto), the
/// contest of a recorded death, and a consent delegate's grant to itself. Times are fixed constants:
/// under via-IR a test that re-reads `block.timestamp` after `VM.warp` may see the old value.
contract PatientDelegationCoverageTest is CareLedgerFixture {
    bytes32 internal constant _RECORD_CONTENT = keccak256("delegation-coverage-record");
    /// @dev The record commitment `_doctor`'s anchoring of `_RECORD_CONTENT` gets.
    bytes32 internal _record;
    uint40 internal constant _MINOR_UNTIL = uint40(_T0 + 365 days);
    uint40 internal constant _VETO_ENDS = uint40(_T0 + 7 days);
    uint40 internal constant _CONTEST_ENDS = uint40(_T0 + 7 days);
    uint40 internal constant _NEVER = type(uint40).max;

    address internal _guardian = address(0x6A4D);

    function setUp() public {
        _deploy();
        _registerDefaultProviders();
        _record = _recordOf(_doctor, _RECORD_CONTENT);
        _anchor(_doctor, _patient, _RECORD_CONTENT, RecordType.Immunization, false);
    }

    /// @dev The next call is made by the patient and must be refused: `_guardian` is not their guardian.
    function _expectNotGuardian() internal {
        _expectRevertAs(
            _patient,
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationNotGuardian.selector, _patient, _guardian)
        );
    }

    // ------------------------------------------------------------------ guardianship: veto

    /// @notice A guardianship the registrar records takes effect after the veto week; a veto within
    /// the week deletes it and marks the patient.
    function test_vetoWithinTheWeekDeletesTheGuardianship() public {
        VM_EVENTS.expectEmit(true, true, true, true);
        emit IPatientDelegation.GuardianRecorded(_patient, _guardian, _MINOR_UNTIL, _VETO_ENDS);
        _recordGuardian(_patient, _guardian, _MINOR_UNTIL);
        IPatientDelegation.Guardianship memory pending = _delegation.guardianshipOf(_patient, _guardian);
        assertEq(uint256(pending.effectiveFrom), _VETO_ENDS, "effective after the veto week");
        assertEq(uint256(pending.until), _MINOR_UNTIL, "until the minor comes of age");
        assertFalse(_delegation.isDelegate(_patient, _guardian, _CAP_READ), "guardian acts within the veto week");
        assertFalse(_delegation.hasVetoedGuardianship(_patient), "vetoed before any veto");

        VM.warp(_VETO_ENDS - 1);
        VM_EVENTS.expectEmit(true, true, true, true);
        emit IPatientDelegation.GuardianVetoed(_patient, _guardian);
        VM.prank(_patient);
        _delegation.vetoGuardian(_guardian);
        IPatientDelegation.Guardianship memory vetoed = _delegation.guardianshipOf(_patient, _guardian);
        assertEq(uint256(vetoed.effectiveFrom), 0, "vetoed guardianship effectiveFrom kept");
        assertEq(uint256(vetoed.until), 0, "vetoed guardianship until kept");
        assertEq(uint256(_delegation.guardianshipUntil(_patient, _guardian)), 0, "guardianshipUntil after veto");
        assertTrue(_delegation.hasVetoedGuardianship(_patient), "veto not remembered");

        VM.warp(_VETO_ENDS + 1 days);
        assertFalse(_delegation.isDelegate(_patient, _guardian, _CAP_READ), "vetoed guardian acts");
    }

    /// @notice After a veto the registrar's word waits for the patient's acceptance, however long;
    /// the acceptance puts it in effect (reading and consents, never erasure), and then it can no
    /// longer be vetoed.
    function test_afterAVetoGuardianshipsWaitForAcceptance() public {
        _recordGuardian(_patient, _guardian, _MINOR_UNTIL);
        VM.prank(_patient);
        _delegation.vetoGuardian(_guardian);

        VM_EVENTS.expectEmit(true, true, true, true);
        emit IPatientDelegation.GuardianRecorded(_patient, _guardian, _MINOR_UNTIL, _NEVER);
        _recordGuardian(_patient, _guardian, _MINOR_UNTIL);
        assertEq(
            uint256(_delegation.guardianshipOf(_patient, _guardian).effectiveFrom),
            _NEVER,
            "awaits acceptance after a veto"
        );
        VM.warp(_T0 + 100 days);
        assertFalse(_delegation.isDelegate(_patient, _guardian, _CAP_READ), "unaccepted guardian acts");
        assertFalse(_consent.canAccess(_guardian, _patient, _record, Purpose.Treatment), "unaccepted guardian reads");

        VM_EVENTS.expectEmit(true, true, true, true);
        emit IPatientDelegation.GuardianAccepted(_patient, _guardian);
        VM.prank(_patient);
        _delegation.acceptGuardian(_guardian);
        assertEq(
            uint256(_delegation.guardianshipOf(_patient, _guardian).effectiveFrom),
            _T0 + 100 days,
            "effective from the acceptance"
        );
        assertTrue(_delegation.isDelegate(_patient, _guardian, _CAP_READ), "accepted guardian cannot read");
        assertTrue(_delegation.isDelegate(_patient, _guardian, _CAP_CONSENT), "accepted guardian cannot consent");
        assertFalse(_delegation.isDelegate(_patient, _guardian, _CAP_ERASE), "accepted guardian erases");
        assertTrue(_consent.canAccess(_guardian, _patient, _record, Purpose.Treatment), "accepted guardian reads");

        _expectRevertAs(
            _patient,
            abi.encodeWithSelector(
                IPatientDelegation.PatientDelegationGuardianshipInEffect.selector,
                _patient,
                _guardian,
                uint40(_T0 + 100 days)
            )
        );
        _delegation.vetoGuardian(_guardian);
    }

    /// @notice A patient who vetoed once may veto a later guardianship too while it waits.
    function test_awaitingGuardianshipCanBeVetoedAgain() public {
        _recordGuardian(_patient, _guardian, _MINOR_UNTIL);
        VM.prank(_patient);
        _delegation.vetoGuardian(_guardian);
        _recordGuardian(_patient, _family, _MINOR_UNTIL);
        VM.warp(_T0 + 30 days);
        VM.prank(_patient);
        _delegation.vetoGuardian(_family);
        assertEq(uint256(_delegation.guardianshipUntil(_patient, _family)), 0, "second veto kept the guardianship");
        assertTrue(_delegation.hasVetoedGuardianship(_patient), "veto forgotten");
    }

    /// @notice A veto needs a guardianship, still within its veto week, of a living patient.
    function test_vetoGuards() public {
        _expectNotGuardian();
        _delegation.vetoGuardian(_guardian);

        _recordGuardian(_patient, _guardian, _MINOR_UNTIL);
        VM.warp(_VETO_ENDS);
        _expectRevertAs(
            _patient,
            abi.encodeWithSelector(
                IPatientDelegation.PatientDelegationGuardianshipInEffect.selector,
                _patient,
                _guardian,
                _VETO_ENDS
            )
        );
        _delegation.vetoGuardian(_guardian);
        assertEq(uint256(_delegation.guardianshipUntil(_patient, _guardian)), _MINOR_UNTIL, "refused veto deleted");
        assertFalse(_delegation.hasVetoedGuardianship(_patient), "refused veto remembered");
        assertTrue(_delegation.isDelegate(_patient, _guardian, _CAP_READ), "guardian in effect refused");

        _recordDeath(_patient, _VETO_ENDS);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeceased.selector, _patient));
        _delegation.vetoGuardian(_guardian);
    }

    // ------------------------------------------------------------------ guardianship: acceptance

    /// @notice Accepting needs a guardianship that has not ended; accepting early brings it forward,
    /// accepting one in effect leaves its start as it was.
    function test_acceptGuards() public {
        _expectNotGuardian();
        _delegation.acceptGuardian(_guardian);

        _recordGuardian(_patient, _guardian, _MINOR_UNTIL);
        VM.prank(_patient);
        _delegation.acceptGuardian(_guardian);
        assertEq(uint256(_delegation.guardianshipOf(_patient, _guardian).effectiveFrom), _T0, "early acceptance");
        assertTrue(_delegation.isDelegate(_patient, _guardian, _CAP_READ), "accepted guardian refused");

        VM.warp(_T0 + 10 days);
        VM.prank(_patient);
        _delegation.acceptGuardian(_guardian);
        assertEq(uint256(_delegation.guardianshipOf(_patient, _guardian).effectiveFrom), _T0, "start moved");

        VM.warp(_MINOR_UNTIL);
        _expectNotGuardian();
        _delegation.acceptGuardian(_guardian);
        assertFalse(_delegation.isDelegate(_patient, _guardian, _CAP_READ), "guardian of an adult");
    }

    /// @notice The registrar cannot make itself anyone's guardian.
    function test_registrarCannotRecordItselfAsGuardian() public {
        _expectRevertAs(
            _registrar,
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationRegistrarAsGuardian.selector, _registrar)
        );
        _delegation.recordGuardian(_patient, _registrar, _MINOR_UNTIL);
        assertEq(uint256(_delegation.guardianshipUntil(_patient, _registrar)), 0, "registrar became guardian");
    }

    // ------------------------------------------------------------------ death: contest

    /// @notice A living patient has nothing to contest.
    function test_noContestWithoutADeath() public {
        assertEq(_delegation.deathContestableUntil(_patient), 0, "contestable while alive");
        _expectRevertAs(
            _patient,
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeathNotContestable.selector, _patient, 0)
        );
        _delegation.contestDeath();
    }

    /// @notice Within the week after its recording the patient contests a death: the patient is
    /// alive again, delegations act again, heirs never read, and the same recording cannot be
    /// contested twice.
    function test_contestWithinTheWeekRevivesThePatient() public {
        VM.startPrank(_patient);
        _delegation.appointDelegate(_family, _CAP_READ, uint40(_T0 + 100 days));
        _delegation.designateHeir(_lab);
        VM.stopPrank();
        _recordDeath(_patient, uint40(_T0 - 1 days));
        assertEq(_delegation.deathContestableUntil(_patient), _CONTEST_ENDS, "contestable until");
        assertFalse(_delegation.isDelegate(_patient, _family, _CAP_READ), "delegate acts after death");

        VM.warp(_CONTEST_ENDS - 1);
        VM_EVENTS.expectEmit(true, true, true, true);
        emit IPatientDelegation.DeathContested(_patient);
        VM.prank(_patient);
        _delegation.contestDeath();
        assertEq(uint256(_delegation.diedAt(_patient)), 0, "death kept");
        assertEq(_delegation.deathContestableUntil(_patient), 0, "still contestable");
        assertEq(_delegation.erasureBlockedUntil(_patient), 0, "retention after a contested death");
        assertTrue(_delegation.isDelegate(_patient, _family, _CAP_READ), "delegation not restored");

        VM.warp(_CONTEST_ENDS + 1 days);
        assertFalse(_delegation.isDelegate(_patient, _lab, _CAP_READ), "heir reads a living patient");
        assertFalse(_consent.canAccess(_lab, _patient, _record, Purpose.Inheritance), "heir reads after contest");

        _expectRevertAs(
            _patient,
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeathNotContestable.selector, _patient, 0)
        );
        _delegation.contestDeath();
    }

    /// @notice A patient contests once: a death recorded again after a contest is final at once,
    /// and the heirs read after the usual week.
    function test_deathRecordedAgainAfterAContestIsFinal() public {
        VM.prank(_patient);
        _delegation.designateHeir(_lab);
        _recordDeath(_patient, uint40(_T0));
        VM.prank(_patient);
        _delegation.contestDeath();

        VM.warp(_T0 + 30 days);
        _recordDeath(_patient, uint40(_T0 + 29 days));
        assertEq(uint256(_delegation.diedAt(_patient)), _T0 + 29 days, "second recording");
        assertEq(_delegation.deathContestableUntil(_patient), 0, "contestable twice");
        _expectRevertAs(
            _patient,
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeathNotContestable.selector, _patient, 0)
        );
        _delegation.contestDeath();
        assertFalse(_delegation.isDelegate(_patient, _lab, _CAP_READ), "heir reads within the week");
        VM.warp(_T0 + 37 days);
        assertTrue(_delegation.isDelegate(_patient, _lab, _CAP_READ), "heir refused after the week");
    }

    /// @notice After the week a recorded death can no longer be contested.
    function test_noContestAfterTheWeek() public {
        _recordDeath(_patient, uint40(_T0));
        VM.warp(_CONTEST_ENDS);
        assertEq(_delegation.deathContestableUntil(_patient), 0, "contestable after the week");
        _expectRevertAs(
            _patient,
            abi.encodeWithSelector(
                IPatientDelegation.PatientDelegationDeathNotContestable.selector,
                _patient,
                uint256(_CONTEST_ENDS)
            )
        );
        _delegation.contestDeath();
        assertEq(uint256(_delegation.diedAt(_patient)), _T0, "death undone after the week");
    }

    // ------------------------------------------------------------------ consent delegates

    /// @notice A consent delegate grants for the patient, but never to itself: its own access is the
    /// appointment, bounded by its end date and capabilities.
    function test_consentDelegateCannotGrantToItself() public {
        VM.prank(_patient);
        _delegation.appointDelegate(_family, _CAP_CONSENT, uint40(_T0 + 30 days));
        IConsentManager.GrantRequest memory toItself = _request(
            _family,
            ConsentScope.Record,
            _record,
            Purpose.Treatment,
            uint40(_T0),
            uint40(_T0 + 365 days)
        );
        VM.prank(_family);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentDelegateSelfGrant.selector, _family, _patient));
        _consent.grantConsent(_patient, toItself);
        assertFalse(_consent.canAccess(_family, _patient, _record, Purpose.Treatment), "self-grant opened");

        IConsentManager.GrantRequest memory toDoctor = _request(
            _doctor2,
            ConsentScope.Record,
            _record,
            Purpose.Treatment,
            uint40(_T0),
            uint40(_T0 + 365 days)
        );
        VM.prank(_family);
        bytes32 grantId = _consent.grantConsent(_patient, toDoctor);
        assertEq(grantId, _grantId(_doctor2, ConsentScope.Record, _record, Purpose.Treatment), "grant id");
        assertTrue(_consent.canAccess(_doctor2, _patient, _record, Purpose.Treatment), "delegate's grant closed");
    }
}
