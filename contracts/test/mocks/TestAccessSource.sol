// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessSource} from "../../interfaces/IAccessSource.sol";
import {Purpose, RecordType} from "../../libraries/CareTypes.sol";

/// @title TestAccessSource
/// @notice Test fixture: a workflow access source whose answer the test sets. It either opens every
/// query (`setAnswerAll`) or exactly the queries it was told about (`setAnswer`), so a test can also
/// check that the consent manager passes the record's real attributes.
contract TestAccessSource is IAccessSource {
    bool private _answerAll;
    mapping(bytes32 query => bool allowed) private _answers;

    /// @notice Makes every query answer `allowed`.
    function setAnswerAll(bool allowed) external {
        _answerAll = allowed;
    }

    /// @notice Sets the answer to one exact query.
    function setAnswer(
        address accessor,
        address patient,
        bytes32 commitment,
        RecordType recordType,
        bool sensitive,
        Purpose purpose,
        bool allowed
    ) external {
        _answers[_queryKey(accessor, patient, commitment, recordType, sensitive, purpose)] = allowed;
    }

    /// @inheritdoc IAccessSource
    function grantsAccess(
        address accessor,
        address patient,
        bytes32 commitment,
        RecordType recordType,
        bool sensitive,
        Purpose purpose
    ) external view returns (bool) {
        return _answerAll || _answers[_queryKey(accessor, patient, commitment, recordType, sensitive, purpose)];
    }

    function _queryKey(
        address accessor,
        address patient,
        bytes32 commitment,
        RecordType recordType,
        bool sensitive,
        Purpose purpose
    ) private pure returns (bytes32) {
        return keccak256(abi.encode(accessor, patient, commitment, recordType, sensitive, purpose));
    }
}
