// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {HipaaRole, ProviderForm, ProviderKind} from "../libraries/CareTypes.sol";

/// @title IProviderDirectory
/// @notice The registry of healthcare providers allowed to write records and take part in
/// workflows. Accounts are pseudonyms: the mapping from a licence number or a name to an account
/// is kept off-chain by the registrar, never stored here.
interface IProviderDirectory {
    /// @notice A provider's directory entry. Fits in one storage slot (1 + 1 + 1 + 1 + 5 + 20 bytes).
    /// @param kind What the provider is; `None` for an unregistered account.
    /// @param form Practitioner or organisation.
    /// @param hipaa Covered entity or business associate.
    /// @param suspended True while the registrar has suspended the provider.
    /// @param registeredAt When the provider was first registered.
    /// @param organisation The organisation a practitioner works for (zero when none).
    struct Provider {
        ProviderKind kind;
        ProviderForm form;
        HipaaRole hipaa;
        bool suspended;
        uint40 registeredAt;
        address organisation;
    }

    /// @notice What the registrar sets when it registers or updates a provider.
    /// @param kind What the provider is (not `None`).
    /// @param form Practitioner or organisation.
    /// @param hipaa Covered entity or business associate.
    /// @param organisation The registered organisation a practitioner belongs to, or zero.
    struct ProviderProfile {
        ProviderKind kind;
        ProviderForm form;
        HipaaRole hipaa;
        address organisation;
    }

    /// @notice The zero address was given where an account is required.
    error ProviderDirectoryZeroAddress();

    /// @notice `kind` is not a provider kind (`None`).
    error ProviderDirectoryInvalidKind(ProviderKind kind);

    /// @notice `account` is already registered.
    error ProviderDirectoryAlreadyRegistered(address account);

    /// @notice `account` is not registered.
    error ProviderDirectoryNotRegistered(address account);

    /// @notice `organisation` is not a registered organisation, so no practitioner can join it.
    error ProviderDirectoryInvalidOrganisation(address organisation);

    /// @notice `account` is already in the requested suspension state.
    error ProviderDirectoryStatusUnchanged(address account, bool suspended);

    /// @notice The registrar registered `account`.
    event ProviderRegistered(
        address indexed account,
        ProviderKind indexed kind,
        address indexed organisation,
        ProviderForm form,
        HipaaRole hipaa
    );

    /// @notice The registrar changed `account`'s entry.
    event ProviderUpdated(
        address indexed account,
        ProviderKind indexed kind,
        address indexed organisation,
        ProviderForm form,
        HipaaRole hipaa
    );

    /// @notice The registrar suspended `account`: it lost every access at once.
    event ProviderSuspended(address indexed account, address indexed registrar, bytes32 reasonCode);

    /// @notice The registrar lifted `account`'s suspension.
    event ProviderReinstated(address indexed account, address indexed registrar);

    /// @notice Registers a provider. Only the registrar role.
    /// @param account The provider's account.
    /// @param profile Its kind, form, HIPAA role and organisation.
    function registerProvider(address account, ProviderProfile calldata profile) external;

    /// @notice Changes a registered provider's kind, form, HIPAA role and organisation. Only the
    /// registrar role. The suspension state and registration time are kept.
    /// @param account The provider's account.
    /// @param profile Its new kind, form, HIPAA role and organisation.
    function updateProvider(address account, ProviderProfile calldata profile) external;

    /// @notice Suspends a provider; every access it had, and every access of the practitioners of a
    /// suspended organisation, stops in the same block. Only the registrar role.
    /// @param account The provider's account.
    /// @param reasonCode An opaque code for the registrar's own records (never free text).
    function suspendProvider(address account, bytes32 reasonCode) external;

    /// @notice Lifts a provider's suspension. Only the registrar role.
    /// @param account The provider's account.
    function reinstateProvider(address account) external;

    /// @notice Returns `account`'s directory entry (kind `None` when unregistered).
    /// @param account The account to look up.
    function providerOf(address account) external view returns (Provider memory);

    /// @notice Whether `account` is a registered provider that may act now: neither it nor its
    /// organisation is suspended.
    /// @param account The account to check.
    function isActiveProvider(address account) external view returns (bool);

    /// @notice The kind of `account` if it is an active provider, `None` otherwise. One call for
    /// the common "is this an active pharmacy?" question.
    /// @param account The account to check.
    function activeKindOf(address account) external view returns (ProviderKind);

    /// @notice `activeKindOf` of two accounts in one call, for workflows that check two parties (a doctor
    /// and the laboratory addressed, a pharmacy and the prescriber).
    /// @param first The first account.
    /// @param second The second account.
    function activeKindsOf(address first, address second) external view returns (ProviderKind, ProviderKind);

    /// @notice The role that may register, update and suspend providers.
    function REGISTRAR_ROLE() external view returns (bytes32);
}
