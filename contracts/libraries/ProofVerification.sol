// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {IHalo2Verifier} from "../interfaces/IHalo2Verifier.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {InstanceEncoding} from "./InstanceEncoding.sol";

/**
 * @title ProofVerification
 * @notice The one check that a request's answer is proven: the input is the request's own,
 * the output has the model's length, and the model's verifier accepts the proof for the
 * public instances built from both (inputs, then outputs). The coordinator's `fulfillZk` and
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
        int256[] memory output,
        bytes calldata proof
    ) internal {
        if (keccak256(input) != terms.inputHash) revert IHighwayErrors.InputMismatch(requestId);
        if (output.length != terms.outputLength) {
            revert IHighwayErrors.OutputLengthMismatch(terms.outputLength, output.length);
        }
        uint256[] memory instances = InstanceEncoding.buildInstances(abi.decode(input, (int256[])), output);
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
