// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {ConsentManager} from "../ConsentManager.sol";
import {RecordRegistry} from "../RecordRegistry.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IProviderDirectory} from "../interfaces/IProviderDirectory.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {RecordType} from "../libraries/CareTypes.sol";
import {RecordCommitments} from "../libraries/RecordCommitments.sol";
import {CareLedgerFixture} from "./utils/CareLedgerFixture.sol";
import {VM} from "./utils/Vm.sol";

/// @title RecordRegistryTest
/// @notice Fuzz tests of anchoring, corrections, erasure and sensitivity in the record registry.
contract RecordRegistryTest is CareLedgerFixture {
    function setUp() public {
        _deploy();
        _registerDefaultProviders();
    }

    // ------------------------------------------------------------------ anchoring

    /// @notice An active provider anchors any typed record for any patient; the registry stores
    /// exactly the author, time, type, sensitivity and version 1.
    function testFuzz_anchorStoresMetadata(
        address patient,
        bytes32 commitment,
        uint8 typeRaw,
        bool sensitive,
        uint256 timeRaw
    ) public {
        VM.assume(patient != address(0) && patient != _doctor && commitment != bytes32(0));
        RecordType recordType = _recordType(typeRaw);
        uint256 anchoredAt = bound(timeRaw, _T0, type(uint40).max);
        VM.warp(anchoredAt);
        bytes32 recordCommitment = _anchor(_doctor, patient, commitment, recordType, sensitive);
        assertEq(recordCommitment, RecordCommitments.bind(_doctor, commitment), "view matches the library");
        assertEq(_registry.recordOf(patient, commitment).author, address(0), "nothing under the content commitment");
        IRecordRegistry.Record memory record = _registry.recordOf(patient, recordCommitment);
        assertEq(record.author, _doctor, "author");
        assertEq(uint256(record.anchoredAt), anchoredAt, "anchoredAt");
        assertEq(uint256(record.recordType), uint256(recordType), "recordType");
        assertEq(uint256(record.flags), sensitive ? _FLAG_SENSITIVE : 0, "flags");
        assertEq(uint256(record.version), 1, "version");
    }

    /// @notice An author anchoring the same (patient, content commitment) twice reverts
    /// `RecordRegistryAlreadyAnchored` with the record commitment, whatever the metadata; another
    /// author's anchoring of it is another record. Either way the first anchoring stays as it was.
    function testFuzz_anchorTwiceReverts(
        address patient,
        bytes32 commitment,
        uint8 firstType,
        uint8 secondType,
        bool firstSensitive,
        bool secondSensitive,
        uint8 secondAuthorSeed
    ) public {
        VM.assume(patient != address(0) && commitment != bytes32(0));
        address[4] memory providers = [_doctor, _doctor2, _pharmacy, _lab];
        address firstAuthor = providers[uint256(firstType) % 4];
        address secondAuthor = providers[secondAuthorSeed % 4];
        VM.assume(patient != firstAuthor && patient != secondAuthor);
        bytes32 first = _anchor(firstAuthor, patient, commitment, _recordType(firstType), firstSensitive);

        VM.prank(secondAuthor);
        if (secondAuthor == firstAuthor) {
            VM.expectRevert(
                abi.encodeWithSelector(IRecordRegistry.RecordRegistryAlreadyAnchored.selector, patient, first)
            );
        }
        _registry.anchorRecord(patient, commitment, _recordType(secondType), secondSensitive);
        if (secondAuthor != firstAuthor) {
            bytes32 second = _recordOf(secondAuthor, commitment);
            assertTrue(second != first, "another author, another record");
            assertEq(_registry.recordOf(patient, second).author, secondAuthor, "second author's own record");
        }

        IRecordRegistry.Record memory record = _registry.recordOf(patient, first);
        assertEq(record.author, firstAuthor, "first author kept");
        assertEq(uint256(record.recordType), uint256(_recordType(firstType)), "first type kept");
        assertEq(uint256(record.flags), firstSensitive ? _FLAG_SENSITIVE : 0, "first flags kept");
    }

    /// @notice The same commitment may be anchored for two different patients (records are keyed by
    /// patient and record commitment).
    function testFuzz_sameCommitmentOtherPatient(address patientA, address patientB, bytes32 commitment) public {
        VM.assume(patientA != patientB && patientA != address(0) && patientB != address(0));
        VM.assume(patientA != _doctor && patientB != _doctor && commitment != bytes32(0));
        bytes32 recordA = _anchor(_doctor, patientA, commitment, RecordType.Referral, false);
        bytes32 recordB = _anchor(_doctor, patientB, commitment, RecordType.Imaging, true);
        assertEq(uint256(_registry.recordOf(patientA, recordA).recordType), uint256(RecordType.Referral), "A");
        assertEq(uint256(_registry.recordOf(patientB, recordB).recordType), uint256(RecordType.Imaging), "B");
    }

    /// @notice An account that is not a registered provider cannot anchor for someone else.
    function testFuzz_unregisteredAuthorReverts(address author, address patient, bytes32 commitment, uint8 t) public {
        VM.assume(!_isKnown(author) && author != patient && commitment != bytes32(0));
        VM.prank(author);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryUnauthorizedAuthor.selector, author));
        _registry.anchorRecord(patient, commitment, _recordType(t), false);
    }

    /// @notice A suspended provider (or staff of a suspended organisation) cannot anchor; after
    /// reinstatement it can.
    function testFuzz_suspendedAuthorCannotAnchor(bytes32 commitment, uint8 t, bool viaOrganisation) public {
        VM.assume(commitment != bytes32(0));
        _suspend(viaOrganisation ? _hospital : _doctor);
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryUnauthorizedAuthor.selector, _doctor));
        _registry.anchorRecord(_patient, commitment, _recordType(t), false);
        _reinstate(viaOrganisation ? _hospital : _doctor);
        bytes32 record = _anchor(_doctor, _patient, commitment, _recordType(t), false);
        assertEq(_registry.recordOf(_patient, record).author, _doctor, "anchored after reinstatement");
    }

    /// @notice A patient anchors only wellness records about themself.
    function testFuzz_patientAnchorsOnlyWellness(address patient, bytes32 commitment, uint8 t) public {
        VM.assume(patient != address(0) && commitment != bytes32(0));
        RecordType recordType = _recordType(t);
        VM.prank(patient);
        if (recordType != RecordType.Wellness) {
            VM.expectRevert(
                abi.encodeWithSelector(IRecordRegistry.RecordRegistrySelfAuthoredType.selector, recordType)
            );
        }
        _registry.anchorRecord(patient, commitment, recordType, false);
        if (recordType == RecordType.Wellness) {
            assertEq(
                _registry.recordOf(patient, _recordOf(patient, commitment)).author,
                patient,
                "patient-authored wellness"
            );
        }
    }

    /// @notice Zero patient, zero commitment and the `None` type are refused.
    function testFuzz_invalidAnchorReverts(address patient, bytes32 commitment) public {
        VM.assume(patient != address(0) && patient != _doctor && commitment != bytes32(0));
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryZeroAddress.selector));
        _registry.anchorRecord(address(0), commitment, RecordType.Other, false);
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryZeroCommitment.selector));
        _registry.anchorRecord(patient, bytes32(0), RecordType.Other, false);
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryInvalidType.selector, RecordType.None));
        _registry.anchorRecord(patient, commitment, RecordType.None, false);
    }

    /// @notice Only accounts with the workflow role anchor on someone else's behalf.
    function testFuzz_anchorForNeedsWorkflowRole(address caller, bytes32 commitment) public {
        VM.assume(caller != _admin && commitment != bytes32(0));
        bytes32 role = _registry.WORKFLOW_ROLE();
        VM.prank(caller);
        VM.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role));
        _registry.anchorRecordFor(_doctor, _patient, commitment, RecordType.Dispense, false);

        VM.prank(_admin);
        _registry.grantRole(role, caller);
        VM.prank(caller);
        _registry.anchorRecordFor(_doctor, _patient, commitment, RecordType.Dispense, false);
        assertEq(_registry.recordOf(_patient, _recordOf(_doctor, commitment)).author, _doctor, "author on behalf");
    }

    // ------------------------------------------------------------------ corrections

    /// @notice Each correction is version n + 1 of the version it corrects, keeps type and author,
    /// marks the previous version superseded, and the superseded version can no longer be corrected.
    function testFuzz_versionsIncreaseByOne(uint8 countRaw, uint256 salt, uint8 t, uint256 sensitivity) public {
        uint256 count = bound(countRaw, 1, 24);
        RecordType recordType = _recordType(t);
        bytes32 current = _anchor(_lab, _patient, keccak256(abi.encode(salt, uint256(0))), recordType, false);
        bool everSensitive;
        for (uint256 i = 1; i <= count; ++i) {
            bool sensitive = (sensitivity >> i) & 1 == 1;
            bytes32 next = _recordOf(_lab, keccak256(abi.encode(salt, i)));
            VM.prank(_lab);
            _registry.amendRecord(_patient, current, keccak256(abi.encode(salt, i)), sensitive);
            // Sensitivity never drops in a correction: once a version is sensitive, every later one is.
            everSensitive = everSensitive || sensitive;
            _checkCorrection(current, next, recordType, i, everSensitive);
            _expectSupersededAmend(current, keccak256(abi.encode(salt, i, "fork")));
            current = next;
        }
    }

    // Helpers of the test above, kept apart so it compiles without the IR pipeline too (coverage).
    function _checkCorrection(
        bytes32 previousCommitment,
        bytes32 nextCommitment,
        RecordType recordType,
        uint256 version,
        bool sensitive
    ) private view {
        IRecordRegistry.Record memory previous = _registry.recordOf(_patient, previousCommitment);
        IRecordRegistry.Record memory corrected = _registry.recordOf(_patient, nextCommitment);
        assertEq(uint256(corrected.version), uint256(previous.version) + 1, "version + 1");
        assertEq(uint256(corrected.version), version + 1, "version count");
        assertEq(corrected.author, _lab, "author kept");
        assertEq(uint256(corrected.recordType), uint256(recordType), "type kept");
        assertEq(uint256(corrected.flags), sensitive ? _FLAG_SENSITIVE : 0, "corrected flags");
        assertTrue(previous.flags & _FLAG_SUPERSEDED != 0, "previous superseded");
    }

    function _expectSupersededAmend(bytes32 superseded, bytes32 correction) private {
        VM.prank(_lab);
        VM.expectRevert(
            abi.encodeWithSelector(IRecordRegistry.RecordRegistrySuperseded.selector, _patient, superseded)
        );
        _registry.amendRecord(_patient, superseded, correction, false);
    }

    /// @notice Only the author corrects, only while still an active provider, only an existing,
    /// unerased record, and never onto an existing commitment.
    function testFuzz_amendGuards(address other, bytes32 commitment, bytes32 correction, bool viaOrganisation) public {
        VM.assume(other != _doctor && other != _patient && other != address(0));
        VM.assume(commitment != bytes32(0) && correction != bytes32(0) && correction != commitment);
        bytes32 content = commitment;
        commitment = _anchor(_doctor, _patient, content, RecordType.Prescription, false);

        // Another account (provider or not) is not the author.
        if (_directory.isActiveProvider(other)) {
            VM.prank(other);
            VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotAuthor.selector, other, _doctor));
            _registry.amendRecord(_patient, commitment, correction, false);
        } else {
            VM.prank(other);
            VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryUnauthorizedAuthor.selector, other));
            _registry.amendRecord(_patient, commitment, correction, false);
        }

        // Unknown previous version (a content commitment names no record).
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotFound.selector, _patient, content));
        _registry.amendRecord(_patient, content, correction, false);

        // Correcting onto the same content is anchoring an existing record.
        VM.prank(_doctor);
        VM.expectRevert(
            abi.encodeWithSelector(IRecordRegistry.RecordRegistryAlreadyAnchored.selector, _patient, commitment)
        );
        _registry.amendRecord(_patient, commitment, content, false);

        // A suspended author cannot correct.
        _suspend(viaOrganisation ? _hospital : _doctor);
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryUnauthorizedAuthor.selector, _doctor));
        _registry.amendRecord(_patient, commitment, correction, false);
        _reinstate(viaOrganisation ? _hospital : _doctor);

        // An erased record cannot be corrected.
        VM.prank(_patient);
        _registry.eraseRecord(_patient, commitment);
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryErased.selector, _patient, commitment));
        _registry.amendRecord(_patient, commitment, correction, false);
    }

    // ------------------------------------------------------------------ erasure and sensitivity

    /// @notice Only the patient or a delegate holding the erase capability erases; erasing twice
    /// reverts; an erased record's sensitivity can no longer change.
    function testFuzz_eraseOnlyPatientOrEraseDelegate(address caller, uint8 capsRaw, bool appoint, bytes32 c) public {
        VM.assume(caller != _patient && caller != address(0) && c != bytes32(0));
        uint8 caps = uint8(bound(capsRaw, 1, 7));
        c = _anchor(_doctor, _patient, c, RecordType.Allergy, false);
        if (appoint) {
            VM.prank(_patient);
            _delegation.appointDelegate(caller, caps, uint40(_T0 + 1 days));
        }
        bool allowed = appoint && caps & _CAP_ERASE != 0;
        VM.prank(caller);
        if (!allowed) {
            VM.expectRevert(
                abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotPatientOrDelegate.selector, caller, _patient)
            );
        }
        _registry.eraseRecord(_patient, c);
        assertEq(_registry.recordOf(_patient, c).flags & _FLAG_ERASED != 0, allowed, "erased flag");
        if (!allowed) {
            VM.prank(_patient);
            _registry.eraseRecord(_patient, c);
        }
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryErased.selector, _patient, c));
        _registry.eraseRecord(_patient, c);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryErased.selector, _patient, c));
        _registry.setRecordSensitivity(_patient, c, true);
    }

    /// @notice Erasing an unknown record reverts `RecordRegistryNotFound`.
    function testFuzz_eraseUnknownReverts(bytes32 c) public {
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotFound.selector, _patient, c));
        _registry.eraseRecord(_patient, c);
    }

    /// @notice Only the patient or a consent delegate sets sensitivity; it flips only the sensitive
    /// flag.
    function testFuzz_setSensitivity(address caller, uint8 capsRaw, bool appoint, bool sensitive, bool start) public {
        VM.assume(caller != _patient && caller != address(0));
        bytes32 c = _anchor(_doctor, _patient, keccak256("sensitivity"), RecordType.Imaging, start);
        VM.prank(_doctor);
        _registry.amendRecord(_patient, c, keccak256("sensitivity v2"), start);
        uint8 caps = uint8(bound(capsRaw, 1, 7));
        if (appoint) {
            VM.prank(_patient);
            _delegation.appointDelegate(caller, caps, uint40(_T0 + 1 days));
        }
        bool allowed = appoint && caps & _CAP_CONSENT != 0;
        VM.prank(caller);
        if (!allowed) {
            VM.expectRevert(
                abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotPatientOrDelegate.selector, caller, _patient)
            );
        }
        _registry.setRecordSensitivity(_patient, c, sensitive);
        uint8 flags = _registry.recordOf(_patient, c).flags;
        assertEq(flags & _FLAG_SENSITIVE != 0, allowed ? sensitive : start, "sensitive flag");
        assertTrue(flags & _FLAG_SUPERSEDED != 0, "superseded flag kept");
        assertEq(flags & _FLAG_ERASED, 0, "erased flag untouched");
    }

    // ------------------------------------------------------------------ batches

    /// @notice Batches: only active providers, non-zero root and size, never twice by the same
    /// provider; the batch is named by its root bound to the provider, so another provider anchoring
    /// the same root gets a batch of its own.
    function testFuzz_anchorBatchGuards(bytes32 root, uint32 sizeRaw, address stranger) public {
        VM.assume(root != bytes32(0) && !_isKnown(stranger));
        uint32 size = uint32(bound(sizeRaw, 1, type(uint32).max));
        VM.prank(stranger);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryUnauthorizedAuthor.selector, stranger));
        _registry.anchorBatch(root, size);
        VM.prank(_lab);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryZeroCommitment.selector));
        _registry.anchorBatch(bytes32(0), size);
        VM.prank(_lab);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryEmptyBatch.selector));
        _registry.anchorBatch(root, 0);
        VM.prank(_lab);
        _registry.anchorBatch(root, size);
        bytes32 bound = _recordOf(_lab, root);
        IRecordRegistry.Batch memory batch = _registry.batchOf(bound);
        assertEq(batch.author, _lab, "batch author");
        assertEq(uint256(batch.size), size, "batch size");
        assertEq(_registry.batchOf(root).author, address(0), "nothing under the unbound root");
        VM.prank(_lab);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryBatchAlreadyAnchored.selector, bound));
        _registry.anchorBatch(root, size);
        VM.prank(_doctor);
        _registry.anchorBatch(root, size);
        assertEq(_registry.batchOf(_recordOf(_doctor, root)).author, _doctor, "another provider, another batch");
        assertEq(_registry.batchOf(bound).author, _lab, "first batch kept");
    }

    /// @notice Only the workflow role corrects on an author's behalf, and only for that author.
    function testFuzz_amendForNeedsWorkflowRole(address caller, bytes32 commitment, bytes32 correction) public {
        VM.assume(caller != _admin && commitment != bytes32(0) && correction != bytes32(0));
        VM.assume(correction != commitment);
        commitment = _anchor(_doctor, _patient, commitment, RecordType.LabOrder, false);
        bytes32 role = _registry.WORKFLOW_ROLE();
        VM.prank(caller);
        VM.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, role));
        _registry.amendRecordFor(_doctor, _patient, commitment, correction, false);

        VM.prank(_admin);
        _registry.grantRole(role, caller);
        VM.prank(caller);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotAuthor.selector, _lab, _doctor));
        _registry.amendRecordFor(_lab, _patient, commitment, correction, false);
        VM.prank(caller);
        _registry.amendRecordFor(_doctor, _patient, commitment, correction, true);
        IRecordRegistry.Record memory corrected = _registry.recordOf(_patient, _recordOf(_doctor, correction));
        assertEq(corrected.author, _doctor, "author on behalf");
        assertEq(uint256(corrected.version), 2, "version on behalf");
        assertEq(uint256(corrected.flags), _FLAG_SENSITIVE, "flags on behalf");
    }

    /// @notice Erasing a batched record needs the batch, a valid proof, and happens once.
    function testFuzz_eraseBatchRecordGuards(bytes32 c1, bytes32 c2, bytes32 unknownRoot) public {
        VM.assume(c1 != c2);
        IRecordRegistry.BatchLeaf memory leaf = IRecordRegistry.BatchLeaf(_patient, c1, RecordType.LabResult, false);
        IRecordRegistry.BatchLeaf memory sibling = IRecordRegistry.BatchLeaf(_patient, c2, RecordType.LabResult, true);
        bytes32 h1 = _registry.batchLeafHash(leaf);
        bytes32 h2 = _registry.batchLeafHash(sibling);
        bytes32 merkleRoot = h1 < h2 ? keccak256(abi.encode(h1, h2)) : keccak256(abi.encode(h2, h1));
        bytes32 root = _recordOf(_lab, merkleRoot);
        VM.assume(unknownRoot != root);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = h2;
        VM.prank(_lab);
        _registry.anchorBatch(merkleRoot, 2);
        // Leaves are named by the batch author's record commitments.
        bytes32 r1 = _recordOf(_lab, c1);
        bytes32 r2 = _recordOf(_lab, c2);

        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryBatchNotFound.selector, unknownRoot));
        _registry.eraseBatchRecord(unknownRoot, leaf, proof);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryInvalidProof.selector, root, h2));
        _registry.eraseBatchRecord(root, sibling, proof);
        VM.prank(_doctor);
        VM.expectRevert(
            abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotPatientOrDelegate.selector, _doctor, _patient)
        );
        _registry.eraseBatchRecord(root, leaf, proof);

        VM.prank(_patient);
        _registry.eraseBatchRecord(root, leaf, proof);
        assertTrue(_registry.isBatchRecordErased(_patient, r1), "batch record erased");
        assertFalse(_registry.isBatchRecordErased(_patient, r2), "sibling untouched");
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryErased.selector, _patient, r1));
        _registry.eraseBatchRecord(root, leaf, proof);
    }

    /// @notice After a recorded death nothing of the patient's may be erased, by anyone, until the
    /// retention period has passed; then the patient's records can be erased again.
    function testFuzz_noErasureDuringRetentionAfterDeath(uint256 diedAgo, uint256 laterRaw, bytes32 c) public {
        VM.assume(c != bytes32(0));
        c = _anchor(_doctor, _patient, c, RecordType.ClinicalNote, false);
        VM.prank(_patient);
        _delegation.appointDelegate(_family, _CAP_ERASE, uint40(_T0 + 100 days));
        uint40 diedAt = uint40(_T0 - bound(diedAgo, 0, 365 days));
        _recordDeath(_patient, diedAt);
        uint256 until = uint256(diedAt) + _delegation.RETENTION_AFTER_DEATH();

        uint256 later = bound(laterRaw, _T0, until - 1);
        VM.warp(later);
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryRetained.selector, _patient, until));
        _registry.eraseRecord(_patient, c);
        // The delegation ended with the death, whatever its end date.
        VM.prank(_family);
        VM.expectRevert(
            abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotPatientOrDelegate.selector, _family, _patient)
        );
        _registry.eraseRecord(_patient, c);

        VM.warp(until);
        VM.prank(_patient);
        _registry.eraseRecord(_patient, c);
        assertTrue(_registry.recordOf(_patient, c).flags & _FLAG_ERASED != 0, "erased after retention");
    }

    /// @notice Wiring guards: zero dependencies are refused; anchoring on behalf of nobody too.
    function test_constructorsAndZeroAuthorGuards() public {
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryZeroAddress.selector));
        new RecordRegistry(_admin, _ADMIN_DELAY, IProviderDirectory(address(0)), _delegation);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentZeroAddress.selector));
        new ConsentManager(_admin, _ADMIN_DELAY, _directory, IRecordRegistry(address(0)), _delegation);
        assertEq(address(_consent.registry()), address(_registry), "consent manager reads this registry");

        bytes32 role = _registry.WORKFLOW_ROLE();
        VM.prank(_admin);
        _registry.grantRole(role, address(this));
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryZeroAddress.selector));
        _registry.anchorRecordFor(address(0), _patient, keccak256("c"), RecordType.Dispense, false);
    }
}
