// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IPatientDelegation} from "./interfaces/IPatientDelegation.sol";
import {IProviderDirectory} from "./interfaces/IProviderDirectory.sol";
import {IRecordRegistry} from "./interfaces/IRecordRegistry.sol";
import {Capability, RecordFlag, RecordType} from "./libraries/CareTypes.sol";
import {RecordCommitments} from "./libraries/RecordCommitments.sol";
import {PatientAuthorised} from "./PatientAuthorised.sol";

/// @title RecordRegistry
/// @notice One storage slot per record, keyed by patient and record commitment (the author bound to
/// the content commitment the caller passes, see RecordCommitments), so anchoring costs one new slot
/// plus an event. History is append-only: a correction is a new record and the old one is only
/// flagged superseded; the link between versions is the `RecordAmended` event.
contract RecordRegistry is IRecordRegistry, AccessControlDefaultAdminRules, PatientAuthorised {
    /// @inheritdoc IRecordRegistry
    bytes32 public constant WORKFLOW_ROLE = keccak256("WORKFLOW_ROLE");
    /// @inheritdoc IRecordRegistry
    uint8 public constant FLAG_SENSITIVE = RecordFlag.SENSITIVE;
    /// @inheritdoc IRecordRegistry
    uint8 public constant FLAG_ERASED = RecordFlag.ERASED;
    /// @inheritdoc IRecordRegistry
    uint8 public constant FLAG_SUPERSEDED = RecordFlag.SUPERSEDED;

    IProviderDirectory private immutable _directory;

    mapping(address patient => mapping(bytes32 recordCommitment => Record record)) private _records;
    /// @dev Keyed by the bound root (`RecordCommitments.bind(author, merkleRoot)`), so nobody can take
    /// another provider's root first.
    mapping(bytes32 batchRoot => Batch batch) private _batches;
    /// @dev What the patient set on batched records (FLAG_SENSITIVE, FLAG_ERASED), by patient and record
    /// commitment (the batch's author bound to the leaf's content commitment), so that it holds in every
    /// batch of that author, and in its individual anchoring, that publishes the same content.
    mapping(address patient => mapping(bytes32 recordCommitment => uint8 flags)) private _batchRecordFlags;

    /// @param admin The first admin (may grant the workflow role).
    /// @param adminTransferDelay Seconds a new admin must wait before accepting the role.
    /// @param directory The provider directory.
    /// @param delegation The patient delegation registry.
    constructor(
        address admin,
        uint48 adminTransferDelay,
        IProviderDirectory directory,
        IPatientDelegation delegation
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) PatientAuthorised(delegation) {
        if (address(directory) == address(0) || address(delegation) == address(0)) {
            revert RecordRegistryZeroAddress();
        }
        _directory = directory;
    }

    /// @inheritdoc IRecordRegistry
    function anchorRecord(address patient, bytes32 commitment, RecordType recordType, bool sensitive) external {
        if (msg.sender == patient) {
            if (recordType != RecordType.Wellness) revert RecordRegistrySelfAuthoredType(recordType);
        } else if (!_directory.isActiveProvider(msg.sender)) {
            revert RecordRegistryUnauthorizedAuthor(msg.sender);
        }
        bytes32 record = _anchor(msg.sender, patient, commitment, recordType, sensitive, 1);
        emit RecordAnchored(patient, record, msg.sender, recordType, sensitive);
    }

    /// @inheritdoc IRecordRegistry
    function anchorRecordFor(
        address author,
        address patient,
        bytes32 commitment,
        RecordType recordType,
        bool sensitive
    ) external onlyRole(WORKFLOW_ROLE) returns (bytes32 record) {
        if (author == address(0)) revert RecordRegistryZeroAddress();
        record = _anchor(author, patient, commitment, recordType, sensitive, 1);
        emit RecordAnchored(patient, record, author, recordType, sensitive);
    }

    /// @inheritdoc IRecordRegistry
    function amendRecord(address patient, bytes32 previousCommitment, bytes32 commitment, bool sensitive) external {
        // The author must still be allowed to write: a suspended provider cannot correct either.
        if (msg.sender != patient && !_directory.isActiveProvider(msg.sender)) {
            revert RecordRegistryUnauthorizedAuthor(msg.sender);
        }
        _amend(msg.sender, patient, previousCommitment, commitment, sensitive);
    }

    /// @inheritdoc IRecordRegistry
    function amendRecordFor(
        address author,
        address patient,
        bytes32 previousCommitment,
        bytes32 commitment,
        bool sensitive
    ) external onlyRole(WORKFLOW_ROLE) returns (bytes32 record) {
        return _amend(author, patient, previousCommitment, commitment, sensitive);
    }

    /// @inheritdoc IRecordRegistry
    function eraseRecord(address patient, bytes32 commitment) external {
        _checkPatientOrDelegate(patient, Capability.ERASE);
        _checkNotRetained(patient);
        Record storage record = _existing(patient, commitment);
        uint8 flags = record.flags;
        if (flags & FLAG_ERASED != 0) revert RecordRegistryErased(patient, commitment);
        record.flags = flags | FLAG_ERASED;
        emit RecordErased(patient, commitment, msg.sender);
    }

    /// @inheritdoc IRecordRegistry
    function setRecordSensitivity(address patient, bytes32 commitment, bool sensitive) external {
        _checkPatientOrDelegate(patient, Capability.MANAGE_CONSENT);
        if (_delegation.diedAt(patient) != 0) revert RecordRegistryPatientDeceased(patient);
        Record storage record = _existing(patient, commitment);
        uint8 flags = record.flags;
        if (flags & FLAG_ERASED != 0) revert RecordRegistryErased(patient, commitment);
        record.flags = sensitive ? flags | FLAG_SENSITIVE : flags & ~FLAG_SENSITIVE;
        emit RecordSensitivityChanged(patient, commitment, sensitive);
    }

    /// @inheritdoc IRecordRegistry
    function anchorBatch(bytes32 root, uint32 size) external {
        if (!_directory.isActiveProvider(msg.sender)) revert RecordRegistryUnauthorizedAuthor(msg.sender);
        if (root == bytes32(0)) revert RecordRegistryZeroCommitment();
        if (size == 0) revert RecordRegistryEmptyBatch();
        // Bound like a record: whoever anchors the same Merkle root first gets a batch of its own.
        bytes32 batchRoot = RecordCommitments.bind(msg.sender, root);
        if (_batches[batchRoot].author != address(0)) revert RecordRegistryBatchAlreadyAnchored(batchRoot);
        _batches[batchRoot] = Batch({author: msg.sender, anchoredAt: uint40(block.timestamp), size: size});
        emit BatchAnchored(msg.sender, batchRoot, size);
    }

    /// @inheritdoc IRecordRegistry
    function eraseBatchRecord(bytes32 root, BatchLeaf calldata leaf, bytes32[] calldata proof) external {
        _checkPatientOrDelegate(leaf.patient, Capability.ERASE);
        _checkNotRetained(leaf.patient);
        bytes32 record = _checkBatchLeaf(root, leaf, proof);
        uint8 flags = _batchRecordFlags[leaf.patient][record];
        if (flags & FLAG_ERASED != 0) revert RecordRegistryErased(leaf.patient, record);
        _batchRecordFlags[leaf.patient][record] = flags | FLAG_ERASED;
        emit RecordErased(leaf.patient, record, msg.sender);
    }

    /// @inheritdoc IRecordRegistry
    function setBatchRecordSensitivity(
        bytes32 root,
        BatchLeaf calldata leaf,
        bytes32[] calldata proof,
        bool sensitive
    ) external {
        _checkPatientOrDelegate(leaf.patient, Capability.MANAGE_CONSENT);
        if (_delegation.diedAt(leaf.patient) != 0) revert RecordRegistryPatientDeceased(leaf.patient);
        bytes32 record = _checkBatchLeaf(root, leaf, proof);
        uint8 flags = _batchRecordFlags[leaf.patient][record];
        if (flags & FLAG_ERASED != 0) revert RecordRegistryErased(leaf.patient, record);
        _batchRecordFlags[leaf.patient][record] = sensitive ? flags | FLAG_SENSITIVE : flags & ~FLAG_SENSITIVE;
        emit RecordSensitivityChanged(leaf.patient, record, sensitive || leaf.sensitive);
    }

    /// @inheritdoc IRecordRegistry
    function recordOf(address patient, bytes32 commitment) external view returns (Record memory) {
        return _records[patient][commitment];
    }

    /// @inheritdoc IRecordRegistry
    function batchOf(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @inheritdoc IRecordRegistry
    function verifyBatchRecord(
        bytes32 root,
        BatchLeaf calldata leaf,
        bytes32[] calldata proof
    ) external view returns (bool) {
        address author = _batches[root].author;
        return author != address(0) && _isBoundRoot(root, author, leaf, proof);
    }

    /// @inheritdoc IRecordRegistry
    function isBatchRecordErased(address patient, bytes32 commitment) external view returns (bool) {
        return _batchRecordFlags[patient][commitment] & FLAG_ERASED != 0;
    }

    /// @inheritdoc IRecordRegistry
    function batchRecordFlagsOf(address patient, bytes32 commitment) external view returns (uint8) {
        return _batchRecordFlags[patient][commitment];
    }

    /// @inheritdoc IRecordRegistry
    function recordCommitmentOf(address author, bytes32 contentCommitment) external pure returns (bytes32) {
        return RecordCommitments.bind(author, contentCommitment);
    }

    /// @inheritdoc IRecordRegistry
    function batchLeafHash(BatchLeaf calldata leaf) external pure returns (bytes32) {
        return _leafHash(leaf);
    }

    function _amend(
        address author,
        address patient,
        bytes32 previousCommitment,
        bytes32 commitment,
        bool sensitive
    ) private returns (bytes32 record) {
        Record storage previous = _existing(patient, previousCommitment);
        Record memory old = previous;
        if (old.author != author) revert RecordRegistryNotAuthor(author, old.author);
        if (old.flags & FLAG_ERASED != 0) revert RecordRegistryErased(patient, previousCommitment);
        if (old.flags & FLAG_SUPERSEDED != 0) revert RecordRegistrySuperseded(patient, previousCommitment);
        previous.flags = old.flags | FLAG_SUPERSEDED;
        uint16 version = old.version + 1;
        // A correction never reopens what the patient (or the author) closed: sensitivity carries over.
        sensitive = sensitive || old.flags & FLAG_SENSITIVE != 0;
        record = _anchor(author, patient, commitment, old.recordType, sensitive, version);
        emit RecordAmended(patient, record, previousCommitment, author, version, sensitive);
    }

    // Keys the record by its record commitment, so the same content commitment anchored by another
    // author is another record: a front-runner can neither block this one nor become its author.
    function _anchor(
        address author,
        address patient,
        bytes32 contentCommitment,
        RecordType recordType,
        bool sensitive,
        uint16 version
    ) private returns (bytes32 recordCommitment) {
        if (patient == address(0)) revert RecordRegistryZeroAddress();
        if (contentCommitment == bytes32(0)) revert RecordRegistryZeroCommitment();
        if (recordType == RecordType.None) revert RecordRegistryInvalidType(recordType);
        recordCommitment = RecordCommitments.bind(author, contentCommitment);
        Record storage record = _records[patient][recordCommitment];
        if (record.author != address(0)) revert RecordRegistryAlreadyAnchored(patient, recordCommitment);
        record.author = author;
        record.anchoredAt = uint40(block.timestamp);
        record.recordType = recordType;
        record.flags = sensitive ? FLAG_SENSITIVE : 0;
        record.version = version;
    }

    function _existing(address patient, bytes32 commitment) private view returns (Record storage record) {
        record = _records[patient][commitment];
        if (record.author == address(0)) revert RecordRegistryNotFound(patient, commitment);
    }

    function _revertNotPatientOrDelegate(address account, address patient) internal pure override {
        revert RecordRegistryNotPatientOrDelegate(account, patient);
    }

    // Returns the leaf's record commitment. The batch's author is the author of every leaf in it,
    // which is sound because the root is bound to that author: nobody else can anchor it.
    function _checkBatchLeaf(
        bytes32 root,
        BatchLeaf calldata leaf,
        bytes32[] calldata proof
    ) private view returns (bytes32) {
        address author = _batches[root].author;
        if (author == address(0)) revert RecordRegistryBatchNotFound(root);
        if (!_isBoundRoot(root, author, leaf, proof)) revert RecordRegistryInvalidProof(root, _leafHash(leaf));
        return RecordCommitments.bind(author, leaf.commitment);
    }

    // The registry keeps only the bound root, so the proof is checked by rebuilding the Merkle root
    // and binding it to the batch's author.
    function _isBoundRoot(
        bytes32 root,
        address author,
        BatchLeaf calldata leaf,
        bytes32[] calldata proof
    ) private pure returns (bool) {
        return RecordCommitments.bind(author, MerkleProof.processProofCalldata(proof, _leafHash(leaf))) == root;
    }

    function _checkNotRetained(address patient) private view {
        uint256 until = _delegation.erasureBlockedUntil(patient);
        if (until != 0) revert RecordRegistryRetained(patient, until);
    }

    // Leaves are hashed twice (OpenZeppelin's convention) so a 64-byte inner node can never be
    // passed off as a leaf.
    function _leafHash(BatchLeaf calldata leaf) private pure returns (bytes32) {
        return
            keccak256(
                bytes.concat(keccak256(abi.encode(leaf.patient, leaf.commitment, leaf.recordType, leaf.sensitive)))
            );
    }
}
