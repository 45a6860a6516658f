// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessSource} from "../interfaces/IAccessSource.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {ILabOrders} from "../interfaces/ILabOrders.sol";
import {AccessRequest, ProviderKind, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// @title LabOrders
/// @notice Orders and results; an access source that lets the ordering doctor read the result.
contract LabOrders is ILabOrders, IAccessSource, WorkflowBase {
    /// @inheritdoc ILabOrders
    uint256 public constant RESULT_ACCESS_PERIOD = 30 days;

    mapping(address patient => mapping(bytes32 order => Order stored)) private _orders;
    mapping(address patient => mapping(bytes32 result => bytes32 order)) private _resultOrders;

    /// @param consent The consent manager; its directory and registry are this contract's (grant this
    /// contract the registry's workflow role).
    constructor(IConsentManager consent) WorkflowBase(consent) {}

    /// @inheritdoc ILabOrders
    function orderLabTest(address patient, bytes32 order, address laboratory) external {
        (ProviderKind doctorKind, ProviderKind laboratoryKind) = _directory.activeKindsOf(msg.sender, laboratory);
        if (doctorKind != ProviderKind.Doctor) revert WorkflowUnauthorizedProvider(msg.sender, ProviderKind.Doctor);
        if (laboratoryKind != ProviderKind.Laboratory) revert LabOrderInvalidLaboratory(laboratory);
        // Kept under the order's record commitment, the name the registry gives it.
        bytes32 orderRecord = _registry.anchorRecordFor(msg.sender, patient, order, RecordType.LabOrder, false);
        _orders[patient][orderRecord] = Order({laboratory: laboratory, orderedAt: uint40(block.timestamp)});
        emit LabTestOrdered(patient, orderRecord, laboratory);
    }

    /// @inheritdoc ILabOrders
    function postLabResult(address patient, bytes32 order, bytes32 result, bool sensitive) external {
        address laboratory = _orders[patient][order].laboratory;
        if (laboratory == address(0)) revert LabOrderNotPending(patient, order);
        if (msg.sender != laboratory) revert LabOrderWrongLaboratory(msg.sender, laboratory);
        _checkActiveKind(msg.sender, ProviderKind.Laboratory);
        delete _orders[patient][order];
        bytes32 resultRecord = _registry.anchorRecordFor(msg.sender, patient, result, RecordType.LabResult, sensitive);
        _resultOrders[patient][resultRecord] = order;
        emit LabResultPosted(patient, order, resultRecord);
    }

    /// @inheritdoc ILabOrders
    function correctLabResult(address patient, bytes32 previousResult, bytes32 result, bool sensitive) external {
        bytes32 order = _resultOrders[patient][previousResult];
        if (order == bytes32(0)) revert LabOrderUnknownResult(patient, previousResult);
        _checkActiveKind(msg.sender, ProviderKind.Laboratory);
        // The registry checks that the caller authored `previousResult` and that it is the newest version.
        bytes32 resultRecord = _registry.amendRecordFor(msg.sender, patient, previousResult, result, sensitive);
        _resultOrders[patient][resultRecord] = order;
        emit LabResultPosted(patient, order, resultRecord);
    }

    /// @inheritdoc ILabOrders
    function cancelLabOrder(address patient, bytes32 order) external {
        if (_orders[patient][order].laboratory == address(0)) revert LabOrderNotPending(patient, order);
        address doctor = _registry.recordOf(patient, order).author;
        if (msg.sender != doctor) revert LabOrderNotOrderingDoctor(msg.sender, doctor);
        _checkActiveKind(msg.sender, ProviderKind.Doctor);
        delete _orders[patient][order];
        emit LabOrderCancelled(patient, order, msg.sender);
    }

    /// @inheritdoc IAccessSource
    function grantsAccess(AccessRequest calldata request) external view returns (bool) {
        if (request.recordType != RecordType.LabResult || request.purpose != Purpose.Treatment) return false;
        (address patient, bytes32 commitment) = (request.patient, request.commitment);
        bytes32 order = _resultOrders[patient][commitment];
        if (order == bytes32(0)) return false;
        // The window runs from when this version of the result was anchored.
        if (block.timestamp >= uint256(_registry.recordOf(patient, commitment).anchoredAt) + RESULT_ACCESS_PERIOD) {
            return false;
        }
        return _registry.recordOf(patient, order).author == request.accessor;
    }

    /// @inheritdoc ILabOrders
    function pendingOrderOf(address patient, bytes32 order) external view returns (Order memory) {
        return _orders[patient][order];
    }

    /// @inheritdoc ILabOrders
    function orderOfResult(address patient, bytes32 result) external view returns (bytes32) {
        return _resultOrders[patient][result];
    }
}
