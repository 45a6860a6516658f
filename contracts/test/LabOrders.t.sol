// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ILabOrders} from "../interfaces/ILabOrders.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {LabOrders} from "../workflows/LabOrders.sol";
import {WorkflowBase} from "../workflows/WorkflowBase.sol";
import {AccessRequest, ProviderForm, ProviderKind, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {RecordCommitments} from "../libraries/RecordCommitments.sol";
import {WorkflowFixture, WorkflowInvariants} from "./utils/WorkflowFixture.sol";
import {VM} from "./utils/Vm.sol";

/// @title LabOrdersTest
/// @notice Ordering, posting, correcting and cancelling lab tests, and the ordering doctor's window.
contract LabOrdersTest is WorkflowFixture {
    bytes32 internal constant _ORDER_CONTENT = keccak256("order");
    bytes32 internal constant _RESULT_CONTENT = keccak256("result");
    bytes32 internal constant _RESULT2_CONTENT = keccak256("result v2");
    /// @dev The record commitments: `_doctor`'s order, `_lab`'s result and its correction.
    bytes32 internal _orderRecord;
    bytes32 internal _resultRecord;
    bytes32 internal _result2Record;

    function setUp() public {
        _deployWorkflows();
        _orderRecord = _recordOf(_doctor, _ORDER_CONTENT);
        _resultRecord = _recordOf(_lab, _RESULT_CONTENT);
        _result2Record = _recordOf(_lab, _RESULT2_CONTENT);
    }

    function _order() internal {
        VM.prank(_doctor);
        _labOrders.orderLabTest(_patient, _ORDER_CONTENT, _lab);
    }

    function _post(bool sensitive) internal {
        VM.prank(_lab);
        _labOrders.postLabResult(_patient, _orderRecord, _RESULT_CONTENT, sensitive);
    }

    function _grants(address accessor, bytes32 result) internal view returns (bool) {
        return
            _labOrders.grantsAccess(
                AccessRequest(accessor, _patient, result, RecordType.LabResult, false, Purpose.Treatment)
            );
    }

    /// @notice A doctor's order is pending with its laboratory and anchored as a LabOrder record.
    function test_orderIsPending() public {
        _order();
        ILabOrders.Order memory order = _labOrders.pendingOrderOf(_patient, _orderRecord);
        assertEq(order.laboratory, _lab, "laboratory");
        assertEq(uint256(order.orderedAt), block.timestamp, "orderedAt");
        assertEq(uint256(_registry.recordOf(_patient, _orderRecord).recordType), uint256(RecordType.LabOrder), "type");
    }

    /// @notice Only an active doctor orders, and only from an active laboratory.
    function test_orderRules() public {
        _expectRevertAs(
            _pharmacy,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _pharmacy, ProviderKind.Doctor)
        );
        _labOrders.orderLabTest(_patient, _ORDER_CONTENT, _lab);
        _expectRevertAs(_doctor, abi.encodeWithSelector(ILabOrders.LabOrderInvalidLaboratory.selector, _pharmacy));
        _labOrders.orderLabTest(_patient, _ORDER_CONTENT, _pharmacy);
    }

    /// @notice The ordered laboratory posts the result, which closes the order and links the result
    /// to it; the ordering doctor may then read the result for treatment for 30 days.
    function testFuzz_resultClosesOrderAndOpensWindow(bool sensitive, uint32 elapsed) public {
        _order();
        _post(sensitive);
        assertEq(_labOrders.pendingOrderOf(_patient, _orderRecord).laboratory, address(0), "order closed");
        assertEq(_labOrders.orderOfResult(_patient, _resultRecord), _orderRecord, "result's order");
        assertEq(_registry.recordOf(_patient, _resultRecord).author, _lab, "result author");
        // Times are absolute: via-IR may reuse a `block.timestamp` read from before a warp.
        uint256 checkedAt = _T0 + elapsed;
        VM.warp(checkedAt);
        bool open = checkedAt < _T0 + _labOrders.RESULT_ACCESS_PERIOD();
        assertEq(_grants(_doctor, _resultRecord), open, "doctor's window");
        assertFalse(_grants(_doctor2, _resultRecord), "another doctor");
        assertFalse(
            _labOrders.grantsAccess(
                AccessRequest(_doctor, _patient, _resultRecord, RecordType.LabResult, false, Purpose.Research)
            ),
            "other purpose"
        );
        assertFalse(
            _labOrders.grantsAccess(
                AccessRequest(_doctor, _patient, _orderRecord, RecordType.LabOrder, false, Purpose.Treatment)
            ),
            "other type"
        );
        assertFalse(_grants(_doctor, keccak256("unknown")), "unknown result");
    }

    /// @notice No result without its pending order: unknown, closed or cancelled orders refuse results,
    /// and only the ordered, active laboratory posts.
    function test_noResultWithoutPendingOrder() public {
        _expectRevertAs(_lab, abi.encodeWithSelector(ILabOrders.LabOrderNotPending.selector, _patient, _orderRecord));
        _labOrders.postLabResult(_patient, _orderRecord, _RESULT_CONTENT, false);
        _order();
        VM.prank(_pharmacy);
        VM.expectRevert(abi.encodeWithSelector(ILabOrders.LabOrderWrongLaboratory.selector, _pharmacy, _lab));
        _labOrders.postLabResult(_patient, _orderRecord, _RESULT_CONTENT, false);
        _suspend(_lab);
        _expectRevertAs(
            _lab,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _lab, ProviderKind.Laboratory)
        );
        _labOrders.postLabResult(_patient, _orderRecord, _RESULT_CONTENT, false);
        _reinstate(_lab);
        _post(false);
        _expectRevertAs(_lab, abi.encodeWithSelector(ILabOrders.LabOrderNotPending.selector, _patient, _orderRecord));
        _labOrders.postLabResult(_patient, _orderRecord, _RESULT2_CONTENT, false);
    }

    /// @notice A correction links the new version to the same order and restarts the window from it.
    function test_correctionKeepsTheOrder() public {
        _order();
        _post(false);
        VM.warp(_T0 + 20 days);
        VM.prank(_lab);
        _labOrders.correctLabResult(_patient, _resultRecord, _RESULT2_CONTENT, false);
        assertEq(_labOrders.orderOfResult(_patient, _result2Record), _orderRecord, "corrected result's order");
        assertEq(uint256(_registry.recordOf(_patient, _result2Record).version), 2, "version");
        VM.warp(_T0 + 40 days);
        assertTrue(_grants(_doctor, _result2Record), "window of the correction");
        assertFalse(_grants(_doctor, _resultRecord), "window of the first version");
    }

    /// @notice Only an active laboratory corrects a known result, and only the one that wrote it.
    function test_correctionRules() public {
        VM.prank(_lab);
        VM.expectRevert(abi.encodeWithSelector(ILabOrders.LabOrderUnknownResult.selector, _patient, _resultRecord));
        _labOrders.correctLabResult(_patient, _resultRecord, _RESULT2_CONTENT, false);
        _order();
        _post(false);
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _doctor, ProviderKind.Laboratory)
        );
        _labOrders.correctLabResult(_patient, _resultRecord, _RESULT2_CONTENT, false);
        address lab2 = address(0x1AB2);
        _register(lab2, ProviderKind.Laboratory, ProviderForm.Organisation, address(0));
        _expectRevertAs(lab2, abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotAuthor.selector, lab2, _lab));
        _labOrders.correctLabResult(_patient, _resultRecord, _RESULT2_CONTENT, false);
    }

    /// @notice Only the ordering doctor, while active, cancels a pending order; a cancelled order takes
    /// no result.
    function test_cancelRules() public {
        VM.prank(_doctor);
        VM.expectRevert(abi.encodeWithSelector(ILabOrders.LabOrderNotPending.selector, _patient, _orderRecord));
        _labOrders.cancelLabOrder(_patient, _orderRecord);
        _order();
        VM.prank(_doctor2);
        VM.expectRevert(abi.encodeWithSelector(ILabOrders.LabOrderNotOrderingDoctor.selector, _doctor2, _doctor));
        _labOrders.cancelLabOrder(_patient, _orderRecord);
        _suspend(_doctor);
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _doctor, ProviderKind.Doctor)
        );
        _labOrders.cancelLabOrder(_patient, _orderRecord);
        _reinstate(_doctor);
        VM.prank(_doctor);
        _labOrders.cancelLabOrder(_patient, _orderRecord);
        assertEq(_labOrders.pendingOrderOf(_patient, _orderRecord).laboratory, address(0), "cancelled");
        _expectRevertAs(_lab, abi.encodeWithSelector(ILabOrders.LabOrderNotPending.selector, _patient, _orderRecord));
        _labOrders.postLabResult(_patient, _orderRecord, _RESULT_CONTENT, false);
    }
}

