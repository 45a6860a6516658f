// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ConsentManager} from "../ConsentManager.sol";
import {PatientDelegation} from "../PatientDelegation.sol";
import {ProviderDirectory} from "../ProviderDirectory.sol";
import {RecordRegistry} from "../RecordRegistry.sol";
import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {IPatientDelegation} from "../interfaces/IPatientDelegation.sol";
import {IProviderDirectory} from "../interfaces/IProviderDirectory.sol";
import {IRecordRegistry} from "../interfaces/IRecordRegistry.sol";
import {RecordCommitments} from "../libraries/RecordCommitments.sol";
import {
    AccessBasis,
    AccessRequest,
    ConsentScope,
    HipaaRole,
    ProviderForm,
    ProviderKind,
    Purpose,
    RecordType
} from "../libraries/CareTypes.sol";
import {TestBase} from "./utils/TestBase.sol";
import {VM} from "./utils/Vm.sol";

// Layout: the ghost model (AccessModel), the two handlers the runner calls (RecordsHandler,
// ConsentHandler, on HandlerBase/ActionLog), then the invariant test contracts. They live in this
// one file on purpose: the runner needs the handlers' artifacts to fuzz them, and Hardhat emits
// artifacts only for the root files it compiles, so `hardhat test solidity <this file>` works on a
// fresh clone only if the handlers are declared here.

