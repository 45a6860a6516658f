// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPrescriptions
/// @notice Prescriptions and their dispensing. The prescription itself is a record (an encrypted
/// FHIR MedicationRequest) anchored in the record registry; this contract holds the dispensing
/// terms and enforces them: a pharmacy dispenses only when the prescriber authorised it (by name or
/// "any registered pharmacy") AND the patient consented to that pharmacy dispensing, never beyond
/// the prescribed total, never after expiry or cancellation. Each dispense anchors its own record
/// (an encrypted FHIR MedicationDispense). Only the newest version of a prescription is dispensable:
/// the prescriber corrects one with `amendPrescription`, which carries what was already dispensed over
/// to the corrected version; a version superseded any other way (a direct `amendRecord` in the
/// registry) is dispensable no more, and its correction has no terms until the prescriber issues one.
/// New records are passed as content commitments; prescriptions and dispenses are named from then on
/// (in events, storage and every later call) by their record commitments,
/// `IRecordRegistry.recordCommitmentOf(author, content)`.
interface IPrescriptions {
    /// @notice Dispensing terms and progress. Fits in one slot (20 + 5 + 2 + 1 + 3 + 1 bytes).
    /// @param pharmacy The designated pharmacy, or zero for any registered pharmacy.
    /// @param expiresAt No dispensing at or after this time.
    /// @param quantity Units per fill; one dispense never exceeds it.
    /// @param refills Fills allowed after the first.
    /// @param dispensed Units dispensed so far, over every fill.
    /// @param cancelled Whether the prescriber cancelled it.
    struct Prescription {
        address pharmacy;
        uint40 expiresAt;
        uint16 quantity;
        uint8 refills;
        uint24 dispensed;
        bool cancelled;
    }

    /// @notice Terms the prescriber sets.
    /// @param pharmacy The designated pharmacy, or zero for any registered pharmacy.
    /// @param expiresAt When the prescription expires; in the future.
    /// @param quantity Units per fill; non-zero.
    /// @param refills Fills allowed after the first.
    struct Terms {
        address pharmacy;
        uint40 expiresAt;
        uint16 quantity;
        uint8 refills;
    }

    /// @notice No prescription under this patient and commitment.
    error PrescriptionNotFound(address patient, bytes32 prescription);

    /// @notice The terms are unusable (zero quantity or an expiry not in the future).
    error PrescriptionInvalidTerms(uint16 quantity, uint40 expiresAt);

    /// @notice The designated pharmacy is not an active pharmacy.
    error PrescriptionInvalidPharmacy(address pharmacy);

    /// @notice The prescriber did not authorise `pharmacy` (another pharmacy was designated).
    error PrescriptionPharmacyNotAuthorised(address pharmacy, address designated);

    /// @notice The patient holds no active dispensing consent for `pharmacy`.
    error PrescriptionNoPatientConsent(address patient, address pharmacy);

    /// @notice The prescription expired at `expiresAt`.
    error PrescriptionExpired(bytes32 prescription, uint40 expiresAt);

    /// @notice The prescriber cancelled the prescription.
    error PrescriptionCancelled(bytes32 prescription);

    /// @notice The patient erased the prescription's record, so it can no longer be dispensed.
    error PrescriptionErased(bytes32 prescription);

    /// @notice Dispensing `amount` would exceed a fill (`quantity`) or the total left (`remaining`).
    error PrescriptionQuantityExceeded(bytes32 prescription, uint256 amount, uint256 quantity, uint256 remaining);

    /// @notice Only the prescriber may do this; `account` is not `prescriber`.
    error PrescriptionNotPrescriber(address account, address prescriber);

    /// @notice The prescriber is no longer an active provider, so the prescription cannot be dispensed.
    error PrescriptionPrescriberInactive(address prescriber);

    /// @notice A newer version corrects the prescription: dispense (or correct) that one instead.
    error PrescriptionSuperseded(bytes32 prescription);

    /// @notice The corrected terms allow `total` units in all, fewer than the `dispensed` already given.
    error PrescriptionTotalBelowDispensed(uint256 total, uint256 dispensed);

    /// @notice `prescriber` issued a prescription for `patient`.
    event PrescriptionIssued(
        address indexed patient,
        bytes32 indexed prescription,
        address indexed prescriber,
        address pharmacy,
        uint40 expiresAt,
        uint16 quantity,
        uint8 refills
    );

    /// @notice `pharmacy` dispensed `amount` units; `dispense` is the dispense's record commitment.
    /// The running total is `prescriptionOf(...).dispensed` (or the sum of these events).
    event PrescriptionDispensed(
        address indexed patient,
        bytes32 indexed prescription,
        address indexed pharmacy,
        bytes32 dispense,
        uint24 amount
    );

    /// @notice The prescriber corrected `previous` with `prescription`, which carries its dispensed units over.
    event PrescriptionAmended(address indexed patient, bytes32 indexed prescription, bytes32 indexed previous);

    /// @notice The prescriber cancelled the prescription.
    event PrescriptionCancelledBy(address indexed patient, bytes32 indexed prescription, address indexed prescriber);

    /// @notice Issues a prescription: anchors the MedicationRequest record and stores its terms.
    /// Only active doctors.
    /// @param patient The patient.
    /// @param commitment The prescription record's content commitment.
    /// @param terms The dispensing terms.
    function issuePrescription(address patient, bytes32 commitment, Terms calldata terms) external;

    /// @notice Dispenses `amount` units and anchors the dispense record, as sensitive as the
    /// prescription. Only active pharmacies the prescriber authorised, with the patient's dispensing
    /// consent, while the prescriber is active and the prescription is neither erased, superseded,
    /// expired nor cancelled.
    /// @param patient The patient.
    /// @param prescription The prescription's record commitment.
    /// @param amount Units dispensed now (a partial fill is fine).
    /// @param dispenseCommitment The MedicationDispense record's content commitment.
    function dispensePrescription(
        address patient,
        bytes32 prescription,
        uint24 amount,
        bytes32 dispenseCommitment
    ) external;

    /// @notice Corrects a prescription: anchors the corrected MedicationRequest as the next version of
    /// `previous` (the registry checks that the caller wrote it and that it is the newest version) and
    /// gives it `terms`, carrying over the units already dispensed. Only the prescriber, while an active
    /// doctor, and not once cancelled. The old version can no longer be dispensed.
    /// @param patient The patient.
    /// @param previous The record commitment of the prescription being corrected.
    /// @param prescription The corrected prescription record's content commitment.
    /// @param terms The corrected dispensing terms; their total may not be below what was dispensed.
    function amendPrescription(address patient, bytes32 previous, bytes32 prescription, Terms calldata terms) external;

    /// @notice Cancels a prescription. Only its prescriber, while an active doctor.
    /// @param patient The patient.
    /// @param prescription The prescription's record commitment.
    function cancelPrescription(address patient, bytes32 prescription) external;

    /// @notice The terms and progress of a prescription (all zero when none).
    /// @param patient The patient.
    /// @param prescription The prescription's record commitment.
    function prescriptionOf(address patient, bytes32 prescription) external view returns (Prescription memory);

    /// @notice Units that may still be dispensed (zero when expired, cancelled, superseded or erased).
    /// @param patient The patient.
    /// @param prescription The prescription's record commitment.
    function remainingOf(address patient, bytes32 prescription) external view returns (uint256);
}
