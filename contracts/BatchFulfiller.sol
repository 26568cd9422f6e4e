// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBatchFulfiller} from "./interfaces/IBatchFulfiller.sol";
import {IHighwayErrors} from "./interfaces/IHighwayErrors.sol";
import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {InstanceEncoding} from "./libraries/InstanceEncoding.sol";
import {ProofVerification} from "./libraries/ProofVerification.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";
import {ModelKind} from "./types/ModelKind.sol";

/**
 * @title BatchFulfiller
 * @notice Batch claims and batch proofs (`IBatchFulfiller`): one `verifyProof` call answers up to
 * B claimed zk requests of one model. It holds no tokens and no request state: it checks the batch,
 * builds the public instances and verifies the proof, then answers each request with the coordinator's
 * `fulfillZk`, which settles it as for a single proof but checks no proof from this contract.
 * @dev Deployed by the coordinator's constructor (the deployer is the coordinator), outside the
 * coordinator's EIP-170 budget. The coordinator has no room for hooks of its own: this contract calls
 * `claim` and `fulfillZk` with the relayer's address appended to the calldata (as an ERC-2771 forwarder
 * does), which the coordinator reads as the claimant when the caller is this contract. The instance
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
            if (_forward(requestIds[i], abi.encodeCall(IInferenceCoordinator.claim, (requestIds[i], terms[i])))) {
                ++claimed;
            }
        }
        if (claimed == 0) revert NothingClaimed();
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
            bytes memory output = _output(instances, outputOffset + i * outputSize, outputSize);
            bytes memory data = abi.encodeCall(
                IInferenceCoordinator.fulfillZk,
                (requestIds[i], terms[i], "", output, "")
            );
            if (_forward(requestIds[i], data)) ++answered;
        }
    }

    /// @dev Calls the coordinator with `data` and the caller's address appended (the relayer it acts for);
    /// false, with `BatchRequestSkipped` and the coordinator's revert data, when the coordinator refuses.
    function _forward(uint256 requestId, bytes memory data) private returns (bool ok) {
        bytes memory reason;
        // solhint-disable-next-line avoid-low-level-calls
        (ok, reason) = address(coordinator).call(abi.encodePacked(data, msg.sender));
        if (!ok) emit BatchRequestSkipped(requestId, reason);
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
