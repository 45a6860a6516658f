// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IVmEvents
/// @notice The event cheatcode CareLedger's Solidity tests use to check an event with its arguments.
/// Kept apart from `IVm` (Vm.sol) so that tests which check no events need not know of it.
interface IVmEvents {
    /// @notice Expects the next call to emit the event emitted right after this call, comparing the
    /// first three topics (as `checkTopic1..3` say) and the data (`checkData`).
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
}

// The cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
IVmEvents constant VM_EVENTS = IVmEvents(address(uint160(uint256(keccak256("hevm cheat code")))));
