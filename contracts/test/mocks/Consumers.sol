// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {InferenceConsumer} from "../../InferenceConsumer.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {IDisputeGame} from "../../interfaces/IDisputeGame.sol";

/// @dev A well-behaved Dapp: records every result it receives and how much gas it was given.
contract RecordingConsumer is InferenceConsumer {
    uint256 public calls;
    uint256 public lastRequestId;
    bytes private _lastOutput;
    uint256 public gasAtEntry;

    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    /// @dev The coordinator's tests name this mock as the consumer of requests they make: accept them all.
    function _acceptResult(uint256) internal pure override returns (bool) {
        return true;
    }

    function request(
        IERC20 token,
        bytes32 modelId,
        bytes memory input,
        uint96 maxComputeFee,
        uint32 gasLimit
    ) external returns (uint256) {
        return
            _requestInference(
                token,
                modelId,
                input,
                RequestOptions({
                    proofMode: IInferenceCoordinator.ProofMode.Zk,
                    maxModelFee: type(uint96).max, // a test double: any fee
                    startComputeFee: 0,
                    maxComputeFee: maxComputeFee,
                    jobBond: 0,
                    challengeWindow: 0,
                    callbackGasLimit: gasLimit,
                    maxOutputBytes: 0,
                    deadline: uint40(block.timestamp + 1 days),
                    referrer: address(0)
                })
            );
    }

    function lastOutput() external view returns (bytes memory) {
        return _lastOutput;
    }

    function _onInferenceResult(uint256 requestId, bytes calldata output) internal override {
        gasAtEntry = gasleft();
        ++calls;
        lastRequestId = requestId;
        _lastOutput = output;
    }
}

/// @dev Re-enters the coordinator from its callback (withdraw, retry, a new request, a challenge through the
/// dispute game) and records what happened.
contract ReentrantConsumer is InferenceConsumer {
    uint256 public calls;
    bytes4 public withdrawError;
    bytes4 public retryError;
    bytes4 public requestError;
    bytes4 public challengeError;

    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    /// @dev The coordinator's tests name this mock as the consumer of requests they make: accept them all.
    function _acceptResult(uint256) internal pure override returns (bool) {
        return true;
    }

    function _onInferenceResult(uint256 requestId, bytes calldata) internal override {
        ++calls;
        try coordinator.withdraw() {} catch (bytes memory e) {
            withdrawError = bytes4(e);
        }
        IInferenceCoordinator.RequestTerms memory none;
        try coordinator.retryCallback(requestId, none, "") {} catch (bytes memory e) {
            retryError = bytes4(e);
        }
        IInferenceCoordinator.RequestParams memory p;
        try coordinator.requestInference(p, "") {} catch (bytes memory e) {
            requestError = bytes4(e);
        }
        IDisputeGame game = IDisputeGame(coordinator.disputeGame());
        try game.challenge(requestId, none, bytes32(0)) {} catch (bytes memory e) {
            challengeError = bytes4(e);
        }
    }
}

/// @dev Burns every unit of gas it is given.
contract GasBurnerConsumer is InferenceConsumer {
    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    /// @dev The coordinator's tests name this mock as the consumer of requests they make: accept them all.
    function _acceptResult(uint256) internal pure override returns (bool) {
        return true;
    }

    function _onInferenceResult(uint256, bytes calldata) internal pure override {
        while (true) {}
    }
}

/// @dev Reverts with a 20,000-character reason.
contract HugeRevertConsumer is InferenceConsumer {
    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    /// @dev The coordinator's tests name this mock as the consumer of requests they make: accept them all.
    function _acceptResult(uint256) internal pure override returns (bool) {
        return true;
    }

    function _onInferenceResult(uint256, bytes calldata) internal pure override {
        revert(string(new bytes(20_000)));
    }
}

/// @dev Returns 64 KiB of data (through a fallback that answers every call).
contract HugeReturnConsumer {
    uint256 public calls;

    fallback() external {
        calls += 1;
        assembly {
            return(0, 65536)
        }
    }
}

/// @dev Fails until told to succeed, to exercise `retryCallback`.
contract ToggleConsumer is InferenceConsumer {
    bool public ready;
    uint256 public delivered;
    int256 public lastValue;

    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    /// @dev The coordinator's tests name this mock as the consumer of requests they make: accept them all.
    function _acceptResult(uint256) internal pure override returns (bool) {
        return true;
    }

    function setReady(bool ready_) external {
        ready = ready_;
    }

    function _onInferenceResult(uint256, bytes calldata output) internal override {
        require(ready, "not ready");
        ++delivered;
        lastValue = _tensor(output)[0];
    }
}

/// @dev A Dapp of a language model: keeps the last answer as text; fails while not ready, to exercise `retryCallback`.
contract TextConsumer is InferenceConsumer {
    bool public ready = true;
    uint256 public delivered;
    string public lastText;

    constructor(IInferenceCoordinator coordinator_) InferenceConsumer(coordinator_) {}

    function _acceptResult(uint256) internal pure override returns (bool) {
        return true;
    }

    function setReady(bool ready_) external {
        ready = ready_;
    }

    function _onInferenceResult(uint256, bytes calldata output) internal override {
        require(ready, "not ready");
        ++delivered;
        lastText = _text(output);
    }
}
