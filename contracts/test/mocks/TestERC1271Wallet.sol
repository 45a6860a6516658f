// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title TestERC1271Wallet
/// @notice Test fixture: a smart-contract wallet (ERC-1271) that accepts a signature when its owner
/// made it, unless the test switched it to refuse everything.
contract TestERC1271Wallet is IERC1271 {
    address private immutable _owner;
    bool private _refusing;

    /// @param owner The key whose signatures the wallet accepts.
    constructor(address owner) {
        _owner = owner;
    }

    /// @notice Makes the wallet refuse (`true`) or check (`false`) every signature.
    function setRefusing(bool refusing) external {
        _refusing = refusing;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (_refusing) return bytes4(0xffffffff);
        (address signer, ECDSA.RecoverError recoverError, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (recoverError != ECDSA.RecoverError.NoError || signer != _owner) return bytes4(0xffffffff);
        return IERC1271.isValidSignature.selector;
    }
}