/// @title AccessModel
/// @notice The ghost model behind the access invariants: what the handlers did to the system, and
/// the access rule as the interfaces document it, evaluated over that alone (never over the
/// contracts' storage). Only the two handlers bound to it write to it.
///
/// Cast: 3 patients (EOAs with known keys, for EIP-712 signatures), 6 providers (a hospital, a
/// laboratory inside it, a practitioner of each, an independent practitioner, a pharmacy), 2
/// non-provider grantees, and 1 stranger who never receives anything.
contract AccessModel {
    /// @notice What the model believes about a record.
    struct GhostRecord {
        address patient;
        bytes32 commitment;
        address author;
        RecordType recordType;
        bool sensitive;
        bool erased;
        bool superseded;
        uint16 version;
    }

    /// @notice What the model believes about a grant.
    struct GhostGrant {
        address patient;
        bytes32 grantId;
        address grantee;
        ConsentScope scope;
        bytes32 scopeValue;
        Purpose purpose;
        uint40 validFrom;
        uint40 validUntil;
        bool revoked;
    }

    /// @notice A provider of the cast: its fixed entry and whether it is registered or suspended.
    struct GhostProvider {
        bool registered;
        bool suspended;
        address organisation;
        ProviderKind kind;
        ProviderForm form;
    }

    /// @notice Everything that lets a delegate act for a patient: an appointment, a guardianship,
    /// heirship.
    struct GhostDelegation {
        uint8 capabilities;
        uint40 validUntil;
        uint40 guardianFrom;
        uint40 guardianUntil;
        bool heir;
    }

    /// @notice A patient's nonce and life events.
    struct GhostPatient {
        uint256 nonce;
        uint40 diedAt;
        uint40 deathRecordedAt;
        bool selfControlled;
    }

    /// @dev The accounts that receive things: patients (with their keys) and providers.
    struct Cast {
        uint256[3] patientKeys;
        address[3] patients;
        address[6] providers;
    }

    /// @notice A grant the handler is about to make, and the error the model expects (zero: none).
    struct Pending {
        address patient;
        address caller;
        uint8 via; // 0 patient, 1 delegate, 2 signature
        uint256 deadline;
        bytes4 expectedError;
        IConsentManager.GrantRequest request;
    }

    error AccessModelOnlyHandler();
    error AccessModelAlreadyBound();

    uint256 public constant PATIENTS = 3;
    uint256 public constant PROVIDERS = 6;
    uint256 public constant RETENTION_AFTER_DEATH = 20 * 365 days;
    uint8 internal constant _CAP_CONSENT = 1;
    uint8 internal constant _CAP_READ = 4;
    bytes32 internal constant _DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant _GRANT_TYPEHASH = keccak256(
        "GrantConsent(address patient,address grantee,uint8 scope,bytes32 scopeValue,uint8 purpose,uint40 validFrom,uint40 validUntil,uint256 nonce,uint256 deadline)"
    );
    bytes32 internal constant _REVOKE_TYPEHASH = keccak256(
        "RevokeConsent(address patient,bytes32 grantId,uint256 nonce,uint256 deadline)"
    );
    address public constant FAMILY1 = address(0xFA01);
    address public constant FAMILY2 = address(0xFA02);
    address public constant STRANGER = address(0x5772);

    /// @notice The only accounts that write to the model (bound once, after all are deployed).
    address public recordsHandler;
    address public consentHandler;

    /// @notice The time the handler's world is at (every action and check warps to it).
    uint256 public ghostNow;
    /// @notice How many commitments were used (the next record's commitment is `commitmentAt(it)`).
    uint256 public commitmentCounter;
    Cast internal _cast;
    GhostRecord[] internal _records;
    GhostGrant[] internal _grants;
    mapping(address patient => mapping(bytes32 grantId => uint256 indexPlusOne)) internal _grantIndex;
    mapping(address account => GhostProvider provider) internal _providers;
    mapping(address patient => mapping(address delegate => GhostDelegation d)) internal _delegations;
    mapping(address patient => GhostPatient status) internal _patients;

    modifier onlyHandler() {
        if (msg.sender != recordsHandler && msg.sender != consentHandler) revert AccessModelOnlyHandler();
        _;
    }

    constructor(uint256 startTime) {
        ghostNow = startTime;
        for (uint256 i = 0; i < PATIENTS; ++i) {
            _cast.patientKeys[i] = 0xA000 + i + 1;
            _cast.patients[i] = VM.addr(_cast.patientKeys[i]);
        }
        // 0: hospital; 1: laboratory inside the hospital; 2 works for 0; 3 works for 1 (two levels
        // below 0); 4: independent practitioner; 5: pharmacy.
        _cast.providers = [
            address(0x0A01),
            address(0x0A02),
            address(0xD001),
            address(0xD002),
            address(0xD003),
            address(0xFA4A)
        ];
        address[6] memory p = _cast.providers;
        _providers[p[0]] = _entry(ProviderKind.Hospital, ProviderForm.Organisation, address(0));
        _providers[p[1]] = _entry(ProviderKind.Laboratory, ProviderForm.Organisation, p[0]);
        _providers[p[2]] = _entry(ProviderKind.Doctor, ProviderForm.Practitioner, p[0]);
        _providers[p[3]] = _entry(ProviderKind.Doctor, ProviderForm.Practitioner, p[1]);
        _providers[p[4]] = _entry(ProviderKind.Doctor, ProviderForm.Practitioner, address(0));
        _providers[p[5]] = _entry(ProviderKind.Pharmacy, ProviderForm.Organisation, address(0));
    }

    function _entry(
        ProviderKind kind,
        ProviderForm form,
        address organisation
    ) internal pure returns (GhostProvider memory) {
        return GhostProvider({registered: false, suspended: false, organisation: organisation, kind: kind, form: form});
    }

    // ================================================================== writes (handler only)

    /// @notice Makes the two handlers the model's only writers. Once.
    function bind(address recordsHandler_, address consentHandler_) external {
        if (recordsHandler != address(0)) revert AccessModelAlreadyBound();
        recordsHandler = recordsHandler_;
        consentHandler = consentHandler_;
    }

    function setNow(uint256 time) external onlyHandler {
        ghostNow = time;
    }

    function setProvider(address account, bool registered, bool suspended) external onlyHandler {
        _providers[account].registered = registered;
        _providers[account].suspended = suspended;
    }

    function pushRecord(GhostRecord calldata record) external onlyHandler {
        _records.push(record);
        ++commitmentCounter;
    }

    function setRecordFlags(uint256 index, bool sensitive, bool erased, bool superseded) external onlyHandler {
        GhostRecord storage record = _records[index];
        record.sensitive = sensitive;
        record.erased = erased;
        record.superseded = superseded;
    }

    function putGrant(GhostGrant calldata grant) external onlyHandler {
        uint256 indexPlusOne = _grantIndex[grant.patient][grant.grantId];
        if (indexPlusOne == 0) {
            _grants.push(grant);
            _grantIndex[grant.patient][grant.grantId] = _grants.length;
        } else {
            _grants[indexPlusOne - 1] = grant;
        }
    }

    function setRevoked(uint256 index) external onlyHandler {
        _grants[index].revoked = true;
    }

    function setDelegation(address patient, address delegate, GhostDelegation calldata d) external onlyHandler {
        _delegations[patient][delegate] = d;
    }

    function setPatient(address patient, GhostPatient calldata status) external onlyHandler {
        _patients[patient] = status;
    }

    // ================================================================== the documented rule

    /// @notice The access basis the documented rule gives for record `index`, from ghost state only.
    /// In order: a suspended provider is refused; the patient, the author and read delegates are
    /// allowed; then a matching active grant (sensitive records need a record-level one). After the
    /// patient's recorded death only authors and heirs are allowed, and the dead patient's key opens
    /// nothing ("whoever holds that key is not the patient"), not even as the author of the
    /// patient's own wellness records.
    function expectedBasis(address accessor, uint256 index, Purpose purpose) public view returns (AccessBasis) {
        GhostRecord memory record = _records[index];
        if (record.erased || accessor == address(0) || purpose == Purpose.None) return AccessBasis.None;
        if (isSuspendedProvider(accessor)) return AccessBasis.None;
        bool deceased = _patients[record.patient].diedAt != 0;
        if (accessor == record.patient) return deceased ? AccessBasis.None : AccessBasis.Patient;
        if (accessor == record.author) return AccessBasis.Author;
        if (isDelegate(record.patient, accessor, _CAP_READ)) return AccessBasis.Delegate;
        if (!deceased && expectedConsent(accessor, index, purpose)) return AccessBasis.Consent;
        return AccessBasis.None;
    }

    /// @notice Whether an active ghost grant covers record `index` for `grantee` and `purpose`: a
    /// record grant always, a type or all-records grant only for a non-sensitive record; never after
    /// the patient's recorded death.
    function expectedConsent(address grantee, uint256 index, Purpose purpose) public view returns (bool) {
        GhostRecord memory record = _records[index];
        if (_patients[record.patient].diedAt != 0) return false;
        if (_grantActiveById(record.patient, _id(grantee, ConsentScope.Record, record.commitment, purpose))) {
            return true;
        }
        if (record.sensitive) return false;
        return
            _grantActiveById(
                record.patient,
                _id(grantee, ConsentScope.RecordType, bytes32(uint256(uint8(record.recordType))), purpose)
            ) || _grantActiveById(record.patient, _id(grantee, ConsentScope.AllRecords, bytes32(0), purpose));
    }

    /// @notice Whether a registered provider may act now. Organisations nest: a suspension anywhere
    /// up the chain stops everyone below it.
    function isActiveProvider(address account) public view returns (bool) {
        GhostProvider memory entry = _providers[account];
        if (!entry.registered) return false;
        for (uint256 depth = 0; depth <= 4; ++depth) {
            if (entry.suspended) return false;
            if (entry.organisation == address(0)) return true;
            entry = _providers[entry.organisation];
        }
        return false;
    }

    /// @notice Whether `account` is a registered provider that may not act now.
    function isSuspendedProvider(address account) public view returns (bool) {
        return _providers[account].registered && !isActiveProvider(account);
    }

    /// @notice The documented delegation rule: after a death only heirs, and only to read; before
    /// it, an appointment holding every asked capability, or a guardianship while the patient is a
    /// minor who has not taken control, once the veto period is over, and never to erase.
    function isDelegate(address patient, address delegate, uint8 capabilities) public view returns (bool) {
        GhostDelegation memory d = _delegations[patient][delegate];
        GhostPatient memory status = _patients[patient];
        if (status.diedAt != 0) {
            // Heirs read once the patient could no longer contest the recording (7 days).
            return capabilities == _CAP_READ && d.heir && block.timestamp >= uint256(status.deathRecordedAt) + 7 days;
        }
        if (d.capabilities & capabilities == capabilities && block.timestamp < d.validUntil) return true;
        if (status.selfControlled || capabilities & 2 != 0) return false;
        return block.timestamp >= d.guardianFrom && block.timestamp < d.guardianUntil;
    }

    /// @notice Whether `patient`'s records are kept (not erasable) after a recorded death.
    function retained(address patient) external view returns (bool) {
        uint40 died = _patients[patient].diedAt;
        return died != 0 && block.timestamp < uint256(died) + RETENTION_AFTER_DEATH;
    }

    /// @notice Whether grant `index` is active now.
    function grantActive(uint256 index) external view returns (bool) {
        GhostGrant memory g = _grants[index];
        return _grantActiveById(g.patient, g.grantId);
    }

    // ================================================================== getters

    function recordCount() external view returns (uint256) {
        return _records.length;
    }

    function recordAt(uint256 index) external view returns (GhostRecord memory) {
        return _records[index];
    }

    function grantCount() external view returns (uint256) {
        return _grants.length;
    }

    function grantAt(uint256 index) external view returns (GhostGrant memory) {
        return _grants[index];
    }

    function providerOf(address account) external view returns (GhostProvider memory) {
        return _providers[account];
    }

    function delegationOf(address patient, address delegate) external view returns (GhostDelegation memory) {
        return _delegations[patient][delegate];
    }

    function patientStatus(address patient) external view returns (GhostPatient memory) {
        return _patients[patient];
    }

    function nonceOf(address patient) external view returns (uint256) {
        return _patients[patient].nonce;
    }

    function patientAt(uint256 i) external view returns (address) {
        return _cast.patients[i];
    }

    function keyOf(address patient) external view returns (uint256) {
        for (uint256 i = 0; i < PATIENTS; ++i) {
            if (_cast.patients[i] == patient) return _cast.patientKeys[i];
        }
        return 0;
    }

    function providerAt(uint256 i) external view returns (address) {
        return _cast.providers[i];
    }

    function patients() external view returns (address[3] memory) {
        return _cast.patients;
    }

    function providers() external view returns (address[6] memory) {
        return _cast.providers;
    }

    /// @notice Every account the invariants ask about: patients, providers, others, the stranger.
    function accessors() external view returns (address[] memory list) {
        list = new address[](PATIENTS + PROVIDERS + 3);
        uint256 n;
        for (uint256 i = 0; i < PATIENTS; ++i) list[n++] = _cast.patients[i];
        for (uint256 i = 0; i < PROVIDERS; ++i) list[n++] = _cast.providers[i];
        list[n++] = FAMILY1;
        list[n++] = FAMILY2;
        list[n++] = STRANGER;
    }

    /// @notice Accounts that can act for `patient`: the other patients, the non-provider grantees,
    /// and two providers (a practitioner of an organisation and the pharmacy), so suspended
    /// delegates occur. Never `patient` itself.
    function delegateCandidate(address patient, uint256 r) public view returns (address) {
        uint256 pick = r % 5;
        if (pick == 0) return FAMILY1;
        if (pick == 1) return FAMILY2;
        if (pick == 2) return _cast.providers[2];
        if (pick == 3) return _cast.providers[5];
        address other = _cast.patients[(r >> 8) % PATIENTS];
        return other == patient ? FAMILY1 : other;
    }

    /// @notice Grantees: any patient (a patient granting to itself must be refused), any provider,
    /// the non-provider grantees; never the stranger.
    function granteeCandidate(uint256 r) public view returns (address) {
        uint256 pick = r % (PATIENTS + PROVIDERS + 2);
        if (pick < PATIENTS) return _cast.patients[pick];
        if (pick < PATIENTS + PROVIDERS) return _cast.providers[pick - PATIENTS];
        return pick == PATIENTS + PROVIDERS ? FAMILY1 : FAMILY2;
    }

    /// @notice The commitment of the `counter`-th record anchored by the handler.
    function commitmentAt(uint256 counter) public pure returns (bytes32) {
        return keccak256(abi.encode("careledger-invariant-record", counter));
    }

    // ================================================================== planning (for the handler)

    /// @notice A random grant: by the patient, a delegate or a relayed signature; any grantee but the
    /// stranger; any scope and purpose; periods and deadlines mostly valid, sometimes not; and the
    /// error the documented checks predict for it.
    function planGrant(uint256 r) external view returns (Pending memory p) {
        p.patient = _cast.patients[r % PATIENTS];
        p.via = uint8((r >> 8) % 3);
        p.caller = p.via == 1 ? delegateCandidate(p.patient, r >> 16) : p.patient;
        p.request.grantee = granteeCandidate(r >> 24);
        p.request.purpose = Purpose(uint8(1 + ((r >> 32) % 7)));
        _chooseScope(p, r >> 40);
        // Start: sometimes in the past, mostly now, sometimes later. End: mostly after the start,
        // sometimes empty or already over (invalid).
        uint256 mode = (r >> 64) % 6;
        uint256 start = ghostNow;
        if (mode == 0) start -= (r >> 72) % 10 days;
        else if (mode == 1) start += (r >> 72) % 20 days;
        uint256 length = (r >> 104) % 12 == 0 ? 0 : 1 + ((r >> 112) % 60 days);
        p.request.validFrom = uint40(start);
        p.request.validUntil = uint40(start + length);
        // A ninth of the relayed signatures are already expired.
        p.deadline = (r >> 144) % 9 == 0 ? ghostNow - 1 - ((r >> 152) % 1 days) : ghostNow + ((r >> 152) % 1 days);
        p.expectedError = _expectedGrantError(p);
    }

    function _chooseScope(Pending memory p, uint256 r) internal view {
        uint256 pick = r % 8;
        if (pick < 3) {
            p.request.scope = ConsentScope.Record;
            // Mostly a known record (maybe another patient's), sometimes the next commitment to be
            // anchored (a pre-grant), rarely zero (invalid).
            uint256 kind = (r >> 8) % 8;
            if (kind == 0) p.request.scopeValue = bytes32(0);
            else if (kind == 1 || _records.length == 0) p.request.scopeValue = commitmentAt(commitmentCounter);
            else p.request.scopeValue = _records[(r >> 16) % _records.length].commitment;
        } else if (pick < 6) {
            p.request.scope = ConsentScope.RecordType;
            // Mostly a real type, sometimes zero or past the last type (invalid).
            p.request.scopeValue = bytes32((r >> 8) % 13);
        } else {
            p.request.scope = ConsentScope.AllRecords;
            p.request.scopeValue = (r >> 8) % 10 == 0 ? bytes32(uint256(1)) : bytes32(0);
        }
    }

    /// @dev The documented checks, in the contract's order: who may grant (or the signature's
    /// deadline; a delegate never to itself), the patient alive (consents no longer change after death),
    /// self-grant, period,
    /// scope (legal representation only per record).
    function _expectedGrantError(Pending memory p) internal view returns (bytes4) {
        IConsentManager.GrantRequest memory q = p.request;
        if (p.via == 2) {
            if (ghostNow > p.deadline) return IConsentManager.ConsentExpiredSignature.selector;
        } else if (p.caller != p.patient && !isDelegate(p.patient, p.caller, _CAP_CONSENT)) {
            return IConsentManager.ConsentNotPatientOrDelegate.selector;
        } else if (p.caller != p.patient && q.grantee == p.caller) {
            return IConsentManager.ConsentDelegateSelfGrant.selector;
        }
        if (_patients[p.patient].diedAt != 0) return IConsentManager.ConsentPatientDeceased.selector;
        if (q.grantee == p.patient) return IConsentManager.ConsentSelfGrant.selector;
        if (q.validUntil <= q.validFrom || q.validUntil <= ghostNow)
            return IConsentManager.ConsentInvalidPeriod.selector;
        bool validScope;
        if (q.purpose == Purpose.LegalRepresentation && q.scope != ConsentScope.Record) validScope = false;
        else if (q.scope == ConsentScope.Record) validScope = q.scopeValue != bytes32(0);
        else if (q.scope == ConsentScope.RecordType) {
            validScope = uint256(q.scopeValue) >= 1 && uint256(q.scopeValue) <= 11;
        } else validScope = q.scopeValue == bytes32(0);
        return validScope ? bytes4(0) : IConsentManager.ConsentInvalidScope.selector;
    }

    /// @notice A grant, delegation or guardianship edge after `nowTime` (or one second before it);
    /// zero when the chosen one is not ahead.
    function edgeAhead(uint256 r, uint256 nowTime) external view returns (uint256 edge) {
        uint256 minusOne = (r >> 16) % 2;
        if (_grants.length != 0 && (r >> 24) % 4 != 0) {
            GhostGrant memory g = _grants[(r >> 32) % _grants.length];
            edge = (r >> 64) % 2 == 0 ? g.validUntil : g.validFrom;
        } else {
            address patient = _cast.patients[(r >> 32) % PATIENTS];
            GhostDelegation memory d = _delegations[patient][delegateCandidate(patient, r >> 64)];
            edge = (r >> 96) % 2 == 0 ? d.validUntil : d.guardianUntil;
        }
        return edge > nowTime + minusOne ? edge - minusOne : 0;
    }

    /// @notice The EIP-712 digest a patient signs for `p` (the documented type and domain).
    function grantDigest(address consent, Pending calldata p, uint256 nonce) external view returns (bytes32) {
        IConsentManager.GrantRequest calldata q = p.request;
        return
            _digest(
                consent,
                keccak256(
                    abi.encode(
                        _GRANT_TYPEHASH,
                        p.patient,
                        q.grantee,
                        q.scope,
                        q.scopeValue,
                        q.purpose,
                        q.validFrom,
                        q.validUntil,
                        nonce,
                        p.deadline
                    )
                )
            );
    }

    /// @notice The EIP-712 digest a patient signs to revoke `grantId`.
    function revokeDigest(
        address consent,
        address patient,
        bytes32 grantId,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _digest(consent, keccak256(abi.encode(_REVOKE_TYPEHASH, patient, grantId, nonce, deadline)));
    }

    function _digest(address consent, bytes32 structHash) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(_DOMAIN_TYPEHASH, keccak256("CareLedger Consent"), keccak256("1"), block.chainid, consent)
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    // ================================================================== internals

    function _grantActiveById(address patient, bytes32 grantId) internal view returns (bool) {
        uint256 indexPlusOne = _grantIndex[patient][grantId];
        if (indexPlusOne == 0) return false;
        GhostGrant memory g = _grants[indexPlusOne - 1];
        return !g.revoked && block.timestamp >= g.validFrom && block.timestamp < g.validUntil;
    }

    function _id(address grantee, ConsentScope scope, bytes32 value, Purpose purpose) internal pure returns (bytes32) {
        return keccak256(abi.encode(grantee, scope, value, purpose));
    }
}

