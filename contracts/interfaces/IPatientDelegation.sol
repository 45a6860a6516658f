// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPatientDelegation
/// @notice Who may act for a patient. A patient appoints delegates with a bounded set of
/// capabilities and an end date; the record registry and the consent manager ask this contract
/// before letting anyone other than the patient manage the patient's consents or records.
interface IPatientDelegation {
    /// @notice A delegation. Fits in one slot (1 + 5 + 5 bytes).
    /// @param capabilities Bitmask of `CAPABILITY_*` values.
    /// @param appointedAt When the patient appointed the delegate.
    /// @param validUntil When the delegation ends (exclusive).
    struct Delegation {
        uint8 capabilities;
        uint40 appointedAt;
        uint40 validUntil;
    }

    /// @notice The zero address was given where an account is required.
    error PatientDelegationZeroAddress();

    /// @notice A patient tried to appoint themself.
    error PatientDelegationSelf(address patient);

    /// @notice `capabilities` is empty or has bits that mean nothing.
    error PatientDelegationInvalidCapabilities(uint8 capabilities);

    /// @notice `validUntil` is not in the future.
    error PatientDelegationInvalidEnd(uint40 validUntil, uint256 nowTime);

    /// @notice `delegate` holds no delegation from `patient`.
    error PatientDelegationNotFound(address patient, address delegate);

    /// @notice `patient` appointed (or re-appointed) `delegate`.
    event DelegateAppointed(address indexed patient, address indexed delegate, uint8 capabilities, uint40 validUntil);

    /// @notice `patient` removed `delegate`.
    event DelegateRemoved(address indexed patient, address indexed delegate);

    /// @notice Appoints `delegate` to act for the caller, replacing any earlier delegation to it.
    /// @param delegate The account that will act for the caller.
    /// @param capabilities Bitmask of `CAPABILITY_*` values (non-empty).
    /// @param validUntil When the delegation ends; must be in the future.
    function appointDelegate(address delegate, uint8 capabilities, uint40 validUntil) external;

    /// @notice Ends the caller's delegation to `delegate` at once.
    /// @param delegate The delegate to remove.
    function removeDelegate(address delegate) external;

    /// @notice Whether `delegate` may now exercise every capability in `capabilities` for `patient`.
    /// @param patient The patient.
    /// @param delegate The account claiming to act for the patient.
    /// @param capabilities Bitmask of the capabilities needed.
    function isDelegate(address patient, address delegate, uint8 capabilities) external view returns (bool);

    /// @notice The stored delegation from `patient` to `delegate` (all zero when none).
    /// @param patient The patient.
    /// @param delegate The delegate.
    function delegationOf(address patient, address delegate) external view returns (Delegation memory);

    /// @notice Capability: grant and revoke consents for the patient.
    function CAPABILITY_MANAGE_CONSENT() external view returns (uint8);

    /// @notice Capability: mark the patient's records erased.
    function CAPABILITY_ERASE() external view returns (uint8);

    /// @notice Capability: read the patient's records.
    function CAPABILITY_READ() external view returns (uint8);
}
