// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PatientDelegation} from "../PatientDelegation.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IPatientDelegation} from "../interfaces/IPatientDelegation.sol";
import {IProviderDirectory} from "../interfaces/IProviderDirectory.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {AccessBasis, AccessRequest, ConsentScope, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {CareLedgerFixture} from "./utils/CareLedgerFixture.sol";
import {VM} from "./utils/Vm.sol";

/// @title PatientDelegationTest
/// @notice Fuzz tests of delegations, guardianships, deaths and heirs, and of what they open in the
/// access rule.
contract PatientDelegationTest is CareLedgerFixture {
    bytes32 internal constant _RECORD_CONTENT = keccak256("delegation-record");
    /// @dev The record commitment `_doctor`'s anchoring of `_RECORD_CONTENT` gets.
    bytes32 internal _record;
    address internal _guardian = address(0x6A4D);

    function setUp() public {
        _deploy();
        _registerDefaultProviders();
        _record = _recordOf(_doctor, _RECORD_CONTENT);
        _anchor(_doctor, _patient, _RECORD_CONTENT, RecordType.Immunization, true);
    }

    // ------------------------------------------------------------------ delegations

    /// @notice A delegate holds exactly the capabilities it was given, all of the asked ones at once,
    /// and only before its end date; asking for nothing is never granted.
    function testFuzz_isDelegateNeedsEveryAskedCapability(
        uint8 heldRaw,
        uint8 asked,
        uint256 untilRaw,
        uint256 probeRaw
    ) public {
        uint8 held = uint8(bound(heldRaw, 1, 7));
        uint40 validUntil = uint40(bound(untilRaw, _T0 + 1, _T0 + 1000 days));
        VM.prank(_patient);
        _delegation.appointDelegate(_family, held, validUntil);
        IPatientDelegation.Delegation memory stored = _delegation.delegationOf(_patient, _family);
        assertEq(uint256(stored.capabilities), held, "stored capabilities");
        assertEq(uint256(stored.appointedAt), _T0, "stored appointedAt");
        assertEq(uint256(stored.validUntil), validUntil, "stored validUntil");

        uint256 probe = bound(probeRaw, _T0, uint256(validUntil) + 10 days);
        VM.warp(probe);
        bool expected = asked != 0 && held & asked == asked && probe < validUntil;
        assertEq(_delegation.isDelegate(_patient, _family, asked), expected, "isDelegate");
        assertFalse(_delegation.isDelegate(_family, _patient, asked), "delegation is not symmetric");
    }

    /// @notice Appointments with no or unknown capabilities, a past end, the zero address or oneself
    /// are refused.
    function testFuzz_appointGuards(uint8 badCaps, uint256 endRaw) public {
        VM.assume(badCaps == 0 || badCaps > 7);
        VM.prank(_patient);
        VM.expectRevert(
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationInvalidCapabilities.selector, badCaps)
        );
        _delegation.appointDelegate(_family, badCaps, uint40(_T0 + 1));
        uint40 end = uint40(bound(endRaw, 0, _T0));
        VM.prank(_patient);
        VM.expectRevert(
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationInvalidEnd.selector, end, block.timestamp)
        );
        _delegation.appointDelegate(_family, 1, end);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationZeroAddress.selector));
        _delegation.appointDelegate(address(0), 1, uint40(_T0 + 1));
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationSelf.selector, _patient));
        _delegation.appointDelegate(_patient, 1, uint40(_T0 + 1));
    }

    /// @notice Removing ends a delegation at once; removing one that does not exist reverts.
    function testFuzz_removeDelegate(address delegate, uint8 capsRaw) public {
        VM.assume(delegate != address(0) && delegate != _patient);
        uint8 caps = uint8(bound(capsRaw, 1, 7));
        VM.prank(_patient);
        VM.expectRevert(
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationNotFound.selector, _patient, delegate)
        );
        _delegation.removeDelegate(delegate);
        VM.prank(_patient);
        _delegation.appointDelegate(delegate, caps, uint40(_T0 + 1 days));
        VM.prank(_patient);
        _delegation.removeDelegate(delegate);
        assertFalse(_delegation.isDelegate(_patient, delegate, caps), "removed delegate still acts");
        assertEq(uint256(_delegation.delegationOf(_patient, delegate).capabilities), 0, "removed delegation kept");
    }

    // ------------------------------------------------------------------ guardianship

    /// @notice A guardian reads and manages consents (never erases) while the patient is a minor, once
    /// the minor accepted it, unless the minor took control; it reads the minor's records (even
    /// sensitive ones) exactly then.
    function testFuzz_guardianActsWhileMinorUnlessSelfControlled(
        uint8 askedRaw,
        uint256 minorRaw,
        uint256 probeRaw,
        bool selfControlled,
        uint8 purposeRaw
    ) public {
        uint8 asked = uint8(bound(askedRaw, 1, 7));
        uint40 minorUntil = uint40(bound(minorRaw, _T0 + 1, _T0 + 18 * 365 days));
        _recordGuardian(_patient, _guardian, minorUntil);
        assertEq(uint256(_delegation.guardianshipUntil(_patient, _guardian)), minorUntil, "stored guardianship");
        VM.prank(_patient);
        _delegation.acceptGuardian(_guardian);
        if (selfControlled) {
            VM.prank(_patient);
            _delegation.setMinorControl(true);
        }
        uint256 probe = bound(probeRaw, _T0, uint256(minorUntil) + 10 days);
        VM.warp(probe);
        bool guarding = !selfControlled && probe < minorUntil;
        bool expected = guarding && asked & 2 == 0;
        assertEq(_delegation.isDelegate(_patient, _guardian, asked), expected, "guardian capability");
        assertEq(
            _consent.canAccess(_guardian, _patient, _record, _purpose(purposeRaw)),
            guarding,
            "guardian reads the minor's record"
        );
        if (selfControlled) {
            // Control can be handed back.
            VM.prank(_patient);
            _delegation.setMinorControl(false);
            assertEq(
                _delegation.isDelegate(_patient, _guardian, asked),
                probe < minorUntil && asked & 2 == 0,
                "control handed back"
            );
        }
    }

    /// @notice Only the directory's registrar records or removes guardianships and deaths.
    function testFuzz_onlyRegistrarRecordsGuardiansAndDeaths(address caller) public {
        VM.assume(caller != _registrar);
        bytes memory denied = abi.encodeWithSelector(IPatientDelegation.PatientDelegationNotRegistrar.selector, caller);
        VM.prank(caller);
        VM.expectRevert(denied);
        _delegation.recordGuardian(_patient, _guardian, uint40(_T0 + 1));
        VM.prank(caller);
        VM.expectRevert(denied);
        _delegation.removeGuardian(_patient, _guardian);
        VM.prank(caller);
        VM.expectRevert(denied);
        _delegation.recordDeath(_patient, uint40(_T0));
    }

    /// @notice A removed guardian loses every capability at once.
    function testFuzz_removedGuardianLosesAccess(uint8 purposeRaw) public {
        _recordGuardian(_patient, _guardian, uint40(_T0 + 365 days));
        VM.prank(_registrar);
        _delegation.removeGuardian(_patient, _guardian);
        assertFalse(_delegation.isDelegate(_patient, _guardian, _CAP_READ), "removed guardian acts");
        assertFalse(_consent.canAccess(_guardian, _patient, _record, _purpose(purposeRaw)), "removed guardian reads");
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IPatientDelegation.PatientDelegationNotGuardian.selector, _patient, _guardian)
        );
        _delegation.removeGuardian(_patient, _guardian);
    }

    // ------------------------------------------------------------------ death and heirs

    /// @notice After a recorded death explicit delegations and guardianships end, whatever their end
    /// dates; designated heirs may read (and only read); the death cannot be recorded twice and the
    /// deceased can no longer appoint or designate.
    function testFuzz_deathEndsDelegationsAndHeirsRead(uint8 capsRaw, uint256 diedAgo, uint8 purposeRaw) public {
        uint8 caps = uint8(bound(capsRaw, 1, 7));
        VM.prank(_patient);
        _delegation.appointDelegate(_family, caps, uint40(_T0 + 1000 days));
        VM.prank(_patient);
        _delegation.designateHeir(_lab);
        _recordGuardian(_patient, _guardian, uint40(_T0 + 1000 days));
        assertTrue(_delegation.isHeir(_patient, _lab), "heir designated");

        uint40 diedAt = uint40(_T0 - bound(diedAgo, 0, 365 days));
        _recordDeath(_patient, diedAt);
        assertEq(uint256(_delegation.diedAt(_patient)), diedAt, "stored death");

        // Heirs wait out the period in which the patient could contest the recording.
        assertFalse(_delegation.isDelegate(_patient, _lab, _CAP_READ), "heir reads before the contest period");
        VM.warp(block.timestamp + 7 days);
        for (uint8 asked = 1; asked <= 7; ++asked) {
            assertFalse(_delegation.isDelegate(_patient, _family, asked), "delegation survived death");
            assertFalse(_delegation.isDelegate(_patient, _guardian, asked), "guardianship survived death");
            assertEq(_delegation.isDelegate(_patient, _lab, asked), asked == _CAP_READ, "heir capability");
        }
        Purpose purpose = _purpose(purposeRaw);
        assertEq(
            uint256(_consent.accessBasis(_lab, _patient, _record, purpose)),
            uint256(AccessBasis.Delegate),
            "heir reads"
        );
        assertFalse(_consent.canAccess(_family, _patient, _record, purpose), "former delegate reads");

        VM.prank(_registrar);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeceased.selector, _patient));
        _delegation.recordDeath(_patient, diedAt);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeceased.selector, _patient));
        _delegation.appointDelegate(_family, caps, uint40(_T0 + 1 days));
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeceased.selector, _patient));
        _delegation.designateHeir(_family);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeceased.selector, _patient));
        _delegation.removeHeir(_lab);
    }

    /// @notice After a recorded death only authors and heirs read: earlier grants and the dead
    /// patient's key open nothing, hasConsent says no, and consents can no longer change.
    function testFuzz_afterDeathOnlyAuthorsAndHeirsRead(uint8 purposeRaw, bool sensitive) public {
        Purpose purpose = _broadPurpose(purposeRaw);
        bytes32 plain = _anchor(_doctor, _patient, keccak256("plain record"), RecordType.Referral, sensitive);
        _grantFor(_patient, _family, ConsentScope.Record, plain, purpose);
        _grantFor(_patient, _pharmacy, ConsentScope.AllRecords, bytes32(0), purpose);
        VM.prank(_patient);
        _delegation.designateHeir(_lab);
        assertTrue(_consent.canAccess(_family, _patient, plain, purpose), "grant before death");

        _recordDeath(_patient, uint40(_T0));
        // Consents no longer change: the dead patient's key can neither grant nor revoke.
        IConsentManager.GrantRequest memory request = _request(
            _doctor2,
            ConsentScope.Record,
            plain,
            purpose,
            uint40(_T0),
            uint40(_T0 + 1 days)
        );
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentPatientDeceased.selector, _patient));
        _consent.grantConsent(_patient, request);
        bytes32 familyGrant = _grantId(_family, ConsentScope.Record, plain, purpose);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentPatientDeceased.selector, _patient));
        _consent.revokeConsent(_patient, familyGrant);

        assertFalse(_consent.canAccess(_family, _patient, plain, purpose), "record grant after death");
        assertFalse(_consent.canAccess(_doctor2, _patient, plain, purpose), "refused grant opened");
        assertFalse(
            _consent.hasConsent(AccessRequest(_family, _patient, plain, RecordType.Referral, sensitive, purpose)),
            "hasConsent after death"
        );
        if (!sensitive) {
            assertFalse(_consent.canAccess(_pharmacy, _patient, plain, purpose), "all-records grant after death");
        }
        assertFalse(_consent.canAccess(_patient, _patient, plain, purpose), "dead patient's key reads");
        assertTrue(_consent.canAccess(_doctor, _patient, plain, purpose), "author after death");
        assertFalse(_consent.canAccess(_lab, _patient, plain, purpose), "heir within the contest period");
        VM.warp(block.timestamp + 7 days);
        assertTrue(_consent.canAccess(_lab, _patient, plain, purpose), "heir after death");
    }

    /// @notice The dead patient's key opens nothing, not even the wellness records the patient
    /// wrote: "whoever holds that key is not the patient" (ConsentManager), so authorship of one's
    /// own records must not bring it back.
    function testFuzz_deadPatientKeyOpensNotEvenOwnWellnessRecords(uint8 purposeRaw, bytes32 wellness) public {
        VM.assume(wellness != bytes32(0));
        wellness = _anchor(_patient, _patient, wellness, RecordType.Wellness, false);
        assertTrue(_consent.canAccess(_patient, _patient, wellness, _purpose(purposeRaw)), "alive patient reads");
        _recordDeath(_patient, uint40(_T0));
        assertFalse(
            _consent.canAccess(_patient, _patient, wellness, _purpose(purposeRaw)),
            "a dead patient's key still reads the patient's own wellness records (as their author)"
        );
    }

    /// @notice After a death the patient's records can no longer be re-flagged, by anyone.
    function testFuzz_noSensitivityChangeAfterDeath(bool sensitive) public {
        _recordDeath(_patient, uint40(_T0));
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryPatientDeceased.selector, _patient));
        _registry.setRecordSensitivity(_patient, _record, sensitive);
    }

    /// @notice A former consent delegate can no longer grant after the death.
    function testFuzz_formerDelegateCannotGrantAfterDeath(uint8 purposeRaw) public {
        VM.prank(_patient);
        _delegation.appointDelegate(_family, _CAP_CONSENT, uint40(_T0 + 1000 days));
        _recordDeath(_patient, uint40(_T0));
        IConsentManager.GrantRequest memory request = _request(
            _pharmacy,
            ConsentScope.Record,
            _record,
            _purpose(purposeRaw),
            uint40(_T0),
            uint40(_T0 + 1 days)
        );
        VM.prank(_family);
        VM.expectRevert(
            abi.encodeWithSelector(IConsentManager.ConsentNotPatientOrDelegate.selector, _family, _patient)
        );
        _consent.grantConsent(_patient, request);
    }

    /// @notice A death cannot be dated zero or in the future.
    function testFuzz_deathTimeGuards(uint256 futureRaw) public {
        uint40 future = uint40(bound(futureRaw, _T0 + 1, type(uint40).max));
        VM.prank(_registrar);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationInvalidDeathTime.selector, future));
        _delegation.recordDeath(_patient, future);
        VM.prank(_registrar);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationInvalidDeathTime.selector, 0));
        _delegation.recordDeath(_patient, 0);
    }

    /// @notice A withdrawn heir designation leaves nothing behind.
    function testFuzz_removeHeir(address heir) public {
        VM.assume(heir != address(0) && heir != _patient);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationNotHeir.selector, _patient, heir));
        _delegation.removeHeir(heir);
        VM.prank(_patient);
        _delegation.designateHeir(heir);
        VM.prank(_patient);
        _delegation.removeHeir(heir);
        assertFalse(_delegation.isHeir(_patient, heir), "heir kept");
        _recordDeath(_patient, uint40(_T0));
        assertFalse(_delegation.isDelegate(_patient, heir, _CAP_READ), "withdrawn heir reads");
    }

    /// @notice Guardianships, deaths and heirs refuse the zero address, oneself and past dates.
    function testFuzz_relationshipGuards(uint256 pastRaw, bool selfControlled) public {
        uint40 past = uint40(bound(pastRaw, 0, _T0));
        VM.startPrank(_registrar);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationZeroAddress.selector));
        _delegation.recordGuardian(address(0), _guardian, uint40(_T0 + 1));
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationZeroAddress.selector));
        _delegation.recordGuardian(_patient, address(0), uint40(_T0 + 1));
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationSelf.selector, _patient));
        _delegation.recordGuardian(_patient, _patient, uint40(_T0 + 1));
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationInvalidMinority.selector, past));
        _delegation.recordGuardian(_patient, _guardian, past);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationZeroAddress.selector));
        _delegation.recordDeath(address(0), uint40(_T0));
        VM.stopPrank();

        VM.startPrank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationZeroAddress.selector));
        _delegation.designateHeir(address(0));
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationSelf.selector, _patient));
        _delegation.designateHeir(_patient);
        _delegation.setMinorControl(selfControlled);
        VM.stopPrank();
        assertEq(_delegation.isMinorSelfControlled(_patient), selfControlled, "minor control stored");
    }

    /// @notice A deceased minor's guardianship can no longer be recorded.
    function test_noGuardianshipAfterDeath() public {
        VM.startPrank(_registrar);
        _delegation.recordDeath(_patient, uint40(_T0));
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationDeceased.selector, _patient));
        _delegation.recordGuardian(_patient, _guardian, uint40(_T0 + 1));
        VM.stopPrank();
    }

    /// @notice The constructor refuses a zero directory.
    function test_constructorRejectsZeroDirectory() public {
        VM.expectRevert(abi.encodeWithSelector(IPatientDelegation.PatientDelegationZeroAddress.selector));
        new PatientDelegation(IProviderDirectory(address(0)));
    }
}
