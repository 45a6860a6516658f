// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPrescriptions} from "../interfaces/IPrescriptions.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {Prescriptions} from "../workflows/Prescriptions.sol";
import {WorkflowBase} from "../workflows/WorkflowBase.sol";
import {ConsentScope, ProviderKind, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {RecordCommitments} from "../libraries/RecordCommitments.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {WorkflowFixture, WorkflowInvariants} from "./utils/WorkflowFixture.sol";
import {VM} from "./utils/Vm.sol";

/// @title PrescriptionsTest
/// @notice Issuing, dispensing, amending and cancelling prescriptions, each rule and its error.
contract PrescriptionsTest is WorkflowFixture {
    bytes32 internal constant _RX_CONTENT = keccak256("rx");
    bytes32 internal constant _RX2_CONTENT = keccak256("rx v2");
    /// @dev The record commitments of `_doctor`'s prescription and of its correction.
    bytes32 internal _rx;
    bytes32 internal _rx2;
    bytes32 internal constant _DISPENSE = keccak256("dispense");

    function setUp() public {
        _deployWorkflows();
        _consentToDispensing(_patient, _pharmacy);
        _rx = _recordOf(_doctor, _RX_CONTENT);
        _rx2 = _recordOf(_doctor, _RX2_CONTENT);
    }

    function _terms(
        address pharmacy,
        uint16 quantity,
        uint8 refills
    ) internal view returns (IPrescriptions.Terms memory) {
        return
            IPrescriptions.Terms({
                pharmacy: pharmacy,
                expiresAt: uint40(block.timestamp + 30 days),
                quantity: quantity,
                refills: refills
            });
    }

    /// @dev Returns the prescription's record commitment.
    function _issue(bytes32 commitment, IPrescriptions.Terms memory terms) internal returns (bytes32) {
        VM.prank(_doctor);
        _prescriptions.issuePrescription(_patient, commitment, terms);
        return _recordOf(_doctor, commitment);
    }

    function _dispense(address pharmacy, bytes32 prescription, uint24 amount, bytes32 dispense) internal {
        VM.prank(pharmacy);
        _prescriptions.dispensePrescription(_patient, prescription, amount, dispense);
    }

    // ------------------------------------------------------------------ construction

    /// @notice A workflow contract rejects a zero consent manager (its directory and registry come from it).
    function test_constructorRejectsZeroConsentManager() public {
        VM.expectRevert(WorkflowBase.WorkflowZeroAddress.selector);
        new Prescriptions(IConsentManager(address(0)));
    }

    // ------------------------------------------------------------------ issuing

    /// @notice A doctor's prescription stores its terms and anchors a Prescription record by the doctor.
    function testFuzz_issueStoresTerms(uint16 quantity, uint8 refills, bool designated) public {
        quantity = uint16(bound(quantity, 1, type(uint16).max));
        IPrescriptions.Terms memory terms = _terms(designated ? _pharmacy : address(0), quantity, refills);
        _issue(_RX_CONTENT, terms);
        IPrescriptions.Prescription memory rx = _prescriptions.prescriptionOf(_patient, _rx);
        assertEq(rx.pharmacy, terms.pharmacy, "pharmacy");
        assertEq(uint256(rx.expiresAt), uint256(terms.expiresAt), "expiresAt");
        assertEq(uint256(rx.quantity), quantity, "quantity");
        assertEq(uint256(rx.refills), refills, "refills");
        assertEq(uint256(rx.dispensed), 0, "dispensed");
        assertFalse(rx.cancelled, "cancelled");
        IRecordRegistry.Record memory record = _registry.recordOf(_patient, _rx);
        assertEq(record.author, _doctor, "author");
        assertEq(uint256(record.recordType), uint256(RecordType.Prescription), "type");
        assertEq(_prescriptions.remainingOf(_patient, _rx), uint256(quantity) * (uint256(refills) + 1), "remaining");
    }

    /// @notice Only an active doctor prescribes.
    function test_issueNeedsActiveDoctor() public {
        IPrescriptions.Terms memory terms = _terms(address(0), 10, 0);
        _expectRevertAs(
            _pharmacy,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _pharmacy, ProviderKind.Doctor)
        );
        _prescriptions.issuePrescription(_patient, _RX_CONTENT, terms);
        _suspend(_doctor);
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _doctor, ProviderKind.Doctor)
        );
        _prescriptions.issuePrescription(_patient, _RX_CONTENT, terms);
    }

    /// @notice A zero quantity, an expiry not in the future and a designated non-pharmacy are refused.
    function test_issueRejectsInvalidTerms() public {
        IPrescriptions.Terms memory terms = _terms(address(0), 0, 0);
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(IPrescriptions.PrescriptionInvalidTerms.selector, uint16(0), terms.expiresAt)
        );
        _prescriptions.issuePrescription(_patient, _RX_CONTENT, terms);

        terms = _terms(address(0), 5, 0);
        terms.expiresAt = uint40(block.timestamp);
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(IPrescriptions.PrescriptionInvalidTerms.selector, uint16(5), terms.expiresAt)
        );
        _prescriptions.issuePrescription(_patient, _RX_CONTENT, terms);

        terms = _terms(_lab, 5, 0);
        _expectRevertAs(_doctor, abi.encodeWithSelector(IPrescriptions.PrescriptionInvalidPharmacy.selector, _lab));
        _prescriptions.issuePrescription(_patient, _RX_CONTENT, terms);
    }

    // ------------------------------------------------------------------ dispensing

    /// @notice Dispensing in fills never goes beyond quantity x (refills + 1); each dispense anchors a
    /// Dispense record by the pharmacy.
    function testFuzz_dispenseNeverExceedsTotal(uint16 quantity, uint8 refills, uint256 seed) public {
        quantity = uint16(bound(quantity, 1, 1000));
        refills = uint8(bound(refills, 0, 5));
        _issue(_RX_CONTENT, _terms(address(0), quantity, refills));
        uint256 total = uint256(quantity) * (uint256(refills) + 1);
        uint256 dispensed;
        for (uint256 i = 0; i < 12; ++i) {
            uint256 amount = bound(uint256(keccak256(abi.encode(seed, i))), 1, quantity);
            bytes32 dispense = keccak256(abi.encode("dispense", i));
            uint256 remaining = total - dispensed;
            VM.prank(_pharmacy);
            if (amount > remaining) {
                VM.expectRevert(
                    abi.encodeWithSelector(
                        IPrescriptions.PrescriptionQuantityExceeded.selector,
                        _rx,
                        amount,
                        uint256(quantity),
                        remaining
                    )
                );
                _prescriptions.dispensePrescription(_patient, _rx, uint24(amount), dispense);
            } else {
                _prescriptions.dispensePrescription(_patient, _rx, uint24(amount), dispense);
                dispensed += amount;
                assertEq(
                    _registry.recordOf(_patient, _recordOf(_pharmacy, dispense)).author,
                    _pharmacy,
                    "dispense author"
                );
            }
            IPrescriptions.Prescription memory rx = _prescriptions.prescriptionOf(_patient, _rx);
            assertEq(uint256(rx.dispensed), dispensed, "dispensed");
            assertTrue(rx.dispensed <= total, "dispensed <= total");
            assertEq(_prescriptions.remainingOf(_patient, _rx), total - dispensed, "remaining");
        }
    }

    /// @notice A zero amount and more than one fill are refused.
    function test_dispenseRejectsZeroAndOverFill() public {
        _issue(_RX_CONTENT, _terms(address(0), 10, 2));
        _expectRevertAs(
            _pharmacy,
            abi.encodeWithSelector(
                IPrescriptions.PrescriptionQuantityExceeded.selector,
                _rx,
                uint256(0),
                uint256(10),
                uint256(30)
            )
        );
        _prescriptions.dispensePrescription(_patient, _rx, 0, _DISPENSE);
        _expectRevertAs(
            _pharmacy,
            abi.encodeWithSelector(
                IPrescriptions.PrescriptionQuantityExceeded.selector,
                _rx,
                uint256(11),
                uint256(10),
                uint256(30)
            )
        );
        _prescriptions.dispensePrescription(_patient, _rx, 11, _DISPENSE);
    }

    /// @notice An unknown prescription cannot be dispensed, amended or cancelled, and has nothing left.
    function test_unknownPrescription() public {
        bytes memory notFound = abi.encodeWithSelector(IPrescriptions.PrescriptionNotFound.selector, _patient, _rx);
        _expectRevertAs(_pharmacy, notFound);
        _prescriptions.dispensePrescription(_patient, _rx, 1, _DISPENSE);
        IPrescriptions.Terms memory terms = _terms(address(0), 1, 0);
        _expectRevertAs(_doctor, notFound);
        _prescriptions.amendPrescription(_patient, _rx, _RX2_CONTENT, terms);
        _expectRevertAs(_doctor, notFound);
        _prescriptions.cancelPrescription(_patient, _rx);
        assertEq(_prescriptions.remainingOf(_patient, _rx), 0, "remaining");
    }

    /// @notice Only an active pharmacy dispenses, and only the designated one when one is named.
    function test_dispenseNeedsTheAuthorisedPharmacy() public {
        _issue(_RX_CONTENT, _terms(_pharmacy, 10, 0));
        _expectRevertAs(
            _doctor2,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _doctor2, ProviderKind.Pharmacy)
        );
        _prescriptions.dispensePrescription(_patient, _rx, 1, _DISPENSE);
        _expectRevertAs(
            _pharmacy2,
            abi.encodeWithSelector(IPrescriptions.PrescriptionPharmacyNotAuthorised.selector, _pharmacy2, _pharmacy)
        );
        _prescriptions.dispensePrescription(_patient, _rx, 1, _DISPENSE);
    }

    /// @notice Without the patient's dispensing consent, no pharmacy dispenses.
    function test_dispenseNeedsConsent() public {
        _issue(_RX_CONTENT, _terms(address(0), 10, 0));
        _expectRevertAs(
            _pharmacy2,
            abi.encodeWithSelector(IPrescriptions.PrescriptionNoPatientConsent.selector, _patient, _pharmacy2)
        );
        _prescriptions.dispensePrescription(_patient, _rx, 1, _DISPENSE);
    }

    /// @notice Cancelled, expired, erased and superseded prescriptions, and those of a suspended
    /// prescriber, are not dispensable, and have nothing left.
    function test_dispenseRefusedWhenNoLongerValid() public {
        IPrescriptions.Terms memory terms = _terms(address(0), 10, 0);
        _issue(_RX_CONTENT, terms);
        // Suspended prescriber.
        _suspend(_doctor);
        VM.prank(_pharmacy);
        VM.expectRevert(abi.encodeWithSelector(IPrescriptions.PrescriptionPrescriberInactive.selector, _doctor));
        _prescriptions.dispensePrescription(_patient, _rx, 1, _DISPENSE);
        _reinstate(_doctor);
        // Expired.
        VM.warp(terms.expiresAt);
        assertEq(_prescriptions.remainingOf(_patient, _rx), 0, "remaining when expired");
        _expectRevertAs(
            _pharmacy,
            abi.encodeWithSelector(IPrescriptions.PrescriptionExpired.selector, _rx, terms.expiresAt)
        );
        _prescriptions.dispensePrescription(_patient, _rx, 1, _DISPENSE);
        VM.warp(_T0);
        // Superseded by a direct correction in the registry.
        VM.prank(_doctor);
        _registry.amendRecord(_patient, _rx, _RX2_CONTENT, false);
        assertEq(_prescriptions.remainingOf(_patient, _rx), 0, "remaining when superseded");
        _expectRevertAs(_pharmacy, abi.encodeWithSelector(IPrescriptions.PrescriptionSuperseded.selector, _rx));
        _prescriptions.dispensePrescription(_patient, _rx, 1, _DISPENSE);
        // Erased by the patient.
        bytes32 other = _issue(keccak256("other rx"), terms);
        VM.prank(_patient);
        _registry.eraseRecord(_patient, other);
        assertEq(_prescriptions.remainingOf(_patient, other), 0, "remaining when erased");
        _expectRevertAs(_pharmacy, abi.encodeWithSelector(IPrescriptions.PrescriptionErased.selector, other));
        _prescriptions.dispensePrescription(_patient, other, 1, _DISPENSE);
        // Cancelled.
        bytes32 third = _issue(keccak256("third rx"), terms);
        VM.prank(_doctor);
        _prescriptions.cancelPrescription(_patient, third);
        assertTrue(_prescriptions.prescriptionOf(_patient, third).cancelled, "cancelled");
        assertEq(_prescriptions.remainingOf(_patient, third), 0, "remaining when cancelled");
        _expectRevertAs(_pharmacy, abi.encodeWithSelector(IPrescriptions.PrescriptionCancelled.selector, third));
        _prescriptions.dispensePrescription(_patient, third, 1, _DISPENSE);
    }

    /// @notice A dispense of a sensitive prescription is as sensitive (consent for it is per record).
    function test_dispenseOfSensitivePrescriptionIsSensitive() public {
        _issue(_RX_CONTENT, _terms(address(0), 10, 0));
        VM.prank(_patient);
        _registry.setRecordSensitivity(_patient, _rx, true);
        _expectRevertAs(
            _pharmacy,
            abi.encodeWithSelector(IPrescriptions.PrescriptionNoPatientConsent.selector, _patient, _pharmacy)
        );
        _prescriptions.dispensePrescription(_patient, _rx, 1, _DISPENSE);
        _grantFor(_patient, _pharmacy, ConsentScope.Record, _rx, Purpose.Dispensing);
        _dispense(_pharmacy, _rx, 4, _DISPENSE);
        assertEq(
            uint256(_registry.recordOf(_patient, _recordOf(_pharmacy, _DISPENSE)).flags),
            _FLAG_SENSITIVE,
            "dispense flags"
        );
    }

    // ------------------------------------------------------------------ amending

    /// @notice An amendment carries what was dispensed over, supersedes the old version and needs new
    /// terms that allow at least that much.
    function testFuzz_amendCarriesDispensed(uint16 quantity, uint8 refills, uint24 dispensed) public {
        _issue(_RX_CONTENT, _terms(address(0), 100, 1));
        dispensed = uint24(bound(dispensed, 1, 100));
        _dispense(_pharmacy, _rx, dispensed, _DISPENSE);
        quantity = uint16(bound(quantity, 1, 300));
        refills = uint8(bound(refills, 0, 3));
        uint256 total = uint256(quantity) * (uint256(refills) + 1);
        IPrescriptions.Terms memory terms = _terms(address(0), quantity, refills);
        VM.prank(_doctor);
        if (total < dispensed) {
            VM.expectRevert(
                abi.encodeWithSelector(
                    IPrescriptions.PrescriptionTotalBelowDispensed.selector,
                    total,
                    uint256(dispensed)
                )
            );
            _prescriptions.amendPrescription(_patient, _rx, _RX2_CONTENT, terms);
            return;
        }
        _prescriptions.amendPrescription(_patient, _rx, _RX2_CONTENT, terms);
        IPrescriptions.Prescription memory rx = _prescriptions.prescriptionOf(_patient, _rx2);
        assertEq(uint256(rx.dispensed), dispensed, "dispensed carried over");
        assertEq(_prescriptions.remainingOf(_patient, _rx2), total - dispensed, "remaining");
        assertEq(_prescriptions.remainingOf(_patient, _rx), 0, "old version");
        assertEq(uint256(_registry.recordOf(_patient, _rx2).version), 2, "version");
    }

    /// @notice Only an active doctor who wrote the prescription amends it, never a cancelled one, and
    /// only with valid terms.
    function test_amendRules() public {
        IPrescriptions.Terms memory terms = _terms(address(0), 10, 0);
        _issue(_RX_CONTENT, terms);
        _expectRevertAs(
            _pharmacy,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _pharmacy, ProviderKind.Doctor)
        );
        _prescriptions.amendPrescription(_patient, _rx, _RX2_CONTENT, terms);
        VM.prank(_doctor2);
        VM.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordRegistryNotAuthor.selector, _doctor2, _doctor));
        _prescriptions.amendPrescription(_patient, _rx, _RX2_CONTENT, terms);
        IPrescriptions.Terms memory bad = _terms(address(0), 0, 0);
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(IPrescriptions.PrescriptionInvalidTerms.selector, uint16(0), bad.expiresAt)
        );
        _prescriptions.amendPrescription(_patient, _rx, _RX2_CONTENT, bad);
        VM.prank(_doctor);
        _prescriptions.cancelPrescription(_patient, _rx);
        _expectRevertAs(_doctor, abi.encodeWithSelector(IPrescriptions.PrescriptionCancelled.selector, _rx));
        _prescriptions.amendPrescription(_patient, _rx, _RX2_CONTENT, terms);
    }

    // ------------------------------------------------------------------ cancelling

    /// @notice Only the prescriber, while active, cancels, and only once.
    function test_cancelRules() public {
        _issue(_RX_CONTENT, _terms(address(0), 10, 0));
        VM.prank(_doctor2);
        VM.expectRevert(abi.encodeWithSelector(IPrescriptions.PrescriptionNotPrescriber.selector, _doctor2, _doctor));
        _prescriptions.cancelPrescription(_patient, _rx);
        _suspend(_doctor);
        _expectRevertAs(
            _doctor,
            abi.encodeWithSelector(WorkflowBase.WorkflowUnauthorizedProvider.selector, _doctor, ProviderKind.Doctor)
        );
        _prescriptions.cancelPrescription(_patient, _rx);
        _reinstate(_doctor);
        VM.prank(_doctor);
        _prescriptions.cancelPrescription(_patient, _rx);
        _expectRevertAs(_doctor, abi.encodeWithSelector(IPrescriptions.PrescriptionCancelled.selector, _rx));
        _prescriptions.cancelPrescription(_patient, _rx);
    }
}

