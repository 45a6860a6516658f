// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RecordType} from "../libraries/CareTypes.sol";

/// @title IRecordRegistry
/// @notice Anchors salted commitments to encrypted, off-chain health records. Writers pass a *content
/// commitment* (salted, to the encrypted payload); the registry names the record by its patient and
/// its *record commitment*, `recordCommitmentOf(author, contentCommitment)`, which binds the author to
/// what is anchored: the same content commitment anchored by anyone else is another record. Events,
/// lookups, amendments, erasure, sensitivity, grants and workflows all use the record commitment.
/// Nothing about the content is stored or emitted.
interface IRecordRegistry {
    /// @notice A record's metadata. Fits in one slot (20 + 5 + 1 + 1 + 2 bytes).
    /// @param author Who anchored the record (a provider, or the patient for wellness data).
    /// @param anchoredAt When it was anchored.
    /// @param recordType Its clinical kind.
    /// @param flags Bitmask of `FLAG_*` values.
    /// @param version 1 for an original, n + 1 for a correction of version n.
    struct Record {
        address author;
        uint40 anchoredAt;
        RecordType recordType;
        uint8 flags;
        uint16 version;
    }

    /// @notice A batch of records committed under one Merkle root. Fits in one slot.
    /// @param author The provider that anchored the batch.
    /// @param anchoredAt When it was anchored.
    /// @param size How many records the root commits to.
    struct Batch {
        address author;
        uint40 anchoredAt;
        uint32 size;
    }

    /// @notice One record inside a batch: the leaf is `keccak256(bytes.concat(keccak256(abi.encode(leaf))))`.
    /// Its record commitment is `recordCommitmentOf(batch author, commitment)`.
    /// @param patient The record's patient.
    /// @param commitment The content commitment (salted, to the encrypted payload).
    /// @param recordType Its clinical kind.
    /// @param sensitive Whether only record-level grants open it.
    struct BatchLeaf {
        address patient;
        bytes32 commitment;
        RecordType recordType;
        bool sensitive;
    }

    /// @notice The zero address was given where an account is required.
    error RecordRegistryZeroAddress();

    /// @notice A commitment or a root was zero.
    error RecordRegistryZeroCommitment();

    /// @notice `recordType` is `None`.
    error RecordRegistryInvalidType(RecordType recordType);

    /// @notice `account` is neither an active provider nor the patient writing wellness data.
    error RecordRegistryUnauthorizedAuthor(address account);

    /// @notice Patients may anchor only wellness records about themselves; `recordType` is another kind.
    error RecordRegistrySelfAuthoredType(RecordType recordType);

    /// @notice The author already anchored this content for `patient` (`commitment` is the record
    /// commitment); writes are idempotent by refusing the second one. Only the author's own record can
    /// cause it, since the record commitment binds the author.
    error RecordRegistryAlreadyAnchored(address patient, bytes32 commitment);

    /// @notice No record is anchored under this patient and record commitment.
    error RecordRegistryNotFound(address patient, bytes32 commitment);

    /// @notice Only the record's author may correct it; `account` is not `author`.
    error RecordRegistryNotAuthor(address account, address author);

    /// @notice The record already has a correction; correct the newest version instead.
    error RecordRegistrySuperseded(address patient, bytes32 commitment);

    /// @notice The record was erased and can no longer change.
    error RecordRegistryErased(address patient, bytes32 commitment);

    /// @notice `account` is neither `patient` nor a delegate with the needed capability.
    error RecordRegistryNotPatientOrDelegate(address account, address patient);

    /// @notice `patient` died; their records are kept and cannot be erased before `until`.
    error RecordRegistryRetained(address patient, uint256 until);

    /// @notice `patient` died; their records' flags are frozen.
    error RecordRegistryPatientDeceased(address patient);

    /// @notice A batch must commit to at least one record.
    error RecordRegistryEmptyBatch();

    /// @notice The caller already anchored this Merkle root; `root` is the bound root.
    error RecordRegistryBatchAlreadyAnchored(bytes32 root);

    /// @notice No batch has this root.
    error RecordRegistryBatchNotFound(bytes32 root);

    /// @notice The proof does not show `leaf` inside the batch `root` (the bound root).
    error RecordRegistryInvalidProof(bytes32 root, bytes32 leaf);

    /// @notice `author` anchored a record for `patient`; `commitment` is the record commitment.
    event RecordAnchored(
        address indexed patient,
        bytes32 indexed commitment,
        address indexed author,
        RecordType recordType,
        bool sensitive
    );

