// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBatchFulfiller} from "./interfaces/IBatchFulfiller.sol";
import {IHighwayErrors} from "./interfaces/IHighwayErrors.sol";
import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {InstanceEncoding} from "./libraries/InstanceEncoding.sol";
import {ExactGasCall} from "./libraries/ExactGasCall.sol";
import {ProofVerification} from "./libraries/ProofVerification.sol";
import {RequestTermsLib} from "./libraries/RequestTermsLib.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";
import {ModelKind} from "./types/ModelKind.sol";

/**
 * @title BatchFulfiller
 * @notice Batch claims, batch optimistic answers and finalizations, and batch proofs
 * (`IBatchFulfiller`): one `verifyProof` call answers up to B claimed zk requests of one model. It
 * holds no tokens and no request state: it checks the batch, builds the public instances and verifies the proof, then answers
 * each request with the coordinator's `fulfillZk`, which settles it as for a single proof but checks no
 * proof from this contract.
 * @dev Deployed by the coordinator's constructor (the deployer is the coordinator), outside the
 * coordinator's EIP-170 budget. The coordinator has no room for hooks of its own: this contract calls
 * `claim`, `submitOptimistic` and `fulfillZk` with the relayer's address appended to the calldata (as
 * an ERC-2771 forwarder does), which the coordinator reads as the claimant when the caller is this contract. The instance
 * layout is the batched circuit's manifest's: row i's inputs at `i * inputCount`, then every row's
 * outputs from `B * inputCount`.
 */
