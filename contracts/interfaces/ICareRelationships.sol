// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ICareRelationships
/// @notice Access windows that follow the care relationship, for the `Treatment` purpose and
/// non-sensitive records:
/// - the patient's registered family doctor, until the patient changes it;
/// - a doctor with an appointment the patient booked, for that (UTC) day;
/// - doctors of a hospital the patient checked into (and of its wards), for `CHECK_IN_PERIOD`;
/// - doctors of the ward the patient is admitted to, until the hospital records discharge or
///   `MAX_ADMISSION_PERIOD` passes, whichever is first (a longer stay is a new, signed admission).
///
/// No hospital opens a window alone: a check-in or an admission carries the patient's EIP-712
/// signature for that hospital (or ward), with a one-time visit id and an expiry at most
/// `MAX_CODE_LIFETIME` ahead, so a window ends at most `CHECK_IN_PERIOD` (or `MAX_ADMISSION_PERIOD`)
/// after the patient last signed. Appointments are booked by the patient (or a consent delegate). A
/// delegate never names itself family doctor or books itself an appointment.
///
/// A patient may require a one-time unlock: relationship access then opens to a doctor only after
/// the doctor presents an unlock the patient handed over at the visit. The unlock is the patient's
/// EIP-712 signature over (doctor, random code id, expiry) — shown as a QR code or typed — so nothing
/// is stored on-chain before use that anyone could brute-force offline (unlike the hash of a short
/// code); each code id works once, expires, can be cancelled, and is bound to one doctor.
interface ICareRelationships {
    /// @notice A patient's signed consent to one visit, as the patient hands it to the hospital (a QR code).
    /// @param visitId The visit's random id; each works once (and `cancelUnlockCode` cancels it).
    /// @param expiresAt When the signature expires; at most `MAX_CODE_LIFETIME` ahead.
    /// @param signature The patient's EIP-712 signature: `CheckIn(patient, hospital, visitId, expiresAt)`
    /// for a check-in, `Admission(patient, ward, visitId, expiresAt)` for an admission.
    struct SignedVisit {
        bytes32 visitId;
        uint40 expiresAt;
        bytes signature;
    }

    /// @notice `account` may not act for `patient` (not the patient, nor a consent delegate).
    error CareRelationshipsNotPatientOrDelegate(address account, address patient);

    /// @notice `patient`'s death is recorded; their preferences can no longer change.
    error CareRelationshipsPatientDeceased(address patient);

    /// @notice `account` is not an active doctor.
    error CareRelationshipsNotDoctor(address account);

    /// @notice `account` is not an active hospital.
    error CareRelationshipsNotHospital(address account);

    /// @notice `ward` is not a ward (organisation) of `hospital`.
    error CareRelationshipsNotWard(address ward, address hospital);

    /// @notice `day` is not the start of a UTC day, or it is already over.
    error CareRelationshipsInvalidDay(uint40 day);

    /// @notice `patient` is not admitted to `ward`.
    error CareRelationshipsNotAdmitted(address patient, address ward);

    /// @notice The zero address was given where an account is required.
    error CareRelationshipsZeroAddress();

    /// @notice The unlock code (or check-in or admission signature) expired at `expiresAt`, or its
    /// expiry is too far ahead.
    error CareRelationshipsUnlockExpired(uint40 expiresAt);

    /// @notice The unlock code (or visit id) was already used or cancelled.
    error CareRelationshipsUnlockUsed(address patient, bytes32 codeId);

    /// @notice The unlock signature is not `patient`'s.
    error CareRelationshipsInvalidUnlock(address patient);

    /// @notice The check-in or admission signature is not `patient`'s.
    error CareRelationshipsInvalidVisitSignature(address patient);

    /// @notice A delegate may not open a relationship window of `patient` to itself.
    error CareRelationshipsDelegateSelfAppointment(address delegate, address patient);

    /// @notice `patient` registered `doctor` as family doctor (zero when cleared).
    event FamilyDoctorChanged(address indexed patient, address indexed doctor);

    /// @notice An appointment of `patient` with `doctor` on `day` was recorded by `recordedBy`.
    event AppointmentRecorded(address indexed patient, address indexed doctor, uint40 day, address recordedBy);

    /// @notice `patient` checked into `hospital`, open until `until`.
    event CheckedIn(address indexed patient, address indexed hospital, uint40 until);

    /// @notice `hospital` admitted `patient` to `ward` with the patient's signature, open until `until`.
    event Admitted(address indexed patient, address indexed ward, address indexed hospital, uint40 until);

    /// @notice `hospital` discharged `patient` from `ward`.
    event Discharged(address indexed patient, address indexed ward, address indexed hospital);

    /// @notice `patient` turned the one-time unlock requirement on or off.
    event UnlockRequirementChanged(address indexed patient, bool required);

    /// @notice `doctor` used `patient`'s unlock code `codeId`; access is open until `until`.
    event Unlocked(address indexed patient, address indexed doctor, bytes32 indexed codeId, uint40 until);