/// @title LabOrdersHandler
/// @notice The runner's actions on `LabOrders`: order, post (by the right or a wrong laboratory, for
/// a real or a made-up order), correct, cancel, let time pass. Refused actions are no-ops. It records
/// every result the contract accepted and whether its order was pending just before.
contract LabOrdersHandler {
    LabOrders internal immutable _labOrders;
    address internal immutable _patient;
    address internal immutable _doctor;
    address[2] internal _labs;
    bytes32[] internal _orders;
    bytes32[] internal _results;
    uint256 internal _nonce;

    /// @notice Results accepted although their order was not pending with the posting laboratory.
    uint256 public orphanResults;

    constructor(LabOrders labOrders, address patient, address doctor, address lab, address otherLab) {
        _labOrders = labOrders;
        _patient = patient;
        _doctor = doctor;
        _labs = [lab, otherLab];
    }

    function order(bool otherLab) external {
        bytes32 id = keccak256(abi.encode("order", ++_nonce));
        VM.prank(_doctor);
        try _labOrders.orderLabTest(_patient, id, _labs[otherLab ? 1 : 0]) {
            _orders.push(RecordCommitments.bind(_doctor, id));
        } catch {}
    }

    function post(uint256 index, bool otherLab, bool madeUp, bool sensitive) external {
        bytes32 id =
            (madeUp || _orders.length == 0) ? keccak256(abi.encode("made-up", index)) : _orders[index % _orders.length];
        address lab = _labs[otherLab ? 1 : 0];
        bool pending = _labOrders.pendingOrderOf(_patient, id).laboratory == lab;
        bytes32 result = keccak256(abi.encode("result", ++_nonce));
        VM.prank(lab);
        try _labOrders.postLabResult(_patient, id, result, sensitive) {
            if (!pending) ++orphanResults;
            _results.push(RecordCommitments.bind(lab, result));
        } catch {}
    }

    function correct(uint256 index, bool otherLab) external {
        if (_results.length == 0) return;
        bytes32 result = keccak256(abi.encode("result", ++_nonce));
        address lab = _labs[otherLab ? 1 : 0];
        VM.prank(lab);
        try _labOrders.correctLabResult(_patient, _results[index % _results.length], result, false) {
            _results.push(RecordCommitments.bind(lab, result));
        } catch {}
    }

    function cancel(uint256 index) external {
        if (_orders.length == 0) return;
        VM.prank(_doctor);
        try _labOrders.cancelLabOrder(_patient, _orders[index % _orders.length]) {} catch {}
    }

    function warp(uint32 seconds_) external {
        VM.warp(block.timestamp + (seconds_ % 10 days));
    }

    function resultCount() external view returns (uint256) {
        return _results.length;
    }

    function resultAt(uint256 index) external view returns (bytes32) {
        return _results[index];
    }
}

