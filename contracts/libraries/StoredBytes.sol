// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title StoredBytes
 * @notice A byte string kept in storage from a slot derived from a key, written once and read whole:
 * up to 31 bytes in that one slot (the data in its high bytes, the length in its low byte), longer
 * ones as a marker and their length in it and their 32-byte words in the slots after it (consecutive
 * slots from a hashed base, like Solidity's dynamic arrays). A circuit's output (a few values in
 * the tensor encoding) takes one slot. Hand-written because Solidity's own `bytes` storage code costs
 * the coordinator more bytecode than it has room for.
 */
library StoredBytes {
    /// @dev The low byte of a first slot holding a string longer than 31 bytes (its length above it).
    uint256 private constant LONG = 32;

    /// @notice Whether anything is stored at `slot` (non-empty strings only are stored).
    function isSet(bytes32 slot) internal view returns (bool set) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            set := iszero(iszero(sload(slot)))
        }
    }

    /// @notice Stores `data`, which must not be empty, at `slot`.
    function store(bytes32 slot, bytes calldata data) internal {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let len := data.length
            switch lt(len, 32)
            case 1 {
                // The high `len` bytes of the first word (calldata past them cleared), the length below.
                let mask := not(sub(shl(mul(8, sub(32, len)), 1), 1))
                sstore(slot, or(and(calldataload(data.offset), mask), len))
            }
            default {
                sstore(slot, or(shl(8, len), LONG))
                for {
                    let i := 0
                } lt(mul(i, 32), len) {
                    i := add(i, 1)
                } {
                    sstore(add(slot, add(i, 1)), calldataload(add(data.offset, mul(i, 32))))
                }
            }
        }
    }

    /// @notice The bytes stored at `slot` (empty when none).
    function load(bytes32 slot) internal view returns (bytes memory data) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let first := sload(slot)
            data := mload(0x40)
            let tag := and(first, 0xff)
            switch eq(tag, LONG)
            case 0 {
                // Short (or empty: tag 0): the data is the first word's high bytes.
                mstore(data, tag)
                mstore(add(data, 32), and(first, not(0xff)))
                mstore(0x40, add(data, 64))
            }
            default {
                let len := shr(8, first)
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
}
