// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IPrescriptions} from "../interfaces/IPrescriptions.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {AccessRequest, ProviderKind, Purpose, RecordFlag, RecordType} from "../libraries/CareTypes.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// @title Prescriptions
/// @notice Dispensing terms enforced on-chain; see IPrescriptions for the rules.
contract Prescriptions is IPrescriptions, WorkflowBase {
    mapping(address patient => mapping(bytes32 prescription => Prescription terms)) private _prescriptions;

    /// @param consent The consent manager; its directory and registry are this contract's (grant this
    /// contract the registry's workflow role).
    constructor(IConsentManager consent) WorkflowBase(consent) {}

    /// @inheritdoc IPrescriptions
    function issuePrescription(address patient, bytes32 commitment, Terms calldata terms) external {
        _checkActiveKind(msg.sender, ProviderKind.Doctor);
        _checkTerms(terms);
        // The registry rejects a zero patient or commitment and a second anchoring of the same one, and
        // keys the record by the prescriber's record commitment: the terms are kept under the same one.
        bytes32 prescription = _registry.anchorRecordFor(
            msg.sender,
            patient,
            commitment,
            RecordType.Prescription,
            false
        );
        _store(patient, prescription, terms, 0);
        emit PrescriptionIssued(
            patient,
            prescription,
            msg.sender,
            terms.pharmacy,
            terms.expiresAt,
            terms.quantity,
            terms.refills
        );
    }

    /// @inheritdoc IPrescriptions
    function dispensePrescription(
        address patient,
        bytes32 prescription,
        uint24 amount,
        bytes32 dispenseCommitment
    ) external {
        Prescription storage stored = _existing(patient, prescription);
        Prescription memory rx = stored;
        IRecordRegistry.Record memory record = _registry.recordOf(patient, prescription);
        (ProviderKind pharmacyKind, ProviderKind prescriberKind) = _directory.activeKindsOf(msg.sender, record.author);
        if (pharmacyKind != ProviderKind.Pharmacy) {
            revert WorkflowUnauthorizedProvider(msg.sender, ProviderKind.Pharmacy);
        }
        if (rx.pharmacy != address(0) && rx.pharmacy != msg.sender) {
            revert PrescriptionPharmacyNotAuthorised(msg.sender, rx.pharmacy);
        }
        if (rx.cancelled) revert PrescriptionCancelled(prescription);
        if (block.timestamp >= rx.expiresAt) revert PrescriptionExpired(prescription, rx.expiresAt);
        uint256 remaining = _total(rx) - rx.dispensed;
        if (amount == 0 || amount > rx.quantity || amount > remaining) {
            revert PrescriptionQuantityExceeded(prescription, amount, rx.quantity, remaining);
        }
        if (prescriberKind != ProviderKind.Doctor) revert PrescriptionPrescriberInactive(record.author);
        if (record.flags & RecordFlag.ERASED != 0) revert PrescriptionErased(prescription);
        if (record.flags & RecordFlag.SUPERSEDED != 0) revert PrescriptionSuperseded(prescription);
        bool sensitive = record.flags & RecordFlag.SENSITIVE != 0;
        AccessRequest memory request = AccessRequest({
            accessor: msg.sender,
            patient: patient,
            commitment: prescription,
            recordType: RecordType.Prescription,
            sensitive: sensitive,
            purpose: Purpose.Dispensing
        });
        if (!_consent.hasConsent(request)) revert PrescriptionNoPatientConsent(patient, msg.sender);

        stored.dispensed = rx.dispensed + amount;
        // A dispense names the same medicine, so it is exactly as sensitive as its prescription.
        bytes32 dispense = _registry.anchorRecordFor(
            msg.sender,
            patient,
            dispenseCommitment,
            RecordType.Dispense,
            sensitive
        );
        emit PrescriptionDispensed(patient, prescription, msg.sender, dispense, amount);
    }

    /// @inheritdoc IPrescriptions
    function amendPrescription(address patient, bytes32 previous, bytes32 prescription, Terms calldata terms) external {
        Prescription memory old = _existing(patient, previous);
        _checkActiveKind(msg.sender, ProviderKind.Doctor);
        if (old.cancelled) revert PrescriptionCancelled(previous);
        _checkTerms(terms);
        uint256 total = uint256(terms.quantity) * (uint256(terms.refills) + 1);
        if (total < old.dispensed) revert PrescriptionTotalBelowDispensed(total, old.dispensed);
        // The registry checks that the caller wrote `previous`, that it is the newest version and not
        // erased, marks it superseded (so it is dispensable no more) and keeps its sensitivity.
        bytes32 corrected = _registry.amendRecordFor(msg.sender, patient, previous, prescription, false);
        _store(patient, corrected, terms, old.dispensed);
        emit PrescriptionAmended(patient, corrected, previous);
    }

    /// @inheritdoc IPrescriptions
    function cancelPrescription(address patient, bytes32 prescription) external {
        Prescription storage stored = _existing(patient, prescription);
        address prescriber = _registry.recordOf(patient, prescription).author;
        if (msg.sender != prescriber) revert PrescriptionNotPrescriber(msg.sender, prescriber);
        _checkActiveKind(msg.sender, ProviderKind.Doctor);
        if (stored.cancelled) revert PrescriptionCancelled(prescription);
        stored.cancelled = true;
        emit PrescriptionCancelledBy(patient, prescription, msg.sender);
    }

    /// @inheritdoc IPrescriptions
    function prescriptionOf(address patient, bytes32 prescription) external view returns (Prescription memory) {
        return _prescriptions[patient][prescription];
    }

    /// @inheritdoc IPrescriptions
    function remainingOf(address patient, bytes32 prescription) external view returns (uint256) {
        Prescription memory rx = _prescriptions[patient][prescription];
        if (rx.quantity == 0 || rx.cancelled || block.timestamp >= rx.expiresAt) return 0;
        if (_registry.recordOf(patient, prescription).flags & (RecordFlag.ERASED | RecordFlag.SUPERSEDED) != 0)
            return 0;
        return _total(rx) - rx.dispensed;
    }

    function _checkTerms(Terms calldata terms) private view {
        if (terms.quantity == 0 || terms.expiresAt <= block.timestamp) {
            revert PrescriptionInvalidTerms(terms.quantity, terms.expiresAt);
        }
        if (terms.pharmacy != address(0) && _directory.activeKindOf(terms.pharmacy) != ProviderKind.Pharmacy) {
            revert PrescriptionInvalidPharmacy(terms.pharmacy);
        }
    }

    function _store(address patient, bytes32 prescription, Terms calldata terms, uint24 dispensed) private {
        _prescriptions[patient][prescription] = Prescription({
            pharmacy: terms.pharmacy,
            expiresAt: terms.expiresAt,
            quantity: terms.quantity,
            refills: terms.refills,
            dispensed: dispensed,
            cancelled: false
        });
    }

    function _existing(address patient, bytes32 prescription) private view returns (Prescription storage stored) {
        stored = _prescriptions[patient][prescription];
        if (stored.quantity == 0) revert PrescriptionNotFound(patient, prescription);
    }

    function _total(Prescription memory rx) private pure returns (uint256) {
        return uint256(rx.quantity) * (uint256(rx.refills) + 1);
    }
}