/// @title PrescriptionsHandler
/// @notice The runner's actions on `Prescriptions`: issue, dispense (any amount, any pharmacy),
/// amend, cancel, let time pass. Every call is made in a `try`, so an action the rules refuse is a
/// no-op; the handler remembers every prescription version it issued.
contract PrescriptionsHandler {
    Prescriptions internal immutable _prescriptions;
    address internal immutable _patient;
    address internal immutable _doctor;
    address[2] internal _pharmacies;
    bytes32[] internal _issued;
    uint256 internal _nonce;

    /// @notice Units successfully dispensed through this handler, over every prescription.
    uint256 public ghostDispensed;

    constructor(Prescriptions prescriptions, address patient, address doctor, address pharmacy, address pharmacy2) {
        _prescriptions = prescriptions;
        _patient = patient;
        _doctor = doctor;
        _pharmacies = [pharmacy, pharmacy2];
    }

    function issue(uint16 quantity, uint8 refills, bool designated) external {
        bytes32 commitment = keccak256(abi.encode("rx", ++_nonce));
        IPrescriptions.Terms memory terms = IPrescriptions.Terms({
            pharmacy: designated ? _pharmacies[0] : address(0),
            expiresAt: uint40(block.timestamp + 10 days),
            quantity: uint16(1 + (quantity % 200)),
            refills: refills % 6
        });
        VM.prank(_doctor);
        try _prescriptions.issuePrescription(_patient, commitment, terms) {
            _issued.push(RecordCommitments.bind(_doctor, commitment));
        } catch {}
    }

    function dispense(uint256 index, uint24 amount, bool otherPharmacy) external {
        if (_issued.length == 0) return;
        bytes32 prescription = _issued[index % _issued.length];
        VM.prank(_pharmacies[otherPharmacy ? 1 : 0]);
        try
            _prescriptions.dispensePrescription(
                _patient,
                prescription,
                uint24(amount % 250),
                keccak256(abi.encode("dispense", ++_nonce))
            )
        {
            ghostDispensed += amount % 250;
        } catch {}
    }

    function amend(uint256 index, uint16 quantity, uint8 refills) external {
        if (_issued.length == 0) return;
        bytes32 previous = _issued[index % _issued.length];
        bytes32 commitment = keccak256(abi.encode("rx", ++_nonce));
        IPrescriptions.Terms memory terms = IPrescriptions.Terms({
            pharmacy: address(0),
            expiresAt: uint40(block.timestamp + 10 days),
            quantity: uint16(1 + (quantity % 200)),
            refills: refills % 6
        });
        VM.prank(_doctor);
        try _prescriptions.amendPrescription(_patient, previous, commitment, terms) {
            _issued.push(RecordCommitments.bind(_doctor, commitment));
        } catch {}
    }

    function cancel(uint256 index) external {
        if (_issued.length == 0) return;
        VM.prank(_doctor);
        try _prescriptions.cancelPrescription(_patient, _issued[index % _issued.length]) {} catch {}
    }

    function warp(uint32 seconds_) external {
        VM.warp(block.timestamp + (seconds_ % 3 days));
    }

    function issuedCount() external view returns (uint256) {
        return _issued.length;
    }

    function issuedAt(uint256 index) external view returns (bytes32) {
        return _issued[index];
    }
}

