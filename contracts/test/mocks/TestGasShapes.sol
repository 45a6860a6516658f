// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TestGasShapes
/// @notice Test fixture for the Amsterdam gas derivation: each function has one storage or log shape
/// whose repricing can be worked out by hand (a new slot, a changed slot, an event only, a call to
/// another contract, calldata that nobody reads).
contract TestGasShapes {
    mapping(uint256 key => uint256 value) private _values;

    /// @notice Emitted by `emitOnly`.
    event Noted(address indexed account, uint256 value);

    /// @notice Writes `value` under `key`: a new slot the first time, a changed slot afterwards.
    function store(uint256 key, uint256 value) external {
        _values[key] = value;
    }

    /// @notice Emits one event and touches no storage.
    function emitOnly(uint256 value) external {
        emit Noted(msg.sender, value);
    }

    /// @notice Calls `emitOnly` on `target`, a cold account the first time in a transaction.
    function emitVia(TestGasShapes target, uint256 value) external {
        target.emitOnly(value);
    }

    /// @notice Accepts calldata and does nothing with it (the calldata floor binds).
    function ignore(bytes calldata) external {}

    /// @notice The value stored under `key`.
    function valueAt(uint256 key) external view returns (uint256) {
        return _values[key];
    }
}
