// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {ModelRegistry} from "../ModelRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {Halo2Verifier as PriceSignalVerifier} from "../verifiers/price-signal/Halo2Verifier.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {ModelKind} from "../types/ModelKind.sol";
import {TensorCodec} from "../libraries/TensorCodec.sol";

contract ModelRegistryTest is Test {
    ModelRegistry private registry;
    address private verifier;
    address private owner = address(0x0A11);
    address private other = address(0x0B22);

    function setUp() public {
        registry = new ModelRegistry();
        verifier = address(new PriceSignalVerifier());
    }

    function _params() private view returns (IModelRegistry.ModelParams memory) {
        return
            IModelRegistry.ModelParams({
                kind: ModelKind.Circuit,
                fee: 10e18,
                verifier: verifier,
                runtimeSpecHash: bytes32(0),
                proofModes: 3,
                inputLength: 8,
                outputLength: 1,
                inputScale: 8,
                outputScale: 24,
                inputBound: 2048,
                parentModelId: bytes32(0),
                parentShareBps: 0,
                referralShareBps: 500,
                artifactURI: "ipfs://price-signal",
                artifactHash: keccak256("artifacts")
            });
    }

    function _register(address who, bytes32 salt, IModelRegistry.ModelParams memory p) private returns (bytes32) {
        vm.prank(who);
        return registry.registerModel(salt, p);
    }

    function test_registerStoresTheFullRecord() public {
        IModelRegistry.ModelParams memory p = _params();
        bytes32 id = registry.modelIdOf(owner, "salt");
        vm.expectEmit(true, true, false, true, address(registry));
        emit IModelRegistry.ModelRegistered(id, owner, p);
        assertEq(_register(owner, "salt", p), id);
        IModelRegistry.Model memory m = registry.getModel(id);
        assertEq(m.owner, owner);
        assertEq(m.verifier, verifier);
        assertEq(m.verifierCodeHash, verifier.codehash); // the verifier's runtime code, recorded at registration
        assertEq(m.terms.fee, 10e18);
        assertEq(m.terms.inputLength, 8);
        assertEq(m.terms.outputLength, 1);
        assertEq(m.inputScale, 8);
        assertEq(m.outputScale, 24);
        assertEq(uint8(m.terms.kind), uint8(ModelKind.Circuit));
        assertEq(m.runtimeSpecHash, bytes32(0));
        assertEq(m.terms.inputBound, 2048);
        assertEq(m.terms.proofModes, 3);
        assertEq(m.terms.referralShareBps, 500);
        assertTrue(m.terms.active);
        assertEq(m.artifactHash, keccak256("artifacts"));
        assertEq(bytes(m.artifactURI), bytes("ipfs://price-signal"));
        assertEq(registry.verifierOf(id), verifier);
        assertEq(registry.ownerOf(id), owner);
        assertEq(registry.parentOf(id), bytes32(0));
        assertEq(registry.modelTerms(id).fee, 10e18);
    }

    function test_idsAreScopedByOwnerSoTheyCannotBeSquatted() public {
        bytes32 a = _register(owner, "same", _params());
        bytes32 b = _register(other, "same", _params());
        assertTrue(a != b);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ModelAlreadyRegistered.selector, a));
        _register(owner, "same", _params());
    }

    function test_registrationChecksEveryField() public {
        IModelRegistry.ModelParams memory p = _params();
        p.verifier = address(0);
        vm.expectRevert(IHighwayErrors.VerifierRequired.selector);
        _register(owner, "a", p);
        p.verifier = address(0x1234); // no code
        vm.expectRevert(IHighwayErrors.VerifierRequired.selector);
        _register(owner, "a", p);

        p = _params();
        p.proofModes = 0;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProofModes.selector, 0));
        _register(owner, "a", p);
        p.proofModes = 4;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProofModes.selector, 4));
        _register(owner, "a", p);

        p = _params();
        p.inputLength = 0;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidInputLength.selector, 0));
        _register(owner, "a", p);
        p.inputLength = 16_385;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidInputLength.selector, 16_385));
        _register(owner, "a", p);

        p = _params();
        p.outputLength = 0;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidOutputLength.selector, 0));
        _register(owner, "a", p);
        p.outputLength = 16_385;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidOutputLength.selector, 16_385));
        _register(owner, "a", p);
        p = _params();
        p.runtimeSpecHash = keccak256("spec"); // a circuit has a verifier, not a runtime spec
        vm.expectRevert(IHighwayErrors.InvalidLanguageModel.selector);
        _register(owner, "a", p);

        p = _params();
        p.inputScale = 65;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidScale.selector, 65));
        _register(owner, "a", p);
        p = _params();
        p.outputScale = 65;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidScale.selector, 65));
        _register(owner, "a", p);

        p = _params();
        p.parentShareBps = 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidShares.selector, 1, 500));
        _register(owner, "a", p);
        p = _params();
        p.referralShareBps = 10_001;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidShares.selector, 0, 10_001));
        _register(owner, "a", p);
        p = _params();
        p.parentModelId = keccak256("missing");
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidParent.selector, keccak256("missing")));
        _register(owner, "a", p);
    }

    function test_theLengthLimitsThemselvesAreAccepted() public {
        IModelRegistry.ModelParams memory p = _params();
        p.inputLength = registry.MAX_INPUT_LENGTH();
        p.outputLength = registry.MAX_OUTPUT_LENGTH();
        bytes32 id = _register(owner, "max", p);
        assertEq(registry.modelTerms(id).inputLength, 16_384);
        assertEq(registry.modelTerms(id).outputLength, 16_384);
    }

    // ------------------------------------------------------------------ language models

    function _languageParams() private pure returns (IModelRegistry.ModelParams memory) {
        return
            IModelRegistry.ModelParams({
                kind: ModelKind.Language,
                fee: 1e18,
                verifier: address(0),
                runtimeSpecHash: keccak256("runtime spec"),
                proofModes: 2,
                inputLength: 16,
                outputLength: 64,
                inputScale: 0,
                outputScale: 0,
                inputBound: 0,
                parentModelId: bytes32(0),
                parentShareBps: 0,
                referralShareBps: 500,
                artifactURI: "ipfs://smollm2",
                artifactHash: keccak256("gguf")
            });
    }

    function test_aLanguageModelIsRegisteredWithItsRuntimeSpecAndNoVerifier() public {
        IModelRegistry.ModelParams memory p = _languageParams();
        bytes32 id = registry.modelIdOf(owner, "lm");
        vm.expectEmit(true, true, false, true, address(registry));
        emit IModelRegistry.ModelRegistered(id, owner, p);
        assertEq(_register(owner, "lm", p), id);
        IModelRegistry.Model memory m = registry.getModel(id);
        assertEq(uint8(m.terms.kind), uint8(ModelKind.Language));
        assertEq(m.runtimeSpecHash, keccak256("runtime spec"));
        assertEq(m.verifier, address(0));
        assertEq(m.verifierCodeHash, bytes32(0));
        assertEq(m.terms.proofModes, 2);
        assertEq(m.terms.inputLength, 16);
        assertEq(m.terms.outputLength, 64);
        // Never proven: it has no verifier to hand out.
        vm.expectRevert(IHighwayErrors.VerifierRequired.selector); // a language model has no verifier to check proofs with
        registry.verifierOf(id);
    }

    function test_aLanguageModelNeedsARuntimeSpecNoVerifierAndOptimisticAnswersOnly() public {
        IModelRegistry.ModelParams[7] memory bad;
        for (uint256 i; i < bad.length; ++i) bad[i] = _languageParams();
        bad[0].runtimeSpecHash = bytes32(0);
        bad[1].verifier = verifier;
        bad[2].proofModes = 1;
        bad[3].proofModes = 3;
        bad[4].inputBound = 1;
        bad[5].inputScale = 8;
        bad[6].outputScale = 8;
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(IHighwayErrors.InvalidLanguageModel.selector);
            _register(owner, "lm", bad[i]);
        }
        IModelRegistry.ModelParams memory p = _languageParams();
        p.inputLength = 16_385;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidInputLength.selector, 16_385));
        _register(owner, "lm", p);
        p = _languageParams();
        p.outputLength = 0;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidOutputLength.selector, 0));
        _register(owner, "lm", p);
    }

    function test_aLanguageModelsProofModesStayOptimistic() public {
        bytes32 id = _register(owner, "lm", _languageParams());
        vm.startPrank(owner);
        vm.expectRevert(IHighwayErrors.InvalidLanguageModel.selector);
        registry.setProofModes(id, 1);
        vm.expectRevert(IHighwayErrors.InvalidLanguageModel.selector);
        registry.setProofModes(id, 3);
        registry.setProofModes(id, 2);
        vm.stopPrank();
        assertEq(registry.modelTerms(id).proofModes, 2);
    }

    function test_termsForInputTakesUtf8TextWithinALanguageModelsLimit() public {
        bytes32 id = _register(owner, "lm", _languageParams());
        assertEq(uint8(registry.termsForInput(id, "Hello").kind), uint8(ModelKind.Language));
        assertEq(registry.termsForInput(id, bytes(unicode"été ☃ 😀 !")).inputLength, 16); // 16 bytes
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidPromptLength.selector, 16, 17));
        registry.termsForInput(id, "seventeen bytes!!");
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidPromptLength.selector, 16, 0));
        registry.termsForInput(id, "");
        vm.expectRevert(IHighwayErrors.InvalidUtf8.selector);
        registry.termsForInput(id, hex"48c0af"); // an overlong '/'
        vm.expectRevert(IHighwayErrors.InvalidUtf8.selector);
        registry.termsForInput(id, hex"eda080"); // a surrogate
    }

    function test_termsForInputTakesACircuitModelsTensorOfItsShapeAndBound() public {
        bytes32 id = _register(owner, "m", _params());
        int256[] memory values = new int256[](8);
        values[7] = -2048;
        IModelRegistry.ModelTerms memory t = registry.termsForInput(id, TensorCodec.encode(values));
        assertEq(uint8(t.kind), uint8(ModelKind.Circuit));
        assertEq(t.inputLength, 8);
        values[7] = 2049;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputOutOfBounds.selector, 7, 2049, 2048));
        registry.termsForInput(id, TensorCodec.encode(values));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputLengthMismatch.selector, 8, 9));
        registry.termsForInput(id, TensorCodec.encode(new int256[](9)));
        vm.expectRevert(IHighwayErrors.MalformedTensor.selector);
        registry.termsForInput(id, "Hello"); // 'H' is not a width
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.UnknownModel.selector, keccak256("none")));
        registry.termsForInput(keccak256("none"), TensorCodec.encode(values));
    }

    function test_parentIsRecorded() public {
        bytes32 base = _register(owner, "base", _params());
        IModelRegistry.ModelParams memory p = _params();
        p.parentModelId = base;
        p.parentShareBps = 9_000;
        p.referralShareBps = 1_000;
        bytes32 child = _register(other, "child", p);
        assertEq(registry.ownerOf(child), other);
        assertEq(registry.parentOf(child), base);
        IModelRegistry.ModelParams memory bad = _params();
        bad.parentModelId = base;
        bad.parentShareBps = 9_600;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidShares.selector, 9_600, 500));
        _register(other, "bad", bad);
        // The child cannot later raise the referral share past what the parent share leaves.
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidShares.selector, 9_000, 1_001));
        vm.prank(other);
        registry.setReferralShareBps(child, 1_001);
    }

    function test_ownerUpdates() public {
        bytes32 id = _register(owner, "m", _params());
        vm.startPrank(owner);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelFeeUpdated(id, 3e18);
        registry.setFee(id, 3e18);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelReferralShareUpdated(id, 2_000);
        registry.setReferralShareBps(id, 2_000);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelProofModesUpdated(id, 1);
        registry.setProofModes(id, 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProofModes.selector, 0));
        registry.setProofModes(id, 0);
        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelArtifactURIUpdated(id, "ar://moved");
        registry.setArtifactURI(id, "ar://moved");
        vm.expectEmit(true, false, false, true, address(registry));
        emit IModelRegistry.ModelActiveUpdated(id, false);
        registry.setActive(id, false);
        vm.expectRevert(IHighwayErrors.ZeroAddress.selector);
        registry.transferModelOwnership(id, address(0));
        vm.expectEmit(true, true, true, false, address(registry));
        emit IModelRegistry.ModelOwnershipTransferred(id, owner, other);
        registry.transferModelOwnership(id, other);
        vm.stopPrank();
        IModelRegistry.Model memory m = registry.getModel(id);
        assertEq(m.terms.fee, 3e18);
        assertEq(m.terms.referralShareBps, 2_000);
        assertEq(m.terms.proofModes, 1);
        assertFalse(m.terms.active);
        assertEq(bytes(m.artifactURI), bytes("ar://moved"));
        assertEq(m.owner, other);
        assertEq(m.artifactHash, keccak256("artifacts")); // identity unchanged
        assertEq(m.verifier, verifier);
    }

    function test_onlyTheOwnerUpdates() public {
        bytes32 id = _register(owner, "m", _params());
        bytes memory notOwner = abi.encodeWithSelector(IHighwayErrors.NotModelOwner.selector, id, other);
        vm.startPrank(other);
        vm.expectRevert(notOwner);
        registry.setFee(id, 1);
        vm.expectRevert(notOwner);
        registry.setReferralShareBps(id, 1);
        vm.expectRevert(notOwner);
        registry.setProofModes(id, 1);
        vm.expectRevert(notOwner);
        registry.setArtifactURI(id, "x");
        vm.expectRevert(notOwner);
        registry.setActive(id, false);
        vm.expectRevert(notOwner);
        registry.transferModelOwnership(id, other);
        vm.stopPrank();
    }

    /// A verifier whose code changed after registration (a metamorphic contract redeployed, or destroyed)
    /// is refused by `verifierOf`, which every proof check goes through; its original code is accepted again.
    function test_verifierOfRefusesAVerifierWhoseCodeChanged() public {
        bytes32 id = _register(owner, "salt", _params());
        bytes memory original = verifier.code;
        bytes32 recorded = verifier.codehash;
        vm.etch(verifier, hex"600160005260206000f3"); // returns 1 for any call: an accept-all verifier
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.VerifierCodeChanged.selector, id, recorded, verifier.codehash)
        );
        registry.verifierOf(id);
        vm.etch(verifier, "");
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.VerifierCodeChanged.selector, id, recorded, verifier.codehash)
        );
        registry.verifierOf(id);
        vm.etch(verifier, original);
        assertEq(registry.verifierOf(id), verifier);
        assertEq(registry.getModel(id).verifierCodeHash, recorded); // the record never changes
    }

    function test_unknownModelsRevert() public {
        bytes32 id = keccak256("none");
        bytes memory unknown = abi.encodeWithSelector(IHighwayErrors.UnknownModel.selector, id);
        vm.expectRevert(unknown);
        registry.getModel(id);
        vm.expectRevert(unknown);
        registry.modelTerms(id);
        vm.expectRevert(unknown);
        registry.verifierOf(id);
        vm.expectRevert(unknown);
        registry.ownerOf(id);
        vm.expectRevert(unknown);
        registry.parentOf(id);
        vm.expectRevert(unknown);
        registry.setFee(id, 1);
    }
}
