// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {InstanceEncoding} from "../../libraries/InstanceEncoding.sol";

/// @dev Calls through an external function so that reverts of the library can be expected.
contract InstanceEncodingHarness {
    function toField(int256 value) external pure returns (uint256) {
        return InstanceEncoding.toField(value);
    }

    function fromField(uint256 element) external pure returns (int256) {
        return InstanceEncoding.fromField(element);
    }

    function readOutputs(
        uint256[] memory instances,
        uint256 inputCount,
        uint256 outputCount
    ) external pure returns (int256[] memory) {
        return InstanceEncoding.readOutputs(instances, inputCount, outputCount);
    }
}
