// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessSource} from "../interfaces/IAccessSource.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IEmergencyAccess} from "../interfaces/IEmergencyAccess.sol";
import {AccessRequest, ProviderKind, Purpose} from "../libraries/CareTypes.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// @title EmergencyAccess
/// @notice Break-glass sessions; an access source for the `Emergency` purpose.
contract EmergencyAccess is IEmergencyAccess, IAccessSource, WorkflowBase {
    /// @inheritdoc IEmergencyAccess
    uint256 public constant MAX_DURATION = 24 hours;

    mapping(address patient => mapping(address provider => Session session)) private _sessions;
    mapping(address patient => bool allowed) private _sensitiveAllowed;

    /// @param consent The consent manager; its directory and registry are this contract's.
    constructor(IConsentManager consent) WorkflowBase(consent) {}

    /// @inheritdoc IEmergencyAccess
    function openEmergencyAccess(
        address patient,
        uint16 reasonCode,
        uint32 duration
    ) external returns (uint40 expiresAt) {
        _checkActiveKind(msg.sender, ProviderKind.EmergencyDepartment);
        if (patient == address(0)) revert EmergencyAccessZeroPatient();
        if (reasonCode == 0) revert EmergencyAccessMissingReason();
        if (duration == 0 || duration > MAX_DURATION) revert EmergencyAccessInvalidDuration(duration, MAX_DURATION);
        Session storage session = _sessions[patient][msg.sender];
        uint32 count = session.count + 1;
        expiresAt = uint40(block.timestamp + duration);
        session.openedAt = uint40(block.timestamp);
        session.expiresAt = expiresAt;
        session.reasonCode = reasonCode;
        session.count = count;
        emit EmergencyAccessOpened(patient, msg.sender, reasonCode, expiresAt, count);
    }

    /// @inheritdoc IEmergencyAccess
    function closeEmergencyAccess(address patient) external {
        Session storage session = _sessions[patient][msg.sender];
        if (block.timestamp >= session.expiresAt) revert EmergencyAccessNoSession(patient, msg.sender);
        session.expiresAt = uint40(block.timestamp);
        emit EmergencyAccessClosed(patient, msg.sender, uint40(block.timestamp));
    }

    /// @inheritdoc IEmergencyAccess
    function setEmergencyAccessToSensitive(bool allowed) external {
        _sensitiveAllowed[msg.sender] = allowed;
        emit EmergencySensitiveAccessChanged(msg.sender, allowed);
    }

    /// @inheritdoc IAccessSource
    function grantsAccess(AccessRequest calldata request) external view returns (bool) {
        if (request.purpose != Purpose.Emergency) return false;
        (address accessor, address patient) = (request.accessor, request.patient);
        if (request.sensitive && !_sensitiveAllowed[patient]) return false;
        if (block.timestamp >= _sessions[patient][accessor].expiresAt) return false;
        return _directory.activeKindOf(accessor) == ProviderKind.EmergencyDepartment;
    }

    /// @inheritdoc IEmergencyAccess
    function sessionOf(address patient, address provider) external view returns (Session memory) {
        return _sessions[patient][provider];
    }

    /// @inheritdoc IEmergencyAccess
    function isSessionOpen(address patient, address provider) external view returns (bool) {
        return block.timestamp < _sessions[patient][provider].expiresAt;
    }

    /// @inheritdoc IEmergencyAccess
    function allowsSensitiveAccess(address patient) external view returns (bool) {
        return _sensitiveAllowed[patient];
    }
}
