// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InferenceConsumer} from "../InferenceConsumer.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";

/**
 * @title EchoConsumer
 * @notice The smallest useful Dapp on Highway: it requests inferences paid from its own
 * token balance and re-emits every result it receives. The gas benchmark's "minimal callback".
 * @dev It opts out of `InferenceConsumer`'s own-requests filter (`_acceptResult`): it is the
 * consumer the SDK's examples and the benchmarks name in requests THEY pay for, and re-emitting
 * a result acts on nothing. A Dapp whose callback moves value keeps the default.
 */
contract EchoConsumer is InferenceConsumer {
    /// @notice Request `requestId` was answered with `output`.
    event InferenceReceived(uint256 indexed requestId, bytes output);

    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    /// @notice Requests a zk-proven inference of `modelId` on `input`, paid from this contract's `token`
    /// balance, paying the model at most `maxModelFee`.
    function request(
        IERC20 token,
        bytes32 modelId,
        bytes calldata input,
        uint96 maxModelFee,
        uint96 maxComputeFee,
        uint32 callbackGasLimit,
        uint40 deadline
    ) external returns (uint256) {
        return
            _requestInference(
                token,
                modelId,
                input,
                RequestOptions({
                    proofMode: IInferenceCoordinator.ProofMode.Zk,
                    maxModelFee: maxModelFee,
                    startComputeFee: 0,
                    maxComputeFee: maxComputeFee,
                    jobBond: 0,
                    challengeWindow: 0,
                    callbackGasLimit: callbackGasLimit,
                    maxOutputBytes: 0,
                    deadline: deadline,
                    referrer: address(0)
                })
            );
    }

    /// @notice Withdraws this contract's refunds and unspent compute fees from the coordinator to itself.
    function reclaim() external returns (uint256) {
        return _withdrawFromCoordinator();
    }

    /// @dev Accepts every result the coordinator delivers (see the contract's @dev).
    function _acceptResult(uint256 requestId) internal override returns (bool) {
        return super._acceptResult(requestId) || true;
    }

    function _onInferenceResult(uint256 requestId, bytes calldata output) internal override {
        emit InferenceReceived(requestId, output);
    }
}