/// @title PrescriptionsInvariants
/// @notice Stateful fuzzing of dispensing: whatever sequence of issues, dispenses (by the right or
/// the wrong pharmacy, of any amount), amendments, cancellations and waits, no prescription version
/// ever has more dispensed than quantity x (refills + 1).
contract PrescriptionsInvariants is WorkflowInvariants {
    PrescriptionsHandler internal _handler;

    function setUp() public {
        _deployWorkflows();
        _consentToDispensing(_patient, _pharmacy);
        _handler = new PrescriptionsHandler(_prescriptions, _patient, _doctor, _pharmacy, _pharmacy2);
        _handler.issue(10, 2, false);
        bytes4[] memory actions = new bytes4[](5);
        actions[0] = PrescriptionsHandler.issue.selector;
        actions[1] = PrescriptionsHandler.dispense.selector;
        actions[2] = PrescriptionsHandler.amend.selector;
        actions[3] = PrescriptionsHandler.cancel.selector;
        actions[4] = PrescriptionsHandler.warp.selector;
        _fuzzOnly(address(_handler), actions);
    }

    /// @notice For every prescription version, dispensed <= quantity x (refills + 1).
    function invariant_dispensedNeverExceedsTotal() public view {
        uint256 count = _handler.issuedCount();
        for (uint256 i = 0; i < count; ++i) {
            IPrescriptions.Prescription memory rx = _prescriptions.prescriptionOf(_patient, _handler.issuedAt(i));
            assertTrue(
                uint256(rx.dispensed) <= uint256(rx.quantity) * (uint256(rx.refills) + 1),
                "dispensed exceeds quantity x (refills + 1)"
            );
        }
    }
}
