// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessSource} from "../../interfaces/IAccessSource.sol";
import {AccessRequest} from "../../libraries/CareTypes.sol";

/// @title TestAccessSource
/// @notice Test fixture: a workflow access source whose answer the test sets. It either opens every
/// request (`setAnswerAll`) or exactly the requests it was told about (`setAnswer`), so a test can also
/// check that the consent manager passes the record's real attributes.
contract TestAccessSource is IAccessSource {
    bool private _answerAll;
    mapping(bytes32 requestKey => bool allowed) private _answers;

    /// @notice Makes every request answer `allowed`.
    function setAnswerAll(bool allowed) external {
        _answerAll = allowed;
    }

    /// @notice Sets the answer to one exact request.
    function setAnswer(AccessRequest calldata request, bool allowed) external {
        _answers[_requestKey(request)] = allowed;
    }

    /// @inheritdoc IAccessSource
    function grantsAccess(AccessRequest calldata request) external view returns (bool) {
        return _answerAll || _answers[_requestKey(request)];
    }

    function _requestKey(AccessRequest calldata request) private pure returns (bytes32) {
        return keccak256(abi.encode(request));
    }
}