/// @title HandlerBase
/// @notice What the invariant handlers share: the system under test, the ghost model, bookkeeping
/// (calls, effects and violations per action), and the success/failure checks. An action predicts
/// from the model whether its call must succeed (or with which error it must fail), records a
/// violation when the contracts disagree, and on success updates the model. Actions never revert
/// (the campaigns run with `failOnRevert`), so a revert anywhere is a finding too.
abstract contract HandlerBase {
    using ActionLog for ActionLog.Log;

    uint256 public constant MAX_RECORDS = 24;
    uint256 public constant MAX_GRANTS = 64;
    uint8 internal constant _CAP_CONSENT = 1;
    uint8 internal constant _CAP_ERASE = 2;
    uint256 internal constant _P = 3; // patients
    uint256 internal constant _Q = 6; // providers

    ProviderDirectory public immutable directory;
    PatientDelegation public immutable delegation;
    RecordRegistry public immutable registry;
    ConsentManager public immutable consent;
    address public immutable registrar;
    AccessModel public immutable model;

    ActionLog.Log internal _log;

    constructor(
        ProviderDirectory directory_,
        PatientDelegation delegation_,
        RecordRegistry registry_,
        ConsentManager consent_,
        address registrar_,
        AccessModel model_
    ) {
        directory = directory_;
        delegation = delegation_;
        registry = registry_;
        consent = consent_;
        registrar = registrar_;
        model = model_;
    }

    modifier action(bytes32 name) {
        _begin(name);
        _;
    }

    /// @dev Every action starts at the model's time (a warp may not outlive a call) and is counted.
    function _begin(bytes32 name) internal {
        VM.warp(model.ghostNow());
        _log.count(name);
    }

    // ================================================================== bookkeeping (views)

    /// @notice Every handler call, successful or not.
    function calls() external view returns (uint256) {
        return _log.calls;
    }

    /// @notice Calls that changed the system's state.
    function effects() external view returns (uint256) {
        return _log.effects;
    }

    /// @notice Calls of one action.
    function callsOf(bytes32 name) external view returns (uint256) {
        return _log.callsOf[name];
    }

    /// @notice Calls of one action that changed the system's state.
    function effectsOf(bytes32 name) external view returns (uint256) {
        return _log.effectsOf[name];
    }

    /// @notice Disagreements between the contracts and the model seen by the actions.
    function violations() external view returns (uint256) {
        return _log.violations;
    }

    /// @notice The first disagreement, for the failure message.
    function firstViolation() external view returns (string memory) {
        return _log.firstViolation;
    }

    // ================================================================== helpers

    function _deceasedError(address patient) internal view returns (bytes4) {
        return
            model.patientStatus(patient).diedAt != 0
                ? IPatientDelegation.PatientDelegationDeceased.selector
                : bytes4(0);
    }

    function _bumpNonce(address patient) internal {
        AccessModel.GhostPatient memory status = model.patientStatus(patient);
        ++status.nonce;
        model.setPatient(patient, status);
    }

    function _checkNonce(address patient, string memory where) internal {
        if (consent.nonces(patient) != model.nonceOf(patient)) _log.violation(string.concat(where, ": nonce mismatch"));
    }

    function _relayer(uint256 r) internal view returns (address) {
        return r % 2 == 0 ? model.STRANGER() : model.providerAt(r % _Q);
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev The call succeeded: fine (and counted) when the model expected success, a violation
    /// otherwise.
    function _succeeded(bytes4 expected, bytes32 name) internal returns (bool) {
        if (expected == bytes4(0)) {
            _log.effect(name);
            return true;
        }
        _log.violation(string.concat(_str(name), ": succeeded where the model expected a revert"));
        return false;
    }

    /// @dev The call reverted: fine when the model expected exactly this error.
    function _failed(bytes4 expected, bytes memory reason, string memory where) internal {
        if (expected == bytes4(0)) {
            _log.violation(string.concat(where, ": reverted where the model expected success"));
        } else if (reason.length < 4 || bytes4(reason) != expected) {
            _log.violation(string.concat(where, ": reverted with another error than the model expected"));
        }
    }

    function _str(bytes32 name) internal pure returns (string memory) {
        return string(abi.encodePacked(name));
    }
}

/// @title ActionLog
/// @notice The handler's bookkeeping: calls and effects per action, and violations seen.
library ActionLog {
    struct Log {
        uint256 calls;
        uint256 effects;
        uint256 violations;
        string firstViolation;
        mapping(bytes32 action => uint256 count) callsOf;
        mapping(bytes32 action => uint256 count) effectsOf;
    }

    function count(Log storage log, bytes32 name) internal {
        ++log.calls;
        ++log.callsOf[name];
    }

    function effect(Log storage log, bytes32 name) internal {
        ++log.effects;
        ++log.effectsOf[name];
    }

    function violation(Log storage log, string memory message) internal {
        if (log.violations == 0) log.firstViolation = message;
        ++log.violations;
    }
}

/// @title RecordsHandler
/// @notice Invariant-runner target: provider registration, suspension and reinstatement; records
/// anchored (some sensitive, some self-authored), corrected, erased and re-flagged.
contract RecordsHandler is HandlerBase {
    constructor(
        ProviderDirectory directory_,
        PatientDelegation delegation_,
        RecordRegistry registry_,
        ConsentManager consent_,
        address registrar_,
        AccessModel model_
    ) HandlerBase(directory_, delegation_, registry_, consent_, registrar_, model_) {}

    // ================================================================== providers

    /// @notice Registers one of the six providers (its organisation must be registered first).
    function registerProvider(uint256 seed) external action("registerProvider") {
        address account = model.providerAt(seed % _Q);
        AccessModel.GhostProvider memory entry = model.providerOf(account);
        bytes4 expected;
        if (entry.registered) expected = IProviderDirectory.ProviderDirectoryAlreadyRegistered.selector;
        else if (entry.organisation != address(0) && !model.providerOf(entry.organisation).registered) {
            expected = IProviderDirectory.ProviderDirectoryInvalidOrganisation.selector;
        }
        VM.prank(registrar);
        try
            directory.registerProvider(
                account,
                IProviderDirectory.ProviderProfile({
                    kind: entry.kind,
                    form: entry.form,
                    hipaa: HipaaRole.CoveredEntity,
                    organisation: entry.organisation
                })
            )
        {
            if (_succeeded(expected, "registerProvider")) model.setProvider(account, true, false);
        } catch (bytes memory reason) {
            _failed(expected, reason, "registerProvider");
        }
    }

    /// @notice Suspends one of the providers.
    function suspendProvider(uint256 seed) external action("suspendProvider") {
        address account = model.providerAt(seed % _Q);
        AccessModel.GhostProvider memory entry = model.providerOf(account);
        bytes4 expected;
        if (!entry.registered) expected = IProviderDirectory.ProviderDirectoryNotRegistered.selector;
        else if (entry.suspended) expected = IProviderDirectory.ProviderDirectoryStatusUnchanged.selector;
        VM.prank(registrar);
        try directory.suspendProvider(account, bytes32(seed)) {
            if (_succeeded(expected, "suspendProvider")) model.setProvider(account, true, true);
        } catch (bytes memory reason) {
            _failed(expected, reason, "suspendProvider");
        }
    }

    /// @notice Reinstates one of the providers.
    function reinstateProvider(uint256 seed) external action("reinstateProvider") {
        address account = model.providerAt(seed % _Q);
        AccessModel.GhostProvider memory entry = model.providerOf(account);
        bytes4 expected;
        if (!entry.registered) expected = IProviderDirectory.ProviderDirectoryNotRegistered.selector;
        else if (!entry.suspended) expected = IProviderDirectory.ProviderDirectoryStatusUnchanged.selector;
        VM.prank(registrar);
        try directory.reinstateProvider(account) {
            if (_succeeded(expected, "reinstateProvider")) model.setProvider(account, true, false);
        } catch (bytes memory reason) {
            _failed(expected, reason, "reinstateProvider");
        }
    }

    // ================================================================== records

    /// @notice Anchors a new record: by a provider (any type), or by the patient (wellness only; a
    /// patient asking for another type must be refused). Some records are sensitive.
    function anchorRecord(uint256 seed) external action("anchorRecord") {
        if (model.recordCount() >= MAX_RECORDS) return;
        uint256 r = uint256(keccak256(abi.encode(seed, "anchor")));
        AccessModel.GhostRecord memory record;
        record.patient = model.patientAt(r % _P);
        bool selfAuthored = (r >> 8) % 5 == 0;
        record.author = selfAuthored ? record.patient : model.providerAt((r >> 16) % _Q);
        record.recordType = RecordType(uint8(1 + ((r >> 24) % 11)));
        if (selfAuthored && (r >> 32) % 2 == 0) record.recordType = RecordType.Wellness;
        record.sensitive = (r >> 40) % 3 == 0;
        bytes32 content = model.commitmentAt(model.commitmentCounter());
        // The ghost keeps the record commitment: the registry's name for the author's anchoring.
        record.commitment = RecordCommitments.bind(record.author, content);
        record.version = 1;

        bytes4 expected;
        if (selfAuthored) {
            if (record.recordType != RecordType.Wellness) {
                expected = IRecordRegistry.RecordRegistrySelfAuthoredType.selector;
            }
        } else if (!model.isActiveProvider(record.author)) {
            expected = IRecordRegistry.RecordRegistryUnauthorizedAuthor.selector;
        }
        VM.prank(record.author);
        try registry.anchorRecord(record.patient, content, record.recordType, record.sensitive) {
            if (_succeeded(expected, "anchorRecord")) model.pushRecord(record);
        } catch (bytes memory reason) {
            _failed(expected, reason, "anchorRecord");
        }
    }

    /// @notice Corrects a record: its author (or, sometimes, another provider, who must be refused).
    function amendRecord(uint256 seed) external action("amendRecord") {
        uint256 count = model.recordCount();
        if (count == 0 || count >= MAX_RECORDS) return;
        uint256 r = uint256(keccak256(abi.encode(seed, "amend")));
        uint256 index = r % count;
        AccessModel.GhostRecord memory old = model.recordAt(index);
        address caller = (r >> 8) % 6 == 0 ? model.providerAt((r >> 16) % _Q) : old.author;
        bool sensitive = (r >> 24) % 3 == 0;
        bytes32 commitment = model.commitmentAt(model.commitmentCounter());

        bytes4 expected;
        if (caller != old.patient && !model.isActiveProvider(caller)) {
            expected = IRecordRegistry.RecordRegistryUnauthorizedAuthor.selector;
        } else if (caller != old.author) {
            expected = IRecordRegistry.RecordRegistryNotAuthor.selector;
        } else if (old.erased) {
            expected = IRecordRegistry.RecordRegistryErased.selector;
        } else if (old.superseded) {
            expected = IRecordRegistry.RecordRegistrySuperseded.selector;
        }
        VM.prank(caller);
        try registry.amendRecord(old.patient, old.commitment, commitment, sensitive) {
            if (_succeeded(expected, "amendRecord")) {
                model.setRecordFlags(index, old.sensitive, old.erased, true);
                old.commitment = RecordCommitments.bind(caller, commitment);
                // A correction keeps the previous version's sensitivity.
                old.sensitive = sensitive || old.sensitive;
                old.version += 1;
                model.pushRecord(old);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "amendRecord");
        }
    }

    /// @notice Erases a record (a third of the calls): by its patient, or by an account that must
    /// hold the erase capability; never while the patient's records are retained after death.
    function eraseRecord(uint256 seed) external action("eraseRecord") {
        uint256 count = model.recordCount();
        uint256 r = uint256(keccak256(abi.encode(seed, "erase")));
        if (count == 0 || (r >> 200) % 3 != 0) return;
        uint256 index = r % count;
        AccessModel.GhostRecord memory record = model.recordAt(index);
        address caller = (r >> 8) % 2 == 0 ? record.patient : model.delegateCandidate(record.patient, r >> 16);

        bytes4 expected;
        if (caller != record.patient && !model.isDelegate(record.patient, caller, _CAP_ERASE)) {
            expected = IRecordRegistry.RecordRegistryNotPatientOrDelegate.selector;
        } else if (model.retained(record.patient)) {
            expected = IRecordRegistry.RecordRegistryRetained.selector;
        } else if (record.erased) {
            expected = IRecordRegistry.RecordRegistryErased.selector;
        }
        VM.prank(caller);
        try registry.eraseRecord(record.patient, record.commitment) {
            if (_succeeded(expected, "eraseRecord")) {
                model.setRecordFlags(index, record.sensitive, true, record.superseded);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "eraseRecord");
        }
    }

    /// @notice Marks a record sensitive or not: by its patient or a consent delegate, never after the
    /// patient's death.
    function setSensitivity(uint256 seed) external action("setSensitivity") {
        uint256 count = model.recordCount();
        if (count == 0) return;
        uint256 r = uint256(keccak256(abi.encode(seed, "sensitivity")));
        uint256 index = r % count;
        AccessModel.GhostRecord memory record = model.recordAt(index);
        address caller = (r >> 8) % 2 == 0 ? record.patient : model.delegateCandidate(record.patient, r >> 16);
        bool sensitive = (r >> 24) % 2 == 0;

        bytes4 expected;
        if (caller != record.patient && !model.isDelegate(record.patient, caller, _CAP_CONSENT)) {
            expected = IRecordRegistry.RecordRegistryNotPatientOrDelegate.selector;
        } else if (model.patientStatus(record.patient).diedAt != 0) {
            expected = IRecordRegistry.RecordRegistryPatientDeceased.selector;
        } else if (record.erased) {
            expected = IRecordRegistry.RecordRegistryErased.selector;
        }
        VM.prank(caller);
        try registry.setRecordSensitivity(record.patient, record.commitment, sensitive) {
            if (_succeeded(expected, "setSensitivity")) {
                model.setRecordFlags(index, sensitive, record.erased, record.superseded);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "setSensitivity");
        }
    }
}

/// @title ConsentHandler
/// @notice Invariant-runner target: grants of every scope (direct, by delegates, relayed with
/// signatures, replayed), revocations, nonce invalidations, time passing, delegations,
/// guardianships, heirs and deaths.
contract ConsentHandler is HandlerBase {
    using ActionLog for ActionLog.Log;

    constructor(
        ProviderDirectory directory_,
        PatientDelegation delegation_,
        RecordRegistry registry_,
        ConsentManager consent_,
        address registrar_,
        AccessModel model_
    ) HandlerBase(directory_, delegation_, registry_, consent_, registrar_, model_) {}

    // ================================================================== consent

    /// @notice Grants consent in any scope, directly, through a delegate, or relayed with the
    /// patient's signature (whose replay must then fail). Some requests are invalid on purpose.
    function grant(uint256 seed) external action("grant") {
        if (model.grantCount() >= MAX_GRANTS) return;
        AccessModel.Pending memory p = model.planGrant(uint256(keccak256(abi.encode(seed, "grant"))));
        if (p.via == 2) {
            _relayGrant(p);
            return;
        }
        VM.prank(p.caller);
        try consent.grantConsent(p.patient, p.request) returns (bytes32 grantId) {
            if (_succeeded(p.expectedError, "grant")) _putGrant(p.patient, grantId, p.request);
        } catch (bytes memory reason) {
            _failed(p.expectedError, reason, "grant");
        }
    }

    /// @notice Revokes a grant the handler made: by the patient, a delegate, or relayed by signature.
    function revoke(uint256 seed) external action("revoke") {
        uint256 count = model.grantCount();
        if (count == 0) return;
        uint256 r = uint256(keccak256(abi.encode(seed, "revoke")));
        uint256 index = r % count;
        AccessModel.GhostGrant memory g = model.grantAt(index);
        uint256 via = (r >> 8) % 3;
        address caller = via == 0 ? g.patient : model.delegateCandidate(g.patient, r >> 16);

        bytes4 expected;
        if (via == 1 && !model.isDelegate(g.patient, caller, _CAP_CONSENT)) {
            expected = IConsentManager.ConsentNotPatientOrDelegate.selector;
        } else if (model.patientStatus(g.patient).diedAt != 0) {
            expected = IConsentManager.ConsentPatientDeceased.selector;
        } else if (g.revoked) {
            expected = IConsentManager.ConsentAlreadyRevoked.selector;
        }
        if (via == 2) {
            uint256 nonce = model.nonceOf(g.patient);
            uint256 deadline = model.ghostNow() + ((r >> 32) % 2 days);
            bytes memory signature = _sign(
                model.keyOf(g.patient),
                model.revokeDigest(address(consent), g.patient, g.grantId, nonce, deadline)
            );
            VM.prank(_relayer(r));
            try consent.revokeConsentBySig(g.patient, g.grantId, deadline, signature) {
                if (_succeeded(expected, "revokeBySig")) {
                    model.setRevoked(index);
                    _bumpNonce(g.patient);
                }
            } catch (bytes memory reason) {
                _failed(expected, reason, "revokeBySig");
            }
            _checkNonce(g.patient, "revokeBySig");
            return;
        }
        VM.prank(caller);
        try consent.revokeConsent(g.patient, g.grantId) {
            if (_succeeded(expected, "revoke")) model.setRevoked(index);
        } catch (bytes memory reason) {
            _failed(expected, reason, "revoke");
        }
    }

    /// @notice A patient burns their current nonce.
    function invalidateNonce(uint256 seed) external action("invalidateNonce") {
        address patient = model.patientAt(seed % _P);
        VM.prank(patient);
        consent.invalidateNonce();
        _bumpNonce(patient);
        _checkNonce(patient, "invalidateNonce");
        _log.effect("invalidateNonce");
    }

    // ================================================================== time

    /// @notice Lets time pass: mostly hours to days, sometimes months. Half the time it lands exactly
    /// on, or one second before, an edge still ahead (a grant's start or end, a delegation's or
    /// guardianship's end), where off-by-one mistakes live.
    function warp(uint256 seed) external action("warp") {
        uint256 r = uint256(keccak256(abi.encode(seed, "warp")));
        uint256 nowTime = model.ghostNow();
        uint256 target = (r >> 200) % 2 == 0 ? model.edgeAhead(r, nowTime) : 0;
        if (target == 0) target = nowTime + 1 + ((r >> 8) % 8 == 0 ? r % 120 days : r % 3 days);
        model.setNow(target);
        VM.warp(target);
        _log.effect("warp");
    }

    // ================================================================== delegation

    /// @notice A patient appoints (or re-appoints) a delegate with some capabilities.
    function appointDelegate(uint256 seed) external action("appointDelegate") {
        uint256 r = uint256(keccak256(abi.encode(seed, "appoint")));
        address patient = model.patientAt(r % _P);
        address delegate = model.delegateCandidate(patient, r >> 8);
        uint8 capabilities = uint8(1 + ((r >> 16) % 7));
        uint40 validUntil = uint40(model.ghostNow() + 1 + ((r >> 24) % 60 days));
        bytes4 expected = _deceasedError(patient);
        VM.prank(patient);
        try delegation.appointDelegate(delegate, capabilities, validUntil) {
            if (_succeeded(expected, "appointDelegate")) {
                AccessModel.GhostDelegation memory d = model.delegationOf(patient, delegate);
                d.capabilities = capabilities;
                d.validUntil = validUntil;
                model.setDelegation(patient, delegate, d);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "appointDelegate");
        }
    }

    /// @notice A patient removes a delegate (refused when none was appointed).
    function removeDelegate(uint256 seed) external action("removeDelegate") {
        uint256 r = uint256(keccak256(abi.encode(seed, "remove")));
        address patient = model.patientAt(r % _P);
        address delegate = model.delegateCandidate(patient, r >> 8);
        AccessModel.GhostDelegation memory d = model.delegationOf(patient, delegate);
        bytes4 expected = d.capabilities == 0 ? IPatientDelegation.PatientDelegationNotFound.selector : bytes4(0);
        VM.prank(patient);
        try delegation.removeDelegate(delegate) {
            if (_succeeded(expected, "removeDelegate")) {
                d.capabilities = 0;
                d.validUntil = 0;
                model.setDelegation(patient, delegate, d);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "removeDelegate");
        }
    }

    /// @notice The registrar records a guardian (a delegate candidate) for a patient who is a minor.
    function recordGuardian(uint256 seed) external action("recordGuardian") {
        uint256 r = uint256(keccak256(abi.encode(seed, "guardian")));
        address minor = model.patientAt(r % _P);
        address guardian = model.delegateCandidate(minor, r >> 8);
        uint40 minorUntil = uint40(model.ghostNow() + 1 + ((r >> 16) % 400 days));
        bytes4 expected = _deceasedError(minor);
        VM.prank(registrar);
        try delegation.recordGuardian(minor, guardian, minorUntil) {
            if (_succeeded(expected, "recordGuardian")) {
                AccessModel.GhostDelegation memory d = model.delegationOf(minor, guardian);
                d.guardianFrom = uint40(model.ghostNow() + 7 days);
                d.guardianUntil = minorUntil;
                model.setDelegation(minor, guardian, d);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "recordGuardian");
        }
    }

    /// @notice A minor takes control from their guardians, or hands it back.
    function setMinorControl(uint256 seed) external action("setMinorControl") {
        address patient = model.patientAt(seed % _P);
        bool selfControlled = (seed >> 8) % 2 == 0;
        bytes4 expected = _deceasedError(patient);
        VM.prank(patient);
        try delegation.setMinorControl(selfControlled) {
            if (_succeeded(expected, "setMinorControl")) {
                AccessModel.GhostPatient memory status = model.patientStatus(patient);
                status.selfControlled = selfControlled;
                model.setPatient(patient, status);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "setMinorControl");
        }
    }

    /// @notice A patient designates an heir (who may read after the patient's death).
    function designateHeir(uint256 seed) external action("designateHeir") {
        uint256 r = uint256(keccak256(abi.encode(seed, "heir")));
        address patient = model.patientAt(r % _P);
        address heir = model.delegateCandidate(patient, r >> 8);
        bytes4 expected = _deceasedError(patient);
        VM.prank(patient);
        try delegation.designateHeir(heir) {
            if (_succeeded(expected, "designateHeir")) {
                AccessModel.GhostDelegation memory d = model.delegationOf(patient, heir);
                d.heir = true;
                model.setDelegation(patient, heir, d);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "designateHeir");
        }
    }

    /// @notice Rarely (a quarter of the calls), the registrar records a patient's death, dated up to
    /// ten days ago.
    function recordDeath(uint256 seed) external action("recordDeath") {
        uint256 r = uint256(keccak256(abi.encode(seed, "death")));
        if ((r >> 200) % 4 != 0) return;
        address patient = model.patientAt(r % _P);
        uint40 diedAt = uint40(model.ghostNow() - ((r >> 8) % 10 days));
        bytes4 expected = _deceasedError(patient);
        VM.prank(registrar);
        try delegation.recordDeath(patient, diedAt) {
            if (_succeeded(expected, "recordDeath")) {
                AccessModel.GhostPatient memory status = model.patientStatus(patient);
                status.diedAt = diedAt;
                status.deathRecordedAt = uint40(model.ghostNow());
                model.setPatient(patient, status);
            }
        } catch (bytes memory reason) {
            _failed(expected, reason, "recordDeath");
        }
    }

    function _relayGrant(AccessModel.Pending memory p) internal {
        uint256 nonce = model.nonceOf(p.patient);
        bytes memory signature = _sign(model.keyOf(p.patient), model.grantDigest(address(consent), p, nonce));
        VM.prank(_relayer(uint256(uint160(p.request.grantee))));
        try consent.grantConsentBySig(p.patient, p.request, p.deadline, signature) returns (bytes32 grantId) {
            if (_succeeded(p.expectedError, "grantBySig")) {
                _bumpNonce(p.patient);
                _putGrant(p.patient, grantId, p.request);
            }
        } catch (bytes memory reason) {
            _failed(p.expectedError, reason, "grantBySig");
        }
        _checkNonce(p.patient, "grantBySig");
        // The same signature never works twice.
        if (p.expectedError == bytes4(0)) {
            VM.prank(_relayer(nonce));
            try consent.grantConsentBySig(p.patient, p.request, p.deadline, signature) {
                _log.violation("grantBySig: replayed signature accepted");
            } catch (bytes memory reason) {
                _failed(IConsentManager.ConsentInvalidSignature.selector, reason, "grantBySig replay");
            }
            _checkNonce(p.patient, "grantBySig replay");
        }
    }

    function _putGrant(address patient, bytes32 grantId, IConsentManager.GrantRequest memory q) internal {
        if (grantId != keccak256(abi.encode(q.grantee, q.scope, q.scopeValue, q.purpose))) {
            _log.violation("grant: returned id is not the documented hash");
        }
        model.putGrant(
            AccessModel.GhostGrant({
                patient: patient,
                grantId: grantId,
                grantee: q.grantee,
                scope: q.scope,
                scopeValue: q.scopeValue,
                purpose: q.purpose,
                validFrom: q.validFrom,
                validUntil: q.validUntil,
                revoked: false
            })
        );
    }
}

/// @title AccessInvariantsBase
/// @notice The deployment, the handlers, the ghost model and the runner's target selection shared by
/// the invariant contracts below.
abstract contract AccessInvariantsBase is TestBase {
    /// @dev The target-selection shape the runner reads (forge-std's `StdInvariant.FuzzSelector`).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    uint256 internal constant _T0 = 1_750_000_000;
    /// @dev Tuples checked per invariant call, rotating so that a run covers the whole space.
    uint256 internal constant _SAMPLE = 24;

    RecordsHandler internal _records;
    ConsentHandler internal _consents;
    AccessModel internal _model;
    ConsentManager internal _consent;
    RecordRegistry internal _registry;
    address[] internal _targets;
    FuzzSelector[] internal _selectors;
    uint256 internal _setUpCalls;
    uint256 internal _setUpEffects;

    function setUp() public {
        VM.warp(_T0);
        address admin = address(0xAD11);
        address registrar = address(0xBE61);
        ProviderDirectory directory = new ProviderDirectory(admin, registrar, 2 days);
        PatientDelegation delegation = new PatientDelegation(directory);
        _registry = new RecordRegistry(admin, 2 days, directory, delegation);
        _consent = new ConsentManager(admin, 2 days, directory, _registry, delegation);
        _model = new AccessModel(_T0);
        _records = new RecordsHandler(directory, delegation, _registry, _consent, registrar, _model);
        _consents = new ConsentHandler(directory, delegation, _registry, _consent, registrar, _model);
        _model.bind(address(_records), address(_consents));

        // A starting state with something in it: the hospital, its laboratory, a practitioner, and
        // some records (the invariants sample records, so there is always at least one).
        _records.registerProvider(0);
        _records.registerProvider(1);
        _records.registerProvider(2);
        for (uint256 i = 0; _model.recordCount() < 3 && i < 64; ++i) _records.anchorRecord(i);
        assertGe(_model.recordCount(), 3, "setUp records");
        _assertHandlersClean();
        _setUpCalls = _calls();
        _setUpEffects = _effects();

        bytes4[] memory recordActions = new bytes4[](7);
        recordActions[0] = RecordsHandler.registerProvider.selector;
        recordActions[1] = RecordsHandler.suspendProvider.selector;
        recordActions[2] = RecordsHandler.reinstateProvider.selector;
        recordActions[3] = RecordsHandler.anchorRecord.selector;
        recordActions[4] = RecordsHandler.amendRecord.selector;
        recordActions[5] = RecordsHandler.eraseRecord.selector;
        recordActions[6] = RecordsHandler.setSensitivity.selector;
        bytes4[] memory consentActions = new bytes4[](10);
        consentActions[0] = ConsentHandler.grant.selector;
        consentActions[1] = ConsentHandler.revoke.selector;
        consentActions[2] = ConsentHandler.invalidateNonce.selector;
        consentActions[3] = ConsentHandler.warp.selector;
        consentActions[4] = ConsentHandler.appointDelegate.selector;
        consentActions[5] = ConsentHandler.removeDelegate.selector;
        consentActions[6] = ConsentHandler.recordGuardian.selector;
        consentActions[7] = ConsentHandler.setMinorControl.selector;
        consentActions[8] = ConsentHandler.designateHeir.selector;
        consentActions[9] = ConsentHandler.recordDeath.selector;
        _targets.push(address(_records));
        _targets.push(address(_consents));
        _selectors.push(FuzzSelector({addr: address(_records), selectors: recordActions}));
        _selectors.push(FuzzSelector({addr: address(_consents), selectors: consentActions}));
    }

    /// @notice Read by the runner: fuzz only the two handlers.
    function targetContracts() public view returns (address[] memory) {
        return _targets;
    }

    /// @notice Read by the runner: call only the handlers' actions (not their getters).
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _selectors;
    }

    /// @dev Checks run at the handler's time (a warp inside an action may not outlive the call).
    function _sync() internal {
        VM.warp(_model.ghostNow());
    }

    function _assertHandlersClean() internal view {
        if (_records.violations() != 0) {
            revert AssertionFailed(string.concat("the contracts broke the model: ", _records.firstViolation()));
        }
        if (_consents.violations() != 0) {
            revert AssertionFailed(string.concat("the contracts broke the model: ", _consents.firstViolation()));
        }
    }

    function _calls() internal view returns (uint256) {
        return _records.calls() + _consents.calls();
    }

    function _effects() internal view returns (uint256) {
        return _records.effects() + _consents.effects();
    }

    function _neverMessage(bytes32 name) internal pure returns (string memory) {
        return string.concat("action never took effect: ", string(abi.encodePacked(name)));
    }

    function _seed(string memory salt) internal view returns (uint256) {
        return uint256(keccak256(abi.encode(salt, _calls(), _effects(), block.timestamp)));
    }
}

