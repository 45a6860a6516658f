// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPrescriptions} from "../interfaces/IPrescriptions.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {ConsentScope, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {RecordCommitments} from "../libraries/RecordCommitments.sol";
import {WorkflowFixture} from "./utils/WorkflowFixture.sol";
import {VM} from "./utils/Vm.sol";

/// @title RecordSquattingTest
/// @notice Fuzz tests of the author binding (security review, finding 1): whoever anchors another
/// author's content commitment first gets a record of its own, never the author's.
contract RecordSquattingTest is WorkflowFixture {
    function setUp() public {
        _deployWorkflows();
    }

    /// @notice For any two distinct authors, the same content commitment for the same patient gives
    /// two distinct records, both anchorings succeed whatever their order, each keeps its own author,
    /// type and flags, and each author can amend only its own.
    function testFuzz_distinctAuthorsGetDistinctRecords(
        bytes32 content,
        uint8 firstSeed,
        uint8 secondSeed,
        uint8 typeRaw,
        bool squatterSensitive
    ) public {
        VM.assume(content != bytes32(0));
        // Four providers and the patient (who may anchor only wellness records).
        address[5] memory authors = [_doctor, _doctor2, _pharmacy, _lab, _patient];
        address first = authors[firstSeed % 5];
        address second = authors[secondSeed % 5];
        VM.assume(first != second);
        RecordType firstType = first == _patient ? RecordType.Wellness : _recordType(typeRaw);
        RecordType secondType = second == _patient ? RecordType.Wellness : RecordType.Other;

        bytes32 firstRecord = _anchor(first, _patient, content, firstType, squatterSensitive);
        bytes32 secondRecord = _anchor(second, _patient, content, secondType, false);

        assertTrue(firstRecord != secondRecord, "same record for two authors");
        assertTrue(firstRecord != content && secondRecord != content, "record named by the content commitment");
        assertEq(firstRecord, RecordCommitments.bind(first, content), "first record commitment");
        assertEq(secondRecord, RecordCommitments.bind(second, content), "second record commitment");
        _checkRecord(firstRecord, first, firstType);
        _checkRecord(secondRecord, second, secondType);
        assertEq(uint256(_registry.recordOf(_patient, secondRecord).flags), 0, "second flags");
        _checkEachAmendsOnlyItsOwn(content, first, firstRecord, second, secondRecord);
    }

    // Helpers of the test above, kept apart so it compiles without the IR pipeline too (coverage).
    function _checkRecord(bytes32 record, address author, RecordType recordType) private view {
        IRecordRegistry.Record memory anchored = _registry.recordOf(_patient, record);
        assertEq(anchored.author, author, "author");
        assertEq(uint256(anchored.recordType), uint256(recordType), "type");
    }

    /// Neither can correct the other's record; each corrects its own.
    function _checkEachAmendsOnlyItsOwn(
        bytes32 content,
        address first,
        bytes32 firstRecord,
        address second,
        bytes32 secondRecord
    ) private {
        bytes32 correction = keccak256(abi.encode(content));
        VM.prank(second);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotAuthor.selector, second, first));
        _registry.amendRecord(_patient, firstRecord, correction, false);
        VM.prank(second);
        _registry.amendRecord(_patient, secondRecord, correction, false);
        VM.prank(first);
        _registry.amendRecord(_patient, firstRecord, correction, false);
        assertEq(_registry.recordOf(_patient, _recordOf(first, correction)).author, first, "first author's correction");
    }

    /// @notice For any two distinct providers, the same Merkle root gives two distinct batches and
    /// both anchorings succeed; a leaf proven under one batch is that batch author's record only.
    function testFuzz_distinctAuthorsGetDistinctBatches(bytes32 c1, bytes32 c2, uint8 seed) public {
        VM.assume(c1 != c2);
        address[3] memory others = [_doctor, _doctor2, _pharmacy];
        address squatter = others[seed % 3];
        (IRecordRegistry.BatchLeaf memory leaf, bytes32 merkleRoot, bytes32[] memory proof) = _twoLeafBatch(c1, c2);

        VM.prank(squatter);
        _registry.anchorBatch(merkleRoot, 2);
        VM.prank(_lab);
        _registry.anchorBatch(merkleRoot, 2);

        bytes32 labBatch = _recordOf(_lab, merkleRoot);
        bytes32 squatterBatch = _recordOf(squatter, merkleRoot);
        assertTrue(labBatch != squatterBatch, "same batch for two authors");
        assertEq(_registry.batchOf(labBatch).author, _lab, "lab's batch");
        assertEq(_registry.batchOf(squatterBatch).author, squatter, "squatter's batch");
        assertTrue(_registry.verifyBatchRecord(labBatch, leaf, proof), "leaf in the lab's batch");

        _checkErasureReachesOnlyTheLab(labBatch, squatter, leaf, proof);
    }

    // Helpers of the test above, kept apart so it compiles without the IR pipeline too (coverage).
    function _twoLeafBatch(
        bytes32 c1,
        bytes32 c2
    ) private view returns (IRecordRegistry.BatchLeaf memory leaf, bytes32 merkleRoot, bytes32[] memory proof) {
        leaf = IRecordRegistry.BatchLeaf(_patient, c1, RecordType.LabResult, false);
        bytes32 h1 = _registry.batchLeafHash(leaf);
        bytes32 h2 = _registry.batchLeafHash(IRecordRegistry.BatchLeaf(_patient, c2, RecordType.LabResult, true));
        merkleRoot = h1 < h2 ? keccak256(abi.encode(h1, h2)) : keccak256(abi.encode(h2, h1));
        proof = new bytes32[](1);
        proof[0] = h2;
    }

    /// The patient erases the lab's record: the squatter's copy is another record, and the lab's
    /// erasure holds for the lab's record however it is reached.
    function _checkErasureReachesOnlyTheLab(
        bytes32 labBatch,
        address squatter,
        IRecordRegistry.BatchLeaf memory leaf,
        bytes32[] memory proof
    ) private {
        VM.prank(_patient);
        _registry.eraseBatchRecord(labBatch, leaf, proof);
        assertTrue(_registry.isBatchRecordErased(_patient, _recordOf(_lab, leaf.commitment)), "lab's record erased");
        assertFalse(
            _registry.isBatchRecordErased(_patient, _recordOf(squatter, leaf.commitment)),
            "squatter's copy erased"
        );
        assertFalse(
            _consent.canAccessBatchRecord(_lab, labBatch, leaf, proof, Purpose.Treatment),
            "erased leaf open to its author"
        );
        assertFalse(
            _consent.canAccessBatchRecord(squatter, labBatch, leaf, proof, Purpose.Treatment),
            "squatter reads the lab's leaf as its author"
        );
    }

    /// @notice A prescription's content commitment anchored first by anyone else (any provider, any
    /// type) does not stop the doctor issuing it, and the pharmacy dispenses the doctor's record.
    function testFuzz_squattedPrescriptionStillIssuesAndDispenses(bytes32 content, uint8 seed, uint8 typeRaw) public {
        VM.assume(content != bytes32(0));
        address[3] memory squatters = [_doctor2, _pharmacy, _lab];
        _anchor(squatters[seed % 3], _patient, content, _recordType(typeRaw), false);

        VM.prank(_doctor);
        _prescriptions.issuePrescription(
            _patient,
            content,
            IPrescriptions.Terms({
                pharmacy: address(0),
                expiresAt: uint40(block.timestamp + 30 days),
                quantity: 10,
                refills: 0
            })
        );
        bytes32 prescription = _recordOf(_doctor, content);
        assertEq(_registry.recordOf(_patient, prescription).author, _doctor, "prescriber is the author");
        _grantFor(_patient, _pharmacy, ConsentScope.AllRecords, bytes32(0), Purpose.Dispensing);
        VM.prank(_pharmacy);
        _prescriptions.dispensePrescription(_patient, prescription, 4, keccak256(abi.encode(content, "dispense")));
        assertEq(uint256(_prescriptions.remainingOf(_patient, prescription)), 6, "dispensed from the doctor's record");
    }
}
