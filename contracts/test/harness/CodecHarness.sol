// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TensorCodec} from "../../libraries/TensorCodec.sol";
import {Utf8} from "../../libraries/Utf8.sol";

/// @dev Exposes TensorCodec's calldata functions and Utf8 (libraries of internal functions) to the tests.
contract CodecHarness {
    function shape(bytes calldata tensor) external pure returns (uint256 width, uint256 count) {
        return TensorCodec.shape(tensor);
    }

    function values(bytes calldata tensor) external pure returns (int256[] memory out) {
        (uint256 width, uint256 count) = TensorCodec.shape(tensor);
        out = new int256[](count);
        for (uint256 i; i < count; ++i) out[i] = TensorCodec.at(tensor, width, i);
    }

    function checkInput(bytes calldata input, uint256 expectedCount, uint256 bound) external pure {
        TensorCodec.checkInput(input, expectedCount, bound);
    }

    function checkOutput(bytes calldata output, uint256 expectedCount) external pure {
        TensorCodec.checkOutput(output, expectedCount);
    }

    function instances(bytes calldata first, bytes calldata second) external pure returns (uint256[] memory out) {
        (, uint256 a) = TensorCodec.shape(first);
        (, uint256 b) = TensorCodec.shape(second);
        out = new uint256[](a + b);
        TensorCodec.writeInstances(out, TensorCodec.writeInstances(out, 0, first), second);
    }

    function encode(int256[] calldata input) external pure returns (bytes memory) {
        return TensorCodec.encode(input);
    }

    function decode(bytes calldata tensor) external pure returns (int256[] memory) {
        return TensorCodec.decode(tensor);
    }

    function isValidUtf8(bytes calldata text) external pure returns (bool) {
        return Utf8.isValid(text);
    }
}