/// @title AccessInvariants
/// @notice Stateful fuzzing of the access rule. The runner calls only the actions of two handlers,
/// in random sequences: `RecordsHandler` (providers registered, suspended and reinstated; records
/// anchored, corrected, erased and re-flagged) and `ConsentHandler` (grants of every scope made
/// directly, by delegates and by relayed signatures, replayed and revoked; nonces burnt; delegates,
/// guardians and heirs appointed and removed; deaths; time passing). After every call it checks one
/// property below against `AccessModel`, the ghost model the handlers keep.
///
/// Each `invariant_*` function is its own campaign (runs x depth calls), so each is capped inline
/// for the default profile; a profile declared in hardhat.config.ts can run them deeper.
/// `AccessInvariantsReach` proves, in a campaign of its own, that the runner really calls the
/// handlers (its check lives in `afterInvariant`, which would otherwise spoil the shrinking of the
/// counterexamples here).
contract AccessInvariants is AccessInvariantsBase {
    /// @notice The handlers are not no-ops: driven deterministically, every action takes effect at
    /// least once and the contracts never disagree with the ghost model.
    function test_handlersReachEveryAction() public {
        for (uint256 seed = 0; seed < 40; ++seed) {
            _records.registerProvider(seed);
            _records.anchorRecord(seed);
            _consents.appointDelegate(seed);
            _consents.grant(seed);
            _consents.grant(seed + 1000);
            _records.amendRecord(seed);
            _records.setSensitivity(seed);
            _consents.revoke(seed);
            _records.suspendProvider(seed);
            _records.reinstateProvider(seed + 7);
            _records.eraseRecord(seed);
            _consents.removeDelegate(seed);
            _consents.invalidateNonce(seed);
            _consents.warp(seed);
            _consents.recordGuardian(seed);
            _consents.setMinorControl(seed);
            _consents.designateHeir(seed);
            if (seed % 10 == 9) _consents.recordDeath(seed);
        }
        _assertHandlersClean();
        bytes32[7] memory recordActions = [
            bytes32("registerProvider"),
            "suspendProvider",
            "reinstateProvider",
            "anchorRecord",
            "amendRecord",
            "eraseRecord",
            "setSensitivity"
        ];
        for (uint256 i = 0; i < recordActions.length; ++i) {
            assertGt(_records.effectsOf(recordActions[i]), 0, _neverMessage(recordActions[i]));
        }
        bytes32[12] memory consentActions = [
            bytes32("grant"),
            "grantBySig",
            "revoke",
            "revokeBySig",
            "invalidateNonce",
            "warp",
            "appointDelegate",
            "removeDelegate",
            "recordGuardian",
            "setMinorControl",
            "designateHeir",
            "recordDeath"
        ];
        for (uint256 i = 0; i < consentActions.length; ++i) {
            assertGt(_consents.effectsOf(consentActions[i]), 0, _neverMessage(consentActions[i]));
        }
    }

    // ================================================================== invariants

    /**
     * @notice canAccess, accessBasis and hasConsent agree with the ghost model for a rotating sample
     * of (accessor, patient, record, purpose) tuples, including the `None` purpose.
     * hardhat-config: default.invariant.runs = 48
     * hardhat-config: default.invariant.depth = 60
     * hardhat-config: invariant.failOnRevert = true
     */
    function invariant_canAccessMatchesModel() public {
        _sync();
        _assertHandlersClean();
        address[] memory accounts = _model.accessors();
        uint256 records = _model.recordCount();
        uint256 seed = _seed("model");
        for (uint256 k = 0; k < _SAMPLE; ++k) {
            uint256 r = uint256(keccak256(abi.encode(seed, k)));
            address accessor = accounts[r % accounts.length];
            uint256 index = (r >> 64) % records;
            Purpose purpose = Purpose(uint8((r >> 128) % 8));
            AccessModel.GhostRecord memory record = _model.recordAt(index);
            AccessBasis expected = _model.expectedBasis(accessor, index, purpose);
            AccessBasis actual = _consent.accessBasis(accessor, record.patient, record.commitment, purpose);
            assertEq(uint256(actual), uint256(expected), "accessBasis differs from the model");
            assertEq(
                _consent.canAccess(accessor, record.patient, record.commitment, purpose),
                expected != AccessBasis.None,
                "canAccess differs from the model"
            );
            if (purpose != Purpose.None) {
                assertEq(
                    _consent.hasConsent(
                        AccessRequest(
                            accessor,
                            record.patient,
                            record.commitment,
                            record.recordType,
                            record.sensitive,
                            purpose
                        )
                    ),
                    _model.expectedConsent(accessor, index, purpose),
                    "hasConsent differs from the model"
                );
            }
        }
    }

    /**
     * @notice No account without a valid grant or role passes: the stranger (never granted anything)
     * is refused everywhere, and every sampled tuple the model refuses is refused.
     * hardhat-config: default.invariant.runs = 32
     * hardhat-config: default.invariant.depth = 60
     * hardhat-config: invariant.failOnRevert = true
     */
    function invariant_noAccessWithoutGrantOrRole() public {
        _sync();
        _assertHandlersClean();
        address stranger = _model.STRANGER();
        address[] memory accounts = _model.accessors();
        uint256 records = _model.recordCount();
        uint256 seed = _seed("none");
        for (uint256 k = 0; k < _SAMPLE; ++k) {
            uint256 r = uint256(keccak256(abi.encode(seed, k)));
            uint256 index = (r >> 64) % records;
            Purpose purpose = Purpose(uint8((r >> 128) % 8));
            AccessModel.GhostRecord memory record = _model.recordAt(index);
            assertFalse(
                _consent.canAccess(stranger, record.patient, record.commitment, purpose),
                "the stranger got access"
            );
            address accessor = accounts[r % accounts.length];
            if (_model.expectedBasis(accessor, index, purpose) == AccessBasis.None) {
                assertFalse(
                    _consent.canAccess(accessor, record.patient, record.commitment, purpose),
                    "access without grant or role"
                );
            }
        }
    }

    /**
     * @notice Revoked or expired (or not yet valid) grants are never active, and never open their
     * record to a grantee that has no other basis.
     * hardhat-config: default.invariant.runs = 32
     * hardhat-config: default.invariant.depth = 60
     * hardhat-config: invariant.failOnRevert = true
     */
    function invariant_revokedOrExpiredGrantsNeverPass() public {
        _sync();
        _assertHandlersClean();
        uint256 grants = _model.grantCount();
        uint256 records = _model.recordCount();
        for (uint256 i = 0; i < grants; ++i) {
            AccessModel.GhostGrant memory g = _model.grantAt(i);
            bool active = _model.grantActive(i);
            assertEq(_consent.isGrantActive(g.patient, g.grantId), active, "isGrantActive differs from the model");
            if (active) continue;
            // Every record of the grant's patient that this grant would cover: refused unless the
            // model finds another basis.
            for (uint256 j = 0; j < records; ++j) {
                AccessModel.GhostRecord memory record = _model.recordAt(j);
                if (record.patient != g.patient) continue;
                if (_model.expectedBasis(g.grantee, j, g.purpose) != AccessBasis.None) continue;
                assertFalse(
                    _consent.canAccess(g.grantee, g.patient, record.commitment, g.purpose),
                    "a revoked or expired grant passed"
                );
            }
        }
    }

    /**
     * @notice Suspended providers (or staff of suspended organisations) never pass, whatever they
     * hold: grants, delegations, authorship.
     * hardhat-config: default.invariant.runs = 32
     * hardhat-config: default.invariant.depth = 60
     * hardhat-config: invariant.failOnRevert = true
     */
    function invariant_suspendedProvidersNeverPass() public {
        _sync();
        _assertHandlersClean();
        address[6] memory providers = _model.providers();
        uint256 records = _model.recordCount();
        uint256 seed = _seed("suspended");
        for (uint256 p = 0; p < providers.length; ++p) {
            if (!_model.isSuspendedProvider(providers[p])) continue;
            for (uint256 k = 0; k < 6; ++k) {
                uint256 r = uint256(keccak256(abi.encode(seed, p, k)));
                AccessModel.GhostRecord memory record = _model.recordAt(r % records);
                Purpose purpose = Purpose(uint8((r >> 128) % 8));
                assertFalse(
                    _consent.canAccess(providers[p], record.patient, record.commitment, purpose),
                    "a suspended provider passed"
                );
            }
        }
    }

    /**
     * @notice Nonces only increase, by exactly one per consumed signature or invalidation.
     * hardhat-config: default.invariant.runs = 24
     * hardhat-config: default.invariant.depth = 60
     * hardhat-config: invariant.failOnRevert = true
     */
    function invariant_noncesOnlyIncrease() public {
        _sync();
        _assertHandlersClean();
        address[3] memory patients = _model.patients();
        for (uint256 i = 0; i < patients.length; ++i) {
            assertEq(_consent.nonces(patients[i]), _model.nonceOf(patients[i]), "nonce differs from the model");
        }
    }

    /**
     * @notice Erased records are never readable, by anyone (the patient and the author included),
     * for any purpose; and the registry's view of every record matches the model.
     * hardhat-config: default.invariant.runs = 32
     * hardhat-config: default.invariant.depth = 60
     * hardhat-config: invariant.failOnRevert = true
     */
    function invariant_erasedRecordsNeverReadable() public {
        _sync();
        _assertHandlersClean();
        address[] memory accounts = _model.accessors();
        uint256 records = _model.recordCount();
        uint256 seed = _seed("erased");
        for (uint256 j = 0; j < records; ++j) {
            AccessModel.GhostRecord memory record = _model.recordAt(j);
            IRecordRegistry.Record memory stored = _registry.recordOf(record.patient, record.commitment);
            assertEq(stored.author, record.author, "stored author");
            assertEq(uint256(stored.version), record.version, "stored version");
            assertEq(stored.flags & 2 != 0, record.erased, "stored erased flag");
            assertEq(stored.flags & 4 != 0, record.superseded, "stored superseded flag");
            if (!record.erased) {
                assertEq(stored.flags & 1 != 0, record.sensitive, "stored sensitive flag");
                continue;
            }
            Purpose purpose = Purpose(uint8(1 + ((seed >> j) % 7)));
            assertFalse(
                _consent.canAccess(record.patient, record.patient, record.commitment, purpose),
                "patient read an erased record"
            );
            assertFalse(
                _consent.canAccess(record.author, record.patient, record.commitment, purpose),
                "author read an erased record"
            );
            for (uint256 a = 0; a < accounts.length; ++a) {
                assertFalse(
                    _consent.canAccess(accounts[a], record.patient, record.commitment, purpose),
                    "erased record readable"
                );
            }
        }
    }
}

/// @title AccessInvariantsReach
/// @notice Proves the invariant runner calls the handlers: after each run, the run itself (not just
/// `setUp`) must have called them and changed state through them, or the campaigns above checked
/// nothing but the starting state. (`--verbosity 4` shows a run's calls in the traces.)
contract AccessInvariantsReach is AccessInvariantsBase {
    /**
     * @notice Nothing to check per call: the assertion is in `afterInvariant`, run after each run.
     * hardhat-config: default.invariant.runs = 8
     * hardhat-config: default.invariant.depth = 40
     * hardhat-config: invariant.failOnRevert = true
     */
    function invariant_runnerCallsTheHandlers() public view {}

    /// @notice Called by the runner after each run.
    function afterInvariant() public view {
        assertGt(_calls(), _setUpCalls, "the invariant run never called a handler");
        assertGt(_effects(), _setUpEffects, "the invariant run never changed state");
    }
}
