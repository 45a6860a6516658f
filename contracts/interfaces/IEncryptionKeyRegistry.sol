// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IEncryptionKeyRegistry
/// @notice Where every account publishes the X25519 public key that records and released key shares
/// are encrypted to. The key is separate from the account's signing key, so an account whose signer
/// cannot do ECDH (a browser or hardware wallet, a JSON-RPC signer) can still receive records.
///
/// Keys are versioned: publishing a new key adds a version and never removes an old one, so a
/// party that keeps its old private keys can still open what was encrypted to them. Only the
/// account itself can publish its key; nobody can publish for it.
interface IEncryptionKeyRegistry {
    /// @notice The all-zero key was given (it is not a usable X25519 public key).
    error EncryptionKeyRegistryZeroKey();

    /// @notice `publicKey` is already `account`'s current key; publishing it again adds nothing.
    error EncryptionKeyRegistryUnchangedKey(address account, bytes32 publicKey);

    /// @notice `account` has no key of version `version`.
    error EncryptionKeyRegistryUnknownVersion(address account, uint32 version);

    /// @notice `account` published `publicKey` as its key version `version` (1 for the first key).
    event EncryptionKeyPublished(address indexed account, uint32 indexed version, bytes32 publicKey);

    /// @notice Publishes `publicKey` as the caller's newest encryption key.
    /// @param publicKey The 32-byte X25519 public key (RFC 7748 encoding).
    /// @return version The version number the key received.
    function publishEncryptionKey(bytes32 publicKey) external returns (uint32 version);

    /// @notice The newest key of `account`; version 0 and a zero key when it has published none.
    function currentEncryptionKey(address account) external view returns (uint32 version, bytes32 publicKey);

    /// @notice Key `version` of `account`. Reverts with EncryptionKeyRegistryUnknownVersion when absent.
    function encryptionKeyAt(address account, uint32 version) external view returns (bytes32 publicKey);
}
