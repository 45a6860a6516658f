// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IAccessSource} from "./interfaces/IAccessSource.sol";
import {IConsentManager} from "./interfaces/IConsentManager.sol";
import {IPatientDelegation} from "./interfaces/IPatientDelegation.sol";
import {IProviderDirectory} from "./interfaces/IProviderDirectory.sol";
import {IRecordRegistry} from "./interfaces/IRecordRegistry.sol";
import {RecordCommitments} from "./libraries/RecordCommitments.sol";
import {
    AccessBasis,
    AccessRequest,
    Capability,
    ConsentScope,
    ProviderKind,
    Purpose,
    RecordFlag,
    RecordType
} from "./libraries/CareTypes.sol";
import {PatientAuthorised} from "./PatientAuthorised.sol";

/// @title ConsentManager
/// @notice Patient consent grants (direct, by a delegate, or relayed with an EIP-712 signature) and
/// the access rule. Grants are keyed per patient by a hash of what they cover, so the rule checks at
/// most three grant slots, whatever the number of grants a patient holds.
contract ConsentManager is IConsentManager, AccessControlDefaultAdminRules, EIP712, Nonces, PatientAuthorised {
    /// @inheritdoc IConsentManager
    uint256 public constant MAX_ACCESS_SOURCES = 8;

    /// @inheritdoc IConsentManager
    bytes32 public constant GRANT_CONSENT_TYPEHASH = keccak256(
        "GrantConsent(address patient,address grantee,uint8 scope,bytes32 scopeValue,uint8 purpose,uint40 validFrom,uint40 validUntil,uint256 nonce,uint256 deadline)"
    );

    /// @inheritdoc IConsentManager
    bytes32 public constant REVOKE_CONSENT_TYPEHASH = keccak256(
        "RevokeConsent(address patient,bytes32 grantId,uint256 nonce,uint256 deadline)"
    );

    IProviderDirectory private immutable _directory;
    IRecordRegistry private immutable _registry;

    mapping(address patient => mapping(bytes32 grantId => Grant grant)) private _grants;
    IAccessSource[] private _accessSources;

    /// @param admin The first admin (manages access sources).
    /// @param adminTransferDelay Seconds a new admin must wait before accepting the role.
    /// @param providerDirectory The provider directory.
    /// @param recordRegistry The record registry.
    /// @param patientDelegation The patient delegation registry.
    constructor(
        address admin,
        uint48 adminTransferDelay,
        IProviderDirectory providerDirectory,
        IRecordRegistry recordRegistry,
        IPatientDelegation patientDelegation
    )
        AccessControlDefaultAdminRules(adminTransferDelay, admin)
        EIP712("CareLedger Consent", "1")
        PatientAuthorised(patientDelegation)
    {
        if (
            address(providerDirectory) == address(0) ||
            address(recordRegistry) == address(0) ||
            address(patientDelegation) == address(0)
        ) revert ConsentZeroAddress();
        _directory = providerDirectory;
        _registry = recordRegistry;
    }

    /// @inheritdoc IConsentManager
    function grantConsent(address patient, GrantRequest calldata request) external returns (bytes32 grantId) {
        _checkPatientOrDelegate(patient, Capability.MANAGE_CONSENT);
        // A delegate's own access is the patient's appointment, bounded by its capabilities and end date;
        // a grant to itself would outlive both (and turn a consent-only power of attorney into reading).
        if (msg.sender != patient && request.grantee == msg.sender)
            revert ConsentDelegateSelfGrant(msg.sender, patient);
        return _grant(patient, request);
    }

    /// @inheritdoc IConsentManager
    function grantConsentBySig(
        address patient,
        GrantRequest calldata request,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 grantId) {
        if (block.timestamp > deadline) revert ConsentExpiredSignature(deadline);
        bytes32 structHash = keccak256(
            abi.encode(
                GRANT_CONSENT_TYPEHASH,
                patient,
                request.grantee,
                request.scope,
                request.scopeValue,
                request.purpose,
                request.validFrom,
                request.validUntil,
                _useNonce(patient),
                deadline
            )
        );
        _checkSignature(patient, structHash, signature);
        return _grant(patient, request);
    }

    /// @inheritdoc IConsentManager
    function revokeConsent(address patient, bytes32 grantId) external {
        _checkPatientOrDelegate(patient, Capability.MANAGE_CONSENT);
        _revoke(patient, grantId);
    }

    /// @inheritdoc IConsentManager
    function revokeConsentBySig(address patient, bytes32 grantId, uint256 deadline, bytes calldata signature) external {
        if (block.timestamp > deadline) revert ConsentExpiredSignature(deadline);
        bytes32 structHash = keccak256(
            abi.encode(REVOKE_CONSENT_TYPEHASH, patient, grantId, _useNonce(patient), deadline)
        );
        _checkSignature(patient, structHash, signature);
        _revoke(patient, grantId);
    }

    /// @inheritdoc IConsentManager
    function invalidateNonce() external {
        _useNonce(msg.sender);
    }

    /// @inheritdoc IConsentManager
    function addAccessSource(IAccessSource source) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(source) == address(0)) revert ConsentZeroAddress();
        if (_indexOfSource(source) != type(uint256).max) revert ConsentAccessSourceState(address(source), true);
        if (_accessSources.length == MAX_ACCESS_SOURCES) revert ConsentTooManyAccessSources(MAX_ACCESS_SOURCES);
        _accessSources.push(source);
        emit AccessSourceAdded(address(source));
    }

    /// @inheritdoc IConsentManager
    function removeAccessSource(IAccessSource source) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 index = _indexOfSource(source);
        if (index == type(uint256).max) revert ConsentAccessSourceState(address(source), false);
        _accessSources[index] = _accessSources[_accessSources.length - 1];
        _accessSources.pop();
        emit AccessSourceRemoved(address(source));
    }

    /// @inheritdoc IConsentManager
    function canAccess(
        address accessor,
        address patient,
        bytes32 commitment,
        Purpose purpose
    ) external view returns (bool) {
        return _basisFor(accessor, patient, commitment, purpose) != AccessBasis.None;
    }

    /// @inheritdoc IConsentManager
    function hasConsent(AccessRequest calldata request) external view returns (bool) {
        return _delegation.diedAt(request.patient) == 0 && _hasGrant(request);
    }

    /// @inheritdoc IConsentManager
    function accessBasis(
        address accessor,
        address patient,
        bytes32 commitment,
        Purpose purpose
    ) external view returns (AccessBasis) {
        return _basisFor(accessor, patient, commitment, purpose);
    }

    /// @inheritdoc IConsentManager
    function canAccessBatchRecord(
        address accessor,
        bytes32 root,
        IRecordRegistry.BatchLeaf calldata leaf,
        bytes32[] calldata proof,
        Purpose purpose
    ) external view returns (bool) {
        if (!_registry.verifyBatchRecord(root, leaf, proof)) return false;
        // The batch's anchorer is the author of its leaves: sound because the root is bound to it (no one
        // else can anchor the same root), and the leaf is named by that author's record commitment.
        address author = _registry.batchOf(root).author;
        bytes32 record = RecordCommitments.bind(author, leaf.commitment);
        // What the patient set on this record holds wherever its author publishes it: a batch leaf
        // re-published (in another batch, or anchored on its own) with `sensitive = false` is as
        // sensitive, and as erased, as the patient made it anywhere.
        uint8 flags =
            _registry.batchRecordFlagsOf(leaf.patient, record) | _registry.recordOf(leaf.patient, record).flags;
        if (flags & RecordFlag.ERASED != 0) return false;
        bool sensitive = leaf.sensitive || flags & RecordFlag.SENSITIVE != 0;
        AccessRequest memory request = AccessRequest(
            accessor,
            leaf.patient,
            record,
            leaf.recordType,
            sensitive,
            purpose
        );
        return _decide(request, author) != AccessBasis.None;
    }

    /// @inheritdoc IConsentManager
    function grantOf(address patient, bytes32 grantId) external view returns (Grant memory) {
        return _grants[patient][grantId];
    }

    /// @inheritdoc IConsentManager
    function isGrantActive(address patient, bytes32 grantId) external view returns (bool) {
        return _isActive(_grants[patient][grantId]);
    }

    /// @inheritdoc IConsentManager
    function grantIdOf(
        address grantee,
        ConsentScope scope,
        bytes32 scopeValue,
        Purpose purpose
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(grantee, scope, scopeValue, purpose));
    }

    /// @inheritdoc IConsentManager
    function accessSources() external view returns (IAccessSource[] memory) {
        return _accessSources;
    }

    /// @inheritdoc IConsentManager
    function registry() external view returns (IRecordRegistry) {
        return _registry;
    }

    /// @inheritdoc IConsentManager
    function directory() external view returns (IProviderDirectory) {
        return _directory;
    }

    /// @inheritdoc IConsentManager
    function delegation() external view returns (IPatientDelegation) {
        return _delegation;
    }

    function _grant(address patient, GrantRequest calldata request) private returns (bytes32 grantId) {
        address grantee = request.grantee;
        if (grantee == address(0) || patient == address(0)) revert ConsentZeroAddress();
        _checkAlive(patient);
        if (grantee == patient) revert ConsentSelfGrant(patient);
        if (request.purpose == Purpose.None) revert ConsentInvalidPurpose(request.purpose);
        if (request.validUntil <= request.validFrom || request.validUntil <= block.timestamp) {
            revert ConsentInvalidPeriod(request.validFrom, request.validUntil);
        }
        _checkScope(request.scope, request.scopeValue, request.purpose);
        grantId = grantIdOf(grantee, request.scope, request.scopeValue, request.purpose);
        _grants[patient][grantId] = Grant({
            grantee: grantee,
            validFrom: request.validFrom,
            validUntil: request.validUntil,
            revoked: false
        });
        emit ConsentGranted(
            patient,
            grantee,
            grantId,
            request.scope,
            request.scopeValue,
            request.purpose,
            request.validFrom,
            request.validUntil
        );
    }

    function _revoke(address patient, bytes32 grantId) private {
        _checkAlive(patient);
        Grant storage grant = _grants[patient][grantId];
        address grantee = grant.grantee;
        if (grantee == address(0)) revert ConsentGrantNotFound(patient, grantId);
        if (grant.revoked) revert ConsentAlreadyRevoked(patient, grantId);
        grant.revoked = true;
        emit ConsentRevoked(patient, grantee, grantId);
    }

    // A lawyer never gets health data on a general power: legal representation is granted per record.
    function _checkScope(ConsentScope scope, bytes32 scopeValue, Purpose purpose) private pure {
        bool valid;
        if (purpose == Purpose.LegalRepresentation && scope != ConsentScope.Record) {
            valid = false;
        } else if (scope == ConsentScope.Record) {
            // Existence is checked off-chain by the SDK: a grant for a commitment that is not
            // anchored for this patient opens nothing, and checking here would cost every share ~5k gas.
            valid = scopeValue != bytes32(0);
        } else if (scope == ConsentScope.RecordType) {
            valid = scopeValue != bytes32(0) && uint256(scopeValue) <= uint256(type(RecordType).max);
        } else if (scope == ConsentScope.AllRecords) {
            valid = scopeValue == bytes32(0);
        }
        if (!valid) revert ConsentInvalidScope(scope, scopeValue);
    }

    function _checkAlive(address patient) private view {
        if (_delegation.diedAt(patient) != 0) revert ConsentPatientDeceased(patient);
    }

    function _revertNotPatientOrDelegate(address account, address patient) internal pure override {
        revert ConsentNotPatientOrDelegate(account, patient);
    }

    function _checkSignature(address patient, bytes32 structHash, bytes calldata signature) private view {
        if (!SignatureChecker.isValidSignatureNowCalldata(patient, _hashTypedDataV4(structHash), signature)) {
            revert ConsentInvalidSignature(patient);
        }
    }

    function _basisFor(
        address accessor,
        address patient,
        bytes32 commitment,
        Purpose purpose
    ) private view returns (AccessBasis) {
        IRecordRegistry.Record memory record = _registry.recordOf(patient, commitment);
        if (record.author == address(0)) return AccessBasis.None;
        // Erasure and the patient's sensitivity mark made through a batch cover this anchoring too.
        uint8 flags = record.flags | _registry.batchRecordFlagsOf(patient, commitment);
        if (flags & RecordFlag.ERASED != 0) return AccessBasis.None;
        bool sensitive = flags & RecordFlag.SENSITIVE != 0;
        AccessRequest memory request = AccessRequest(
            accessor,
            patient,
            commitment,
            record.recordType,
            sensitive,
            purpose
        );
        return _decide(request, record.author);
    }

    // Order matters: the patient always reads their own records (suspension is professional, not
    // personal) until a recorded death; then a suspended provider is refused before any other rule.
    function _decide(AccessRequest memory request, address author) private view returns (AccessBasis) {
        (address accessor, address patient) = (request.accessor, request.patient);
        if (accessor == address(0) || request.purpose == Purpose.None) return AccessBasis.None;
        // After a recorded death the patient's key, grants and relationships no longer open anything:
        // whoever holds that key is not the patient. Authors keep their records; heirs read (as delegates).
        bool deceased = _delegation.diedAt(patient) != 0;
        if (accessor == patient) return deceased ? AccessBasis.None : AccessBasis.Patient;
        if (_isSuspendedProvider(accessor)) return AccessBasis.None;
        if (accessor == author) return AccessBasis.Author;
        if (_delegation.isDelegate(patient, accessor, Capability.READ)) return AccessBasis.Delegate;
        if (deceased) return AccessBasis.None;

        if (_hasGrant(request)) return AccessBasis.Consent;

        uint256 count = _accessSources.length;
        for (uint256 i = 0; i < count; ++i) {
            if (_accessSources[i].grantsAccess(request)) {
                return AccessBasis.Workflow;
            }
        }
        return AccessBasis.None;
    }

    function _hasGrant(AccessRequest memory request) private view returns (bool) {
        mapping(bytes32 => Grant) storage grants = _grants[request.patient];
        (address grantee, Purpose purpose) = (request.accessor, request.purpose);
        if (_isActive(grants[grantIdOf(grantee, ConsentScope.Record, request.commitment, purpose)])) return true;
        if (request.sensitive) return false;
        bytes32 recordType = bytes32(uint256(request.recordType));
        return
            _isActive(grants[grantIdOf(grantee, ConsentScope.RecordType, recordType, purpose)]) ||
            _isActive(grants[grantIdOf(grantee, ConsentScope.AllRecords, bytes32(0), purpose)]);
    }

    function _isSuspendedProvider(address account) private view returns (bool) {
        return
            _directory.activeKindOf(account) == ProviderKind.None &&
            _directory.providerOf(account).kind != ProviderKind.None;
    }

    function _isActive(Grant memory grant) private view returns (bool) {
        uint256 nowTime = block.timestamp;
        return
            grant.grantee != address(0) && !grant.revoked && nowTime >= grant.validFrom && nowTime < grant.validUntil;
    }

    function _indexOfSource(IAccessSource source) private view returns (uint256) {
        uint256 count = _accessSources.length;
        for (uint256 i = 0; i < count; ++i) {
            if (address(_accessSources[i]) == address(source)) return i;
        }
        return type(uint256).max;
    }
}
