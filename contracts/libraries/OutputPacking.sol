// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title OutputPacking
 * @notice Packs a model output of at most `MAX_OUTPUTS` fixed-point values, each of which
 * fits in an int64, into one storage word: the count in the top byte, value i in bits
 * [64 i, 64 i + 64). A packed word is never zero (the count is at least one), so zero
 * means "no output".
 */
library OutputPacking {
    uint256 internal constant MAX_OUTPUTS = 3;

    /// @notice The output has no values or more than `MAX_OUTPUTS`.
    error OutputCountUnsupported(uint256 count);

    /// @notice Output value `index` does not fit in an int64.
    error OutputValueTooLarge(uint256 index, int256 value);

    /// @notice The one word that holds `values`.
    function pack(int256[] memory values) internal pure returns (uint256 word) {
        uint256 count = values.length;
        if (count == 0 || count > MAX_OUTPUTS) revert OutputCountUnsupported(count);
        word = count << 248;
        for (uint256 i; i < count; ++i) {
            int256 v = values[i];
            if (v < type(int64).min || v > type(int64).max) revert OutputValueTooLarge(i, v);
            word |= uint256(uint64(int64(v))) << (64 * i);
        }
    }

    /// @notice The values held by `word` (empty for the zero word).
    function unpack(uint256 word) internal pure returns (int256[] memory values) {
        uint256 count = word >> 248;
        values = new int256[](count);
        for (uint256 i; i < count; ++i) {
            values[i] = int64(uint64(word >> (64 * i)));
        }
    }
}
