// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IInferenceConsumer} from "./interfaces/IInferenceConsumer.sol";
import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IHighwayErrors} from "./interfaces/IHighwayErrors.sol";

/**
 * @title InferenceConsumer
 * @notice The base a Dapp inherits to ask Highway for inferences: `_requestInference`
 * escrows from this contract's own token balance and names it the consumer, and
 * `_onInferenceResult` receives final results, reachable only through the coordinator.
 */
abstract contract InferenceConsumer is IInferenceConsumer {
    using SafeERC20 for IERC20;

    /// @notice The coordinator this consumer trusts.
    IInferenceCoordinator public immutable coordinator;

    constructor(IInferenceCoordinator coordinator_) {
        coordinator = coordinator_;
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceResult(uint256 requestId, int256[] calldata output) external {
        if (msg.sender != address(coordinator)) revert IHighwayErrors.OnlyCoordinator(msg.sender);
        _onInferenceResult(requestId, output);
    }

    /// @dev Requests `modelId`'s output on `input` (`abi.encode(int256[])`), paid from this
    /// contract's balance of `token`, with this contract as the consumer.
    function _requestInference(
        IERC20 token,
        bytes32 modelId,
        bytes memory input,
        IInferenceCoordinator.ProofMode proofMode,
        uint96 startComputeFee,
        uint96 maxComputeFee,
        uint32 callbackGasLimit,
        uint40 deadline,
        address referrer
    ) internal returns (uint256 requestId) {
        token.forceApprove(address(coordinator), coordinator.quoteEscrow(modelId, maxComputeFee));
        requestId = coordinator.requestInference(
            IInferenceCoordinator.RequestParams({
                modelId: modelId,
                proofMode: proofMode,
                startComputeFee: startComputeFee,
                maxComputeFee: maxComputeFee,
                maxModelFee: type(uint96).max,
                jobBond: 0,
                challengeWindow: 0,
                callbackGasLimit: callbackGasLimit,
                deadline: deadline,
                consumer: address(this),
                referrer: referrer
            }),
            input
        );
    }

    /// @dev Receives the final output of request `requestId`.
    function _onInferenceResult(uint256 requestId, int256[] calldata output) internal virtual;
}
