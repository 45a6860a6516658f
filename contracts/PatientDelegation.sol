// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IPatientDelegation} from "./interfaces/IPatientDelegation.sol";
import {IProviderDirectory} from "./interfaces/IProviderDirectory.sol";
import {Capability} from "./libraries/CareTypes.sol";

/// @title PatientDelegation
/// @notice Patient-appointed delegates, registrar-recorded guardianships and deaths, and heirs.
contract PatientDelegation is IPatientDelegation {
    /// @inheritdoc IPatientDelegation
    uint8 public constant CAPABILITY_MANAGE_CONSENT = Capability.MANAGE_CONSENT;
    /// @inheritdoc IPatientDelegation
    uint8 public constant CAPABILITY_ERASE = Capability.ERASE;
    /// @inheritdoc IPatientDelegation
    uint8 public constant CAPABILITY_READ = Capability.READ;
    /// @inheritdoc IPatientDelegation
    uint256 public constant RETENTION_AFTER_DEATH = 20 * 365 days;
    /// @inheritdoc IPatientDelegation
    uint256 public constant GUARDIANSHIP_VETO_PERIOD = 7 days;
    /// @inheritdoc IPatientDelegation
    uint256 public constant DEATH_CONTEST_PERIOD = 7 days;

    uint8 private constant _ALL_CAPABILITIES = CAPABILITY_MANAGE_CONSENT | CAPABILITY_ERASE | CAPABILITY_READ;
    /// @dev What a guardianship in effect gives: never erasure, which is irreversible.
    uint8 private constant _GUARDIAN_CAPABILITIES = CAPABILITY_MANAGE_CONSENT | CAPABILITY_READ;
    /// @dev `effectiveFrom` of a guardianship that waits for the patient's acceptance.
    uint40 private constant _AWAITING_ACCEPTANCE = type(uint40).max;

    /// @notice Per-patient status. Fits in one slot (5 + 1 + 1 + 5 + 1 bytes).
    struct PatientStatus {
        uint40 diedAt;
        bool minorSelfControlled;
        bool guardianshipVetoed;
        uint40 deathRecordedAt;
        bool deathContested;
    }

    IProviderDirectory private immutable _directory;

    mapping(address patient => mapping(address delegate => Delegation delegation)) private _delegations;
    mapping(address minor => mapping(address guardian => Guardianship guardianship)) private _guardianships;
    mapping(address patient => PatientStatus status) private _status;
    mapping(address patient => mapping(address heir => bool designated)) private _heirs;

    /// @param directory The provider directory whose registrar records guardianships and deaths.
    constructor(IProviderDirectory directory) {
        if (address(directory) == address(0)) revert PatientDelegationZeroAddress();
        _directory = directory;
    }

    modifier onlyRegistrar() {
        _checkRegistrar();
        _;
    }

    modifier onlyAlive() {
        if (_status[msg.sender].diedAt != 0) revert PatientDelegationDeceased(msg.sender);
        _;
    }

    /// @inheritdoc IPatientDelegation
    function appointDelegate(address delegate, uint8 capabilities, uint40 validUntil) external onlyAlive {
        if (delegate == address(0)) revert PatientDelegationZeroAddress();
        if (delegate == msg.sender) revert PatientDelegationSelf(msg.sender);
        if (capabilities == 0 || capabilities & ~_ALL_CAPABILITIES != 0) {
            revert PatientDelegationInvalidCapabilities(capabilities);
        }
        if (validUntil <= block.timestamp) revert PatientDelegationInvalidEnd(validUntil, block.timestamp);
        _delegations[msg.sender][delegate] = Delegation({
            capabilities: capabilities,
            appointedAt: uint40(block.timestamp),
            validUntil: validUntil
        });
        emit DelegateAppointed(msg.sender, delegate, capabilities, validUntil);
    }

    /// @inheritdoc IPatientDelegation
    function removeDelegate(address delegate) external {
        if (_delegations[msg.sender][delegate].capabilities == 0) {
            revert PatientDelegationNotFound(msg.sender, delegate);
        }
        delete _delegations[msg.sender][delegate];
        emit DelegateRemoved(msg.sender, delegate);
    }

    /// @inheritdoc IPatientDelegation
    function recordGuardian(address minor, address guardian, uint40 minorUntil) external onlyRegistrar {
        if (minor == address(0) || guardian == address(0)) revert PatientDelegationZeroAddress();
        if (minor == guardian) revert PatientDelegationSelf(minor);
        if (guardian == msg.sender) revert PatientDelegationRegistrarAsGuardian(msg.sender);
        if (minorUntil <= block.timestamp) revert PatientDelegationInvalidMinority(minorUntil);
        PatientStatus memory status = _status[minor];
        if (status.diedAt != 0) revert PatientDelegationDeceased(minor);
        // The registrar's word alone never makes anyone a ward: the patient may veto for a week, and a
        // patient who vetoed once must accept every later guardianship.
        uint40 effectiveFrom =
            status.guardianshipVetoed ? _AWAITING_ACCEPTANCE : uint40(block.timestamp + GUARDIANSHIP_VETO_PERIOD);
        _guardianships[minor][guardian] = Guardianship({effectiveFrom: effectiveFrom, until: minorUntil});
        emit GuardianRecorded(minor, guardian, minorUntil, effectiveFrom);
    }

    /// @inheritdoc IPatientDelegation
    function acceptGuardian(address guardian) external onlyAlive {
        Guardianship storage guardianship = _guardianships[msg.sender][guardian];
        if (guardianship.until <= block.timestamp) revert PatientDelegationNotGuardian(msg.sender, guardian);
        if (guardianship.effectiveFrom > block.timestamp) guardianship.effectiveFrom = uint40(block.timestamp);
        emit GuardianAccepted(msg.sender, guardian);
    }

    /// @inheritdoc IPatientDelegation
    function vetoGuardian(address guardian) external onlyAlive {
        Guardianship memory guardianship = _guardianships[msg.sender][guardian];
        if (guardianship.until == 0) revert PatientDelegationNotGuardian(msg.sender, guardian);
        if (guardianship.effectiveFrom <= block.timestamp) {
            revert PatientDelegationGuardianshipInEffect(msg.sender, guardian, guardianship.effectiveFrom);
        }
        delete _guardianships[msg.sender][guardian];
        _status[msg.sender].guardianshipVetoed = true;
        emit GuardianVetoed(msg.sender, guardian);
    }

    /// @inheritdoc IPatientDelegation
    function removeGuardian(address minor, address guardian) external onlyRegistrar {
        if (_guardianships[minor][guardian].until == 0) revert PatientDelegationNotGuardian(minor, guardian);
        delete _guardianships[minor][guardian];
        emit GuardianRemoved(minor, guardian);
    }

    /// @inheritdoc IPatientDelegation
    function setMinorControl(bool selfControlled) external onlyAlive {
        _status[msg.sender].minorSelfControlled = selfControlled;
        emit MinorControlChanged(msg.sender, selfControlled);
    }

    /// @inheritdoc IPatientDelegation
    function recordDeath(address patient, uint40 diedAt_) external onlyRegistrar {
        if (patient == address(0)) revert PatientDelegationZeroAddress();
        if (diedAt_ == 0 || diedAt_ > block.timestamp) revert PatientDelegationInvalidDeathTime(diedAt_);
        PatientStatus storage status = _status[patient];
        if (status.diedAt != 0) revert PatientDelegationDeceased(patient);
        status.diedAt = diedAt_;
        status.deathRecordedAt = uint40(block.timestamp);
        emit DeathRecorded(patient, diedAt_, msg.sender);
    }

    /// @inheritdoc IPatientDelegation
    function contestDeath() external {
        uint256 until = _contestableUntil(_status[msg.sender]);
        if (until == 0 || block.timestamp >= until) revert PatientDelegationDeathNotContestable(msg.sender, until);
        PatientStatus storage status = _status[msg.sender];
        status.diedAt = 0;
        status.deathRecordedAt = 0;
        status.deathContested = true;
        emit DeathContested(msg.sender);
    }

    /// @inheritdoc IPatientDelegation
    function designateHeir(address heir) external onlyAlive {
        if (heir == address(0)) revert PatientDelegationZeroAddress();
        if (heir == msg.sender) revert PatientDelegationSelf(msg.sender);
        _heirs[msg.sender][heir] = true;
        emit HeirDesignated(msg.sender, heir);
    }

    /// @inheritdoc IPatientDelegation
    function removeHeir(address heir) external onlyAlive {
        if (!_heirs[msg.sender][heir]) revert PatientDelegationNotHeir(msg.sender, heir);
        delete _heirs[msg.sender][heir];
        emit HeirRemoved(msg.sender, heir);
    }

    /// @inheritdoc IPatientDelegation
    function isDelegate(address patient, address delegate, uint8 capabilities) external view returns (bool) {
        if (capabilities == 0 || delegate == address(0)) return false;
        PatientStatus memory status = _status[patient];
        if (status.diedAt != 0) {
            // After death only heirs remain, and only to obtain the records, once the patient could no
            // longer contest the recording (a false death opens nothing to them).
            return
                capabilities == CAPABILITY_READ &&
                _heirs[patient][delegate] &&
                block.timestamp >= uint256(status.deathRecordedAt) + DEATH_CONTEST_PERIOD;
        }
        Delegation memory delegation = _delegations[patient][delegate];
        if (delegation.capabilities & capabilities == capabilities && block.timestamp < delegation.validUntil)
            return true;
        if (status.minorSelfControlled || capabilities & ~_GUARDIAN_CAPABILITIES != 0) return false;
        Guardianship memory guardianship = _guardianships[patient][delegate];
        return block.timestamp >= guardianship.effectiveFrom && block.timestamp < guardianship.until;
    }

    /// @inheritdoc IPatientDelegation
    function delegationOf(address patient, address delegate) external view returns (Delegation memory) {
        return _delegations[patient][delegate];
    }

    /// @inheritdoc IPatientDelegation
    function guardianshipUntil(address minor, address guardian) external view returns (uint40) {
        return _guardianships[minor][guardian].until;
    }

    /// @inheritdoc IPatientDelegation
    function guardianshipOf(address minor, address guardian) external view returns (Guardianship memory) {
        return _guardianships[minor][guardian];
    }

    /// @inheritdoc IPatientDelegation
    function hasVetoedGuardianship(address minor) external view returns (bool) {
        return _status[minor].guardianshipVetoed;
    }

    /// @inheritdoc IPatientDelegation
    function isMinorSelfControlled(address minor) external view returns (bool) {
        return _status[minor].minorSelfControlled;
    }

    /// @inheritdoc IPatientDelegation
    function deathContestableUntil(address patient) external view returns (uint256) {
        uint256 until = _contestableUntil(_status[patient]);
        return block.timestamp < until ? until : 0;
    }

    /// @inheritdoc IPatientDelegation
    function diedAt(address patient) external view returns (uint40) {
        return _status[patient].diedAt;
    }

    /// @inheritdoc IPatientDelegation
    function isHeir(address patient, address heir) external view returns (bool) {
        return _heirs[patient][heir];
    }

    /// @inheritdoc IPatientDelegation
    function erasureBlockedUntil(address patient) external view returns (uint256) {
        uint40 died = _status[patient].diedAt;
        if (died == 0) return 0;
        uint256 until = uint256(died) + RETENTION_AFTER_DEATH;
        return block.timestamp < until ? until : 0;
    }

    function _contestableUntil(PatientStatus memory status) private pure returns (uint256) {
        if (status.diedAt == 0 || status.deathContested) return 0;
        return uint256(status.deathRecordedAt) + DEATH_CONTEST_PERIOD;
    }

    function _checkRegistrar() internal view {
        if (!IAccessControl(address(_directory)).hasRole(_directory.REGISTRAR_ROLE(), msg.sender)) {
            revert PatientDelegationNotRegistrar(msg.sender);
        }
    }
}
