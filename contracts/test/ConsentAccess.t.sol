// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IAccessSource} from "../interfaces/IAccessSource.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {AccessBasis, ConsentScope, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {CareLedgerFixture} from "./utils/CareLedgerFixture.sol";
import {TestAccessSource} from "./mocks/TestAccessSource.sol";
import {VM} from "./utils/Vm.sol";

/// @title ConsentAccessTest
/// @notice Fuzz tests of the access rule (`canAccess` / `accessBasis`) and of direct grants.
contract ConsentAccessTest is CareLedgerFixture {
    RecordType internal constant _RECORD_TYPE = RecordType.LabResult;
    RecordType internal constant _SENSITIVE_TYPE = RecordType.ClinicalNote;
    /// @dev A non-sensitive lab result written by `_doctor` (its record commitment).
    bytes32 internal _record;
    /// @dev A sensitive clinical note written by `_doctor`, of the same type as `_record`'s sibling.
    bytes32 internal _sensitive;

    function setUp() public {
        _deploy();
        _registerDefaultProviders();
        _record = _anchor(_doctor, _patient, keccak256("lab-result"), _RECORD_TYPE, false);
        _sensitive = _anchor(_doctor, _patient, keccak256("sensitive-note"), _SENSITIVE_TYPE, true);
    }

    // ------------------------------------------------------------------ no basis, no access

    /// @notice Any account that is not the patient, the author or a delegate, and holds no grant, is
    /// refused for every purpose, even while other accounts hold every kind of grant.
    function testFuzz_strangerWithoutGrantNeverAccesses(address accessor, bool sensitive, uint8 purposeRaw) public {
        VM.assume(accessor != _patient && accessor != _doctor && accessor != _family);
        // Noise: `_family` holds every kind of grant for every purpose; none of it may leak.
        for (uint8 p = 1; p <= _PURPOSE_COUNT; ++p) {
            _grantFor(_patient, _family, ConsentScope.Record, _sensitive, Purpose(p));
            _grantFor(_patient, _family, ConsentScope.Record, _record, Purpose(p));
            if (Purpose(p) == Purpose.LegalRepresentation) continue;
            _grantFor(_patient, _family, ConsentScope.AllRecords, bytes32(0), Purpose(p));
            _grantFor(_patient, _family, ConsentScope.RecordType, bytes32(uint256(uint8(_RECORD_TYPE))), Purpose(p));
        }
        bytes32 commitment = sensitive ? _sensitive : _record;
        Purpose purpose = Purpose(uint8(bound(purposeRaw, 0, _PURPOSE_COUNT)));
        assertFalse(_consent.canAccess(accessor, _patient, commitment, purpose), "stranger got access");
        assertEq(
            uint256(_consent.accessBasis(accessor, _patient, commitment, purpose)),
            uint256(AccessBasis.None),
            "stranger basis"
        );
    }

    /// @notice No one, not even the patient, reads a record that was never anchored; nor a record
    /// asked about under another patient.
    function testFuzz_unknownRecordNeverAccessible(
        bytes32 commitment,
        address otherPatient,
        uint8 purposeRaw
    ) public view {
        VM.assume(commitment != _record && commitment != _sensitive);
        VM.assume(otherPatient != _patient);
        Purpose purpose = _purpose(purposeRaw);
        assertFalse(_consent.canAccess(_patient, _patient, commitment, purpose), "patient reads unknown record");
        assertFalse(_consent.canAccess(_doctor, _patient, commitment, purpose), "doctor reads unknown record");
        assertFalse(_consent.canAccess(_doctor, otherPatient, _record, purpose), "record read under other patient");
    }

    /// @notice The zero address and the `None` purpose never pass.
    function testFuzz_zeroAccessorAndNonePurposeNeverPass(uint8 purposeRaw) public view {
        assertFalse(_consent.canAccess(address(0), _patient, _record, _purpose(purposeRaw)), "zero accessor passed");
        assertFalse(_consent.canAccess(_patient, _patient, _record, Purpose.None), "patient passed for None");
        assertFalse(_consent.canAccess(_doctor, _patient, _record, Purpose.None), "author passed for None");
    }

    /// @notice The patient and the author pass for every real purpose, sensitive or not, on the
    /// basis the interface names.
    function testFuzz_patientAndAuthorAccess(uint8 purposeRaw, bool sensitive) public view {
        bytes32 commitment = sensitive ? _sensitive : _record;
        Purpose purpose = _purpose(purposeRaw);
        assertEq(
            uint256(_consent.accessBasis(_patient, _patient, commitment, purpose)),
            uint256(AccessBasis.Patient),
            "patient basis"
        );
        assertEq(
            uint256(_consent.accessBasis(_doctor, _patient, commitment, purpose)),
            uint256(AccessBasis.Author),
            "author basis"
        );
    }

    // ------------------------------------------------------------------ validity period

    /// @notice A grant passes exactly inside [validFrom, validUntil), whatever its scope and grantee.
    function testFuzz_grantActiveExactlyInsideItsPeriod(
        uint256 fromRaw,
        uint256 untilRaw,
        uint256 probeRaw,
        uint8 scopeSeed,
        uint8 purposeRaw,
        bool toProvider
    ) public {
        uint40 validFrom = uint40(bound(fromRaw, _T0 - 30 days, _T0 + 400 days));
        uint256 lowestEnd = validFrom > _T0 ? validFrom + 1 : _T0 + 1;
        uint40 validUntil = uint40(bound(untilRaw, lowestEnd, lowestEnd + 400 days));
        Purpose purpose = _purpose(purposeRaw);
        (ConsentScope scope, bytes32 value) = _scopeFor(scopeSeed, _record, _RECORD_TYPE, purpose);
        IConsentManager.GrantRequest memory request = _request(
            toProvider ? _pharmacy : _family,
            scope,
            value,
            purpose,
            validFrom,
            validUntil
        );
        VM.prank(_patient);
        bytes32 grantId = _consent.grantConsent(_patient, request);
        assertEq(grantId, _grantId(request.grantee, scope, value, purpose), "grant id");
        _checkPeriod(request, grantId, _probeTime(probeRaw, validFrom, validUntil));
    }

    /// @dev A time around one of the period's edges more often than anywhere else.
    function _probeTime(uint256 seed, uint40 validFrom, uint40 validUntil) internal pure returns (uint256) {
        uint256 mode = seed % 4;
        if (mode == 0) return uint256(validFrom) + ((seed >> 8) % 3) - 1;
        if (mode == 1) return uint256(validUntil) + ((seed >> 8) % 3) - 1;
        return bound(seed, _T0 - 30 days, uint256(validUntil) + 30 days);
    }

    function _checkPeriod(IConsentManager.GrantRequest memory request, bytes32 grantId, uint256 probe) internal {
        VM.warp(probe);
        bool inside = probe >= request.validFrom && probe < request.validUntil;
        assertEq(_consent.isGrantActive(_patient, grantId), inside, "isGrantActive vs period");
        assertEq(
            _consent.canAccess(request.grantee, _patient, _record, request.purpose),
            inside,
            "canAccess vs period"
        );
        IConsentManager.Grant memory grant = _consent.grantOf(_patient, grantId);
        assertEq(grant.grantee, request.grantee, "stored grantee");
        assertEq(uint256(grant.validFrom), request.validFrom, "stored validFrom");
        assertEq(uint256(grant.validUntil), request.validUntil, "stored validUntil");
        assertFalse(grant.revoked, "stored revoked");
    }

    /// @notice A revoked grant never passes again, at any later time, and cannot be revoked twice.
    function testFuzz_revokedGrantNeverPasses(
        uint256 revokeAfter,
        uint256 checkAfter,
        uint8 scopeSeed,
        uint8 purposeRaw,
        bool byDelegate
    ) public {
        Purpose purpose = _purpose(purposeRaw);
        (ConsentScope scope, bytes32 value) = _scopeFor(scopeSeed, _record, _RECORD_TYPE, purpose);
        bytes32 grantId = _grantFor(_patient, _pharmacy, scope, value, purpose);
        assertTrue(_consent.canAccess(_pharmacy, _patient, _record, purpose), "granted access missing");

        // Times are computed, never re-read after a warp (the optimizer may reuse an earlier read).
        uint256 revokeAt = _T0 + bound(revokeAfter, 0, 400 days);
        VM.warp(revokeAt);
        address revoker = _patient;
        if (byDelegate) {
            revoker = _family;
            VM.prank(_patient);
            _delegation.appointDelegate(_family, _CAP_CONSENT, uint40(revokeAt + 1 days));
        }
        VM.prank(revoker);
        _consent.revokeConsent(_patient, grantId);

        VM.warp(revokeAt + bound(checkAfter, 0, 800 days));
        assertFalse(_consent.isGrantActive(_patient, grantId), "revoked grant active");
        assertFalse(_consent.canAccess(_pharmacy, _patient, _record, purpose), "revoked grant passed");
        assertTrue(_consent.grantOf(_patient, grantId).revoked, "revoked flag");

        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentAlreadyRevoked.selector, _patient, grantId));
        _consent.revokeConsent(_patient, grantId);
    }

    /// @notice Revoking a grant that does not exist reverts.
    function testFuzz_revokeUnknownGrantReverts(bytes32 grantId) public {
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentGrantNotFound.selector, _patient, grantId));
        _consent.revokeConsent(_patient, grantId);
    }

    /// @notice Granting the same thing again replaces the period and lifts a revocation.
    function testFuzz_regrantReplacesPeriodAndUnrevokes(uint256 untilRaw, uint8 purposeRaw) public {
        Purpose purpose = _broadPurpose(purposeRaw);
        bytes32 grantId = _grantFor(_patient, _family, ConsentScope.AllRecords, bytes32(0), purpose);
        VM.prank(_patient);
        _consent.revokeConsent(_patient, grantId);
        assertFalse(_consent.canAccess(_family, _patient, _record, purpose), "revoked passed");

        uint40 validUntil = uint40(bound(untilRaw, _T0 + 1, _T0 + 1000 days));
        VM.prank(_patient);
        bytes32 again = _consent.grantConsent(
            _patient,
            _request(_family, ConsentScope.AllRecords, bytes32(0), purpose, uint40(_T0), validUntil)
        );
        assertEq(again, grantId, "same grant id");
        assertTrue(_consent.canAccess(_family, _patient, _record, purpose), "re-granted access missing");
        assertEq(uint256(_consent.grantOf(_patient, grantId).validUntil), validUntil, "period replaced");
        VM.warp(validUntil);
        assertFalse(_consent.canAccess(_family, _patient, _record, purpose), "passed at validUntil");
    }

    // ------------------------------------------------------------------ scope and purpose

    /// @notice A grant serves exactly its one purpose.
    function testFuzz_grantServesOnlyItsPurpose(uint8 grantedRaw, uint8 askedRaw, uint8 scopeSeed) public {
        Purpose granted = _purpose(grantedRaw);
        Purpose asked = _purpose(askedRaw);
        (ConsentScope scope, bytes32 value) = _scopeFor(scopeSeed, _record, _RECORD_TYPE, granted);
        _grantFor(_patient, _family, scope, value, granted);
        assertEq(_consent.canAccess(_family, _patient, _record, asked), granted == asked, "purpose mismatch");
    }

    /// @notice A record-type grant opens exactly the non-sensitive records of that type.
    function testFuzz_typeGrantCoversOnlyItsType(uint8 grantedRaw, uint8 recordRaw, bytes32 commitment) public {
        VM.assume(commitment != bytes32(0) && commitment != _record && commitment != _sensitive);
        RecordType granted = _recordType(grantedRaw);
        RecordType recordType = _recordType(recordRaw);
        bytes32 record = _anchor(_lab, _patient, commitment, recordType, false);
        _grantFor(_patient, _family, ConsentScope.RecordType, bytes32(uint256(uint8(granted))), Purpose.Research);
        assertEq(
            _consent.canAccess(_family, _patient, record, Purpose.Research),
            granted == recordType,
            "type grant vs record type"
        );
    }

    /// @notice A record grant opens only its record, sensitive or not, and not a later correction.
    function testFuzz_recordGrantCoversOnlyItsRecord(uint8 purposeRaw, bool grantSensitive, bytes32 correction) public {
        VM.assume(correction != bytes32(0) && correction != _record && correction != _sensitive);
        Purpose purpose = _purpose(purposeRaw);
        bytes32 granted = grantSensitive ? _sensitive : _record;
        bytes32 other = grantSensitive ? _record : _sensitive;
        _grantFor(_patient, _pharmacy, ConsentScope.Record, granted, purpose);
        assertTrue(_consent.canAccess(_pharmacy, _patient, granted, purpose), "record grant missing");
        assertFalse(_consent.canAccess(_pharmacy, _patient, other, purpose), "record grant leaked");

        VM.prank(_doctor);
        _registry.amendRecord(_patient, granted, correction, grantSensitive);
        assertTrue(_consent.canAccess(_pharmacy, _patient, granted, purpose), "superseded version closed");
        assertFalse(
            _consent.canAccess(_pharmacy, _patient, _recordOf(_doctor, correction), purpose),
            "grant followed correction"
        );
    }

    /// @notice Type and all-records grants never open a sensitive record, for any purpose; a record
    /// grant does. Marking a record sensitive closes it to them; unmarking reopens it.
    function testFuzz_typeAndAllGrantsNeverOpenSensitive(uint8 purposeRaw, bool toProvider) public {
        address grantee = toProvider ? _pharmacy : _family;
        for (uint8 p = 1; p <= _PURPOSE_COUNT; ++p) {
            if (Purpose(p) == Purpose.LegalRepresentation) continue;
            _grantFor(_patient, grantee, ConsentScope.AllRecords, bytes32(0), Purpose(p));
            _grantFor(_patient, grantee, ConsentScope.RecordType, bytes32(uint256(uint8(_SENSITIVE_TYPE))), Purpose(p));
            _grantFor(_patient, grantee, ConsentScope.RecordType, bytes32(uint256(uint8(_RECORD_TYPE))), Purpose(p));
        }
        Purpose purpose = _broadPurpose(purposeRaw);
        assertFalse(_consent.canAccess(grantee, _patient, _sensitive, purpose), "broad grant opened sensitive");
        assertTrue(_consent.canAccess(grantee, _patient, _record, purpose), "broad grant missing");

        VM.prank(_patient);
        _registry.setRecordSensitivity(_patient, _record, true);
        assertFalse(_consent.canAccess(grantee, _patient, _record, purpose), "marked sensitive still open");
        VM.prank(_patient);
        _registry.setRecordSensitivity(_patient, _record, false);
        assertTrue(_consent.canAccess(grantee, _patient, _record, purpose), "unmarked not reopened");

        _grantFor(_patient, grantee, ConsentScope.Record, _sensitive, purpose);
        assertTrue(_consent.canAccess(grantee, _patient, _sensitive, purpose), "record grant closed sensitive");
    }

    // ------------------------------------------------------------------ suspension

    /// @notice A suspended provider never passes, whatever grants or delegation it holds, including on
    /// records it wrote; reinstating it restores exactly what it had.
    function testFuzz_suspendedProviderNeverPasses(uint8 purposeRaw, uint8 which, bool viaOrganisation) public {
        Purpose purpose = _broadPurpose(purposeRaw);
        address provider = [_pharmacy, _doctor, _doctor2, _lab][which % 4];
        // Every kind of access a provider can hold (the doctor is also the author).
        _grantFor(_patient, provider, ConsentScope.Record, _sensitive, purpose);
        _grantFor(_patient, provider, ConsentScope.Record, _record, purpose);
        _grantFor(_patient, provider, ConsentScope.AllRecords, bytes32(0), purpose);
        VM.prank(_patient);
        _delegation.appointDelegate(provider, _CAP_READ, uint40(_T0 + 30 days));
        assertTrue(_consent.canAccess(provider, _patient, _sensitive, purpose), "before suspension");

        // Suspend the provider, or its organisation when it has one and the input asks for that.
        address suspended = viaOrganisation && provider == _doctor ? _hospital : provider;
        _suspend(suspended);
        assertFalse(_directory.isActiveProvider(provider), "still active");
        for (uint8 p = 0; p <= _PURPOSE_COUNT; ++p) {
            assertFalse(_consent.canAccess(provider, _patient, _sensitive, Purpose(p)), "suspended read sensitive");
            assertFalse(_consent.canAccess(provider, _patient, _record, Purpose(p)), "suspended read record");
        }

        _reinstate(suspended);
        assertTrue(_consent.canAccess(provider, _patient, _sensitive, purpose), "reinstated sensitive");
        assertTrue(_consent.canAccess(provider, _patient, _record, purpose), "reinstated record");
    }

    /// @notice Suspension is professional: a suspended provider still reads the records where it is
    /// the patient (the documented order puts the patient first).
    function testFuzz_suspendedProviderStillReadsOwnRecordsAsPatient(uint8 purposeRaw, bytes32 commitment) public {
        VM.assume(commitment != bytes32(0));
        // `_doctor2` is also a patient of `_doctor`.
        bytes32 record = _anchor(_doctor, _doctor2, commitment, RecordType.ClinicalNote, false);
        Purpose purpose = _purpose(purposeRaw);
        assertTrue(_consent.canAccess(_doctor2, _doctor2, record, purpose), "active provider as patient");
        _suspend(_doctor2);
        assertTrue(
            _consent.canAccess(_doctor2, _doctor2, record, purpose),
            "suspension is professional: a suspended provider still reads its own records as a patient"
        );
    }

    /// @notice A suspended organisation's own grants stop, and its practitioners stop too; a
    /// practitioner of another organisation is unaffected.
    function testFuzz_organisationSuspensionStopsItsStaff(uint8 purposeRaw) public {
        Purpose purpose = _broadPurpose(purposeRaw);
        _grantFor(_patient, _hospital, ConsentScope.AllRecords, bytes32(0), purpose);
        _grantFor(_patient, _doctor2, ConsentScope.AllRecords, bytes32(0), purpose);
        _suspend(_hospital);
        assertFalse(_consent.canAccess(_hospital, _patient, _record, purpose), "suspended organisation passed");
        assertFalse(_consent.canAccess(_doctor, _patient, _record, purpose), "staff of suspended org passed");
        assertTrue(_consent.canAccess(_doctor2, _patient, _record, purpose), "unrelated practitioner refused");
    }

    // ------------------------------------------------------------------ delegates

    /// @notice A delegate reads exactly while it holds the read capability and its delegation runs.
    function testFuzz_delegateReadsOnlyWithReadCapability(
        uint8 capsRaw,
        uint256 untilRaw,
        uint256 atRaw,
        uint8 purposeRaw,
        bool sensitive
    ) public {
        uint8 caps = uint8(bound(capsRaw, 1, 7));
        uint40 validUntil = uint40(bound(untilRaw, _T0 + 1, _T0 + 400 days));
        VM.prank(_patient);
        _delegation.appointDelegate(_family, caps, validUntil);
        uint256 probe = bound(atRaw, _T0, uint256(validUntil) + 10 days);
        VM.warp(probe);
        bytes32 commitment = sensitive ? _sensitive : _record;
        bool expected = caps & _CAP_READ != 0 && probe < validUntil;
        Purpose purpose = _purpose(purposeRaw);
        assertEq(_consent.canAccess(_family, _patient, commitment, purpose), expected, "delegate read");
        if (expected) {
            assertEq(
                uint256(_consent.accessBasis(_family, _patient, commitment, purpose)),
                uint256(AccessBasis.Delegate),
                "delegate basis"
            );
            VM.prank(_patient);
            _delegation.removeDelegate(_family);
            assertFalse(_consent.canAccess(_family, _patient, commitment, purpose), "removed delegate read");
        }
    }

    /// @notice Only the patient and a delegate holding the consent capability may grant; any other
    /// caller reverts `ConsentNotPatientOrDelegate`.
    function testFuzz_onlyPatientOrConsentDelegateGrants(address caller, uint8 capsRaw, bool appoint) public {
        VM.assume(caller != _patient && caller != address(0));
        uint8 caps = uint8(bound(capsRaw, 1, 7));
        if (appoint) {
            VM.prank(_patient);
            _delegation.appointDelegate(caller, caps, uint40(_T0 + 1 days));
        }
        IConsentManager.GrantRequest memory request = _request(
            _pharmacy,
            ConsentScope.AllRecords,
            bytes32(0),
            Purpose.Treatment,
            uint40(_T0),
            uint40(_T0 + 1 days)
        );
        if (appoint && caps & _CAP_CONSENT != 0) {
            VM.prank(caller);
            _consent.grantConsent(_patient, request);
            assertTrue(_consent.canAccess(_pharmacy, _patient, _record, Purpose.Treatment), "delegate grant");
        } else {
            VM.prank(caller);
            VM.expectRevert(
                abi.encodeWithSelector(IConsentManager.ConsentNotPatientOrDelegate.selector, caller, _patient)
            );
            _consent.grantConsent(_patient, request);
        }
    }

    /// @notice An expired consent delegate can no longer grant.
    function testFuzz_expiredDelegateCannotGrant(uint256 afterEnd) public {
        VM.prank(_patient);
        _delegation.appointDelegate(_family, _CAP_CONSENT, uint40(_T0 + 1 days));
        uint40 nowTime = uint40(_T0 + 1 days + bound(afterEnd, 0, 1000 days));
        VM.warp(nowTime);
        IConsentManager.GrantRequest memory request = _request(
            _pharmacy,
            ConsentScope.AllRecords,
            bytes32(0),
            Purpose.Treatment,
            nowTime,
            nowTime + 1 days
        );
        VM.prank(_family);
        VM.expectRevert(
            abi.encodeWithSelector(IConsentManager.ConsentNotPatientOrDelegate.selector, _family, _patient)
        );
        _consent.grantConsent(_patient, request);
    }

    // ------------------------------------------------------------------ erasure

    /// @notice An erased record is never readable by anyone, on any basis, at any later time.
    function testFuzz_erasedRecordNeverReadable(
        address accessor,
        uint8 purposeRaw,
        bool sensitive,
        bool byDelegate,
        uint256 laterRaw
    ) public {
        bytes32 commitment = sensitive ? _sensitive : _record;
        Purpose purpose = _broadPurpose(purposeRaw);
        _grantFor(_patient, _family, ConsentScope.Record, commitment, purpose);
        _grantFor(_patient, _pharmacy, ConsentScope.AllRecords, bytes32(0), purpose);
        VM.prank(_patient);
        _delegation.appointDelegate(_lab, _CAP_READ | _CAP_ERASE, uint40(_T0 + 1000 days));

        VM.prank(byDelegate ? _lab : _patient);
        _registry.eraseRecord(_patient, commitment);
        VM.warp(_T0 + bound(laterRaw, 0, 900 days));

        address[5] memory readers = [_patient, _doctor, _family, _pharmacy, _lab];
        for (uint256 i = 0; i < readers.length; ++i) {
            assertFalse(_consent.canAccess(readers[i], _patient, commitment, purpose), "erased record readable");
        }
        assertFalse(_consent.canAccess(accessor, _patient, commitment, purpose), "erased record readable (fuzzed)");
        assertEq(
            uint256(_consent.accessBasis(_patient, _patient, commitment, purpose)),
            uint256(AccessBasis.None),
            "erased basis"
        );
    }

    // ------------------------------------------------------------------ request validation

    /// @notice Malformed grant requests revert with the error that names the problem.
    function testFuzz_invalidRequestsRevert(uint256 typeRaw, bytes32 nonZero, uint8 p) public {
        VM.assume(nonZero != bytes32(0));
        Purpose purpose = _purpose(p);
        uint40 from = uint40(_T0);
        uint40 until = uint40(_T0 + 1 days);

        _expectGrantRevert(
            _request(_patient, ConsentScope.AllRecords, bytes32(0), purpose, from, until),
            abi.encodeWithSelector(IConsentManager.ConsentSelfGrant.selector, _patient)
        );
        _expectGrantRevert(
            _request(address(0), ConsentScope.AllRecords, bytes32(0), purpose, from, until),
            abi.encodeWithSelector(IConsentManager.ConsentZeroAddress.selector)
        );
        _expectGrantRevert(
            _request(_family, ConsentScope.AllRecords, bytes32(0), Purpose.None, from, until),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidPurpose.selector, Purpose.None)
        );
        _expectGrantRevert(
            _request(_family, ConsentScope.AllRecords, bytes32(0), purpose, until, until),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidPeriod.selector, until, until)
        );
        _expectGrantRevert(
            _request(_family, ConsentScope.AllRecords, bytes32(0), purpose, 0, from),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidPeriod.selector, 0, from)
        );
        _expectGrantRevert(
            _request(_family, ConsentScope.Record, bytes32(0), purpose, from, until),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidScope.selector, ConsentScope.Record, bytes32(0))
        );
        bytes32 badType = bytes32(bound(typeRaw, _RECORD_TYPE_COUNT + 1, type(uint256).max));
        _expectGrantRevert(
            _request(_family, ConsentScope.RecordType, badType, purpose, from, until),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidScope.selector, ConsentScope.RecordType, badType)
        );
        _expectGrantRevert(
            _request(_family, ConsentScope.RecordType, bytes32(0), purpose, from, until),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidScope.selector, ConsentScope.RecordType, bytes32(0))
        );
        _expectGrantRevert(
            _request(_family, ConsentScope.AllRecords, nonZero, purpose, from, until),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidScope.selector, ConsentScope.AllRecords, nonZero)
        );
        _expectGrantRevert(
            _request(_family, ConsentScope.None, nonZero, purpose, from, until),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidScope.selector, ConsentScope.None, nonZero)
        );
    }

    /// @notice A record grant for a commitment not anchored for this patient is accepted (existence is
    /// checked off-chain) but opens nothing: not the commitment, not the patient's other records, not
    /// the same commitment under another patient.
    function testFuzz_recordGrantForUnanchoredCommitmentOpensNothing(
        bytes32 commitment,
        address otherPatient,
        uint8 purposeRaw
    ) public {
        VM.assume(commitment != bytes32(0) && commitment != _record && commitment != _sensitive);
        // Not the grantee either: as a patient it reads its own records.
        VM.assume(otherPatient != _patient && otherPatient != _doctor && otherPatient != _family);
        VM.assume(otherPatient != address(0));
        Purpose purpose = _purpose(purposeRaw);
        bytes32 record = _anchor(_doctor, otherPatient, commitment, RecordType.Referral, false);
        _grantFor(_patient, _family, ConsentScope.Record, record, purpose);
        assertFalse(_consent.canAccess(_family, _patient, record, purpose), "unanchored record opened");
        assertFalse(_consent.canAccess(_family, _patient, _record, purpose), "leaked to another record");
        assertFalse(_consent.canAccess(_family, otherPatient, record, purpose), "leaked to another patient");
    }

    /// @notice Legal representation is granted per record only: any broader scope reverts, whoever
    /// the grantee; a record grant for it works and opens just that record.
    function testFuzz_legalRepresentationOnlyPerRecord(uint8 typeRaw, bool byType, bool sensitive) public {
        ConsentScope scope = byType ? ConsentScope.RecordType : ConsentScope.AllRecords;
        bytes32 value = byType ? bytes32(uint256(uint8(_recordType(typeRaw)))) : bytes32(0);
        _expectGrantRevert(
            _request(_family, scope, value, Purpose.LegalRepresentation, uint40(_T0), uint40(_T0 + 1 days)),
            abi.encodeWithSelector(IConsentManager.ConsentInvalidScope.selector, scope, value)
        );
        bytes32 commitment = sensitive ? _sensitive : _record;
        _grantFor(_patient, _family, ConsentScope.Record, commitment, Purpose.LegalRepresentation);
        assertTrue(_consent.canAccess(_family, _patient, commitment, Purpose.LegalRepresentation), "legal record");
        assertFalse(
            _consent.canAccess(_family, _patient, sensitive ? _record : _sensitive, Purpose.LegalRepresentation),
            "legal grant leaked to another record"
        );
    }

    /// @notice `grantIdOf` is the documented hash, so clients can compute ids off-chain.
    function testFuzz_grantIdOfMatchesDocumentedHash(
        address grantee,
        uint8 scopeRaw,
        bytes32 value,
        uint8 p
    ) public view {
        ConsentScope scope = ConsentScope(uint8(bound(scopeRaw, 0, 3)));
        Purpose purpose = Purpose(uint8(bound(p, 0, _PURPOSE_COUNT)));
        assertEq(
            _consent.grantIdOf(grantee, scope, value, purpose),
            _grantId(grantee, scope, value, purpose),
            "grant id hash"
        );
    }

    // ------------------------------------------------------------------ workflow access sources

    /// @notice A workflow source adds access for a stranger, never for a suspended provider nor to an
    /// erased record; removing it closes the access again. Only the admin manages sources.
    function testFuzz_accessSourceOnlyAdds(address stranger, uint8 purposeRaw) public {
        VM.assume(!_isKnown(stranger));
        Purpose purpose = _purpose(purposeRaw);
        TestAccessSource source = new TestAccessSource();
        source.setAnswerAll(true);

        VM.prank(stranger);
        VM.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        _consent.addAccessSource(source);

        VM.prank(_admin);
        _consent.addAccessSource(source);
        assertEq(
            uint256(_consent.accessBasis(stranger, _patient, _sensitive, purpose)),
            uint256(AccessBasis.Workflow),
            "workflow basis"
        );
        _suspend(_pharmacy);
        assertFalse(_consent.canAccess(_pharmacy, _patient, _record, purpose), "source let suspended provider in");
        assertFalse(_consent.canAccess(stranger, _patient, _record, Purpose.None), "source let None purpose in");

        VM.prank(_patient);
        _registry.eraseRecord(_patient, _record);
        assertFalse(_consent.canAccess(stranger, _patient, _record, purpose), "source opened erased record");

        VM.prank(_admin);
        _consent.removeAccessSource(source);
        assertFalse(_consent.canAccess(stranger, _patient, _sensitive, purpose), "removed source still opens");
        assertEq(_consent.accessSources().length, 0, "sources after removal");
    }

    /// @notice At most `MAX_ACCESS_SOURCES` sources; duplicates and unknown removals revert.
    function test_accessSourceBounds() public {
        uint256 max = _consent.MAX_ACCESS_SOURCES();
        IAccessSource first;
        for (uint256 i = 0; i < max; ++i) {
            TestAccessSource source = new TestAccessSource();
            if (i == 0) first = source;
            VM.prank(_admin);
            _consent.addAccessSource(source);
        }
        TestAccessSource extra = new TestAccessSource();
        VM.prank(_admin);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentTooManyAccessSources.selector, max));
        _consent.addAccessSource(extra);
        VM.prank(_admin);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentAccessSourceState.selector, first, true));
        _consent.addAccessSource(first);
        VM.prank(_admin);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentAccessSourceState.selector, extra, false));
        _consent.removeAccessSource(extra);
        VM.prank(_admin);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentZeroAddress.selector));
        _consent.addAccessSource(IAccessSource(address(0)));
        VM.prank(_admin);
        _consent.removeAccessSource(first);
        assertEq(_consent.accessSources().length, max - 1, "sources after removal");
    }

    // ------------------------------------------------------------------ batched records

    /// @notice Batched records follow the same rule: the batch author and grantees pass, strangers
    /// and bad proofs do not, type/all grants skip sensitive leaves, and erased leaves close.
    function testFuzz_batchRecordAccess(bytes32 c1, bytes32 c2, uint8 typeRaw, bool sensitive, uint8 p) public {
        VM.assume(c1 != c2);
        Purpose purpose = _broadPurpose(p);
        IRecordRegistry.BatchLeaf memory leaf = IRecordRegistry.BatchLeaf({
            patient: _patient,
            commitment: c1,
            recordType: _recordType(typeRaw),
            sensitive: sensitive
        });
        IRecordRegistry.BatchLeaf memory sibling = IRecordRegistry.BatchLeaf({
            patient: _patient,
            commitment: c2,
            recordType: RecordType.Immunization,
            sensitive: false
        });
        bytes32 h1 = _registry.batchLeafHash(leaf);
        bytes32 h2 = _registry.batchLeafHash(sibling);
        assertEq(h1, keccak256(bytes.concat(keccak256(abi.encode(leaf)))), "documented leaf hash");
        bytes32 merkleRoot = h1 < h2 ? keccak256(abi.encode(h1, h2)) : keccak256(abi.encode(h2, h1));
        bytes32 root = _recordOf(_lab, merkleRoot); // the registry's name for the lab's batch
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = h2;
        bytes32[] memory siblingProof = new bytes32[](1); // proves the sibling, not `leaf`
        siblingProof[0] = h1;

        assertFalse(_consent.canAccessBatchRecord(_lab, root, leaf, proof, purpose), "unanchored batch open");
        VM.prank(_lab);
        _registry.anchorBatch(merkleRoot, 2);

        assertTrue(_consent.canAccessBatchRecord(_lab, root, leaf, proof, purpose), "batch author refused");
        assertTrue(_consent.canAccessBatchRecord(_patient, root, leaf, proof, purpose), "patient refused");
        assertFalse(_consent.canAccessBatchRecord(_lab, root, leaf, siblingProof, purpose), "bad proof accepted");
        assertFalse(_consent.canAccessBatchRecord(_family, root, leaf, proof, purpose), "stranger passed");

        _grantFor(_patient, _family, ConsentScope.AllRecords, bytes32(0), purpose);
        assertEq(
            _consent.canAccessBatchRecord(_family, root, leaf, proof, purpose),
            !sensitive,
            "all-records grant on batch leaf"
        );

        VM.prank(_patient);
        _registry.eraseBatchRecord(root, leaf, proof);
        assertFalse(_consent.canAccessBatchRecord(_patient, root, leaf, proof, purpose), "erased leaf open");
        assertFalse(_consent.canAccessBatchRecord(_lab, root, leaf, proof, purpose), "erased leaf open to author");

        _suspend(_lab);
        assertFalse(
            _consent.canAccessBatchRecord(_lab, root, sibling, siblingProof, purpose),
            "suspended batch author passed"
        );
    }

    function _expectGrantRevert(IConsentManager.GrantRequest memory request, bytes memory revertData) internal {
        VM.prank(_patient);
        VM.expectRevert(revertData);
        _consent.grantConsent(_patient, request);
    }
}