contract BatchFulfiller is IBatchFulfiller, IHighwayErrors {
    /// @inheritdoc IBatchFulfiller
    IInferenceCoordinator public immutable coordinator;
    /// @notice Where each model's batched verifier is registered.
    IModelRegistry public immutable registry;
    /// @dev Deployed by the coordinator's constructor: the deployer is the coordinator.
    constructor(IModelRegistry registry_) {
        coordinator = IInferenceCoordinator(msg.sender);
        registry = registry_;
    }

    /// @inheritdoc IBatchFulfiller
    function claimBatch(
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms
    ) external returns (uint256 claimed) {
        uint256 count = requestIds.length;
        if (terms.length != count) revert InvalidBatch(count, terms.length);
        for (uint256 i; i < count; ++i) {
            uint256 freeMemory = _freeMemory();
            if (_forward(IInferenceCoordinator.claim.selector, requestIds[i], terms[i], "")) ++claimed;
            _setFreeMemory(freeMemory);
        }
        if (claimed == 0) revert NothingClaimed();
    }

    /// @inheritdoc IBatchFulfiller
    function submitOptimisticBatch(
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata outputs
    ) external returns (uint256 submitted) {
        return _forwardEach(IInferenceCoordinator.submitOptimistic.selector, requestIds, terms, outputs);
    }

    /// @inheritdoc IBatchFulfiller
    function finalizeBatch(
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata outputs
    ) external returns (uint256 finalized) {
        return _forwardEach(IInferenceCoordinator.finalize.selector, requestIds, terms, outputs);
    }

    /// @inheritdoc IBatchFulfiller
    function fulfillZkBatch(
        bytes32 modelId,
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata inputs,
        uint256[] calldata outputInstances,
        bytes calldata proof
    ) external returns (uint256 answered) {
        IModelRegistry.BatchVerifier memory b = registry.batchVerifierOf(modelId);
        uint256 count = requestIds.length;
        if (count == 0 || count > b.batchSize || terms.length != count || inputs.length != count) {
            revert InvalidBatch(count, b.batchSize);
        }
        _checkRequests(modelId, b.since, requestIds, terms, inputs);
        uint256[] memory instances = _instances(b.batchSize, terms[0].outputSize, inputs, outputInstances);
        ProofVerification.checkProof(b.verifier, requestIds[0], proof, instances);
        answered = _answer(requestIds, terms, instances, instances.length - outputInstances.length);
        if (answered == 0) revert NothingAnswered();
        emit BatchFulfilled(modelId, msg.sender, count, answered);
    }

    /// @dev Calls `selector(requestIds[i], terms[i], outputs[i])` (`submitOptimistic` or `finalize`) on the
    /// coordinator for each request (`_forward`); how many went through, reverting with `NothingAnswered` if none.
    function _forwardEach(
        bytes4 selector,
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata outputs
    ) private returns (uint256 done) {
        uint256 count = requestIds.length;
        uint256 other = terms.length != count ? terms.length : outputs.length;
        if (other != count) revert InvalidBatch(count, other);
        for (uint256 i; i < count; ++i) {
            uint256 freeMemory = _freeMemory();
            if (_forward(selector, requestIds[i], terms[i], outputs[i])) ++done;
            _setFreeMemory(freeMemory);
        }
        if (done == 0) revert NothingAnswered();
    }

    /// @dev Answers each request with its row's output (from `outputOffset` in the proven `instances`, as its
    /// canonical tensor) through the coordinator's `fulfillZk`; a request it refuses is skipped. The input and
    /// the proof are not passed: the coordinator checks no proof from this contract.
    function _answer(
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        uint256[] memory instances,
        uint256 outputOffset
    ) private returns (uint256 answered) {
        uint256 outputSize = terms[0].outputSize;
        for (uint256 i; i < requestIds.length; ++i) {
            uint256 freeMemory = _freeMemory();
            bytes memory output = _output(instances, outputOffset + i * outputSize, outputSize);
            if (_forward(IInferenceCoordinator.fulfillZk.selector, requestIds[i], terms[i], output)) ++answered;
            // Nothing allocated in this iteration outlives it: its memory is reused by the next one.
            _setFreeMemory(freeMemory);
        }
    }

    /**
     * @dev Calls the coordinator's `claim(requestId, terms)`, `submitOptimistic(requestId, terms, output)`,
     * `finalize(requestId, terms, output)` (which anyone may call: it ignores the appended address) or
     * `fulfillZk(requestId, terms, "", output, "")`, with the caller's address appended (the relayer it acts for);
     * false, with `BatchRequestSkipped` and the coordinator's revert data, when the coordinator refuses the
     * request. The calldata is written with the terms copied as passed (the coordinator hashes them against the
     * id), in memory the caller frees. A call that ran out of gas (no revert data), or whose callback could not
     * get its exact gas (`InsufficientGasForCall`), reverts the whole batch: the transaction's gas limit failed,
     * not the request, and skipping it would let a low gas limit (or a gas estimate) silently drop answers.
     */
    function _forward(
        bytes4 selector,
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes memory output
    ) private returns (bool ok) {
        address target = address(coordinator);
        uint256 termsLength = RequestTermsLib.ENCODED_LENGTH;
        uint256 ptr;
        uint256 end;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ptr := mload(0x40)
            // Room for the longest call (fulfillZk's) and the appended address: the callers free it again.
            mstore(0x40, add(ptr, add(add(36, termsLength), add(256, and(add(mload(output), 31), not(31))))))
            mstore(ptr, selector)
            mstore(add(ptr, 4), requestId)
            calldatacopy(add(ptr, 36), terms, termsLength)
        }
        end = _writeOutputArguments(selector, ptr + 36 + termsLength, output);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(end, shl(96, caller()))
            ok := call(gas(), target, 0, ptr, sub(add(end, 20), ptr), 0, 0)
        }
        if (ok) return true;
        bytes memory reason;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let size := returndatasize()
            reason := mload(0x40)
            mstore(reason, size)
            returndatacopy(add(reason, 32), 0, size)
            mstore(0x40, add(reason, and(add(size, 63), not(31))))
        }
        if (reason.length == 0 || bytes4(reason) == ExactGasCall.InsufficientGasForCall.selector) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
        emit BatchRequestSkipped(requestId, reason);
    }

    /// @dev Writes, from `end`, the bytes arguments after `(requestId, terms)` of the call `selector`: none for
    /// `claim`; the output for `submitOptimistic` and `finalize`; an empty input, the output, an empty proof for
    /// `fulfillZk`.
    /// Returns where the arguments end.
    function _writeOutputArguments(bytes4 selector, uint256 end, bytes memory output) private pure returns (uint256) {
        bool fulfil = selector == IInferenceCoordinator.fulfillZk.selector;
        // `submitOptimistic` and `finalize` take the same arguments.
        bool submit =
            selector == IInferenceCoordinator.submitOptimistic.selector
                || selector == IInferenceCoordinator.finalize.selector;
        uint256 termsLength = RequestTermsLib.ENCODED_LENGTH;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let len := mload(output)
            let padded := and(add(len, 31), not(31))
            if fulfil {
                let head := add(termsLength, 128) // requestId, terms, three offsets
                mstore(end, head)
                mstore(add(end, 32), add(head, 32))
                mstore(add(end, 64), add(head, add(64, padded)))
                mstore(add(end, 96), 0)
                mstore(add(end, 128), len)
                mstore(add(end, add(128, padded)), 0) // the output's last word, zero-padded
                mcopy(add(end, 160), add(output, 32), len)
                mstore(add(end, add(160, padded)), 0)
                end := add(end, add(192, padded))
            }
            if submit {
                mstore(end, add(termsLength, 64)) // requestId, terms, one offset
                mstore(add(end, 32), len)
                mstore(add(end, add(32, padded)), 0) // the output's last word, zero-padded
                mcopy(add(end, 64), add(output, 32), len)
                end := add(end, add(64, padded))
            }
        }
        return end;
    }

    function _freeMemory() private pure returns (uint256 pointer) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            pointer := mload(0x40)
        }
    }

    function _setFreeMemory(uint256 pointer) private pure {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x40, pointer)
        }
    }

    /// @dev Each request (its terms as the relayer passes them: the coordinator checks them against the id
    /// before settling) must be a zk request of circuit model `modelId` made after the batched verifier was
    /// registered (`since`), and its input its own.
    function _checkRequests(
        bytes32 modelId,
        uint256 since,
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata inputs
    ) private pure {
        for (uint256 i; i < requestIds.length; ++i) {
            IInferenceCoordinator.RequestTerms calldata t = terms[i];
            bool inModel = t.modelId == modelId && t.modelKind == ModelKind.Circuit;
            if (!inModel || t.proofMode != IInferenceCoordinator.ProofMode.Zk) {
                revert NotInBatchModel(requestIds[i], modelId);
            }
            if (t.createdAt <= since) revert RequestBeforeBatchVerifier(requestIds[i], since);
            if (keccak256(inputs[i]) != t.inputHash) revert InputMismatch(requestIds[i]);
        }
    }

    /**
     * @dev The public instances of a batch of `batchSize` rows: each request's input in its row, zero
     * inputs in the padding rows, then every row's output instances. Each input is a tensor
     * (`TensorCodec`) checked when its request was made to hold the model's input count; every row
     * holds as many as the first.
     */
    function _instances(
        uint256 batchSize,
        uint256 outputSize,
        bytes[] calldata inputs,
        uint256[] calldata outputInstances
    ) private pure returns (uint256[] memory instances) {
        if (outputInstances.length != batchSize * outputSize) {
            revert InstanceEncoding.InstanceCountMismatch(batchSize * outputSize, outputInstances.length);
        }
        (, uint256 inputCount) = TensorCodec.shape(inputs[0]);
        instances = new uint256[](batchSize * inputCount + outputInstances.length);
        for (uint256 i; i < inputs.length; ++i) {
            (, uint256 count) = TensorCodec.shape(inputs[i]);
            if (count != inputCount) revert InputLengthMismatch(inputCount, count);
            TensorCodec.writeInstances(instances, i * inputCount, inputs[i]);
        }
        uint256 outputOffset = batchSize * inputCount;
        for (uint256 k; k < outputInstances.length; ++k) {
            instances[outputOffset + k] = outputInstances[k];
        }
    }

    /// @dev Request output of a row, as its canonical tensor: the one place that turns output instances
    /// into a request's output.
    function _output(uint256[] memory instances, uint256 offset, uint256 length) private pure returns (bytes memory) {
        int256[] memory values = new int256[](length);
        for (uint256 j; j < length; ++j) {
            values[j] = InstanceEncoding.fromField(instances[offset + j]);
        }
        return TensorCodec.encode(values);
    }
}
