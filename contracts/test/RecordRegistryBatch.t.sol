// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {ConsentScope, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {CareLedgerFixture} from "./utils/CareLedgerFixture.sol";
import {VM} from "./utils/Vm.sol";
import {VM_EVENTS} from "./utils/VmEvents.sol";

/// @title RecordRegistryBatchTest
/// @notice The patient's sensitivity flag on batched records: who may set it, on which leaves, and
/// what it closes.
contract RecordRegistryBatchTest is CareLedgerFixture {
    bytes32 internal constant _C1 = keccak256("batched lab result 1");
    bytes32 internal constant _C2 = keccak256("batched lab result 2");

    IRecordRegistry.BatchLeaf internal _leaf;
    IRecordRegistry.BatchLeaf internal _sensitiveLeaf;
    /// @dev The batch's bound root, the name the registry gives it.
    bytes32 internal _root;
    /// @dev The leaves' record commitments (the lab bound to `_C1` and `_C2`).
    bytes32 internal _r1;
    bytes32 internal _r2;
    bytes32 internal _leafHash;
    bytes32 internal _siblingHash;

    function setUp() public {
        _deploy();
        _registerDefaultProviders();
        _leaf = IRecordRegistry.BatchLeaf(_patient, _C1, RecordType.LabResult, false);
        _sensitiveLeaf = IRecordRegistry.BatchLeaf(_patient, _C2, RecordType.LabResult, true);
        _leafHash = _registry.batchLeafHash(_leaf);
        _siblingHash = _registry.batchLeafHash(_sensitiveLeaf);
        bytes32 merkleRoot =
            _leafHash < _siblingHash
                ? keccak256(abi.encode(_leafHash, _siblingHash))
                : keccak256(abi.encode(_siblingHash, _leafHash));
        VM.prank(_lab);
        _registry.anchorBatch(merkleRoot, 2);
        _root = _recordOf(_lab, merkleRoot);
        _r1 = _recordOf(_lab, _C1);
        _r2 = _recordOf(_lab, _C2);
    }

    /// @notice The patient marks a batched record sensitive and back: the flag is stored by patient
    /// and commitment, and a broad grant stops and resumes opening the record accordingly.
    function test_patientSetsAndClearsBatchRecordSensitivity() public {
        _grantFor(_patient, _family, ConsentScope.AllRecords, bytes32(0), Purpose.Treatment);
        assertTrue(_opensForTreatment(_family, _leaf, _siblingHash), "all-records grant refused before");

        _patientSetsSensitivity(_leaf, _siblingHash, true, _r1, true);
        assertEq(uint256(_registry.batchRecordFlagsOf(_patient, _r1)), _FLAG_SENSITIVE, "flag set");
        assertEq(uint256(_registry.batchRecordFlagsOf(_patient, _r2)), 0, "sibling touched");
        assertFalse(
            _opensForTreatment(_family, _leaf, _siblingHash),
            "all-records grant opens a record marked sensitive"
        );
        assertTrue(_opensForTreatment(_patient, _leaf, _siblingHash), "patient refused own sensitive record");

        _patientSetsSensitivity(_leaf, _siblingHash, false, _r1, false);
        assertEq(uint256(_registry.batchRecordFlagsOf(_patient, _r1)), 0, "flag cleared");
        assertTrue(_opensForTreatment(_family, _leaf, _siblingHash), "all-records grant refused after clearing");
    }

    /// @notice A leaf its author published as sensitive stays sensitive: clearing the patient's flag
    /// reports (and leaves) it sensitive.
    function test_authorSensitivityCannotBeCleared() public {
        _grantFor(_patient, _family, ConsentScope.AllRecords, bytes32(0), Purpose.Treatment);
        _patientSetsSensitivity(_sensitiveLeaf, _leafHash, false, _r2, true);
        assertEq(uint256(_registry.batchRecordFlagsOf(_patient, _r2)), 0, "patient flag");
        assertFalse(
            _opensForTreatment(_family, _sensitiveLeaf, _leafHash),
            "author's sensitivity cleared by the patient"
        );
    }

    /// @notice A delegate with the consent capability may set the flag; one that may only erase or
    /// read, and strangers (even the batch author), may not.
    function test_onlyThePatientOrAConsentDelegateSetsTheFlag() public {
        VM.startPrank(_patient);
        _delegation.appointDelegate(_family, _CAP_CONSENT, uint40(_T0 + 30 days));
        _delegation.appointDelegate(_doctor2, _CAP_ERASE | _CAP_READ, uint40(_T0 + 30 days));
        VM.stopPrank();

        address[2] memory refused = [_doctor2, _lab];
        for (uint256 i = 0; i < refused.length; ++i) {
            _expectRevertAs(
                refused[i],
                abi.encodeWithSelector(
                    IRecordRegistry.RecordRegistryNotPatientOrDelegate.selector,
                    refused[i],
                    _patient
                )
            );
            _registry.setBatchRecordSensitivity(_root, _leaf, _proofOf(_siblingHash), true);
        }
        assertEq(uint256(_registry.batchRecordFlagsOf(_patient, _r1)), 0, "refused caller set the flag");

        VM.prank(_family);
        _registry.setBatchRecordSensitivity(_root, _leaf, _proofOf(_siblingHash), true);
        assertEq(uint256(_registry.batchRecordFlagsOf(_patient, _r1)), _FLAG_SENSITIVE, "consent delegate refused");
    }

    /// @notice The flag needs an anchored batch and a valid proof of the leaf in it.
    function test_setBatchRecordSensitivityNeedsTheBatchAndAValidProof() public {
        bytes32 unknownRoot = keccak256("unknown root");
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryBatchNotFound.selector, unknownRoot));
        _registry.setBatchRecordSensitivity(unknownRoot, _leaf, _proofOf(_siblingHash), true);

        // The sibling's proof proves the sibling, not this leaf.
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryInvalidProof.selector, _root, _leafHash));
        _registry.setBatchRecordSensitivity(_root, _leaf, _proofOf(_leafHash), true);
        assertEq(uint256(_registry.batchRecordFlagsOf(_patient, _r1)), 0, "flag set without a proof");
    }

    /// @notice An erased batched record can no longer be re-flagged, and erasing keeps the flag
    /// already set.
    function test_erasedBatchRecordCannotBeReflagged() public {
        VM.startPrank(_patient);
        _registry.setBatchRecordSensitivity(_root, _leaf, _proofOf(_siblingHash), true);
        _registry.eraseBatchRecord(_root, _leaf, _proofOf(_siblingHash));
        VM.stopPrank();
        assertEq(
            uint256(_registry.batchRecordFlagsOf(_patient, _r1)),
            _FLAG_SENSITIVE | _FLAG_ERASED,
            "flags after erasure"
        );
        _expectRevertAs(_patient, abi.encodeWithSelector(IRecordRegistry.RecordRegistryErased.selector, _patient, _r1));
        _registry.setBatchRecordSensitivity(_root, _leaf, _proofOf(_siblingHash), false);
        assertEq(
            uint256(_registry.batchRecordFlagsOf(_patient, _r1)),
            _FLAG_SENSITIVE | _FLAG_ERASED,
            "flags changed on an erased record"
        );
    }

    /// @notice After a recorded death a batched record's flag no longer changes, and it cannot be
    /// erased during the retention period.
    function test_noBatchFlagChangeOrErasureAfterDeath() public {
        _recordDeath(_patient, uint40(_T0));
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryPatientDeceased.selector, _patient));
        _registry.setBatchRecordSensitivity(_root, _leaf, _proofOf(_siblingHash), true);

        uint256 until = _T0 + _delegation.RETENTION_AFTER_DEATH();
        VM.prank(_patient);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryRetained.selector, _patient, until));
        _registry.eraseBatchRecord(_root, _leaf, _proofOf(_siblingHash));
        assertEq(uint256(_registry.batchRecordFlagsOf(_patient, _r1)), 0, "flags changed after death");
    }

    /// @dev The patient sets `leaf`'s flag to `sensitive` (its sibling's hash is `sibling`); the registry
    /// must announce `record` as `reported`.
    function _patientSetsSensitivity(
        IRecordRegistry.BatchLeaf memory leaf,
        bytes32 sibling,
        bool sensitive,
        bytes32 record,
        bool reported
    ) internal {
        VM_EVENTS.expectEmit(true, true, true, true);
        emit IRecordRegistry.RecordSensitivityChanged(_patient, record, reported);
        VM.prank(_patient);
        _registry.setBatchRecordSensitivity(_root, leaf, _proofOf(sibling), sensitive);
    }

    /// @dev Whether `accessor` may open `leaf` of the batch for treatment.
    function _opensForTreatment(
        address accessor,
        IRecordRegistry.BatchLeaf memory leaf,
        bytes32 sibling
    ) internal view returns (bool) {
        return _consent.canAccessBatchRecord(accessor, _root, leaf, _proofOf(sibling), Purpose.Treatment);
    }

    function _proofOf(bytes32 sibling) internal pure returns (bytes32[] memory proof) {
        proof = new bytes32[](1);
        proof[0] = sibling;
    }
}
