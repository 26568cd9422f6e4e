// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IInferenceConsumer
/// @notice What the coordinator calls with a final result.
interface IInferenceConsumer {
    /// @notice Receives the final `output` of request `requestId`; called only by the coordinator.
    function onInferenceResult(uint256 requestId, int256[] calldata output) external;
}
