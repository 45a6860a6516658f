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

    /// @param consent The consent manager. The directory and the registry are the ones it reads, so a
    /// workflow cannot check providers in one directory, or anchor in one registry, while the access rule
    /// reads another.
    constructor(IConsentManager consent) {
        _consent = _nonZero(consent);
        _directory = consent.directory();
        _registry = consent.registry();
    }

    /// @dev Also for base-constructor arguments read from the consent manager before this constructor runs.
    function _nonZero(IConsentManager consent) internal pure returns (IConsentManager) {
        if (address(consent) == address(0)) revert WorkflowZeroAddress();
        return consent;
    }

    function _checkActiveKind(address account, ProviderKind expected) internal view {
        if (_directory.activeKindOf(account) != expected) revert WorkflowUnauthorizedProvider(account, expected);
    }
}
