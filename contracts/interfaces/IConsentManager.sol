// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessSource} from "./IAccessSource.sol";
import {IPatientDelegation} from "./IPatientDelegation.sol";
import {IProviderDirectory} from "./IProviderDirectory.sol";
import {IRecordRegistry} from "./IRecordRegistry.sol";
import {AccessBasis, AccessRequest, ConsentScope, Purpose} from "../libraries/CareTypes.sol";

/// @title IConsentManager
/// @notice Patients' consent grants and the access rule: `canAccess` is the single answer every
/// off-chain component asks before it hands out a record.
///
/// The rule, in order: the patient is allowed (a suspension is professional and does not touch a
/// provider's own records as a patient); a suspended provider is refused; the record's author and
/// the patient's delegates with the read capability are allowed; then a matching active grant (sensitive
/// records need a record-level one); then the registered workflow access sources. After the patient's
/// recorded death only authors and heirs are allowed: grants made with a dead patient's key open nothing.
interface IConsentManager {
    /// @notice A stored grant. Fits in one slot (20 + 5 + 5 + 1 bytes).
    /// @param grantee Who may access.
    /// @param validFrom Start of the validity period (inclusive).
    /// @param validUntil End of the validity period (exclusive).
    /// @param revoked Whether the patient revoked it.
    struct Grant {
        address grantee;
        uint40 validFrom;
        uint40 validUntil;
        bool revoked;
    }

    /// @notice What a patient grants.
    /// @param grantee Who may access.
    /// @param scope One record, one record type, or all records.
    /// @param scopeValue The record's commitment, the record type, or zero, following `scope`.
    /// @param purpose The one purpose the grant serves.
    /// @param validFrom Start of the validity period (inclusive).
    /// @param validUntil End of the validity period (exclusive); must be in the future.
    struct GrantRequest {
        address grantee;
        ConsentScope scope;
        bytes32 scopeValue;
        Purpose purpose;
        uint40 validFrom;
        uint40 validUntil;
    }

    /// @notice The zero address was given where an account is required.
    error ConsentZeroAddress();

    /// @notice A patient cannot grant access to themself.
    error ConsentSelfGrant(address patient);

    /// @notice A delegate cannot grant itself access to `patient`'s records: what a delegate may read is
    /// what the patient's appointment (the read capability) says, and it ends with the delegation.
    error ConsentDelegateSelfGrant(address delegate, address patient);

    /// @notice `scopeValue` does not fit `scope` (a zero record commitment, an invalid type, or a
    /// non-zero value for all records), or `purpose` needs a narrower scope (legal representation is only
    /// ever granted record by record).
    error ConsentInvalidScope(ConsentScope scope, bytes32 scopeValue);

    /// @notice `purpose` is `None`.
    error ConsentInvalidPurpose(Purpose purpose);

    /// @notice The period is empty or already over.
    error ConsentInvalidPeriod(uint40 validFrom, uint40 validUntil);

    /// @notice `account` is neither `patient` nor a delegate allowed to manage consents.
    error ConsentNotPatientOrDelegate(address account, address patient);

    /// @notice `patient`'s death is recorded: their consents can no longer change (heirs read instead).
    error ConsentPatientDeceased(address patient);

    /// @notice The signature's deadline has passed.
    error ConsentExpiredSignature(uint256 deadline);

    /// @notice The signature is not `patient`'s (EOA or ERC-1271 wallet).
    error ConsentInvalidSignature(address patient);

    /// @notice `patient` holds no grant `grantId`.
    error ConsentGrantNotFound(address patient, bytes32 grantId);

    /// @notice The grant was already revoked.
    error ConsentAlreadyRevoked(address patient, bytes32 grantId);

    /// @notice The access source is already registered, or is not when it should be.
    error ConsentAccessSourceState(address source, bool registered);

    /// @notice No more than `max` access sources can be registered (bounds the access check's loop).
    error ConsentTooManyAccessSources(uint256 max);

    /// @notice `patient` (or a delegate, or a relayer with the patient's signature) granted access.
    event ConsentGranted(
        address indexed patient,
        address indexed grantee,
        bytes32 indexed grantId,
        ConsentScope scope,
        bytes32 scopeValue,
        Purpose purpose,
        uint40 validFrom,
        uint40 validUntil
    );

    /// @notice `patient`'s grant to `grantee` was revoked.
    event ConsentRevoked(address indexed patient, address indexed grantee, bytes32 indexed grantId);

    /// @notice The admin registered a workflow access source.
    event AccessSourceAdded(address indexed source);

    /// @notice The admin removed a workflow access source.
    event AccessSourceRemoved(address indexed source);

    /// @notice Grants access for `patient`. The patient or a delegate with the consent capability; a
    /// delegate never to itself (a general power to manage consents is not consent to read).
    /// Granting the same grantee, scope, value and purpose again replaces the period and un-revokes.
    /// @param patient The patient whose records are shared.
    /// @param request What is granted.
    /// @return grantId The grant's id, `grantIdOf(grantee, scope, scopeValue, purpose)`.
    function grantConsent(address patient, GrantRequest calldata request) external returns (bytes32 grantId);

