// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "./Test.sol";
import {HighwayToken} from "../../token/HighwayToken.sol";
import {ModelRegistry} from "../../ModelRegistry.sol";
import {RelayerStaking} from "../../RelayerStaking.sol";
import {InferenceCoordinator} from "../../InferenceCoordinator.sol";
import {DisputeGame} from "../../DisputeGame.sol";
import {CoordinatorAdmin} from "../../CoordinatorAdmin.sol";
import {IModelRegistry} from "../../interfaces/IModelRegistry.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {TensorCodec} from "../../libraries/TensorCodec.sol";
import {ModelKind} from "../../types/ModelKind.sol";
import {Tensors} from "./Tensors.sol";
import {Halo2Verifier as PriceSignalVerifier} from "../../verifiers/price-signal/Halo2Verifier.sol";
import {Halo2Verifier as CreditRiskVerifier} from "../../verifiers/credit-risk/Halo2Verifier.sol";

/**
 * @dev Deploys the protocol with the REAL EZKL verifiers of both reference models and
 * loads their REAL sample proofs from circuits/<model>/samples/.
 */
abstract contract HighwayFixture is Test {
    struct Sample {
        bytes input; // tensor(inputs): what a request sends
        int256[] inputs;
        int256[] output; // its values; tensor(output) is what an answer posts
        bytes proof;
    }

    uint256 internal constant UNIT = 1e18;
    uint96 internal constant MODEL_FEE = 10e18;
    uint96 internal constant MIN_STAKE = 200e18;
    uint96 internal constant JOB_BOND = 100e18;
    uint96 internal constant CHALLENGE_BOND = 50e18;
    uint32 internal constant CALLBACK_GAS = 200_000;

    HighwayToken internal token;
    ModelRegistry internal registry;
    RelayerStaking internal staking;
    InferenceCoordinator internal coordinator;
    DisputeGame internal disputeGame; // deployed by the coordinator
    CoordinatorAdmin internal coordinatorAdmin; // deployed by the coordinator; this test contract holds its roles
    address internal priceVerifier;
    address internal creditVerifier;
    bytes32 internal priceModel;
    bytes32 internal creditModel;

    address internal immutable treasury = address(0x7AE5);
    address internal immutable modelOwner = address(0x0A11);
    address internal immutable requester = address(0x5EED);
    address internal immutable relayer = address(0xBEEF);
    address internal immutable relayer2 = address(0xBEE2);
    address internal immutable challenger = address(0xC4A1);
    address internal immutable stranger = address(0x5757);

    function setUp() public virtual {
        token = new HighwayToken(address(this));
        registry = new ModelRegistry();
        // The coordinator is the next contract created after the staking contract.
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)) + 1);
        staking = new RelayerStaking(token, predicted, address(this), MIN_STAKE, 1 days);
        coordinator = new InferenceCoordinator(token, registry, staking, address(this), treasury, defaultParams());
        disputeGame = DisputeGame(coordinator.disputeGame());
        coordinatorAdmin = CoordinatorAdmin(coordinator.coordinatorAdmin());
        priceVerifier = address(new PriceSignalVerifier());
        creditVerifier = address(new CreditRiskVerifier());

        vm.startPrank(modelOwner);
        priceModel = registry.registerModel("price-signal", modelParams(priceVerifier, 8, 1, 3));
        creditModel = registry.registerModel("credit-risk", modelParams(creditVerifier, 16, 2, 3));
        vm.stopPrank();

        address[5] memory funded = [requester, relayer, relayer2, challenger, stranger];
        for (uint256 i; i < funded.length; ++i) {
            token.mint(funded[i], 10_000 * UNIT);
            vm.prank(funded[i]); // escrows, and challenge bonds (the coordinator pulls them for the dispute game)
            token.approve(address(coordinator), type(uint256).max);
            vm.prank(funded[i]);
            token.approve(address(staking), type(uint256).max);
        }
        vm.prank(relayer);
        staking.stake(1_000 * UNIT);
        vm.prank(relayer2);
        staking.stake(1_000 * UNIT);
    }

    function defaultParams() internal pure returns (IInferenceCoordinator.Params memory) {
        return
            IInferenceCoordinator.Params({
                protocolFeeBps: 500,
                lateSlashBps: 2_000,
                disputeProtocolShareBps: 2_000,
                auctionDuration: 600,
                deliveryWindow: 600,
                challengeWindow: 3_600,
                defenceWindow: 3_600,
                maxCallbackGasLimit: 2_000_000,
                jobBond: JOB_BOND,
                challengeBond: CHALLENGE_BOND
            });
    }

    function modelParams(
        address verifier,
        uint16 inputs,
        uint16 outputs,
        uint8 modes
    ) internal pure returns (IModelRegistry.ModelParams memory) {
        return
            IModelRegistry.ModelParams({
                kind: ModelKind.Circuit,
                fee: MODEL_FEE,
                verifier: verifier,
                runtimeSpecHash: bytes32(0),
                proofModes: modes,
                inputLength: inputs,
                outputLength: outputs,
                inputScale: 8,
                outputScale: 24,
                inputBound: 2048,
                parentModelId: bytes32(0),
                parentShareBps: 0,
                referralShareBps: 1_000,
                artifactURI: "ipfs://model",
                artifactHash: keccak256("artifacts")
            });
    }

    // ------------------------------------------------------------------ samples

    function sample(string memory model, uint256 index) internal view returns (Sample memory s) {
        string memory json = vm.readFile(
            string.concat(
                "circuits/",
                model,
                "/samples/sample-",
                index == 0
                    ? "0"
                    : index == 1
                        ? "1"
                        : "2",
                ".json"
            )
        );
        s.inputs = _ints(vm.parseJsonStringArray(json, ".input"));
        s.output = _ints(vm.parseJsonStringArray(json, ".output"));
        s.proof = vm.parseJsonBytes(json, ".proof");
        s.input = tensor(s.inputs);
    }

    function priceSample(uint256 index) internal view returns (Sample memory) {
        return sample("price-signal", index);
    }

    function _ints(string[] memory values) private pure returns (int256[] memory out) {
        out = new int256[](values.length);
        for (uint256 i; i < values.length; ++i) {
            out[i] = vm.parseInt(values[i]);
        }
    }

    // ------------------------------------------------------------------ requests

    function requestParams(
        bytes32 modelId,
        IInferenceCoordinator.ProofMode mode,
        address consumer
    ) internal view returns (IInferenceCoordinator.RequestParams memory) {
        return
            IInferenceCoordinator.RequestParams({
                modelId: modelId,
                proofMode: mode,
                startComputeFee: 1e18,
                maxComputeFee: 5e18,
                maxModelFee: type(uint96).max,
                jobBond: 0,
                challengeWindow: 0,
                callbackGasLimit: CALLBACK_GAS,
                maxOutputBytes: 0,
                deadline: uint40(block.timestamp + 1 days),
                consumer: consumer,
                referrer: address(0)
            });
    }

    /// @dev Makes a request as `from` and returns its id and terms (read back from `RequestCreated`).
    function makeRequest(
        address from,
        IInferenceCoordinator.RequestParams memory p,
        bytes memory input
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory terms) {
        vm.recordLogs();
        vm.prank(from);
        id = coordinator.requestInference(p, input);
        terms = termsFromLogs();
    }

    function termsFromLogs() internal returns (IInferenceCoordinator.RequestTerms memory terms) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = IInferenceCoordinator.RequestCreated.selector;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(coordinator) && logs[i].topics[0] == topic) {
                (terms, ) = abi.decode(logs[i].data, (IInferenceCoordinator.RequestTerms, bytes));
                return terms;
            }
        }
        revert("no RequestCreated");
    }

    function requestPrice(
        uint256 index,
        IInferenceCoordinator.ProofMode mode,
        address consumer
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory terms, Sample memory s) {
        s = priceSample(index);
        (id, terms) = makeRequest(requester, requestParams(priceModel, mode, consumer), s.input);
    }

    /// @dev An optimistic price-signal request for `consumer`, claimed by `relayer` and answered with `posted`.
    function pendingPriceAnswer(
        address consumer,
        int256[] memory posted
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory terms, Sample memory s) {
        return pendingPriceAnswer(consumer, tensor(posted));
    }

    /// @dev `pendingPriceAnswer` posting the bytes `posted` as they are (a non-canonical tensor, say).
    function pendingPriceAnswer(
        address consumer,
        bytes memory posted
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory terms, Sample memory s) {
        (id, terms, s) = requestPrice(0, IInferenceCoordinator.ProofMode.Optimistic, consumer);
        claimAs(relayer, id, terms);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, terms, posted);
    }

    function claimAs(address who, uint256 id, IInferenceCoordinator.RequestTerms memory terms) internal {
        vm.prank(who);
        coordinator.claim(id, terms);
    }

    function fulfillAs(
        address who,
        uint256 id,
        IInferenceCoordinator.RequestTerms memory terms,
        Sample memory s
    ) internal {
        vm.prank(who);
        coordinator.fulfillZk(id, terms, s.input, tensor(s.output), s.proof);
    }

    /// @dev `who` commits to a challenge of request `id` (step one); returns the salt to reveal with.
    function commitChallengeAs(address who, uint256 id) internal returns (bytes32 salt) {
        salt = keccak256(abi.encode("salt", who, id, block.number));
        vm.prank(who);
        disputeGame.commitChallenge(disputeGame.challengeCommitment(id, who, salt));
    }

    /// @dev `who` challenges request `id`: commits, and reveals in the next block.
    function challengeAs(address who, uint256 id, IInferenceCoordinator.RequestTerms memory terms) internal {
        bytes32 salt = commitChallengeAs(who, id);
        vm.roll(block.number + 1);
        vm.prank(who);
        disputeGame.challenge(id, terms, salt);
    }

    function statusOf(uint256 id) internal view returns (IInferenceCoordinator.RequestStatus status) {
        (, IInferenceCoordinator.RequestState memory st) = coordinator.getRequest(id);
        return st.status;
    }

    function stateOf(uint256 id) internal view returns (IInferenceCoordinator.RequestState memory st) {
        (, st) = coordinator.getRequest(id);
    }

    function escrowOf(IInferenceCoordinator.RequestTerms memory t) internal pure returns (uint256) {
        return t.modelFee + t.maxComputeFee + ((uint256(t.modelFee) + t.maxComputeFee) * t.protocolFeeBps) / 10_000;
    }

    function withOutput(int256 value) internal pure returns (int256[] memory out) {
        out = new int256[](1);
        out[0] = value;
    }

    /// @dev The tensor of `values` (`TensorCodec.encode`: the smallest width, so an output's canonical
    /// encoding): the one encoder of the tests' inputs and outputs at their call boundaries.
    function tensor(int256[] memory values) internal pure returns (bytes memory) {
        return TensorCodec.encode(values);
    }

    /// @dev `values` in `width` bytes each, whether or not it is their smallest width (a non-canonical
    /// output, or a wider input); each value must fit the width.
    function tensorOfWidth(int256[] memory values, uint256 width) internal pure returns (bytes memory) {
        return Tensors.ofWidth(values, width);
    }

    // ------------------------------------------------------------------ language models

    bytes32 internal constant RUNTIME_SPEC = keccak256("llama.cpp b4000 / smollm2-135m-q4_1 / greedy");
    uint16 internal constant PROMPT_BYTES = 256;
    uint16 internal constant ANSWER_BYTES = 64;

    /// @dev A language model's parameters: no verifier, a runtime spec hash, optimistic answers only.
    function languageParams() internal pure returns (IModelRegistry.ModelParams memory p) {
        p = modelParams(address(0), PROMPT_BYTES, ANSWER_BYTES, 2);
        p.kind = ModelKind.Language;
        p.runtimeSpecHash = RUNTIME_SPEC;
        p.inputScale = 0;
        p.outputScale = 0;
        p.inputBound = 0;
    }

    /// @dev Registers a language model owned by `modelOwner`.
    function registerLanguageModel() internal returns (bytes32 modelId) {
        vm.prank(modelOwner);
        modelId = registry.registerModel("language", languageParams());
    }

    /// @dev Optimistic request parameters for language model `modelId`, answers of at most `maxOutputBytes`.
    function languageRequestParams(
        bytes32 modelId,
        uint32 maxOutputBytes,
        address consumer
    ) internal view returns (IInferenceCoordinator.RequestParams memory p) {
        p = requestParams(modelId, IInferenceCoordinator.ProofMode.Optimistic, consumer);
        p.maxOutputBytes = maxOutputBytes;
    }
}
