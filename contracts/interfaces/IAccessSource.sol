// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Purpose, RecordType} from "../libraries/CareTypes.sol";

/// @title IAccessSource
/// @notice A workflow contract that opens access by virtue of a clinical relationship (an order, an
/// emergency, an admission) rather than a consent grant. The consent manager asks every registered
/// source after its own rules; a source only ever adds access, it cannot veto.
interface IAccessSource {
    /// @notice Whether this source lets `accessor` read the record now.
    /// @param accessor The account asking.
    /// @param patient The record's patient.
    /// @param commitment The record's commitment.
    /// @param recordType The record's type.
    /// @param sensitive Whether the record is sensitive.
    /// @param purpose Why the account asks.
    function grantsAccess(
        address accessor,
        address patient,
        bytes32 commitment,
        RecordType recordType,
        bool sensitive,
        Purpose purpose
    ) external view returns (bool);
}
