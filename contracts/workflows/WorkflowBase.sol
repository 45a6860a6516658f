// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IProviderDirectory} from "../interfaces/IProviderDirectory.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {ProviderKind} from "../libraries/CareTypes.sol";

/// @title WorkflowBase
/// @notice What every clinical workflow contract shares: the core contracts it reads and writes,
/// and the "is this an active provider of that kind" check.
abstract contract WorkflowBase {
    /// @notice The zero address was given where a contract or account is required.
    error WorkflowZeroAddress();

    /// @notice `account` is not an active provider of kind `expected`.
    error WorkflowUnauthorizedProvider(address account, ProviderKind expected);

    IProviderDirectory internal immutable _directory;
    IRecordRegistry internal immutable _registry;
    IConsentManager internal immutable _consent;

    /// @param directory The provider directory.
    /// @param recordRegistry The record registry (this contract needs its workflow role).
    /// @param consent The consent manager.
    constructor(IProviderDirectory directory, IRecordRegistry recordRegistry, IConsentManager consent) {
        if (address(directory) == address(0) || address(recordRegistry) == address(0) || address(consent) == address(0))
            revert WorkflowZeroAddress();
        _directory = directory;
        _registry = recordRegistry;
        _consent = consent;
    }

    function _checkActiveKind(address account, ProviderKind expected) internal view {
        if (_directory.activeKindOf(account) != expected) revert WorkflowUnauthorizedProvider(account, expected);
    }
}
