// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InferenceConsumer} from "highway-inference-contracts/InferenceConsumer.sol";
import {IInferenceCoordinator} from "highway-inference-contracts/interfaces/IInferenceCoordinator.sol";

/// @title MyConsumer
/// @notice Asks Highway for a model's output on an input, paid from this contract's own token
/// balance, and keeps every answer its callback receives.
contract MyConsumer is InferenceConsumer {
    /// @notice The token Highway is paid in: the deployment file's `token`.
    IERC20 public immutable paymentToken;
    /// @notice The one account that may spend this contract's tokens on requests.
    address public immutable owner;

    /// @notice Whether request `requestId` has been answered.
    mapping(uint256 requestId => bool) public answered;
    mapping(uint256 requestId => int256[] output) private _outputs;

    /// @notice A request for `modelId`'s output was made (it may already be answered, from the cache).
    event Asked(uint256 indexed requestId, bytes32 indexed modelId);
    /// @notice Request `requestId` was answered with `output`.
    event Answered(uint256 indexed requestId, int256[] output);

    error NotOwner(address caller);

    constructor(IInferenceCoordinator coordinator_, IERC20 paymentToken_) InferenceConsumer(coordinator_) {
        paymentToken = paymentToken_;
        owner = msg.sender;
    }

    /// @notice Asks for `modelId`'s output on `input` (values quantized at the model's input scale),
    /// paying the model at most `maxModelFee` and a relayer at most `maxComputeFee`, plus the
    /// protocol's fee on both. A proven input is answered at once: the callback runs before this returns.
    function ask(
        bytes32 modelId,
        int256[] calldata input,
        uint96 maxModelFee,
        uint96 maxComputeFee
    ) external returns (uint256 requestId) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        requestId = _requestInference({
            token: paymentToken,
            modelId: modelId,
            input: _encodeTensor(input),
            options: RequestOptions({
                proofMode: IInferenceCoordinator.ProofMode.Zk,
                maxModelFee: maxModelFee,
                startComputeFee: 0,
                maxComputeFee: maxComputeFee,
                jobBond: 0,
                challengeWindow: 0,
                callbackGasLimit: 200_000,
                maxOutputBytes: 0,
                deadline: uint40(block.timestamp + 1 hours),
                referrer: address(0)
            })
        });
        emit Asked(requestId, modelId);
    }

    /// @notice Brings this contract's refunds and unspent compute fees home from the coordinator.
    function reclaim() external returns (uint256) {
        return _withdrawFromCoordinator();
    }

    /// @notice The output of answered request `requestId`: fixed point at the model's output scale
    /// (value × 2^scale).
    function outputOf(uint256 requestId) external view returns (int256[] memory) {
        return _outputs[requestId];
    }

    /// @dev Called by the coordinator alone (InferenceConsumer checks), with a proven output, or
    /// with an optimistic one once its challenge window has passed.
    function _onInferenceResult(uint256 requestId, bytes calldata output) internal override {
        int256[] memory values = _tensor(output);
        answered[requestId] = true;
        _outputs[requestId] = values;
        emit Answered(requestId, values);
    }
}