    /// @notice `patient` cancelled the unused unlock code `codeId`.
    event UnlockCancelled(address indexed patient, bytes32 indexed codeId);

    /// @notice Registers `doctor` (an active doctor, or zero to clear) as `patient`'s family doctor.
    /// The patient or a consent delegate.
    /// @param patient The patient.
    /// @param doctor The family doctor, or zero.
    function setFamilyDoctor(address patient, address doctor) external;

    /// @notice Records an appointment on `day` (the start of a UTC day). Called by the patient (a
    /// booking) or a consent delegate (never for itself).
    /// @param patient The patient.
    /// @param doctor The doctor.
    /// @param day Start of the UTC day of the appointment; today or later.
    function recordAppointment(address patient, address doctor, uint40 day) external;

    /// @notice Records that `patient` checked into the calling hospital now, opening access to its
    /// doctors for `CHECK_IN_PERIOD`. Only an active hospital, with the patient's signature.
    /// @param patient The patient.
    /// @param visit The patient's signed `CheckIn` for the calling hospital.
    function recordCheckIn(address patient, SignedVisit calldata visit) external;

    /// @notice Admits `patient` to `ward`, a ward of the calling hospital, opening access to the ward's
    /// doctors until discharge or for `MAX_ADMISSION_PERIOD`, whichever is first. Only an active
    /// hospital, with the patient's signature; admitting again with a new signature renews the period.
    /// @param patient The patient.
    /// @param ward The ward (an organisation whose organisation is the caller).
    /// @param visit The patient's signed `Admission` to `ward`.
    function admitPatient(address patient, address ward, SignedVisit calldata visit) external;

    /// @notice Discharges `patient` from `ward`. Only the ward's hospital.
    /// @param patient The patient.
    /// @param ward The ward.
    function dischargePatient(address patient, address ward) external;

    /// @notice Turns the one-time unlock requirement on or off for `patient`. The patient or a
    /// consent delegate.
    /// @param patient The patient.
    /// @param required Whether relationship access needs an unlock.
    function setUnlockRequired(address patient, bool required) external;

    /// @notice Presents `patient`'s one-time unlock. Called by the doctor the unlock names.
    /// @param patient The patient.
    /// @param codeId The code's random id.
    /// @param expiresAt When the code expires; at most `MAX_CODE_LIFETIME` ahead.
    /// @param signature The patient's EIP-712 signature over `Unlock(patient, doctor, codeId, expiresAt)`.
    function unlockWithCode(address patient, bytes32 codeId, uint40 expiresAt, bytes calldata signature) external;

    /// @notice Cancels one of the caller's unused unlock codes or visit ids (check-in, admission).
    /// @param codeId The code's id.
    function cancelUnlockCode(bytes32 codeId) external;

    /// @notice `patient`'s family doctor (zero when none).
    /// @param patient The patient.
    function familyDoctorOf(address patient) external view returns (address);

    /// @notice Whether `doctor` is inside a relationship window with `patient` now (before any unlock).
    /// @param patient The patient.
    /// @param doctor The doctor.
    function hasRelationship(address patient, address doctor) external view returns (bool);

    /// @notice Whether `patient` requires a one-time unlock.
    /// @param patient The patient.
    function isUnlockRequired(address patient) external view returns (bool);

    /// @notice Until when `doctor` holds an unlock from `patient` (zero when never).
    /// @param patient The patient.
    /// @param doctor The doctor.
    function unlockedUntil(address patient, address doctor) external view returns (uint40);

    /// @notice Whether the unlock code `codeId` of `patient` was used or cancelled.
    /// @param patient The patient.
    /// @param codeId The code's id.
    function isCodeUsed(address patient, bytes32 codeId) external view returns (bool);

    /// @notice How long a check-in opens access: 24 hours.
    function CHECK_IN_PERIOD() external view returns (uint256);

    /// @notice The longest an admission opens access without a new, signed admission: 30 days.
    function MAX_ADMISSION_PERIOD() external view returns (uint256);

    /// @notice Until when `patient`'s admission to `ward` opens access (zero when not admitted).
    /// @param patient The patient.
    /// @param ward The ward.
    function admittedUntil(address patient, address ward) external view returns (uint40);

    /// @notice EIP-712 typehash of `CheckIn`.
    function CHECK_IN_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 typehash of `Admission`.
    function ADMISSION_TYPEHASH() external view returns (bytes32);

    /// @notice How long an unlock keeps the patient's records open to the doctor: one visit, 12 hours.
    function UNLOCK_PERIOD() external view returns (uint256);

    /// @notice The longest an unused unlock code (or check-in or admission signature) stays valid: 1 hour.
    function MAX_CODE_LIFETIME() external view returns (uint256);

    /// @notice EIP-712 typehash of `Unlock`.
    function UNLOCK_TYPEHASH() external view returns (bytes32);
}