/// @title LabOrdersInvariants
/// @notice Stateful fuzzing of lab orders: no lab result without its pending order.
contract LabOrdersInvariants is WorkflowInvariants {
    LabOrdersHandler internal _handler;
    address internal _lab2 = address(0x1AB2);

    function setUp() public {
        _deployWorkflows();
        _register(_lab2, ProviderKind.Laboratory, ProviderForm.Organisation, address(0));
        _handler = new LabOrdersHandler(_labOrders, _patient, _doctor, _lab, _lab2);
        bytes4[] memory actions = new bytes4[](5);
        actions[0] = LabOrdersHandler.order.selector;
        actions[1] = LabOrdersHandler.post.selector;
        actions[2] = LabOrdersHandler.correct.selector;
        actions[3] = LabOrdersHandler.cancel.selector;
        actions[4] = LabOrdersHandler.warp.selector;
        _fuzzOnly(address(_handler), actions);
    }

    /// @notice Every accepted result had its order pending with the posting laboratory, and is linked
    /// to an order the ordering doctor anchored as a LabOrder record.
    function invariant_noResultWithoutPendingOrder() public view {
        assertEq(_handler.orphanResults(), 0, "results accepted without a pending order");
        uint256 count = _handler.resultCount();
        for (uint256 i = 0; i < count; ++i) {
            bytes32 result = _handler.resultAt(i);
            bytes32 order = _labOrders.orderOfResult(_patient, result);
            assertTrue(order != bytes32(0), "result without an order");
            IRecordRegistry.Record memory record = _registry.recordOf(_patient, order);
            assertEq(uint256(record.recordType), uint256(RecordType.LabOrder), "order record type");
            assertEq(record.author, _doctor, "order author");
            assertEq(_labOrders.pendingOrderOf(_patient, order).laboratory, address(0), "order still pending");
        }
    }
}
