// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPatientDelegation} from "./interfaces/IPatientDelegation.sol";

/// @title PatientDelegation
/// @notice Patient-appointed delegates with explicit capabilities and an end date.
contract PatientDelegation is IPatientDelegation {
    /// @inheritdoc IPatientDelegation
    uint8 public constant CAPABILITY_MANAGE_CONSENT = 1;
    /// @inheritdoc IPatientDelegation
    uint8 public constant CAPABILITY_ERASE = 2;
    /// @inheritdoc IPatientDelegation
    uint8 public constant CAPABILITY_READ = 4;

    uint8 private constant _ALL_CAPABILITIES = CAPABILITY_MANAGE_CONSENT | CAPABILITY_ERASE | CAPABILITY_READ;

    mapping(address patient => mapping(address delegate => Delegation delegation)) private _delegations;

    /// @inheritdoc IPatientDelegation
    function appointDelegate(address delegate, uint8 capabilities, uint40 validUntil) external {
        if (delegate == address(0)) revert PatientDelegationZeroAddress();
        if (delegate == msg.sender) revert PatientDelegationSelf(msg.sender);
        if (capabilities == 0 || capabilities & ~_ALL_CAPABILITIES != 0) {
            revert PatientDelegationInvalidCapabilities(capabilities);
        }
        if (validUntil <= _now()) revert PatientDelegationInvalidEnd(validUntil, _now());
        _delegations[msg.sender][delegate] = Delegation({
            capabilities: capabilities,
            appointedAt: uint40(_now()),
            validUntil: validUntil
        });
        emit DelegateAppointed(msg.sender, delegate, capabilities, validUntil);
    }

    /// @inheritdoc IPatientDelegation
    function removeDelegate(address delegate) external {
        if (_delegations[msg.sender][delegate].capabilities == 0)
            revert PatientDelegationNotFound(msg.sender, delegate);
        delete _delegations[msg.sender][delegate];
        emit DelegateRemoved(msg.sender, delegate);
    }

    /// @inheritdoc IPatientDelegation
    function isDelegate(address patient, address delegate, uint8 capabilities) external view returns (bool) {
        Delegation memory delegation = _delegations[patient][delegate];
        return
            capabilities != 0 &&
            delegation.capabilities & capabilities == capabilities &&
            _now() < delegation.validUntil;
    }

    /// @inheritdoc IPatientDelegation
    function delegationOf(address patient, address delegate) external view returns (Delegation memory) {
        return _delegations[patient][delegate];
    }

    function _now() internal view virtual returns (uint256) {
        return block.timestamp;
    }
}
