// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {InstanceEncoding} from "./InstanceEncoding.sol";

/**
 * @title TensorCodec
 * @notice The bytes a circuit model's tensors travel in: one header byte `w`, the width of every
 * value in bytes (1, 2, 4, 8, 16 or 32), then the values, each `w` bytes of big-endian two's
 * complement. A model's tensors are flattened in the order of its manifest. Requesters pick the
 * smallest width their inputs fit (calldata is paid per byte); an output must use the smallest
 * width its values fit, its canonical encoding, so that an output has exactly one encoding and
 * disputes can compare outputs by hash.
 * @dev The TypeScript twin is `sdk/tensor.ts`; both are checked against the same vectors.
 */
library TensorCodec {
    /// @notice The width and value count of `tensor`; reverts `MalformedTensor` unless its header is a
    /// valid width and its body a whole number of values (at least one).
    function shape(bytes calldata tensor) internal pure returns (uint256 width, uint256 count) {
        if (tensor.length < 2) revert IHighwayErrors.MalformedTensor();
        width = uint8(tensor[0]);
        // A width is a power of two up to 32.
        if (width == 0 || width > 32 || width & (width - 1) != 0) revert IHighwayErrors.MalformedTensor();
        uint256 body = tensor.length - 1;
        if (body % width != 0) revert IHighwayErrors.MalformedTensor();
        count = body / width;
    }

    /// @notice Value `index` of a tensor of values `width` bytes wide (unchecked: callers check the shape first).
    function at(bytes calldata tensor, uint256 width, uint256 index) internal pure returns (int256 value) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            value := sar(sub(256, mul(8, width)), calldataload(add(tensor.offset, add(1, mul(width, index)))))
        }
    }

    /// @notice Reverts unless `input` holds exactly `expectedCount` values, each of magnitude at most `bound`
    /// (0: the field's bound, `InstanceEncoding.MAX_ABS_VALUE`).
    function checkInput(bytes calldata input, uint256 expectedCount, uint256 bound) internal pure {
        (uint256 width, uint256 count) = shape(input);
        if (count != expectedCount) revert IHighwayErrors.InputLengthMismatch(expectedCount, count);
        int256 maxAbs = int256(bound == 0 ? InstanceEncoding.MAX_ABS_VALUE : bound);
        for (uint256 i; i < count; ++i) {
            int256 v = at(input, width, i);
            if (v > maxAbs || v < -maxAbs) revert IHighwayErrors.InputOutOfBounds(i, v, uint256(maxAbs));
        }
    }

    /// @notice Reverts unless `output` is the canonical encoding of exactly `expectedCount` values: in
    /// the smallest width they all fit (`NonCanonicalOutput`), with a field image each.
    function checkOutput(bytes calldata output, uint256 expectedCount) internal pure {
        (uint256 width, uint256 count) = shape(output);
        if (count != expectedCount) revert IHighwayErrors.OutputLengthMismatch(expectedCount, count);
        if (width == 1) return;
        // Canonical: some value does not fit in half the width (sign-extending its lower half changes it).
        uint256 halfTopByte = width / 2 - 1;
        bool needsWidth;
        for (uint256 i; i < count && !needsWidth; ++i) {
            int256 v = at(output, width, i);
            int256 narrowed;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                narrowed := signextend(halfTopByte, v)
            }
            needsWidth = narrowed != v;
        }
        if (!needsWidth) revert IHighwayErrors.NonCanonicalOutput();
        if (width == 32) {
            for (uint256 i; i < count; ++i) InstanceEncoding.toField(at(output, width, i));
        }
    }

    /// @notice Writes `tensor`'s values as field elements into `instances` from position `offset` on
    /// (its shape already checked); returns the position after the last.
    function writeInstances(
        uint256[] memory instances,
        uint256 offset,
        bytes calldata tensor
    ) internal pure returns (uint256 next) {
        (uint256 width, uint256 count) = shape(tensor);
        for (uint256 i; i < count; ++i) {
            instances[offset + i] = InstanceEncoding.toField(at(tensor, width, i));
        }
        return offset + count;
    }

    /// @notice The tensor of `values` in the smallest width they all fit: what a consumer contract sends as a
    /// circuit model's input (and the canonical encoding of an output).
    function encode(int256[] memory values) internal pure returns (bytes memory tensor) {
        uint256 count = values.length;
        uint256 width = 1;
        for (uint256 i; i < count; ++i) {
            int256 v = values[i];
            // Widen until v survives sign extension from the top byte of the width.
            while (width < 32) {
                int256 narrowed;
                uint256 topByte = width - 1;
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    narrowed := signextend(topByte, v)
                }
                if (narrowed == v) break;
                width *= 2;
            }
        }
        tensor = new bytes(1 + width * count);
        tensor[0] = bytes1(uint8(width));
        uint256 shift = 256 - 8 * width;
        for (uint256 i; i < count; ++i) {
            uint256 word = uint256(values[i]) << shift;
            uint256 start = 1 + width * i;
            for (uint256 k; k < width; ++k) {
                tensor[start + k] = bytes1(uint8(word >> (248 - 8 * k)));
            }
        }
    }

    /// @notice The values of `tensor` (held in memory), for consumers decoding an answer.
    function decode(bytes memory tensor) internal pure returns (int256[] memory values) {
        if (tensor.length < 2) revert IHighwayErrors.MalformedTensor();
        uint256 width = uint8(tensor[0]);
        if (width == 0 || width > 32 || width & (width - 1) != 0) revert IHighwayErrors.MalformedTensor();
        uint256 body = tensor.length - 1;
        if (body % width != 0) revert IHighwayErrors.MalformedTensor();
        uint256 count = body / width;
        values = new int256[](count);
        uint256 shift = 256 - 8 * width;
        for (uint256 i; i < count; ++i) {
            int256 v;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                v := sar(shift, mload(add(add(tensor, 33), mul(width, i))))
            }
            values[i] = v;
        }
    }
}
