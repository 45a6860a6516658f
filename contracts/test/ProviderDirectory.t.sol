// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {ProviderDirectory} from "../ProviderDirectory.sol";
import {IProviderDirectory} from "../interfaces/IProviderDirectory.sol";
import {HipaaRole, ProviderForm, ProviderKind} from "../libraries/CareTypes.sol";
import {CareLedgerFixture} from "./utils/CareLedgerFixture.sol";
import {VM} from "./utils/Vm.sol";

/// @title ProviderDirectoryTest
/// @notice Fuzz tests of provider registration, updates, suspension and reinstatement.
contract ProviderDirectoryTest is CareLedgerFixture {
    function setUp() public {
        _deploy();
        _register(_hospital, ProviderKind.Hospital, ProviderForm.Organisation, address(0));
    }

    function _kind(uint8 seed) internal pure returns (ProviderKind) {
        return ProviderKind(uint8(1 + (seed % 5)));
    }

    /// @notice A registered provider is active with its kind and stored entry, registered now.
    function testFuzz_registerStoresEntry(address account, uint8 kindRaw, bool organisationForm, bool hipaaBa) public {
        VM.assume(!_isKnown(account));
        ProviderKind kind = _kind(kindRaw);
        ProviderForm form = organisationForm ? ProviderForm.Organisation : ProviderForm.Practitioner;
        HipaaRole hipaa = hipaaBa ? HipaaRole.BusinessAssociate : HipaaRole.CoveredEntity;
        VM.prank(_registrar);
        _directory.registerProvider(
            account,
            IProviderDirectory.ProviderProfile({kind: kind, form: form, hipaa: hipaa, organisation: _hospital})
        );

        IProviderDirectory.Provider memory entry = _directory.providerOf(account);
        assertEq(uint256(entry.kind), uint256(kind), "kind");
        assertEq(uint256(entry.form), uint256(form), "form");
        assertEq(uint256(entry.hipaa), uint256(hipaa), "hipaa");
        assertEq(entry.organisation, _hospital, "organisation");
        assertEq(uint256(entry.registeredAt), block.timestamp, "registeredAt");
        assertFalse(entry.suspended, "suspended");
        assertTrue(_directory.isActiveProvider(account), "active");
        assertEq(uint256(_directory.activeKindOf(account)), uint256(kind), "active kind");
    }

    /// @notice Unregistered accounts are never active.
    function testFuzz_unregisteredNeverActive(address account) public view {
        VM.assume(account != _hospital);
        assertFalse(_directory.isActiveProvider(account), "unregistered active");
        assertEq(uint256(_directory.activeKindOf(account)), uint256(ProviderKind.None), "unregistered kind");
    }

    /// @notice Only the registrar registers, updates, suspends and reinstates.
    function testFuzz_onlyRegistrar(address caller, address account) public {
        VM.assume(caller != _registrar && account != address(0) && account != _hospital);
        bytes32 role = _directory.REGISTRAR_ROLE();
        bytes memory denied = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector,
            caller,
            role
        );
        VM.prank(caller);
        VM.expectRevert(denied);
        _directory.registerProvider(account, _profile(ProviderKind.Doctor, ProviderForm.Practitioner, address(0)));
        VM.prank(caller);
        VM.expectRevert(denied);
        _directory.updateProvider(_hospital, _profile(ProviderKind.Laboratory, ProviderForm.Organisation, address(0)));
        VM.prank(caller);
        VM.expectRevert(denied);
        _directory.suspendProvider(_hospital, bytes32(0));
        VM.prank(caller);
        VM.expectRevert(denied);
        _directory.reinstateProvider(_hospital);
    }

    /// @notice Registering twice, the `None` kind, and the zero address revert.
    function testFuzz_registerGuards(address account, uint8 kindRaw) public {
        VM.assume(!_isKnown(account));
        _register(account, _kind(kindRaw), ProviderForm.Practitioner, address(0));
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryAlreadyRegistered.selector, account)
        );
        _directory.registerProvider(account, _profile(_kind(kindRaw), ProviderForm.Organisation, address(0)));
        address fresh = address(uint160(account) ^ 1);
        VM.assume(!_isKnown(fresh));
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryInvalidKind.selector, ProviderKind.None)
        );
        _directory.registerProvider(fresh, _profile(ProviderKind.None, ProviderForm.Practitioner, address(0)));
        VM.prank(_registrar);
        VM.expectRevert(abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryZeroAddress.selector));
        _directory.registerProvider(address(0), _profile(ProviderKind.Doctor, ProviderForm.Practitioner, address(0)));
    }

    /// @notice A practitioner may only join a registered organisation-form provider, never itself.
    function testFuzz_invalidOrganisationReverts(address account, address organisation) public {
        VM.assume(!_isKnown(account) && organisation != address(0) && organisation != _hospital);
        // An unregistered organisation.
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryInvalidOrganisation.selector, organisation)
        );
        _directory.registerProvider(account, _profile(ProviderKind.Doctor, ProviderForm.Practitioner, organisation));
        // A registered practitioner is not an organisation.
        _register(_doctor2, ProviderKind.Doctor, ProviderForm.Practitioner, address(0));
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryInvalidOrganisation.selector, _doctor2)
        );
        _directory.registerProvider(account, _profile(ProviderKind.Doctor, ProviderForm.Practitioner, _doctor2));
        // An organisation cannot belong to itself.
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryInvalidOrganisation.selector, _hospital)
        );
        _directory.updateProvider(_hospital, _profile(ProviderKind.Hospital, ProviderForm.Organisation, _hospital));
    }

    /// @notice Suspension stops the provider at once and reinstatement restores it; each state
    /// change happens once (a repeat reverts); unregistered accounts cannot be suspended.
    function testFuzz_suspendAndReinstate(address account, uint8 kindRaw, bytes32 reason, uint8 cycles) public {
        VM.assume(!_isKnown(account));
        ProviderKind kind = _kind(kindRaw);
        VM.prank(_registrar);
        VM.expectRevert(abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryNotRegistered.selector, account));
        _directory.suspendProvider(account, reason);

        _register(account, kind, ProviderForm.Practitioner, address(0));
        for (uint256 i = 0; i < bound(cycles, 1, 5); ++i) {
            VM.prank(_registrar);
            _directory.suspendProvider(account, reason);
            assertFalse(_directory.isActiveProvider(account), "suspended still active");
            assertEq(uint256(_directory.activeKindOf(account)), uint256(ProviderKind.None), "suspended kind");
            assertEq(uint256(_directory.providerOf(account).kind), uint256(kind), "entry kept while suspended");
            VM.prank(_registrar);
            VM.expectRevert(
                abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryStatusUnchanged.selector, account, true)
            );
            _directory.suspendProvider(account, reason);

            _reinstate(account);
            assertTrue(_directory.isActiveProvider(account), "reinstated not active");
            assertEq(uint256(_directory.activeKindOf(account)), uint256(kind), "reinstated kind");
            VM.prank(_registrar);
            VM.expectRevert(
                abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryStatusUnchanged.selector, account, false)
            );
            _directory.reinstateProvider(account);
        }
    }

    /// @notice Suspending an organisation stops its practitioners without touching their own
    /// entries; reinstating it restores them. A practitioner suspended in its own right stays
    /// suspended when its organisation is reinstated.
    function testFuzz_organisationSuspensionCascades(address staffA, address staffB, uint8 kindRaw) public {
        VM.assume(!_isKnown(staffA) && !_isKnown(staffB) && staffA != staffB);
        _register(staffA, _kind(kindRaw), ProviderForm.Practitioner, _hospital);
        _register(staffB, _kind(kindRaw), ProviderForm.Practitioner, _hospital);
        _suspend(staffB);
        _suspend(_hospital);
        assertFalse(_directory.isActiveProvider(staffA), "staff of suspended organisation active");
        assertFalse(_directory.providerOf(staffA).suspended, "staff entry untouched");
        _reinstate(_hospital);
        assertTrue(_directory.isActiveProvider(staffA), "staff not restored");
        assertFalse(_directory.isActiveProvider(staffB), "individually suspended staff restored");
    }

    /// @notice An update changes kind, form, HIPAA role and organisation but keeps the suspension
    /// state and the registration time.
    function testFuzz_updateKeepsSuspensionAndRegistrationTime(
        address account,
        uint8 kindRaw,
        bool suspendFirst,
        uint256 laterRaw
    ) public {
        VM.assume(!_isKnown(account));
        // Registered at _T0. (Times are computed, never kept from `block.timestamp` across a warp: the
        // optimizer treats it as constant within a transaction and may re-read it after the warp.)
        _register(account, ProviderKind.Doctor, ProviderForm.Practitioner, address(0));
        uint256 registeredAt = _T0;
        if (suspendFirst) _suspend(account);
        VM.warp(_T0 + bound(laterRaw, 0, 3650 days));
        ProviderKind kind = _kind(kindRaw);
        VM.prank(_registrar);
        _directory.updateProvider(
            account,
            IProviderDirectory.ProviderProfile({
                kind: kind,
                form: ProviderForm.Organisation,
                hipaa: HipaaRole.BusinessAssociate,
                organisation: address(0)
            })
        );
        IProviderDirectory.Provider memory entry = _directory.providerOf(account);
        assertEq(uint256(entry.kind), uint256(kind), "updated kind");
        assertEq(uint256(entry.form), uint256(ProviderForm.Organisation), "updated form");
        assertEq(uint256(entry.hipaa), uint256(HipaaRole.BusinessAssociate), "updated hipaa");
        assertEq(entry.suspended, suspendFirst, "suspension kept");
        assertEq(uint256(entry.registeredAt), registeredAt, "registration time kept");
        assertEq(_directory.isActiveProvider(account), !suspendFirst, "active after update");
    }

    /// @notice Updating an unregistered account, or to the `None` kind, reverts.
    function testFuzz_updateGuards(address account) public {
        VM.assume(!_isKnown(account));
        VM.prank(_registrar);
        VM.expectRevert(abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryNotRegistered.selector, account));
        _directory.updateProvider(account, _profile(ProviderKind.Doctor, ProviderForm.Practitioner, address(0)));
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryInvalidKind.selector, ProviderKind.None)
        );
        _directory.updateProvider(_hospital, _profile(ProviderKind.None, ProviderForm.Organisation, address(0)));
    }

    /// @notice The constructor refuses a zero registrar.
    function test_constructorRejectsZeroRegistrar() public {
        VM.expectRevert(abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryZeroAddress.selector));
        new ProviderDirectory(_admin, address(0), _ADMIN_DELAY);
    }

    /// @dev Registers a chain of `depth` organisations under `_hospital`'s level and a practitioner
    /// at the bottom; returns [top, ..., bottom organisation, practitioner].
    function _chain(uint256 depth, uint256 salt) internal returns (address[] memory chain) {
        chain = new address[](depth + 1);
        address above = address(0);
        for (uint256 i = 0; i < depth; ++i) {
            chain[i] = address(uint160(uint256(keccak256(abi.encode("org", salt, i)))));
            _register(chain[i], ProviderKind.Hospital, ProviderForm.Organisation, above);
            above = chain[i];
        }
        chain[depth] = address(uint160(uint256(keccak256(abi.encode("staff", salt)))));
        _register(chain[depth], ProviderKind.Doctor, ProviderForm.Practitioner, above);
    }

    /// @notice Organisations nest (a ward in a hospital in a group): suspending any level stops
    /// every account below it and none above; reinstating restores them.
    function testFuzz_nestedOrganisationSuspensionCascades(uint8 depthRaw, uint8 levelRaw, uint256 salt) public {
        uint256 depth = bound(depthRaw, 1, 4);
        address[] memory chain = _chain(depth, salt);
        uint256 level = bound(levelRaw, 0, depth);
        _suspend(chain[level]);
        for (uint256 i = 0; i <= depth; ++i) {
            assertEq(_directory.isActiveProvider(chain[i]), i < level, "activity below/above the suspended level");
        }
        _reinstate(chain[level]);
        for (uint256 i = 0; i <= depth; ++i) {
            assertTrue(_directory.isActiveProvider(chain[i]), "reinstated chain");
        }
    }

    /// @notice A chain deeper than four organisations above an account, or a loop, is refused.
    function testFuzz_organisationChainsAreBoundedAndAcyclic(uint256 salt, uint8 loopAt) public {
        address[] memory chain = _chain(4, salt);
        // Four organisations above an account is the limit: a fifth organisation fits under the
        // bottom one (it has four above it), but nothing fits under that fifth one.
        address fifth = address(uint160(uint256(keccak256(abi.encode("fifth", salt)))));
        _register(fifth, ProviderKind.Hospital, ProviderForm.Organisation, chain[3]);
        assertTrue(_directory.isActiveProvider(fifth), "four organisations above is allowed");
        address tooDeep = address(uint160(uint256(keccak256(abi.encode("deep", salt)))));
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryInvalidOrganisation.selector, fifth)
        );
        _directory.registerProvider(tooDeep, _profile(ProviderKind.Doctor, ProviderForm.Practitioner, fifth));
        // Moving the top organisation under one of its own descendants would close a loop.
        address descendant = chain[1 + (loopAt % 3)];
        VM.prank(_registrar);
        VM.expectRevert(
            abi.encodeWithSelector(IProviderDirectory.ProviderDirectoryInvalidOrganisation.selector, descendant)
        );
        _directory.updateProvider(chain[0], _profile(ProviderKind.Hospital, ProviderForm.Organisation, descendant));
        assertTrue(_directory.isActiveProvider(chain[4]), "chain intact");
    }

    /// @notice `activeKindsOf` answers `activeKindOf` for two accounts at once.
    function testFuzz_activeKindsOfPairs(address a, address b, uint8 kindRaw, bool suspendA) public {
        VM.assume(!_isKnown(a) && !_isKnown(b) && a != b);
        _register(a, _kind(kindRaw), ProviderForm.Practitioner, _hospital);
        if (suspendA) _suspend(a);
        (ProviderKind first, ProviderKind second) = _directory.activeKindsOf(a, b);
        assertEq(uint256(first), uint256(_directory.activeKindOf(a)), "first kind");
        assertEq(uint256(second), uint256(ProviderKind.None), "unregistered second");
        assertEq(uint256(first), suspendA ? 0 : uint256(_kind(kindRaw)), "first kind value");
    }

    /// @notice Moving an organisation can leave accounts below it deeper than the directory follows:
    /// they fail closed (inactive) rather than escaping a suspension further up.
    function testFuzz_tooDeepAfterMoveFailsClosed(uint256 salt) public {
        address[] memory chain = _chain(4, salt);
        address group = address(uint160(uint256(keccak256(abi.encode("group", salt)))));
        _register(group, ProviderKind.Hospital, ProviderForm.Organisation, address(0));
        VM.prank(_registrar);
        _directory.updateProvider(chain[0], _profile(ProviderKind.Hospital, ProviderForm.Organisation, group));
        assertTrue(_directory.isActiveProvider(chain[3]), "four levels below the group still followed");
        assertFalse(_directory.isActiveProvider(chain[4]), "five organisations above: fail closed");
        assertFalse(_directory.providerOf(chain[4]).suspended, "not suspended, only out of reach");
    }
}
