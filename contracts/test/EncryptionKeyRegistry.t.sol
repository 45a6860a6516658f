// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EncryptionKeyRegistry} from "../EncryptionKeyRegistry.sol";
import {IEncryptionKeyRegistry} from "../interfaces/IEncryptionKeyRegistry.sol";
import {TestBase} from "./utils/TestBase.sol";
import {VM} from "./utils/Vm.sol";

/// @title EncryptionKeyRegistryTest
/// @notice Fuzz tests: versions count up from 1 per account, every published key stays readable,
/// and one account's publishing never touches another's keys.
contract EncryptionKeyRegistryTest is TestBase {
    EncryptionKeyRegistry private _registry;

    function setUp() public {
        _registry = new EncryptionKeyRegistry();
    }

    /// @notice Any sequence of distinct consecutive keys gets versions 1..n, each readable afterwards.
    function testFuzz_versionsCountUpAndStayReadable(address account, bytes32 seed, uint8 countRaw) public {
        uint256 count = 1 + (uint256(countRaw) % 8);
        for (uint256 i = 0; i < count; ++i) {
            bytes32 key = keccak256(abi.encode(seed, i));
            VM.assume(key != bytes32(0));
            VM.prank(account);
            uint32 version = _registry.publishEncryptionKey(key);
            assertEq(uint256(version), i + 1, "version");
        }
        (uint32 current, bytes32 currentKey) = _registry.currentEncryptionKey(account);
        assertEq(uint256(current), count, "current version");
        assertTrue(currentKey == keccak256(abi.encode(seed, count - 1)), "current key");
        for (uint256 i = 0; i < count; ++i) {
            assertTrue(
                _registry.encryptionKeyAt(account, uint32(i + 1)) == keccak256(abi.encode(seed, i)),
                "old version readable"
            );
        }
    }

    /// @notice Publishing for one account leaves another's keys as they were.
    function testFuzz_accountsAreIndependent(address alice, address bob, bytes32 aliceKey, bytes32 bobKey) public {
        VM.assume(alice != bob && aliceKey != bytes32(0) && bobKey != bytes32(0));
        VM.prank(alice);
        _registry.publishEncryptionKey(aliceKey);
        (uint32 before, ) = _registry.currentEncryptionKey(bob);
        assertEq(uint256(before), 0, "bob has no key");
        VM.prank(bob);
        _registry.publishEncryptionKey(bobKey);
        (uint32 version, bytes32 key) = _registry.currentEncryptionKey(alice);
        assertEq(uint256(version), 1, "alice version");
        assertTrue(key == aliceKey, "alice key");
    }

    /// @notice The zero key and an unchanged key are refused with their typed errors.
    function testFuzz_refusesZeroAndUnchangedKeys(address account, bytes32 key) public {
        VM.assume(key != bytes32(0));
        VM.prank(account);
        VM.expectRevert(IEncryptionKeyRegistry.EncryptionKeyRegistryZeroKey.selector);
        _registry.publishEncryptionKey(bytes32(0));
        VM.prank(account);
        _registry.publishEncryptionKey(key);
        VM.prank(account);
        VM.expectRevert(
            abi.encodeWithSelector(IEncryptionKeyRegistry.EncryptionKeyRegistryUnchangedKey.selector, account, key)
        );
        _registry.publishEncryptionKey(key);
    }
}
