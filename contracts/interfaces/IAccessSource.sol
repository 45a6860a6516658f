// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessRequest} from "../libraries/CareTypes.sol";

/// @title IAccessSource
/// @notice A workflow contract that opens access by virtue of a clinical relationship (an order, an
/// emergency, an admission) rather than a consent grant. The consent manager asks every registered
/// source after its own rules; a source only ever adds access, it cannot veto.
interface IAccessSource {
    /// @notice Whether this source lets `request.accessor` read the record now.
    /// @param request The account asking, the record (its patient, commitment, type and sensitivity) and why.
    function grantsAccess(AccessRequest calldata request) external view returns (bool);
}
