// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TensorCodec} from "../../libraries/TensorCodec.sol";

/// @dev TensorCodec behind external functions, for the TypeScript twin test (test/zk/encoding.test.ts).
contract TensorCodecTwinHarness {
    function encode(int256[] memory values) external pure returns (bytes memory) {
        return TensorCodec.encode(values);
    }

    function decode(bytes memory tensor) external pure returns (int256[] memory) {
        return TensorCodec.decode(tensor);
    }

    function checkOutput(bytes calldata output, uint256 expectedCount) external pure returns (bool) {
        TensorCodec.checkOutput(output, expectedCount);
        return true;
    }
}
