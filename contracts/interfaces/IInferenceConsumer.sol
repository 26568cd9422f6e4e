// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IInferenceConsumer
/// @notice What the coordinator calls with a final result.
interface IInferenceConsumer {
    /// @notice Receives the final `output` of request `requestId`; called only by the coordinator.
    /// @param output A canonical tensor (`TensorCodec.decode`) for a circuit model, UTF-8 text for a language model.
    function onInferenceResult(uint256 requestId, bytes calldata output) external;
}
