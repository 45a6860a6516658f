// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title TestBase
/// @notice Assertion helpers for CareLedger's Solidity tests. Each helper reverts with
/// `AssertionFailed` carrying a message that names both values, so a failing test says why.
/// The helpers are public (not internal) only to keep solhint's naming rule happy without
/// underscores; nothing calls them from outside.
abstract contract TestBase {
    /// @notice An assertion failed; `message` says which and with what values.
    error AssertionFailed(string message);

    /// @notice Fails unless `condition` holds.
    function assertTrue(bool condition, string memory message) public pure {
        if (!condition) revert AssertionFailed(message);
    }

    /// @notice Fails if `condition` holds.
    function assertFalse(bool condition, string memory message) public pure {
        if (condition) revert AssertionFailed(message);
    }

    /// @notice Fails unless `actual == expected`.
    function assertEq(uint256 actual, uint256 expected, string memory message) public pure {
        if (actual != expected) {
            revert AssertionFailed(
                string.concat(message, ": got ", Strings.toString(actual), ", expected ", Strings.toString(expected))
            );
        }
    }

    /// @notice Fails unless `actual == expected`.
    function assertEq(address actual, address expected, string memory message) public pure {
        if (actual != expected) {
            revert AssertionFailed(
                string.concat(
                    message,
                    ": got ",
                    Strings.toHexString(actual),
                    ", expected ",
                    Strings.toHexString(expected)
                )
            );
        }
    }

    /// @notice Fails unless `actual == expected`.
    function assertEq(bytes32 actual, bytes32 expected, string memory message) public pure {
        if (actual != expected) {
            revert AssertionFailed(
                string.concat(
                    message,
                    ": got ",
                    Strings.toHexString(uint256(actual), 32),
                    ", expected ",
                    Strings.toHexString(uint256(expected), 32)
                )
            );
        }
    }

    /// @notice Fails unless `actual == expected`.
    function assertEq(bool actual, bool expected, string memory message) public pure {
        if (actual != expected) {
            revert AssertionFailed(
                string.concat(message, ": got ", actual ? "true" : "false", ", expected ", expected ? "true" : "false")
            );
        }
    }

    /// @notice Fails unless `actual > bound_`.
    function assertGt(uint256 actual, uint256 bound_, string memory message) public pure {
        if (actual <= bound_) {
            revert AssertionFailed(
                string.concat(message, ": ", Strings.toString(actual), " is not > ", Strings.toString(bound_))
            );
        }
    }

    /// @notice Fails unless `actual >= bound_`.
    function assertGe(uint256 actual, uint256 bound_, string memory message) public pure {
        if (actual < bound_) {
            revert AssertionFailed(
                string.concat(message, ": ", Strings.toString(actual), " is not >= ", Strings.toString(bound_))
            );
        }
    }

    /// @notice Maps any `x` into `[min, max]` (inclusive), keeping small inputs unchanged where they fit,
    /// so the fuzzer's edge values (0, 1, max) still land on the range's edges.
    function bound(uint256 x, uint256 min, uint256 max) public pure returns (uint256) {
        if (min > max) revert AssertionFailed("bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }
}
