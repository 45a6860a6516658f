// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPatientDelegation
/// @notice Who may act for a patient. A patient appoints delegates with a bounded set of
/// capabilities and an end date; the registrar records what the law decides for the patient
/// (a minor's guardians, a death) and the patient names heirs. The record registry and the consent
/// manager ask this contract before letting anyone other than the patient act.
///
/// The rules: a guardian may read and manage consents (never erase) while the patient is a minor,
/// unless the minor took control, after which the guardian needs the minor's own appointment like
/// anyone else. The registrar's word alone is not enough: a recorded guardianship takes effect only
/// after `GUARDIANSHIP_VETO_PERIOD`, during which the patient may veto it (an adult wrongly recorded
/// as someone's ward), or earlier when the patient's own account accepts it. Once a patient vetoed a
/// guardianship, later ones wait for the patient's acceptance. After a recorded death, explicit
/// delegations end, the patient's key opens nothing and nothing may be erased for
/// `RETENTION_AFTER_DEATH`; designated heirs read only once `DEATH_CONTEST_PERIOD` has passed since the
/// recording, during which the patient's own key may contest it once (a living patient wrongly recorded
/// dead undoes it before any heir reads).
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

    /// @notice A guardianship. Fits in one slot (5 + 5 bytes).
    /// @param effectiveFrom When it takes effect: the end of the veto period, the patient's acceptance,
    /// or never (`type(uint40).max`) while it waits for the acceptance of a patient who vetoed before.
    /// @param until When the minor comes of age (exclusive).
    struct Guardianship {
        uint40 effectiveFrom;
        uint40 until;
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

    /// @notice `account` does not hold the registrar role of the provider directory.
    error PatientDelegationNotRegistrar(address account);

    /// @notice `minorUntil` is not in the future.
    error PatientDelegationInvalidMinority(uint40 minorUntil);

    /// @notice No guardianship of `guardian` over `minor` is recorded.
    error PatientDelegationNotGuardian(address minor, address guardian);

    /// @notice The guardianship of `guardian` over `minor` took effect at `effectiveFrom`; it can no
    /// longer be vetoed (the minor may still take control with `setMinorControl`).
    error PatientDelegationGuardianshipInEffect(address minor, address guardian, uint40 effectiveFrom);

    /// @notice A registrar may not record itself as anyone's guardian.
    error PatientDelegationRegistrarAsGuardian(address registrar);

    /// @notice `patient`'s death is already recorded (or is being recorded in the future).
    error PatientDelegationDeceased(address patient);

    /// @notice `diedAt` is zero or in the future.
    error PatientDelegationInvalidDeathTime(uint40 diedAt);

    /// @notice `patient`'s death cannot be contested: none is recorded, the contest period ended at
    /// `contestableUntil`, or the patient already contested one (`contestableUntil` is zero then).
    error PatientDelegationDeathNotContestable(address patient, uint256 contestableUntil);

    /// @notice `heir` is not a designated heir of `patient`.
    error PatientDelegationNotHeir(address patient, address heir);

    /// @notice `patient` appointed (or re-appointed) `delegate`.
    event DelegateAppointed(address indexed patient, address indexed delegate, uint8 capabilities, uint40 validUntil);

    /// @notice `patient` removed `delegate`.
    event DelegateRemoved(address indexed patient, address indexed delegate);

    /// @notice The registrar recorded `guardian` as a guardian of `minor` until `minorUntil`; it takes
    /// effect at `effectiveFrom` unless the minor vetoes it first.
    event GuardianRecorded(address indexed minor, address indexed guardian, uint40 minorUntil, uint40 effectiveFrom);

    /// @notice `minor` accepted `guardian`'s guardianship: it took effect now.
    event GuardianAccepted(address indexed minor, address indexed guardian);

    /// @notice `minor` vetoed `guardian`'s pending guardianship; later ones wait for the minor's acceptance.
    event GuardianVetoed(address indexed minor, address indexed guardian);

    /// @notice The registrar removed `guardian` as a guardian of `minor`.
    event GuardianRemoved(address indexed minor, address indexed guardian);

    /// @notice `minor` made guardians' access subject to the minor's own permission (or lifted it).
    event MinorControlChanged(address indexed minor, bool selfControlled);

    /// @notice The registrar recorded `patient`'s death.
    event DeathRecorded(address indexed patient, uint40 diedAt, address indexed registrar);

    /// @notice `patient` contested their recorded death: it is undone.
    event DeathContested(address indexed patient);

    /// @notice `patient` designated `heir` to obtain their records after death.
    event HeirDesignated(address indexed patient, address indexed heir);

    /// @notice `patient` withdrew `heir`'s designation.
    event HeirRemoved(address indexed patient, address indexed heir);

    /// @notice Appoints `delegate` to act for the caller, replacing any earlier delegation to it.
    /// @param delegate The account that will act for the caller.
    /// @param capabilities Bitmask of `CAPABILITY_*` values (non-empty).
    /// @param validUntil When the delegation ends; must be in the future.
    function appointDelegate(address delegate, uint8 capabilities, uint40 validUntil) external;

    /// @notice Ends the caller's delegation to `delegate` at once.
    /// @param delegate The delegate to remove.
    function removeDelegate(address delegate) external;

    /// @notice Records that `guardian` is a legal guardian of `minor` until `minorUntil` (the minor's
    /// coming of age). Only the directory's registrar, never for itself. The guardianship takes effect
    /// after `GUARDIANSHIP_VETO_PERIOD` (or when `minor` accepts it); if `minor` ever vetoed one, only
    /// when `minor` accepts it.
    /// @param minor The minor patient.
    /// @param guardian The parent or guardian.
    /// @param minorUntil When the minor comes of age; must be in the future.
    function recordGuardian(address minor, address guardian, uint40 minorUntil) external;

    /// @notice Makes a recorded guardianship of the caller take effect now: the minor's (or, for a young
    /// child, the account holder's) acknowledgement.
    /// @param guardian The recorded guardian.
    function acceptGuardian(address guardian) external;

    /// @notice Vetoes a recorded guardianship of the caller before it takes effect, and makes every later
    /// one wait for the caller's acceptance: an adult wrongly recorded as a ward undoes it.
    /// @param guardian The recorded guardian.
    function vetoGuardian(address guardian) external;

    /// @notice Removes a guardianship (e.g. a court decision). Only the directory's registrar.
    /// @param minor The minor patient.
    /// @param guardian The guardian to remove.
    function removeGuardian(address minor, address guardian) external;

    /// @notice Called by a minor able to judge: when `selfControlled`, guardians act only under the
    /// minor's own appointments (`appointDelegate`); when not, guardianship applies again.
    /// @param selfControlled Whether guardians need the minor's permission.
    function setMinorControl(bool selfControlled) external;

    /// @notice Records `patient`'s death. Only the directory's registrar. It takes effect at once (the
    /// patient's key opens nothing, nothing may be erased), except that heirs read only after
    /// `DEATH_CONTEST_PERIOD`; the patient may contest it once within that period, after which it is final.
    /// @param patient The deceased patient.
    /// @param diedAt Time of death; not in the future.
    function recordDeath(address patient, uint40 diedAt) external;

    /// @notice Called by a patient recorded dead less than `DEATH_CONTEST_PERIOD` ago: undoes the record.
    /// Once per patient, so that whoever holds a dead patient's key cannot undo every recording.
    function contestDeath() external;

    /// @notice Designates `heir` to read the caller's records after the caller's death.
    /// @param heir The heir.
    function designateHeir(address heir) external;

    /// @notice Withdraws a designation of `heir`. Only while alive.
    /// @param heir The heir.
    function removeHeir(address heir) external;

    /// @notice Whether `delegate` may now exercise every capability in `capabilities` for `patient`.
    /// A guardianship in effect gives consent management and reading, never erasure.
    /// @param patient The patient.
    /// @param delegate The account claiming to act for the patient.
    /// @param capabilities Bitmask of the capabilities needed.
    function isDelegate(address patient, address delegate, uint8 capabilities) external view returns (bool);

    /// @notice The stored delegation from `patient` to `delegate` (all zero when none).
    /// @param patient The patient.
    /// @param delegate The delegate.
    function delegationOf(address patient, address delegate) external view returns (Delegation memory);

    /// @notice When `minor`'s guardianship by `guardian` ends (zero when none).
    /// @param minor The minor.
    /// @param guardian The guardian.
    function guardianshipUntil(address minor, address guardian) external view returns (uint40);

    /// @notice The guardianship of `guardian` over `minor` (all zero when none).
    /// @param minor The minor.
    /// @param guardian The guardian.
    function guardianshipOf(address minor, address guardian) external view returns (Guardianship memory);

    /// @notice Whether `minor` vetoed a guardianship, so that later ones need the minor's acceptance.
    /// @param minor The minor.
    function hasVetoedGuardianship(address minor) external view returns (bool);

    /// @notice Whether `minor` made guardians' access subject to the minor's permission.
    /// @param minor The minor.
    function isMinorSelfControlled(address minor) external view returns (bool);

    /// @notice Until when `patient`'s recorded death may be contested (zero when it may not be).
    /// @param patient The patient.
    function deathContestableUntil(address patient) external view returns (uint256);

    /// @notice `patient`'s recorded time of death (zero while alive).
    /// @param patient The patient.
    function diedAt(address patient) external view returns (uint40);

    /// @notice Whether `heir` is a designated heir of `patient`.
    /// @param patient The patient.
    /// @param heir The heir.
    function isHeir(address patient, address heir) external view returns (bool);

    /// @notice Until when `patient`'s records may not be erased (zero when they may be now).
    /// @param patient The patient.
    function erasureBlockedUntil(address patient) external view returns (uint256);

    /// @notice How long after a death is recorded heirs wait, and the patient may contest it: 7 days.
    function DEATH_CONTEST_PERIOD() external view returns (uint256);

    /// @notice How long a recorded guardianship waits for a veto before it takes effect: 7 days.
    function GUARDIANSHIP_VETO_PERIOD() external view returns (uint256);

    /// @notice How long a deceased patient's records are kept before erasure is possible.
    function RETENTION_AFTER_DEATH() external view returns (uint256);

    /// @notice Capability: grant and revoke consents for the patient.
    function CAPABILITY_MANAGE_CONSENT() external view returns (uint8);

    /// @notice Capability: mark the patient's records erased.
    function CAPABILITY_ERASE() external view returns (uint8);

    /// @notice Capability: read the patient's records.
    function CAPABILITY_READ() external view returns (uint8);
}
