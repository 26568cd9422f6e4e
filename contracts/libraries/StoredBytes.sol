// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title StoredBytes
 * @notice A byte string kept in storage from a slot derived from a key: its length at the slot, its
 * 32-byte words in the slots after it (consecutive slots from a hashed base, like Solidity's own
 * dynamic arrays). Written once and read whole, so it needs none of Solidity's short/long `bytes`
 * storage encoding, whose generated code the coordinator has no room for.
 */
library StoredBytes {
    /// @notice The length of the bytes stored at `slot` (0: none).
    function length(bytes32 slot) internal view returns (uint256 len) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            len := sload(slot)
        }
    }

    /// @notice Stores `data` (non-empty) at `slot`.
    function store(bytes32 slot, bytes calldata data) internal {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let len := data.length
            sstore(slot, len)
            for {
                let i := 0
            } lt(mul(i, 32), len) {
                i := add(i, 1)
            } {
                sstore(add(slot, add(i, 1)), calldataload(add(data.offset, mul(i, 32))))
            }
        }
    }

    /// @notice The bytes stored at `slot` (empty when none).
    function load(bytes32 slot) internal view returns (bytes memory data) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let len := sload(slot)
            data := mload(0x40)
            mstore(data, len)
            let words := div(add(len, 31), 32)
            for {
                let i := 0
            } lt(i, words) {
                i := add(i, 1)
            } {
                mstore(add(data, add(32, mul(i, 32))), sload(add(slot, add(i, 1))))
            }
            mstore(0x40, add(data, add(32, mul(words, 32))))
        }
    }
}
