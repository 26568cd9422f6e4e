// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev Tensors the protocol's encoder never writes: values in a chosen width (a wider one than the
/// smallest they fit is a valid input but a non-canonical output). `TensorCodec.encode` is the encoder.
library Tensors {
    /// @dev `values` in `width` bytes each, big-endian two's complement; each value must fit the width.
    function ofWidth(int256[] memory values, uint256 width) internal pure returns (bytes memory out) {
        out = new bytes(1 + width * values.length);
        out[0] = bytes1(uint8(width));
        for (uint256 i; i < values.length; ++i) {
            for (uint256 k; k < width; ++k) {
                out[1 + width * i + k] = bytes1(uint8(uint256(values[i] >> (8 * (width - 1 - k)))));
            }
        }
    }
}
