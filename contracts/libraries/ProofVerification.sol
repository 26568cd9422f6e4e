// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {IHalo2Verifier} from "../interfaces/IHalo2Verifier.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {TensorCodec} from "./TensorCodec.sol";
import {ModelKind} from "../types/ModelKind.sol";

/**
 * @title ProofVerification
 * @notice The one check that a request's answer is proven: the request is a circuit model's, the
 * input is the request's own, the output is the canonical tensor of the model's output count, and
 * the model's verifier accepts the proof for the public instances built from both (inputs, then
 * outputs). The coordinator's `fulfillZk` and
 * the dispute game's `defend` and `proveFraud` all go through it.
 */
library ProofVerification {
    /**
     * @notice Reverts unless `proof` proves that model `terms.modelId` maps the request's own
     * `input` to `output`.
     * @dev A verifier that reverts counts as rejecting the proof (`InvalidProof`), like one that returns false.
     * The verifier is read with `registry.verifierOf`, which reverts (`VerifierCodeChanged`, not caught here)
     * once its code hash differs from the one recorded at registration: only the registered code judges.
     * @param registry Where the model's verifier is registered.
     * @param requestId The request answered, for the errors.
     */
    function verify(
        IModelRegistry registry,
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof
    ) internal {
        if (terms.modelKind != ModelKind.Circuit) {
            revert IHighwayErrors.ProofModeUnsupported(terms.modelId, IInferenceCoordinator.ProofMode.Zk);
        }
        if (keccak256(input) != terms.inputHash) revert IHighwayErrors.InputMismatch(requestId);
        TensorCodec.checkOutput(output, terms.outputSize);
        (, uint256 inputCount) = TensorCodec.shape(input);
        uint256[] memory instances = new uint256[](inputCount + terms.outputSize);
        TensorCodec.writeInstances(instances, TensorCodec.writeInstances(instances, 0, input), output);
        checkProof(registry.verifierOf(terms.modelId), requestId, proof, instances);
    }

    /**
     * @notice Reverts with `InvalidProof(requestId)` unless `verifier` accepts `proof` for `instances`;
     * a verifier that reverts rejects the proof. `verify` ends here, and so does a batch proof
     * (`BatchFulfiller`), whose instances are its requests' rows.
     */
    function checkProof(
        address verifier,
        uint256 requestId,
        bytes calldata proof,
        uint256[] memory instances
    ) internal {
        bool valid;
        try IHalo2Verifier(verifier).verifyProof(proof, instances) returns (bool ok) {
            valid = ok;
        } catch {}
        if (!valid) revert IHighwayErrors.InvalidProof(requestId);
    }
}