    /// @notice `author` corrected `previousCommitment` with `commitment` (both record commitments); both
    /// stay on-chain. `sensitive`
    /// is the new version's flag as stored (the previous version's flag carries over).
    event RecordAmended(
        address indexed patient,
        bytes32 indexed commitment,
        bytes32 indexed previousCommitment,
        address author,
        uint16 version,
        bool sensitive
    );

    /// @notice `patient`'s record is marked erased; readers must destroy payload and keys.
    event RecordErased(address indexed patient, bytes32 indexed commitment, address indexed by);

    /// @notice The patient (or a delegate) changed whether the record is sensitive (for a batched record:
    /// whether it is sensitive now, the author's flag included).
    event RecordSensitivityChanged(address indexed patient, bytes32 indexed commitment, bool sensitive);

    /// @notice `author` anchored `size` records; `root` is the bound root,
    /// `recordCommitmentOf(author, merkleRoot)`, which names the batch from then on.
    event BatchAnchored(address indexed author, bytes32 indexed root, uint32 size);

    /// @notice Anchors a record for `patient`. The caller is the author: an active provider, or the
    /// patient for `Wellness` records.
    /// The record is named by `recordCommitmentOf(msg.sender, commitment)`.
    /// @param patient The patient the record is about.
    /// @param commitment Content commitment: salted, to the encrypted payload (never a hash of plaintext).
    /// @param recordType Its clinical kind (not `None`).
    /// @param sensitive Whether only record-level grants open it.
    function anchorRecord(address patient, bytes32 commitment, RecordType recordType, bool sensitive) external;

    /// @notice Anchors a record on behalf of `author`. Only workflow contracts (the workflow role),
    /// which check the author themselves.
    /// @param author The provider who wrote the record.
    /// @param patient The patient the record is about.
    /// @param commitment Content commitment: salted, to the encrypted payload.
    /// @param recordType Its clinical kind (not `None`).
    /// @param sensitive Whether only record-level grants open it.
    /// @return record The record's name, `recordCommitmentOf(author, commitment)`, for the workflow to key its own state by.
    function anchorRecordFor(
        address author,
        address patient,
        bytes32 commitment,
        RecordType recordType,
        bool sensitive
    ) external returns (bytes32 record);

    /// @notice Corrects a record: anchors `commitment` as the next version of `previousCommitment`,
    /// which stays anchored and is marked superseded. Only the author of the previous version. A
    /// correction never lowers sensitivity: the new version is sensitive when `sensitive` is set or the
    /// previous version was sensitive (only the patient lifts the flag, with `setRecordSensitivity`).
    /// The new version is named by `recordCommitmentOf(msg.sender, commitment)`.
    /// @param patient The patient the record is about.
    /// @param previousCommitment The record commitment of the version being corrected (must be the newest).
    /// @param commitment The corrected version's content commitment.
    /// @param sensitive Whether the corrected version is sensitive (or-ed with the previous version's flag).
    function amendRecord(address patient, bytes32 previousCommitment, bytes32 commitment, bool sensitive) external;

    /// @notice Corrects a record on behalf of its author. Only workflow contracts (the workflow role),
    /// which check the author themselves.
    /// @param author The author of the previous version.
    /// @param patient The patient the record is about.
    /// @param previousCommitment The record commitment of the version being corrected (must be the newest).
    /// @param commitment The corrected version's content commitment.
    /// @param sensitive Whether the corrected version is sensitive (or-ed with the previous version's flag).
    /// @return record The new version's name, `recordCommitmentOf(author, commitment)`.
    function amendRecordFor(
        address author,
        address patient,
        bytes32 previousCommitment,
        bytes32 commitment,
        bool sensitive
    ) external returns (bytes32 record);

    /// @notice Marks a record erased. The patient or a delegate with the erase capability. Off-chain
    /// readers then destroy the payload and every wrapped key, so nothing can read it again. A
    /// deceased patient's records are retained and cannot be erased during the retention period.
    /// @param patient The patient.
    /// @param commitment The record commitment of the record to erase.
    function eraseRecord(address patient, bytes32 commitment) external;

    /// @notice Sets whether a record is sensitive. The patient or a delegate with the consent capability,
    /// and never after the patient's recorded death.
    /// @param patient The patient.
    /// @param commitment The record commitment.
    /// @param sensitive The new flag.
    function setRecordSensitivity(address patient, bytes32 commitment, bool sensitive) external;

