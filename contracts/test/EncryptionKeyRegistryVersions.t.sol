// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EncryptionKeyRegistry} from "../EncryptionKeyRegistry.sol";
import {IEncryptionKeyRegistry} from "../interfaces/IEncryptionKeyRegistry.sol";
import {TestBase} from "./utils/TestBase.sol";
import {VM} from "./utils/Vm.sol";

/// @title EncryptionKeyRegistryVersionsTest
/// @notice Reading a key by version: version 0 and versions not yet published are refused with the
/// account and version asked for.
contract EncryptionKeyRegistryVersionsTest is TestBase {
    EncryptionKeyRegistry private _registry;

    function setUp() public {
        _registry = new EncryptionKeyRegistry();
    }

    /// @notice An account that never published has no version, not even 0.
    function testFuzz_unknownAccountHasNoVersion(address account, uint32 version) public {
        VM.expectRevert(
            abi.encodeWithSelector(
                IEncryptionKeyRegistry.EncryptionKeyRegistryUnknownVersion.selector,
                account,
                version
            )
        );
        _registry.encryptionKeyAt(account, version);
    }

    /// @notice After publishing, versions 1..current read back; 0 and anything past current are refused.
    function testFuzz_onlyPublishedVersionsReadBack(address account, bytes32 key, uint32 pastRaw) public {
        VM.assume(key != bytes32(0));
        VM.prank(account);
        _registry.publishEncryptionKey(key);
        assertEq(_registry.encryptionKeyAt(account, 1), key, "published version");

        VM.expectRevert(
            abi.encodeWithSelector(IEncryptionKeyRegistry.EncryptionKeyRegistryUnknownVersion.selector, account, 0)
        );
        _registry.encryptionKeyAt(account, 0);

        uint32 past = uint32(bound(pastRaw, 2, type(uint32).max));
        VM.expectRevert(
            abi.encodeWithSelector(IEncryptionKeyRegistry.EncryptionKeyRegistryUnknownVersion.selector, account, past)
        );
        _registry.encryptionKeyAt(account, past);
    }
}
