// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IConsentManager} from "../interfaces/IConsentManager.sol";
import {ConsentScope, Purpose, RecordType} from "../libraries/CareTypes.sol";
import {CareLedgerFixture} from "./utils/CareLedgerFixture.sol";
import {TestERC1271Wallet} from "./mocks/TestERC1271Wallet.sol";
import {VM} from "./utils/Vm.sol";

/// @title ConsentSignaturesTest
/// @notice Fuzz tests of relayed (EIP-712 signed) grants and revocations, and of nonces.
contract ConsentSignaturesTest is CareLedgerFixture {
    bytes32 internal constant _DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant _GRANT_TYPEHASH = keccak256(
        "GrantConsent(address patient,address grantee,uint8 scope,bytes32 scopeValue,uint8 purpose,uint40 validFrom,uint40 validUntil,uint256 nonce,uint256 deadline)"
    );
    bytes32 internal constant _REVOKE_TYPEHASH = keccak256(
        "RevokeConsent(address patient,bytes32 grantId,uint256 nonce,uint256 deadline)"
    );

    bytes32 internal constant _RECORD_CONTENT = keccak256("relayed-record");
    /// @dev The record commitment `_doctor`'s anchoring of `_RECORD_CONTENT` gets.
    bytes32 internal _record;
    address internal _relayer = address(0x5E1A7);

    function setUp() public {
        _deploy();
        _registerDefaultProviders();
        _record = _recordOf(_doctor, _RECORD_CONTENT);
    }

    // ------------------------------------------------------------------ EIP-712 helpers

    function _domainSeparator() internal view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    _DOMAIN_TYPEHASH,
                    keccak256("CareLedger Consent"),
                    keccak256("1"),
                    block.chainid,
                    address(_consent)
                )
            );
    }

    function _grantDigest(
        address patient,
        IConsentManager.GrantRequest memory request,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                _GRANT_TYPEHASH,
                patient,
                request.grantee,
                request.scope,
                request.scopeValue,
                request.purpose,
                request.validFrom,
                request.validUntil,
                nonce,
                deadline
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
    }

    function _revokeDigest(
        address patient,
        bytes32 grantId,
        uint256 nonce,
        uint256 deadline
    ) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(_REVOKE_TYPEHASH, patient, grantId, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev A patient controlled by `key`, with one record anchored, and a grant request for it.
    function _setUpPatient(
        uint256 keySeed,
        uint8 purposeRaw,
        uint8 scopeSeed
    ) internal returns (uint256 key, address patient, IConsentManager.GrantRequest memory request) {
        key = _privateKey(keySeed);
        patient = VM.addr(key);
        VM.assume(!_isKnown(patient));
        _anchor(_doctor, patient, _RECORD_CONTENT, RecordType.Referral, false);
        Purpose purpose = _purpose(purposeRaw);
        (ConsentScope scope, bytes32 value) = _scopeFor(scopeSeed, _record, RecordType.Referral, purpose);
        request = _request(_pharmacy, scope, value, purpose, uint40(_T0), uint40(_T0 + 30 days));
    }

    // ------------------------------------------------------------------ typehashes and domain

    /// @notice The contract's typehashes are the documented type strings, and its EIP-5267 domain is
    /// the one clients sign for.
    function test_typehashesAndDomain() public view {
        assertEq(_consent.GRANT_CONSENT_TYPEHASH(), _GRANT_TYPEHASH, "grant typehash");
        assertEq(_consent.REVOKE_CONSENT_TYPEHASH(), _REVOKE_TYPEHASH, "revoke typehash");
        (, string memory name, string memory version, uint256 chainId, address verifyingContract, , ) = _consent
            .eip712Domain();
        assertEq(keccak256(bytes(name)), keccak256("CareLedger Consent"), "domain name");
        assertEq(keccak256(bytes(version)), keccak256("1"), "domain version");
        assertEq(chainId, block.chainid, "domain chain id");
        assertEq(verifyingContract, address(_consent), "domain contract");
    }

    // ------------------------------------------------------------------ grants by signature

    /// @notice For any key, a grant signed over the patient's current nonce succeeds once, consumes
    /// exactly that nonce, opens access, and its replay reverts `ConsentInvalidSignature`.
    function testFuzz_grantBySigSucceedsOnceThenReplayReverts(
        uint256 keySeed,
        uint8 purposeRaw,
        uint8 scopeSeed,
        uint256 deadlineRaw,
        address relayer
    ) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(
            keySeed,
            purposeRaw,
            scopeSeed
        );
        uint256 deadline = bound(deadlineRaw, block.timestamp, type(uint256).max);
        uint256 nonce = _consent.nonces(patient);
        assertEq(nonce, 0, "fresh nonce");
        bytes memory signature = _sign(key, _grantDigest(patient, request, nonce, deadline));

        VM.prank(relayer);
        bytes32 grantId = _consent.grantConsentBySig(patient, request, deadline, signature);
        assertEq(_consent.nonces(patient), nonce + 1, "nonce consumed once");
        assertEq(grantId, _grantId(request.grantee, request.scope, request.scopeValue, request.purpose), "id");
        assertTrue(_consent.canAccess(_pharmacy, patient, _record, request.purpose), "relayed grant missing");

        VM.prank(relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, patient));
        _consent.grantConsentBySig(patient, request, deadline, signature);
        assertEq(_consent.nonces(patient), nonce + 1, "failed replay consumed no nonce");
    }

    /// @notice A signature by any key other than the patient's reverts `ConsentInvalidSignature` and
    /// consumes no nonce.
    function testFuzz_grantBySigWrongKeyReverts(uint256 keySeed, uint256 otherSeed, uint8 purposeRaw) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(
            keySeed,
            purposeRaw,
            0
        );
        uint256 otherKey = _privateKey(otherSeed);
        VM.assume(otherKey != key);
        bytes memory signature = _sign(otherKey, _grantDigest(patient, request, 0, _T0));
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, patient));
        _consent.grantConsentBySig(patient, request, _T0, signature);
        assertEq(_consent.nonces(patient), 0, "nonce untouched");
        assertFalse(_consent.canAccess(_pharmacy, patient, _record, request.purpose), "forged grant opened");
    }

    /// @notice A signature over any other field (grantee, purpose, period, nonce, deadline) than
    /// what is relayed reverts `ConsentInvalidSignature`.
    function testFuzz_grantBySigTamperedFieldReverts(uint256 keySeed, uint8 field, uint40 delta) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(keySeed, 0, 0);
        uint40 shift = uint40(bound(delta, 1, 1 days));
        uint256 deadline = _T0 + 1 hours;
        bytes memory signature = _sign(key, _grantDigest(patient, request, 0, deadline));
        uint256 which = field % 6;
        if (which == 0) request.grantee = _lab;
        else if (which == 1)
            request.purpose = request.purpose == Purpose.Treatment ? Purpose.Research : Purpose.Treatment;
        else if (which == 2) request.validUntil += shift;
        else if (which == 3) request.validFrom -= shift;
        else if (which == 4) deadline += shift;
        else signature = _sign(key, _grantDigest(patient, request, 1, deadline));
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, patient));
        _consent.grantConsentBySig(patient, request, deadline, signature);
    }

    /// @notice A signature past its deadline reverts `ConsentExpiredSignature`; the deadline itself is
    /// the last valid second.
    function testFuzz_expiredDeadlineReverts(uint256 keySeed, uint256 deadlineRaw, uint256 lateRaw) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(keySeed, 0, 0);
        uint256 deadline = bound(deadlineRaw, _T0, _T0 + 29 days);
        bytes memory signature = _sign(key, _grantDigest(patient, request, 0, deadline));
        VM.warp(deadline + bound(lateRaw, 1, 365 days));
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentExpiredSignature.selector, deadline));
        _consent.grantConsentBySig(patient, request, deadline, signature);

        VM.warp(deadline);
        VM.prank(_relayer);
        _consent.grantConsentBySig(patient, request, deadline, signature);
        assertEq(_consent.nonces(patient), 1, "accepted at the deadline");
    }

    /// @notice A signed grant still goes through the request checks (e.g. self-grant), and a
    /// failed one consumes no nonce.
    function testFuzz_grantBySigStillValidatesRequest(uint256 keySeed) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(keySeed, 0, 0);
        request.grantee = patient;
        bytes memory signature = _sign(key, _grantDigest(patient, request, 0, _T0));
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentSelfGrant.selector, patient));
        _consent.grantConsentBySig(patient, request, _T0, signature);
        assertEq(_consent.nonces(patient), 0, "nonce untouched");
    }

    /// @notice A high-s (malleated) copy of a valid signature is refused.
    function testFuzz_malleatedSignatureReverts(uint256 keySeed) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(keySeed, 0, 0);
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, _grantDigest(patient, request, 0, _T0));
        bytes32 highS = bytes32(_SECP256K1_N - uint256(s));
        bytes memory malleated = abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27));
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, patient));
        _consent.grantConsentBySig(patient, request, _T0, malleated);
    }

    // ------------------------------------------------------------------ revocations by signature

    /// @notice A signed revocation works once, closes access, and its replay reverts.
    function testFuzz_revokeBySigOnce(uint256 keySeed, uint8 purposeRaw, uint8 scopeSeed) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(
            keySeed,
            purposeRaw,
            scopeSeed
        );
        VM.prank(patient);
        bytes32 grantId = _consent.grantConsent(patient, request);
        bytes memory signature = _sign(key, _revokeDigest(patient, grantId, 0, _T0));
        VM.prank(_relayer);
        _consent.revokeConsentBySig(patient, grantId, _T0, signature);
        assertEq(_consent.nonces(patient), 1, "revoke nonce");
        assertFalse(_consent.canAccess(_pharmacy, patient, _record, request.purpose), "revoked by sig still open");
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, patient));
        _consent.revokeConsentBySig(patient, grantId, _T0, signature);
    }

    /// @notice A signed revocation past its deadline reverts `ConsentExpiredSignature`.
    function testFuzz_revokeBySigExpiredReverts(uint256 keySeed, uint256 lateRaw) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(keySeed, 0, 0);
        VM.prank(patient);
        bytes32 grantId = _consent.grantConsent(patient, request);
        bytes memory signature = _sign(key, _revokeDigest(patient, grantId, 0, _T0));
        VM.warp(_T0 + bound(lateRaw, 1, 365 days));
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentExpiredSignature.selector, _T0));
        _consent.revokeConsentBySig(patient, grantId, _T0, signature);
        assertEq(_consent.nonces(patient), 0, "nonce untouched");
    }

    /// @notice A grant signature cannot be used as a revocation and vice versa (distinct typehashes),
    /// and another key cannot revoke.
    function testFuzz_revokeBySigWrongKeyOrTypeReverts(uint256 keySeed, uint256 otherSeed) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(keySeed, 0, 0);
        uint256 otherKey = _privateKey(otherSeed);
        VM.assume(otherKey != key);
        VM.prank(patient);
        bytes32 grantId = _consent.grantConsent(patient, request);
        bytes memory wrongKey = _sign(otherKey, _revokeDigest(patient, grantId, 0, _T0));
        bytes memory wrongType = _sign(key, _grantDigest(patient, request, 0, _T0));
        bytes memory invalid = abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, patient);
        VM.prank(_relayer);
        VM.expectRevert(invalid);
        _consent.revokeConsentBySig(patient, grantId, _T0, wrongKey);
        VM.prank(_relayer);
        VM.expectRevert(invalid);
        _consent.revokeConsentBySig(patient, grantId, _T0, wrongType);
        assertTrue(_consent.isGrantActive(patient, grantId), "grant survived forged revocations");
    }

    // ------------------------------------------------------------------ nonces

    /// @notice Over any sequence of signed grants, signed revocations, invalidations and failed
    /// attempts, the nonce only ever increases, by exactly one per consumed signature or invalidation.
    function testFuzz_noncesOnlyIncrease(uint256 keySeed, uint256 ops) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(keySeed, 0, 2);
        bytes32 grantId = _grantId(request.grantee, request.scope, request.scopeValue, request.purpose);
        uint256 expected = 0;
        bool granted = false;
        for (uint256 i = 0; i < 12; ++i) {
            uint256 op = (ops >> (i * 2)) & 3;
            uint256 before = _consent.nonces(patient);
            if (op == 0) {
                bytes memory sig = _sign(key, _grantDigest(patient, request, before, _T0));
                VM.prank(_relayer);
                _consent.grantConsentBySig(patient, request, _T0, sig);
                expected += 1;
                granted = true;
            } else if (op == 1 && granted) {
                bytes memory sig = _sign(key, _revokeDigest(patient, grantId, before, _T0));
                VM.prank(_relayer);
                _consent.revokeConsentBySig(patient, grantId, _T0, sig);
                expected += 1;
                granted = false;
            } else if (op == 2) {
                VM.prank(patient);
                _consent.invalidateNonce();
                expected += 1;
            } else {
                // A signature over a nonce other than the current one fails and consumes nothing.
                bytes memory stale = _sign(key, _grantDigest(patient, request, before + 1, _T0));
                VM.prank(_relayer);
                VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, patient));
                _consent.grantConsentBySig(patient, request, _T0, stale);
            }
            uint256 afterOp = _consent.nonces(patient);
            assertGe(afterOp, before, "nonce decreased");
            assertEq(afterOp, expected, "nonce count");
        }
    }

    /// @notice `invalidateNonce` cancels an outstanding signature.
    function testFuzz_invalidateNonceCancelsSignature(uint256 keySeed) public {
        (uint256 key, address patient, IConsentManager.GrantRequest memory request) = _setUpPatient(keySeed, 0, 0);
        bytes memory signature = _sign(key, _grantDigest(patient, request, 0, _T0));
        VM.prank(patient);
        _consent.invalidateNonce();
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, patient));
        _consent.grantConsentBySig(patient, request, _T0, signature);
    }

    // ------------------------------------------------------------------ ERC-1271 patients

    /// @notice A smart-wallet patient grants through ERC-1271: its owner's signature works once; any
    /// other key's does not.
    function testFuzz_smartWalletPatient(uint256 ownerSeed, uint256 otherSeed) public {
        uint256 ownerKey = _privateKey(ownerSeed);
        uint256 otherKey = _privateKey(otherSeed);
        VM.assume(ownerKey != otherKey);
        address wallet = address(new TestERC1271Wallet(VM.addr(ownerKey)));
        _anchor(_doctor, wallet, _RECORD_CONTENT, RecordType.Referral, false);
        IConsentManager.GrantRequest memory request = _request(
            _family,
            ConsentScope.Record,
            _record,
            Purpose.Inheritance,
            uint40(_T0),
            uint40(_T0 + 1 days)
        );
        bytes32 digest = _grantDigest(wallet, request, 0, _T0);
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, wallet));
        _consent.grantConsentBySig(wallet, request, _T0, _sign(otherKey, digest));

        bytes memory signature = _sign(ownerKey, digest);
        VM.prank(_relayer);
        _consent.grantConsentBySig(wallet, request, _T0, signature);
        assertTrue(_consent.canAccess(_family, wallet, _record, Purpose.Inheritance), "wallet grant");
        VM.prank(_relayer);
        VM.expectRevert(abi.encodeWithSelector(IConsentManager.ConsentInvalidSignature.selector, wallet));
        _consent.grantConsentBySig(wallet, request, _T0, signature);
    }
}