    /// @notice Anchors `size` records under one Merkle root in one transaction. Only active providers.
    /// The batch is named by its bound root, `recordCommitmentOf(msg.sender, root)`, so nobody can take
    /// another provider's root first; the caller is the author of every leaf.
    /// @param root The Merkle root over `batchLeafHash` of each record (OpenZeppelin sorted-pair tree).
    /// @param size How many records the tree holds (informational; proofs decide membership).
    function anchorBatch(bytes32 root, uint32 size) external;

    /// @notice Marks a batched record erased. The patient or a delegate with the erase capability. The
    /// mark is kept by patient and record commitment (the batch's author bound to the leaf's content
    /// commitment), so it holds wherever that author publishes the same content (in another batch, or
    /// anchored on its own).
    /// @param root The batch's bound root.
    /// @param leaf The record.
    /// @param proof Its inclusion proof.
    function eraseBatchRecord(bytes32 root, BatchLeaf calldata leaf, bytes32[] calldata proof) external;

    /// @notice Marks a batched record sensitive, or lifts the patient's mark (the author's
    /// `leaf.sensitive` stays: a leaf the author committed as sensitive is always sensitive). The patient
    /// or a delegate with the consent capability, never after the patient's recorded death. Kept by
    /// patient and record commitment, like erasure, so the author's re-publication elsewhere is
    /// sensitive too.
    /// @param root The batch's bound root.
    /// @param leaf The record.
    /// @param proof Its inclusion proof.
    /// @param sensitive Whether the patient marks it sensitive.
    function setBatchRecordSensitivity(
        bytes32 root,
        BatchLeaf calldata leaf,
        bytes32[] calldata proof,
        bool sensitive
    ) external;

    /// @notice The record anchored for `patient` under a record commitment (author zero when none).
    /// @param patient The patient.
    /// @param commitment The record commitment.
    function recordOf(address patient, bytes32 commitment) external view returns (Record memory);

    /// @notice The batch anchored under a bound root (author zero when none).
    /// @param root The batch's bound root.
    function batchOf(bytes32 root) external view returns (Batch memory);

    /// @notice Whether `leaf` is in the batch `root` according to `proof` and the batch exists.
    /// @param root The batch's bound root.
    /// @param leaf The record.
    /// @param proof Its inclusion proof.
    function verifyBatchRecord(
        bytes32 root,
        BatchLeaf calldata leaf,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Whether a batched record was erased.
    /// @param patient The patient.
    /// @param commitment The record commitment (the batch's author bound to the leaf's commitment).
    function isBatchRecordErased(address patient, bytes32 commitment) external view returns (bool);

    /// @notice What the patient set on a batched record, by patient and record commitment:
    /// `FLAG_SENSITIVE` (the patient's mark) and `FLAG_ERASED` (zero when neither).
    /// @param patient The patient.
    /// @param commitment The record commitment (the batch's author bound to the leaf's commitment).
    function batchRecordFlagsOf(address patient, bytes32 commitment) external view returns (uint8);

    /// @notice The record commitment under which `author`'s anchoring of `contentCommitment` is kept:
    /// `sha256(tag || bytes32(author) || contentCommitment)`, with the 32-byte tag 0xff followed by
    /// "CareLedger/record-authorship/v1". A sha256 digest of a 96-byte preimage, like the content
    /// commitment, so it serves as a content address of that preimage. Also names batches
    /// (`recordCommitmentOf(author, merkleRoot)`) and batched records (the batch's author and the leaf's
    /// commitment).
    /// @param author The author (for a workflow record, the provider the workflow acts for).
    /// @param contentCommitment The content commitment, or a batch's Merkle root.
    function recordCommitmentOf(address author, bytes32 contentCommitment) external pure returns (bytes32);

    /// @notice The Merkle leaf of a batched record.
    /// @param leaf The record.
    function batchLeafHash(BatchLeaf calldata leaf) external pure returns (bytes32);

    /// @notice Flag: only record-level grants open the record.
    function FLAG_SENSITIVE() external view returns (uint8);

    /// @notice Flag: the patient erased the record.
    function FLAG_ERASED() external view returns (uint8);

    /// @notice Flag: a newer version corrects the record.
    function FLAG_SUPERSEDED() external view returns (uint8);

    /// @notice The role of workflow contracts allowed to anchor on a provider's behalf.
    function WORKFLOW_ROLE() external view returns (bytes32);
}
