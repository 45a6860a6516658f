// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IProviderDirectory} from "./interfaces/IProviderDirectory.sol";
import {ProviderForm, ProviderKind} from "./libraries/CareTypes.sol";

/// @title ProviderDirectory
/// @notice Registrar-managed directory of providers. The admin role changes hands in two steps
/// with a delay (OpenZeppelin AccessControlDefaultAdminRules), so a mistyped address cannot take over.
contract ProviderDirectory is IProviderDirectory, AccessControlDefaultAdminRules {
    /// @inheritdoc IProviderDirectory
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @dev How many organisations above an account the directory follows (a ward, its hospital, a
    /// group...). Bounds the walk in `_activeKindOf`; `_checkProfile` refuses deeper chains and loops.
    uint256 private constant _MAX_ORGANISATION_DEPTH = 4;

    mapping(address account => Provider provider) private _providers;

    /// @param admin The first admin (may grant the registrar role).
    /// @param registrar The first registrar.
    /// @param adminTransferDelay Seconds a new admin must wait before accepting the role.
    constructor(
        address admin,
        address registrar,
        uint48 adminTransferDelay
    ) AccessControlDefaultAdminRules(adminTransferDelay, admin) {
        if (registrar == address(0)) revert ProviderDirectoryZeroAddress();
        _grantRole(REGISTRAR_ROLE, registrar);
    }

    /// @inheritdoc IProviderDirectory
    function registerProvider(address account, ProviderProfile calldata profile) external onlyRole(REGISTRAR_ROLE) {
        if (account == address(0)) revert ProviderDirectoryZeroAddress();
        if (_providers[account].kind != ProviderKind.None) revert ProviderDirectoryAlreadyRegistered(account);
        _checkProfile(account, profile);
        _providers[account] = Provider({
            kind: profile.kind,
            form: profile.form,
            hipaa: profile.hipaa,
            suspended: false,
            registeredAt: uint40(block.timestamp),
            organisation: profile.organisation
        });
        emit ProviderRegistered(account, profile.kind, profile.organisation, profile.form, profile.hipaa);
    }

    /// @inheritdoc IProviderDirectory
    function updateProvider(address account, ProviderProfile calldata profile) external onlyRole(REGISTRAR_ROLE) {
        Provider storage provider = _registered(account);
        _checkProfile(account, profile);
        provider.kind = profile.kind;
        provider.form = profile.form;
        provider.hipaa = profile.hipaa;
        provider.organisation = profile.organisation;
        emit ProviderUpdated(account, profile.kind, profile.organisation, profile.form, profile.hipaa);
    }

    /// @inheritdoc IProviderDirectory
    function suspendProvider(address account, bytes32 reasonCode) external onlyRole(REGISTRAR_ROLE) {
        Provider storage provider = _registered(account);
        if (provider.suspended) revert ProviderDirectoryStatusUnchanged(account, true);
        provider.suspended = true;
        emit ProviderSuspended(account, msg.sender, reasonCode);
    }

    /// @inheritdoc IProviderDirectory
    function reinstateProvider(address account) external onlyRole(REGISTRAR_ROLE) {
        Provider storage provider = _registered(account);
        if (!provider.suspended) revert ProviderDirectoryStatusUnchanged(account, false);
        provider.suspended = false;
        emit ProviderReinstated(account, msg.sender);
    }

    /// @inheritdoc IProviderDirectory
    function providerOf(address account) external view returns (Provider memory) {
        return _providers[account];
    }

    /// @inheritdoc IProviderDirectory
    function isActiveProvider(address account) external view returns (bool) {
        return _activeKindOf(account) != ProviderKind.None;
    }

    /// @inheritdoc IProviderDirectory
    function activeKindOf(address account) external view returns (ProviderKind) {
        return _activeKindOf(account);
    }

    /// @inheritdoc IProviderDirectory
    function activeKindsOf(address first, address second) external view returns (ProviderKind, ProviderKind) {
        return (_activeKindOf(first), _activeKindOf(second));
    }

    function _activeKindOf(address account) internal view returns (ProviderKind kind) {
        Provider storage provider = _providers[account];
        kind = provider.kind;
        if (kind == ProviderKind.None) return kind;
        bool suspended = provider.suspended;
        address organisation = provider.organisation;
        // A provider acts for its organisation, which may itself belong to one (a ward of a hospital):
        // suspending any organisation up the chain stops everyone below it.
        for (uint256 depth = 0; ; ++depth) {
            if (suspended) return ProviderKind.None;
            if (organisation == address(0)) return kind;
            // Only a later move of an organisation can make a chain this deep: fail closed.
            if (depth == _MAX_ORGANISATION_DEPTH) return ProviderKind.None;
            Provider storage unit = _providers[organisation];
            suspended = unit.suspended;
            organisation = unit.organisation;
        }
    }

    function _registered(address account) private view returns (Provider storage provider) {
        provider = _providers[account];
        if (provider.kind == ProviderKind.None) revert ProviderDirectoryNotRegistered(account);
    }

    /// @dev Refuses a profile `account` may not take: the `None` kind, or an organisation that is not a
    /// registered organisation-form provider, is the account itself, or would put the account more than
    /// `_MAX_ORGANISATION_DEPTH` organisations deep or in a loop. Enum values out of range revert, without
    /// data, wherever they are read from calldata.
    function _checkProfile(address account, ProviderProfile calldata profile) private view {
        ProviderKind kind = profile.kind;
        if (kind == ProviderKind.None) revert ProviderDirectoryInvalidKind(kind);
        address organisation = profile.organisation;
        if (organisation != address(0)) {
            Provider storage org = _providers[organisation];
            if (organisation == account || org.kind == ProviderKind.None || org.form != ProviderForm.Organisation) {
                revert ProviderDirectoryInvalidOrganisation(organisation);
            }
            // The chain above the account must end, without passing through the account, within the depth.
            address above = org.organisation;
            for (uint256 depth = 2; above != address(0); ++depth) {
                if (above == account || depth > _MAX_ORGANISATION_DEPTH) {
                    revert ProviderDirectoryInvalidOrganisation(organisation);
                }
                above = _providers[above].organisation;
            }
        }
    }
}
