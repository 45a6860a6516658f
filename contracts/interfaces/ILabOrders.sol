// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILabOrders
/// @notice Laboratory orders and results. A doctor orders a test at one laboratory (an encrypted
/// FHIR ServiceRequest); only that laboratory can post the result (an encrypted FHIR
/// DiagnosticReport) against the order, and correct it later as a new version. The ordering doctor
/// may read the result for `RESULT_ACCESS_PERIOD` after it is posted by virtue of the order; anyone
/// else needs the patient's consent.
///
/// Storage holds pending orders only: posting the result (or cancelling) clears the order's slot,
/// which is what makes a second result impossible, and keeps the result-to-order link the access
/// rule needs. The order's full history is the event log plus the anchored records. New records are
/// passed as content commitments; orders and results are named from then on (in events, storage and
/// every later call) by their record commitments, `IRecordRegistry.recordCommitmentOf(author, content)`.
interface ILabOrders {
    /// @notice A pending order. Fits in one slot (20 + 5 bytes).
    /// @param laboratory The laboratory addressed.
    /// @param orderedAt When the doctor ordered the test.
    struct Order {
        address laboratory;
        uint40 orderedAt;
    }

    /// @notice No pending order under this patient and commitment (never ordered, already resulted,
    /// or cancelled).
    error LabOrderNotPending(address patient, bytes32 order);

    /// @notice `laboratory` is not an active laboratory.
    error LabOrderInvalidLaboratory(address laboratory);

    /// @notice Only the addressed laboratory may post or correct the result; `account` is not `laboratory`.
    error LabOrderWrongLaboratory(address account, address laboratory);

    /// @notice `result` is not a result posted through this contract.
    error LabOrderUnknownResult(address patient, bytes32 result);

    /// @notice Only the ordering doctor may cancel; `account` is not `doctor`.
    error LabOrderNotOrderingDoctor(address account, address doctor);

    /// @notice A doctor ordered a test for `patient` at `laboratory` (the doctor is the author in
    /// the order record's `RecordAnchored` event).
    event LabTestOrdered(address indexed patient, bytes32 indexed order, address indexed laboratory);

    /// @notice `result` answers `order`; the laboratory is the author in the result record's
    /// `RecordAnchored` (or `RecordAmended`, for a correction) event. The patient is alerted by this event.
    event LabResultPosted(address indexed patient, bytes32 indexed order, bytes32 indexed result);

    /// @notice The ordering doctor cancelled the order.
    event LabOrderCancelled(address indexed patient, bytes32 indexed order, address indexed doctor);

    /// @notice Orders a test: anchors the ServiceRequest record. Only active doctors.
    /// @param patient The patient.
    /// @param order The order record's content commitment.
    /// @param laboratory The active laboratory that will perform the test.
    function orderLabTest(address patient, bytes32 order, address laboratory) external;

    /// @notice Posts the result of `order` and anchors the DiagnosticReport record. Only the
    /// addressed laboratory, once per order.
    /// @param patient The patient.
    /// @param order The order's record commitment.
    /// @param result The result record's content commitment.
    /// @param sensitive Whether the result is sensitive.
    function postLabResult(address patient, bytes32 order, bytes32 result, bool sensitive) external;

    /// @notice Corrects a result with a new version linked to the same order. Only the laboratory
    /// that posted it (the registry checks authorship and that `previousResult` is the newest version).
    /// @param patient The patient.
    /// @param previousResult The current result's record commitment.
    /// @param result The corrected result's content commitment.
    /// @param sensitive Whether the corrected result is sensitive (or-ed with the previous version's flag).
    function correctLabResult(address patient, bytes32 previousResult, bytes32 result, bool sensitive) external;

    /// @notice Cancels a pending order. Only the ordering doctor, while an active doctor.
    /// @param patient The patient.
    /// @param order The order's record commitment.
    function cancelLabOrder(address patient, bytes32 order) external;

    /// @notice The pending order (all zero when none is pending).
    /// @param patient The patient.
    /// @param order The order's record commitment.
    function pendingOrderOf(address patient, bytes32 order) external view returns (Order memory);

    /// @notice The order a result answers (zero when none).
    /// @param patient The patient.
    /// @param result The result's record commitment.
    function orderOfResult(address patient, bytes32 result) external view returns (bytes32);

    /// @notice How long the ordering doctor may read a result after it is posted.
    function RESULT_ACCESS_PERIOD() external view returns (uint256);
}
