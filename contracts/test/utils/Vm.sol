// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IVm
/// @notice The few cheatcodes CareLedger's Solidity tests use. Hardhat 3's test runner (EDR) answers
/// calls to `VM`'s address; forge-std is not installable here, so this is our own minimal subset.
interface IVm {
    /// @notice Sets `msg.sender` for the next call only.
    function prank(address sender) external;

    /// @notice Sets `msg.sender` for every call until `stopPrank`.
    function startPrank(address sender) external;

    /// @notice Ends a `startPrank`.
    function stopPrank() external;

    /// @notice Sets `block.timestamp`.
    function warp(uint256 timestamp) external;

    /// @notice Expects the next call to revert with exactly `revertData`.
    function expectRevert(bytes calldata revertData) external;

    /// @notice Expects the next call to revert with a custom error whose selector is `selector`.
    function expectRevert(bytes4 selector) external;

    /// @notice Expects the next call to revert, whatever the reason.
    function expectRevert() external;

    /// @notice The address of the private key `privateKey`.
    function addr(uint256 privateKey) external pure returns (address account);

    /// @notice Signs `digest` with `privateKey` (secp256k1).
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    /// @notice Discards the current fuzz input when `condition` is false.
    function assume(bool condition) external pure;

    /// @notice Names `account` in traces.
    function label(address account, string calldata name) external;
}

// The cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
IVm constant VM = IVm(address(uint160(uint256(keccak256("hevm cheat code")))));
