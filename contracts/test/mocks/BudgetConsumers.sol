// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {InferenceConsumer} from "../../InferenceConsumer.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {IInferenceConsumer} from "../../interfaces/IInferenceConsumer.sol";
import {IHighwayErrors} from "../../interfaces/IHighwayErrors.sol";

/// @dev A Dapp on `InferenceConsumer`'s defaults (or, with `acceptAll`, opted out of the own-requests
/// filter): records what reaches its hook, and whether it arrived inside its own request call.
contract BudgetConsumer is InferenceConsumer {
    bool public immutable acceptAll;
    uint256 public calls;
    uint256 public callsDuringRequest;
    uint256 public lastRequestId;
    int256 public lastValue;
    bool public failing;
    bool private _requesting;

    constructor(IInferenceCoordinator coordinator_, bool acceptAll_) InferenceConsumer(coordinator_) {
        acceptAll = acceptAll_;
    }

    function request(
        IERC20 token,
        bytes32 modelId,
        bytes calldata input,
        RequestOptions calldata options
    ) external returns (uint256 id) {
        _requesting = true;
        id = _requestInference(token, modelId, input, options);
        _requesting = false;
    }

    function reclaim() external returns (uint256) {
        return _withdrawFromCoordinator();
    }

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function _acceptResult(uint256 requestId) internal override returns (bool) {
        return super._acceptResult(requestId) || acceptAll;
    }

    function _onInferenceResult(uint256 requestId, bytes calldata output) internal override {
        require(!failing, "failing");
        ++calls;
        if (_requesting) ++callsDuringRequest;
        lastRequestId = requestId;
        lastValue = _tensor(output)[0];
    }
}

/// @dev The smallest consumer on the defaults: what the bookkeeping's gas is measured on.
contract LeanConsumer is InferenceConsumer {
    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    function request(
        IERC20 token,
        bytes32 modelId,
        bytes calldata input,
        RequestOptions calldata options
    ) external returns (uint256) {
        return _requestInference(token, modelId, input, options);
    }

    function _onInferenceResult(uint256, bytes calldata) internal override {}
}

/// @dev The same consumer as InferenceConsumer was before issue 10 (the baseline of the gas
/// measurement): approves whatever `quoteEscrow` returns, no cap, no pending requests, every
/// coordinator callback reaches the hook.
contract PreFixConsumer is IInferenceConsumer {
    using SafeERC20 for IERC20;

    IInferenceCoordinator public immutable coordinator;

    constructor(IInferenceCoordinator coordinator_) {
        coordinator = coordinator_;
    }

    function request(
        IERC20 token,
        bytes32 modelId,
        bytes calldata input,
        InferenceConsumer.RequestOptions calldata o
    ) external returns (uint256) {
        token.forceApprove(address(coordinator), coordinator.quoteEscrow(modelId, o.maxComputeFee));
        return
            coordinator.requestInference(
                IInferenceCoordinator.RequestParams({
                    modelId: modelId,
                    proofMode: o.proofMode,
                    startComputeFee: o.startComputeFee,
                    maxComputeFee: o.maxComputeFee,
                    maxModelFee: type(uint96).max,
                    jobBond: 0,
                    challengeWindow: 0,
                    callbackGasLimit: o.callbackGasLimit,
                    maxOutputBytes: o.maxOutputBytes,
                    deadline: o.deadline,
                    consumer: address(this),
                    referrer: o.referrer
                }),
                input
            );
    }

    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        if (msg.sender != address(coordinator)) revert IHighwayErrors.OnlyCoordinator(msg.sender);
        _onInferenceResult(requestId, output);
    }

    function _onInferenceResult(uint256, bytes calldata) internal {}
}
