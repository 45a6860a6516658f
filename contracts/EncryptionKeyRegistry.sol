// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEncryptionKeyRegistry} from "./interfaces/IEncryptionKeyRegistry.sol";

/// @title EncryptionKeyRegistry
/// @notice Self-published, versioned X25519 encryption keys of patients, providers and key custodians.
contract EncryptionKeyRegistry is IEncryptionKeyRegistry {
    mapping(address account => uint32 version) private _versions;
    mapping(address account => mapping(uint32 version => bytes32 publicKey)) private _keys;

    /// @inheritdoc IEncryptionKeyRegistry
    function publishEncryptionKey(bytes32 publicKey) external returns (uint32 version) {
        if (publicKey == bytes32(0)) revert EncryptionKeyRegistryZeroKey();
        uint32 current = _versions[msg.sender];
        if (current != 0 && _keys[msg.sender][current] == publicKey) {
            revert EncryptionKeyRegistryUnchangedKey(msg.sender, publicKey);
        }
        version = current + 1;
        _versions[msg.sender] = version;
        _keys[msg.sender][version] = publicKey;
        emit EncryptionKeyPublished(msg.sender, version, publicKey);
    }

    /// @inheritdoc IEncryptionKeyRegistry
    function currentEncryptionKey(address account) external view returns (uint32 version, bytes32 publicKey) {
        version = _versions[account];
        publicKey = _keys[account][version];
    }

    /// @inheritdoc IEncryptionKeyRegistry
    function encryptionKeyAt(address account, uint32 version) external view returns (bytes32 publicKey) {
        publicKey = _keys[account][version];
        if (version == 0 || publicKey == bytes32(0)) revert EncryptionKeyRegistryUnknownVersion(account, version);
    }
}
