// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title RecordCommitments
/// @notice Binds a record's author to what it anchors. A caller passes the *content commitment* `c`
/// (the SDK's `sha256(contentTag || salt || sha256(envelope))`); the registry keys the record by the
/// *record commitment* `sha256(AUTHORSHIP_TAG || bytes32(author) || c)`. Anyone who anchors the same
/// `c` first (a front-runner who copied it from the mempool or from a shared store) gets a record
/// commitment of their own, so they can neither block the author's anchoring nor become its author.
/// @dev SHA-256 (the precompile), not keccak256: the record commitment is then itself a sha256 digest
/// of a 96-byte preimage, so the SDK stores that preimage as a raw IPFS block whose content address
/// is derived from the record commitment alone, exactly like the content commitment's preimage.
library RecordCommitments {
    /// @notice Domain tag of record commitments, 32 bytes: 0xff followed by the ASCII text
    /// "CareLedger/record-authorship/v1". It differs from the content commitments' tag
    /// (0xff || "CareLedger/record-commitment/v2"), so one preimage can never pass for the other.
    bytes32 internal constant AUTHORSHIP_TAG = 0xff436172654c65646765722f7265636f72642d617574686f72736869702f7631;

    /// @notice The record commitment of `contentCommitment` anchored by `author`.
    /// @param author The record's author as the registry records it.
    /// @param contentCommitment What the author committed to.
    function bind(address author, bytes32 contentCommitment) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(AUTHORSHIP_TAG, bytes32(uint256(uint160(author))), contentCommitment));
    }
}
