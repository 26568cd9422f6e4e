// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBatchFulfiller} from "./interfaces/IBatchFulfiller.sol";
import {IHighwayErrors} from "./interfaces/IHighwayErrors.sol";
import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {InstanceEncoding} from "./libraries/InstanceEncoding.sol";
import {ProofVerification} from "./libraries/ProofVerification.sol";

/**
 * @title BatchFulfiller
 * @notice Batch claims and batch proofs (`IBatchFulfiller`): one `verifyProof` call answers up to
 * B claimed zk requests of one model. It holds no tokens and no request state: it checks the batch,
 * builds the public instances and verifies the proof, then hands each request to the coordinator's
 * `fulfillFromBatch` hook, which settles it exactly as `fulfillZk` does.
 * @dev Deployed by the coordinator's constructor (the deployer is the coordinator), outside the
 * coordinator's EIP-170 budget. The instance layout is the batched circuit's manifest's: row i's
 * inputs at `i * inputLength`, then every row's outputs from `B * inputLength`.
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
            try coordinator.claimFor(requestIds[i], terms[i], msg.sender) {
                ++claimed;
            } catch (bytes memory reason) {
                emit BatchRequestSkipped(requestIds[i], reason);
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
        uint256[] memory instances = _instances(b.batchSize, terms[0].outputLength, inputs, outputInstances);
        ProofVerification.checkProof(b.verifier, requestIds[0], proof, instances);
        answered = _answer(requestIds, terms, instances, instances.length - outputInstances.length);
        if (answered == 0) revert NothingAnswered();
        emit BatchFulfilled(modelId, msg.sender, count, answered);
    }

    /// @dev Hands each request its row's output (from `outputOffset` in the proven `instances`) to the
    /// coordinator, which settles it as `fulfillZk` would; a request it refuses is skipped.
    function _answer(
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        uint256[] memory instances,
        uint256 outputOffset
    ) private returns (uint256 answered) {
        uint256 outputLength = terms[0].outputLength;
        for (uint256 i; i < requestIds.length; ++i) {
            int256[] memory output = _output(instances, outputOffset + i * outputLength, outputLength);
            try coordinator.fulfillFromBatch(requestIds[i], terms[i], msg.sender, output) {
                ++answered;
            } catch (bytes memory reason) {
                emit BatchRequestSkipped(requestIds[i], reason);
            }
        }
    }

    /// @dev Each request (its terms as the relayer passes them: the coordinator checks them against the id
    /// before settling) must be a zk request of `modelId` made after the batched verifier was registered
    /// (`since`), and its input its own.
    function _checkRequests(
        bytes32 modelId,
        uint256 since,
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata inputs
    ) private pure {
        for (uint256 i; i < requestIds.length; ++i) {
            IInferenceCoordinator.RequestTerms calldata t = terms[i];
            if (t.modelId != modelId || t.proofMode != IInferenceCoordinator.ProofMode.Zk) {
                revert NotInBatchModel(requestIds[i], modelId);
            }
            if (t.createdAt <= since) revert RequestBeforeBatchVerifier(requestIds[i], since);
            if (keccak256(inputs[i]) != t.inputHash) revert InputMismatch(requestIds[i]);
        }
    }

    /**
     * @dev The public instances of a batch of `batchSize` rows: each request's input in its row, zero
     * inputs in the padding rows, then every row's output instances. Each input was checked when its
     * request was made (`abi.encode(int256[])` of the model's input length).
     */
    function _instances(
        uint256 batchSize,
        uint256 outputLength,
        bytes[] calldata inputs,
        uint256[] calldata outputInstances
    ) private pure returns (uint256[] memory instances) {
        if (outputInstances.length != batchSize * outputLength) {
            revert InstanceEncoding.InstanceCountMismatch(batchSize * outputLength, outputInstances.length);
        }
        uint256 inputLength;
        for (uint256 i; i < inputs.length; ++i) {
            int256[] memory values = abi.decode(inputs[i], (int256[]));
            if (i == 0) {
                inputLength = values.length;
                instances = new uint256[](batchSize * inputLength + outputInstances.length);
            } else if (values.length != inputLength) {
                revert InputLengthMismatch(inputLength, values.length);
            }
            for (uint256 j; j < inputLength; ++j) {
                instances[i * inputLength + j] = InstanceEncoding.toField(values[j]);
            }
        }
        uint256 outputOffset = batchSize * inputLength;
        for (uint256 k; k < outputInstances.length; ++k) {
            instances[outputOffset + k] = outputInstances[k];
        }
    }

    /// @dev Request output of a row: the one place that turns output instances into a request's output type.
    function _output(
        uint256[] memory instances,
        uint256 offset,
        uint256 length
    ) private pure returns (int256[] memory output) {
        output = new int256[](length);
        for (uint256 j; j < length; ++j) {
            output[j] = InstanceEncoding.fromField(instances[offset + j]);
        }
    }
}
