// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InferenceConsumer} from "../InferenceConsumer.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";

/**
 * @title EchoConsumer
 * @notice The smallest useful Dapp on Highway: it requests inferences paid from its own
 * token balance and re-emits every result it receives. The gas benchmark's "minimal callback".
 */
contract EchoConsumer is InferenceConsumer {
    /// @notice Request `requestId` was answered with `output`.
    event InferenceReceived(uint256 indexed requestId, int256[] output);

    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    /// @notice Requests a zk-proven inference of `modelId` on `input`, paid from this contract's `token` balance.
    function request(
        IERC20 token,
        bytes32 modelId,
        bytes calldata input,
        uint96 maxComputeFee,
        uint32 callbackGasLimit,
        uint40 deadline
    ) external returns (uint256) {
        return _requestInference(
            token, modelId, input, IInferenceCoordinator.ProofMode.Zk, 0, maxComputeFee, callbackGasLimit, deadline, address(0)
        );
    }

    function _onInferenceResult(uint256 requestId, int256[] calldata output) internal override {
        emit InferenceReceived(requestId, output);
    }
}
