// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPatientDelegation} from "./interfaces/IPatientDelegation.sol";

/// @title PatientAuthorised
/// @notice What every contract that lets a patient's delegates act for the patient shares: the
/// delegation registry and the one "is the caller the patient, or a delegate with this capability"
/// check. Each contract keeps its own refusal error, so its ABI and its callers' error handling stay as
/// they were.
abstract contract PatientAuthorised {
    IPatientDelegation internal immutable _delegation;

    /// @param delegation The patient delegation registry. Not checked here: the inheriting constructor
    /// rejects address(0) with its own error, together with its other dependencies.
    constructor(IPatientDelegation delegation) {
        _delegation = delegation;
    }

    /// @dev Reverts (through `_revertNotPatientOrDelegate`) unless the caller is `patient` or a delegate
    /// of `patient` holding every bit of `capability`. A recorded death is not checked here: each contract
    /// decides what it closes (erasure reopens once the retention period ends), and one that refuses a
    /// deceased patient before anything else overrides this to say so.
    function _checkPatientOrDelegate(address patient, uint8 capability) internal view virtual {
        if (msg.sender != patient && !_delegation.isDelegate(patient, msg.sender, capability)) {
            _revertNotPatientOrDelegate(msg.sender, patient);
        }
    }

    /// @dev Must revert, with the inheriting contract's own error: returning would let the caller through.
    function _revertNotPatientOrDelegate(address account, address patient) internal pure virtual;
}