    /// @notice Grants access with the patient's EIP-712 signature, relayed by anyone.
    /// @param patient The patient (an EOA, or an ERC-1271 wallet).
    /// @param request What is granted.
    /// @param deadline Last second the signature is valid.
    /// @param signature The patient's signature over `GrantConsent` with the patient's current nonce.
    /// @return grantId The grant's id.
    function grantConsentBySig(
        address patient,
        GrantRequest calldata request,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 grantId);

    /// @notice Revokes a grant at once. The patient or a delegate with the consent capability.
    /// @param patient The patient.
    /// @param grantId The grant to revoke.
    function revokeConsent(address patient, bytes32 grantId) external;

    /// @notice Revokes a grant with the patient's EIP-712 signature, relayed by anyone.
    /// @param patient The patient.
    /// @param grantId The grant to revoke.
    /// @param deadline Last second the signature is valid.
    /// @param signature The patient's signature over `RevokeConsent` with the current nonce.
    function revokeConsentBySig(address patient, bytes32 grantId, uint256 deadline, bytes calldata signature) external;

    /// @notice Consumes the caller's current nonce, cancelling every signature made with it.
    function invalidateNonce() external;

    /// @notice Registers a workflow contract whose relationships open access. Only the admin.
    /// @param source The workflow contract.
    function addAccessSource(IAccessSource source) external;

    /// @notice Removes a workflow access source. Only the admin.
    /// @param source The workflow contract.
    function removeAccessSource(IAccessSource source) external;

    /// @notice The record registry the access rule reads.
    function registry() external view returns (IRecordRegistry);

    /// @notice The provider directory the access rule reads. Workflow contracts take this directory, the
    /// registry and the delegation registry from the consent manager they are built with.
    function directory() external view returns (IProviderDirectory);

    /// @notice The patient delegation registry the access rule reads.
    function delegation() external view returns (IPatientDelegation);

    /// @notice May `accessor` access `patient`'s record `commitment` for `purpose` now?
    /// @param accessor The account asking.
    /// @param patient The record's patient.
    /// @param commitment The record's commitment.
    /// @param purpose Why the account asks.
    function canAccess(
        address accessor,
        address patient,
        bytes32 commitment,
        Purpose purpose
    ) external view returns (bool);

    /// @notice Whether `request.patient` holds an active consent grant to `request.accessor` covering the
    /// record for `request.purpose` — grants only, no other basis; never after the patient's recorded death.
    /// Workflows that need the patient's explicit consent (a pharmacy dispensing) ask this.
    /// @param request The grantee (as `accessor`), the record and the purpose. The caller states the record's
    /// type and sensitivity (only record-level grants cover a sensitive record); nothing here reads the registry.
    function hasConsent(AccessRequest calldata request) external view returns (bool);

    /// @notice Like `canAccess`, but says on what basis access is allowed (`None` when it is not).
    /// @param accessor The account asking.
    /// @param patient The record's patient.
    /// @param commitment The record's commitment.
    /// @param purpose Why the account asks.
    function accessBasis(
        address accessor,
        address patient,
        bytes32 commitment,
        Purpose purpose
    ) external view returns (AccessBasis);

    /// @notice `canAccess` for a record anchored in a batch, proven by its inclusion proof. The record is
    /// sensitive when its leaf says so or the patient marked the commitment sensitive (in a batch or on
    /// its own anchoring), and closed once the patient erased the commitment anywhere.
    /// @param accessor The account asking.
    /// @param root The batch's root.
    /// @param leaf The record.
    /// @param proof Its inclusion proof.
    /// @param purpose Why the account asks.
    function canAccessBatchRecord(
        address accessor,
        bytes32 root,
        IRecordRegistry.BatchLeaf calldata leaf,
        bytes32[] calldata proof,
        Purpose purpose
    ) external view returns (bool);

    /// @notice The grant `grantId` of `patient` (grantee zero when none).
    /// @param patient The patient.
    /// @param grantId The grant's id.
    function grantOf(address patient, bytes32 grantId) external view returns (Grant memory);

    /// @notice Whether the grant exists, is not revoked and is inside its period now.
    /// @param patient The patient.
    /// @param grantId The grant's id.
    function isGrantActive(address patient, bytes32 grantId) external view returns (bool);

    /// @notice The id of a grant: `keccak256(abi.encode(grantee, scope, scopeValue, purpose))`.
    /// @param grantee Who may access.
    /// @param scope What the grant covers.
    /// @param scopeValue The record commitment, type, or zero.
    /// @param purpose The purpose.
    function grantIdOf(
        address grantee,
        ConsentScope scope,
        bytes32 scopeValue,
        Purpose purpose
    ) external pure returns (bytes32);

    /// @notice The registered workflow access sources.
    function accessSources() external view returns (IAccessSource[] memory);

    /// @notice The most access sources that can be registered.
    function MAX_ACCESS_SOURCES() external view returns (uint256);

    /// @notice EIP-712 typehash of `GrantConsent`.
    // solhint-disable-next-line func-name-mixedcase
    function GRANT_CONSENT_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 typehash of `RevokeConsent`.
    // solhint-disable-next-line func-name-mixedcase
    function REVOKE_CONSENT_TYPEHASH() external view returns (bytes32);
}
