// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./HighwayFixture.sol";
import {BatchFulfiller} from "../../BatchFulfiller.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {Halo2Verifier as PriceSignalBatchVerifier} from "../../verifiers/price-signal/batch-8/Halo2Verifier.sol";

/**
 * @dev The protocol of `HighwayFixture` with price-signal's REAL batched verifier (8 requests per proof)
 * registered, and the REAL batch proofs of circuits/price-signal/batch-8/samples/: sample 0 a full batch
 * (calibration rows 0-7), sample 1 four requests and four padding rows, sample 2 two and six.
 */
abstract contract BatchFixture is HighwayFixture {
    struct BatchSample {
        bytes[] inputs; // each request's input tensor (`TensorCodec.encode`)
        bytes[] outputs; // each request's output, its canonical tensor
        int256[][] outputValues; // each request's output values
        uint256[] outputInstances; // every row's output instances, padding rows included
        bytes proof;
    }

    uint8 internal constant BATCH = 8;

    BatchFulfiller internal fulfiller;
    address internal batchVerifier;

    function setUp() public virtual override {
        super.setUp();
        // The coordinator's third creation (after its admin contract and dispute game).
        fulfiller = BatchFulfiller(vm.computeCreateAddress(address(coordinator), 3));
        batchVerifier = address(new PriceSignalBatchVerifier());
        vm.prank(modelOwner);
        registry.registerBatchVerifier(priceModel, batchVerifier, BATCH, keccak256("batch artifacts"));
        // The batched verifier answers requests made after it was registered.
        vm.warp(block.timestamp + 1);
    }

    function batchSample(uint256 index) internal view returns (BatchSample memory s) {
        string memory json = vm.readFile(
            string.concat("circuits/price-signal/batch-8/samples/sample-", vm.toString(index), ".json")
        );
        uint256 count = BATCH - uint256(vm.parseJsonUint(json, ".padding"));
        s.inputs = new bytes[](count);
        s.outputs = new bytes[](count);
        s.outputValues = new int256[][](count);
        for (uint256 i; i < count; ++i) {
            string memory row = string.concat(".requests[", vm.toString(i), "]");
            s.inputs[i] = tensor(_signed(vm.parseJsonStringArray(json, string.concat(row, ".input"))));
            s.outputValues[i] = _signed(vm.parseJsonStringArray(json, string.concat(row, ".output")));
            s.outputs[i] = tensor(s.outputValues[i]);
        }
        string[] memory instances = vm.parseJsonStringArray(json, ".instances");
        uint256 outputCount = instances.length / 9; // 8 inputs and 1 output per row
        s.outputInstances = new uint256[](outputCount);
        for (uint256 k; k < outputCount; ++k) {
            s.outputInstances[k] = vm.parseUint(instances[instances.length - outputCount + k]);
        }
        s.proof = vm.parseJsonBytes(json, ".proof");
    }

    /// @dev One zk price-signal request per input of batch sample `index`, for `consumer`.
    function requestBatch(
        BatchSample memory s,
        address consumer
    ) internal returns (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) {
        ids = new uint256[](s.inputs.length);
        terms = new IInferenceCoordinator.RequestTerms[](s.inputs.length);
        for (uint256 i; i < s.inputs.length; ++i) {
            (ids[i], terms[i]) = makeRequest(
                requester,
                requestParams(priceModel, IInferenceCoordinator.ProofMode.Zk, consumer),
                s.inputs[i]
            );
        }
    }

    function claimBatchAs(
        address who,
        uint256[] memory ids,
        IInferenceCoordinator.RequestTerms[] memory terms
    ) internal returns (uint256 claimed) {
        vm.prank(who);
        return fulfiller.claimBatch(ids, terms);
    }

    function fulfillBatchAs(
        address who,
        uint256[] memory ids,
        IInferenceCoordinator.RequestTerms[] memory terms,
        BatchSample memory s
    ) internal returns (uint256 answered) {
        vm.prank(who);
        return fulfiller.fulfillZkBatch(priceModel, ids, terms, s.inputs, s.outputInstances, s.proof);
    }

    function _signed(string[] memory values) private pure returns (int256[] memory out) {
        out = new int256[](values.length);
        for (uint256 i; i < values.length; ++i) {
            out[i] = vm.parseInt(values[i]);
        }
    }
}
