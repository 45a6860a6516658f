// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IEmergencyAccess
/// @notice Break-glass access for an unresponsive patient. An active emergency department opens a
/// session of at most `MAX_DURATION`, stating a reason code; it leaves an event the patient sees and
/// a stored, numbered trace reviewed afterwards. Sensitive records stay closed unless the patient
/// allowed emergency access to them.
///
/// The full trace is the `EmergencyAccessOpened` / `EmergencyAccessClosed` event log (patient and
/// provider indexed); storage keeps each provider's latest session per patient and a count, which is
/// what the access rule needs and what a reviewer checks against the log.
interface IEmergencyAccess {
    /// @notice A provider's latest break-glass session for one patient. Fits in one slot (5 + 5 + 2 + 4 bytes).
    /// @param openedAt When it opened.
    /// @param expiresAt When it ends (exclusive); moved earlier when closed early.
    /// @param reasonCode Why (a code from the deployment's published list, never free text).
    /// @param count How many sessions this provider has opened for this patient, this one included.
    struct Session {
        uint40 openedAt;
        uint40 expiresAt;
        uint16 reasonCode;
        uint32 count;
    }

    /// @notice `duration` is zero or longer than `max`.
    error EmergencyAccessInvalidDuration(uint256 duration, uint256 max);

    /// @notice The reason code is zero; every break-glass needs a stated reason.
    error EmergencyAccessMissingReason();

    /// @notice The zero address was given as the patient.
    error EmergencyAccessZeroPatient();

    /// @notice `provider` holds no open session for `patient`.
    error EmergencyAccessNoSession(address patient, address provider);

    /// @notice `provider` opened break-glass access to `patient`'s records (its `count`-th session).
    event EmergencyAccessOpened(
        address indexed patient,
        address indexed provider,
        uint16 indexed reasonCode,
        uint40 expiresAt,
        uint32 count
    );

    /// @notice `provider` closed its session early.
    event EmergencyAccessClosed(address indexed patient, address indexed provider, uint40 closedAt);

    /// @notice `patient` allowed (or stopped allowing) emergency access to their sensitive records.
    event EmergencySensitiveAccessChanged(address indexed patient, bool allowed);

    /// @notice Opens break-glass access to `patient`'s records for `duration` seconds. Only active
    /// emergency departments. Opening again replaces the caller's session with a new one.
    /// @param patient The patient.
    /// @param reasonCode Why (non-zero).
    /// @param duration Seconds, at most `MAX_DURATION`.
    /// @return expiresAt When the session ends.
    function openEmergencyAccess(
        address patient,
        uint16 reasonCode,
        uint32 duration
    ) external returns (uint40 expiresAt);

    /// @notice Ends the caller's open session for `patient` now.
    /// @param patient The patient.
    function closeEmergencyAccess(address patient) external;

    /// @notice Lets the caller (a patient) decide whether break-glass sessions open sensitive records.
    /// @param allowed Whether they do.
    function setEmergencyAccessToSensitive(bool allowed) external;

    /// @notice The latest session of `provider` for `patient` (all zero when none).
    /// @param patient The patient.
    /// @param provider The emergency department.
    function sessionOf(address patient, address provider) external view returns (Session memory);

    /// @notice Whether `provider` holds an open session for `patient` now.
    /// @param patient The patient.
    /// @param provider The emergency department.
    function isSessionOpen(address patient, address provider) external view returns (bool);

    /// @notice Whether `patient` allowed emergency access to sensitive records.
    /// @param patient The patient.
    function allowsSensitiveAccess(address patient) external view returns (bool);

    /// @notice The longest break-glass session: 24 hours.
    function MAX_DURATION() external view returns (uint256);
}
