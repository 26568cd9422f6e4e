// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchFixture} from "./utils/BatchFixture.sol";
import {IBatchFulfiller} from "../interfaces/IBatchFulfiller.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";
import {RecordingConsumer, ToggleConsumer} from "./mocks/Consumers.sol";

/// @dev Batches of price-signal requests claimed together and answered with REAL batch proofs through the
/// REAL batched verifier.
contract BatchFulfillerTest is BatchFixture {
    RecordingConsumer internal consumer;

    function setUp() public override {
        super.setUp();
        consumer = new RecordingConsumer(coordinator);
    }

    function test_aFullBatchIsClaimedInOneCallAndAnsweredWithOneProof() public {
        BatchSample memory s = batchSample(0);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        assertEq(ids.length, 8);
        vm.warp(block.timestamp + 300); // half the auction: each request's price is 3
        assertEq(claimBatchAs(relayer, ids, terms), 8);
        for (uint256 i; i < 8; ++i) {
            assertEq(stateOf(ids[i]).relayer, relayer);
            assertEq(uint256(statusOf(ids[i])), uint256(IInferenceCoordinator.RequestStatus.Claimed));
        }
        assertEq(staking.relayerOf(relayer).locked, 8 * uint256(JOB_BOND));

        vm.expectEmit(true, true, false, true, address(fulfiller));
        emit IBatchFulfiller.BatchFulfilled(priceModel, relayer, 8, 8);
        assertEq(fulfillBatchAs(relayer, ids, terms, s), 8);

        assertEq(consumer.calls(), 8);
        assertEq(consumer.lastRequestId(), ids[7]);
        assertEq(consumer.lastOutput(), s.outputs[7]);
        for (uint256 i; i < 8; ++i) {
            assertEq(uint256(statusOf(ids[i])), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
            (bool found, bytes memory cached) = coordinator.cachedResult(priceModel, s.inputs[i]);
            assertTrue(found);
            assertEq(cached, s.outputs[i]);
        }
        // Each request settled at its own auction price, as fulfillZk would.
        assertEq(coordinator.balanceOf(relayer), 8 * 3e18);
        assertEq(coordinator.modelEarnings(priceModel), 8 * uint256(MODEL_FEE));
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.locked, 0);
        assertEq(r.jobsServed, 8);
    }

    function test_aPartialBatchIsPaddedWithZeroRowsWhoseOutputsAreDropped() public {
        BatchSample memory s = batchSample(1);
        assertEq(s.inputs.length, 4);
        assertEq(s.outputInstances.length, 8); // every row's output: four requests, four padding rows
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        claimBatchAs(relayer, ids, terms);
        assertEq(fulfillBatchAs(relayer, ids, terms, s), 4);
        assertEq(consumer.calls(), 4);
        for (uint256 i; i < 4; ++i) {
            (, bytes memory cached) = coordinator.cachedResult(priceModel, s.inputs[i]);
            assertEq(cached, s.outputs[i]);
        }
        // The padding rows' inputs are zero and written by the fulfiller: nothing of the relayer's own is proven.
        (bool found, ) = coordinator.cachedResult(priceModel, tensor(new int256[](8)));
        assertFalse(found);
    }

    function test_aRevertingCallbackFailsAloneAndCanBeRetried() public {
        BatchSample memory s = batchSample(2);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        ToggleConsumer toggle = new ToggleConsumer(coordinator);
        (ids[1], terms[1]) = makeRequest(
            requester,
            requestParams(priceModel, IInferenceCoordinator.ProofMode.Zk, address(toggle)),
            s.inputs[1]
        );
        claimBatchAs(relayer, ids, terms);
        assertEq(fulfillBatchAs(relayer, ids, terms, s), 2);

        assertEq(consumer.calls(), 1);
        assertFalse(stateOf(ids[0]).callbackPending);
        assertTrue(stateOf(ids[1]).callbackPending);
        assertEq(uint256(statusOf(ids[1])), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(coordinator.balanceOf(relayer), 2 * 1e18); // answered at once: the auction's start price
        toggle.setReady(true);
        vm.prank(stranger);
        coordinator.retryCallback(ids[1], terms[1], s.outputs[1]);
        assertEq(toggle.delivered(), 1);
        assertEq(toggle.lastValue(), s.outputValues[1][0]);
    }

    function test_aRequestAnsweredByAnotherRelayerInBetweenIsSkipped() public {
        BatchSample memory s = batchSample(0);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        // relayer2 claims request 1 first and answers it with a single proof (the same calibration row).
        claimAs(relayer2, ids[1], terms[1]);
        Sample memory single = priceSample(1);
        assertEq(single.input, s.inputs[1]);
        vm.expectEmit(true, false, false, true, address(fulfiller));
        emit IBatchFulfiller.BatchRequestSkipped(
            ids[1],
            abi.encodeWithSelector(
                IHighwayErrors.WrongStatus.selector,
                ids[1],
                IInferenceCoordinator.RequestStatus.Claimed
            )
        );
        assertEq(claimBatchAs(relayer, ids, terms), 7);
        fulfillAs(relayer2, ids[1], terms[1], single);

        vm.expectEmit(true, false, false, true, address(fulfiller));
        emit IBatchFulfiller.BatchRequestSkipped(
            ids[1],
            abi.encodeWithSelector(
                IHighwayErrors.WrongStatus.selector,
                ids[1],
                IInferenceCoordinator.RequestStatus.Fulfilled
            )
        );
        assertEq(fulfillBatchAs(relayer, ids, terms, s), 7);
        assertEq(consumer.calls(), 8); // once each: request 1 by relayer2, the rest by the batch
        assertEq(coordinator.balanceOf(relayer), 7 * 1e18);
        assertEq(coordinator.balanceOf(relayer2), 1e18);
        assertEq(staking.relayerOf(relayer).locked, 0);
    }

    function test_aBatchSentWithTooLittleGasForEveryCallbackRevertsInsteadOfSkippingRequests() public {
        BatchSample memory s = batchSample(0);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        claimBatchAs(relayer, ids, terms);
        // Enough for the proof and a few answers, not for every callback's exact gas: a gas estimate that
        // settled on such a limit must fail, not answer part of the batch and leave the rest claimed.
        bytes memory call = abi.encodeCall(
            fulfiller.fulfillZkBatch,
            (priceModel, ids, terms, s.inputs, s.outputInstances, s.proof)
        );
        vm.prank(relayer);
        (bool ok, ) = address(fulfiller).call{gas: 1_100_000}(call);
        assertFalse(ok);
        assertEq(consumer.calls(), 0);
        for (uint256 i; i < 8; ++i) {
            assertEq(uint256(statusOf(ids[i])), uint256(IInferenceCoordinator.RequestStatus.Claimed));
        }
        assertEq(fulfillBatchAs(relayer, ids, terms, s), 8);
    }

    function test_aTamperedOutputInstanceMidBatchRevertsTheWholeBatch() public {
        BatchSample memory s = batchSample(0);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        claimBatchAs(relayer, ids, terms);
        s.outputInstances[3] += 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, ids[0]));
        fulfillBatchAs(relayer, ids, terms, s);
        s.outputInstances[3] -= 1;
        // An input swapped for another request's is not that request's own.
        (s.inputs[3], s.inputs[4]) = (s.inputs[4], s.inputs[3]);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputMismatch.selector, ids[3]));
        fulfillBatchAs(relayer, ids, terms, s);
        (s.inputs[3], s.inputs[4]) = (s.inputs[4], s.inputs[3]);
        assertEq(fulfillBatchAs(relayer, ids, terms, s), 8);
    }

    function test_aBatchCopiedFromTheMempoolAnswersNothing() public {
        BatchSample memory s = batchSample(2);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        claimBatchAs(relayer, ids, terms);
        vm.expectRevert(IHighwayErrors.NothingAnswered.selector);
        fulfillBatchAs(relayer2, ids, terms, s);
        assertEq(fulfillBatchAs(relayer, ids, terms, s), 2);
    }

    function test_aRequestPastItsDeadlineIsSkipped() public {
        BatchSample memory s = batchSample(2);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        IInferenceCoordinator.RequestParams memory p = requestParams(
            priceModel,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        p.deadline = uint40(block.timestamp + 600); // the shortest: one delivery window
        (ids[1], terms[1]) = makeRequest(requester, p, s.inputs[1]);
        claimBatchAs(relayer, ids, terms);
        vm.warp(block.timestamp + 601);
        assertEq(fulfillBatchAs(relayer, ids, terms, s), 1);
        assertEq(uint256(statusOf(ids[1])), uint256(IInferenceCoordinator.RequestStatus.Claimed));
        coordinator.expire(ids[1], terms[1]); // the late claimant loses its late share, as for fulfillZk
        assertEq(uint256(statusOf(ids[1])), uint256(IInferenceCoordinator.RequestStatus.Refunded));
    }

    function test_aRequestMadeBeforeTheBatchedVerifierIsNotAnsweredByIt() public {
        BatchSample memory s = batchSample(2);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        claimBatchAs(relayer, ids, terms);
        vm.prank(modelOwner);
        bytes32 other = registry.registerModel("price-signal-2", modelParams(priceVerifier, 8, 1, 3));
        vm.prank(modelOwner);
        registry.registerBatchVerifier(other, batchVerifier, BATCH, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotInBatchModel.selector, ids[0], other));
        vm.prank(relayer);
        fulfiller.fulfillZkBatch(other, ids, terms, s.inputs, s.outputInstances, s.proof);

        (uint256 early, IInferenceCoordinator.RequestTerms memory earlyTerms) = makeRequest(
            requester,
            requestParams(other, IInferenceCoordinator.ProofMode.Zk, address(consumer)),
            s.inputs[0]
        );
        earlyTerms.createdAt = uint40(block.timestamp - 1); // as if made before the registration
        ids[0] = early;
        terms[0] = earlyTerms;
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.RequestBeforeBatchVerifier.selector, early, block.timestamp)
        );
        vm.prank(relayer);
        fulfiller.fulfillZkBatch(other, ids, terms, s.inputs, s.outputInstances, s.proof);
    }

    function test_batchShapesAreChecked() public {
        BatchSample memory s = batchSample(0);
        (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms) = requestBatch(s, address(consumer));
        uint256[] memory none = new uint256[](0);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidBatch.selector, 0, 8));
        vm.prank(relayer);
        fulfiller.fulfillZkBatch(priceModel, none, terms, s.inputs, s.outputInstances, s.proof);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NoBatchVerifier.selector, creditModel));
        vm.prank(relayer);
        fulfiller.fulfillZkBatch(creditModel, ids, terms, s.inputs, s.outputInstances, s.proof);
        vm.expectRevert(IHighwayErrors.NothingClaimed.selector);
        vm.prank(relayer);
        fulfiller.claimBatch(none, new IInferenceCoordinator.RequestTerms[](0));
    }

    function test_aRelayerAddressAppendedByAnyoneButTheBatchFulfillerIsIgnored() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        // relayer2 appends relayer's address to its claim: relayer2 claims, with its own stake.
        vm.prank(relayer2);
        (bool ok, ) = address(coordinator).call(
            abi.encodePacked(abi.encodeCall(IInferenceCoordinator.claim, (id, t)), relayer)
        );
        assertTrue(ok);
        assertEq(stateOf(id).relayer, relayer2);
        assertEq(staking.relayerOf(relayer).locked, 0);
        // relayer2's answer without a proof, its address appended as the fulfiller would: the proof is checked.
        bytes memory unproven = abi.encodeCall(IInferenceCoordinator.fulfillZk, (id, t, s.input, tensor(s.output), ""));
        vm.prank(relayer2);
        bytes memory reason;
        (ok, reason) = address(coordinator).call(abi.encodePacked(unproven, relayer2));
        assertFalse(ok);
        assertEq(reason, abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        assertEq(address(fulfiller.coordinator()), address(coordinator));
    }

    function test_optimisticAnswersOfSeveralRequestsArePostedInOneCallEachInItsOwnWindow() public {
        (
            uint256[] memory ids,
            IInferenceCoordinator.RequestTerms[] memory terms,
            bytes[] memory outputs
        ) = _claimedOptimistic(4);
        vm.warp(block.timestamp + 7);
        for (uint256 i; i < 4; ++i) {
            vm.expectEmit(true, true, false, true, address(coordinator));
            emit IInferenceCoordinator.OptimisticSubmitted(ids[i], relayer, outputs[i]);
        }
        assertEq(_submitBatchAs(relayer, ids, terms, outputs), 4);
        for (uint256 i; i < 4; ++i) {
            (IInferenceCoordinator.RequestState memory st, bytes32 outputHash) = coordinator.postedAnswer(
                ids[i],
                terms[i]
            );
            assertEq(uint256(st.status), uint256(IInferenceCoordinator.RequestStatus.Pending));
            assertEq(st.relayer, relayer);
            assertEq(st.phaseEndsAt, block.timestamp + terms[i].challengeWindow);
            assertEq(outputHash, keccak256(outputs[i]));
        }
        // Each answer is final after its window, paying the relayer its own auction price, as a single post would.
        vm.warp(block.timestamp + terms[0].challengeWindow);
        for (uint256 i; i < 4; ++i) coordinator.finalize(ids[i], terms[i], outputs[i]);
        assertEq(consumer.calls(), 4);
        assertEq(consumer.lastOutput(), outputs[3]);
        assertEq(coordinator.balanceOf(relayer), 4 * 1e18);
        assertEq(staking.relayerOf(relayer).locked, 0);
    }

    function test_anOptimisticAnswerTheCallerDoesNotHoldOrOfTheWrongShapeIsSkippedAlone() public {
        (
            uint256[] memory ids,
            IInferenceCoordinator.RequestTerms[] memory terms,
            bytes[] memory outputs
        ) = _claimedOptimistic(3);
        // Request 0 is relayer2's, request 1's output has two values where the model gives one.
        (uint256 theirs, IInferenceCoordinator.RequestTerms memory theirTerms, ) = requestPrice(
            3,
            IInferenceCoordinator.ProofMode.Optimistic,
            address(consumer)
        );
        claimAs(relayer2, theirs, theirTerms);
        (ids[0], terms[0]) = (theirs, theirTerms);
        int256[] memory two = new int256[](2);
        outputs[1] = tensor(two);
        vm.expectEmit(true, false, false, true, address(fulfiller));
        emit IBatchFulfiller.BatchRequestSkipped(
            theirs,
            abi.encodeWithSelector(IHighwayErrors.NotClaimant.selector, theirs, relayer)
        );
        vm.expectEmit(true, false, false, true, address(fulfiller));
        emit IBatchFulfiller.BatchRequestSkipped(
            ids[1],
            abi.encodeWithSelector(IHighwayErrors.OutputLengthMismatch.selector, 1, 2)
        );
        assertEq(_submitBatchAs(relayer, ids, terms, outputs), 1);
        assertEq(uint256(statusOf(theirs)), uint256(IInferenceCoordinator.RequestStatus.Claimed));
        assertEq(stateOf(theirs).relayer, relayer2);
        assertEq(uint256(statusOf(ids[1])), uint256(IInferenceCoordinator.RequestStatus.Claimed));
        assertEq(uint256(statusOf(ids[2])), uint256(IInferenceCoordinator.RequestStatus.Pending));
    }

    function test_anOptimisticBatchCopiedFromTheMempoolPostsNothing() public {
        (
            uint256[] memory ids,
            IInferenceCoordinator.RequestTerms[] memory terms,
            bytes[] memory outputs
        ) = _claimedOptimistic(2);
        vm.expectRevert(IHighwayErrors.NothingAnswered.selector);
        _submitBatchAs(relayer2, ids, terms, outputs);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidBatch.selector, 2, 1));
        vm.prank(relayer);
        fulfiller.submitOptimisticBatch(ids, terms, new bytes[](1));
        assertEq(_submitBatchAs(relayer, ids, terms, outputs), 2);
        // Posted once: a second post of the same answers finds them Pending.
        vm.expectRevert(IHighwayErrors.NothingAnswered.selector);
        _submitBatchAs(relayer, ids, terms, outputs);
    }

    function test_postedAnswersAreMadeFinalTogetherByAnyoneAndOneNotDueOrNotThePostedOneIsSkipped() public {
        (
            uint256[] memory ids,
            IInferenceCoordinator.RequestTerms[] memory terms,
            bytes[] memory outputs
        ) = _claimedOptimistic(4);
        // Requests 0 to 2 posted now, request 3 a minute later: its window ends a minute after theirs.
        uint256[] memory firstThree = new uint256[](3);
        IInferenceCoordinator.RequestTerms[] memory firstTerms = new IInferenceCoordinator.RequestTerms[](3);
        bytes[] memory firstOutputs = new bytes[](3);
        for (uint256 i; i < 3; ++i) (firstThree[i], firstTerms[i], firstOutputs[i]) = (ids[i], terms[i], outputs[i]);
        _submitBatchAs(relayer, firstThree, firstTerms, firstOutputs);
        vm.warp(block.timestamp + 60);
        vm.prank(relayer);
        coordinator.submitOptimistic(ids[3], terms[3], outputs[3]);
        vm.warp(block.timestamp + terms[0].challengeWindow - 60);

        bytes memory postedOne = outputs[1];
        outputs[1] = tensor(withOutput(7)); // not the posted answer
        vm.expectEmit(true, false, false, true, address(fulfiller));
        emit IBatchFulfiller.BatchRequestSkipped(
            ids[1],
            abi.encodeWithSelector(IHighwayErrors.OutputHashMismatch.selector, ids[1])
        );
        vm.expectEmit(true, false, false, true, address(fulfiller));
        emit IBatchFulfiller.BatchRequestSkipped(
            ids[3],
            abi.encodeWithSelector(IHighwayErrors.ChallengeWindowOpen.selector, ids[3], stateOf(ids[3]).phaseEndsAt)
        );
        vm.prank(stranger);
        assertEq(fulfiller.finalizeBatch(ids, terms, outputs), 2);
        assertEq(consumer.calls(), 2);
        assertEq(uint256(statusOf(ids[0])), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(uint256(statusOf(ids[1])), uint256(IInferenceCoordinator.RequestStatus.Pending));
        assertEq(uint256(statusOf(ids[3])), uint256(IInferenceCoordinator.RequestStatus.Pending));
        // The relayer is paid, not the stranger who sent the batch.
        assertEq(coordinator.balanceOf(relayer), 2 * 1e18);
        assertEq(coordinator.balanceOf(stranger), 0);

        outputs[1] = postedOne;
        vm.warp(block.timestamp + 60);
        vm.prank(stranger);
        assertEq(fulfiller.finalizeBatch(ids, terms, outputs), 2); // requests 1 and 3; 0 and 2 are final already
        vm.expectRevert(IHighwayErrors.NothingAnswered.selector);
        vm.prank(stranger);
        fulfiller.finalizeBatch(ids, terms, outputs);
        assertEq(consumer.calls(), 4);
        assertEq(coordinator.balanceOf(relayer), 4 * 1e18);
        assertEq(staking.relayerOf(relayer).locked, 0);
    }

    /// @dev `count` optimistic price-signal requests claimed by `relayer` together, with their right answers.
    function _claimedOptimistic(
        uint256 count
    )
        private
        returns (uint256[] memory ids, IInferenceCoordinator.RequestTerms[] memory terms, bytes[] memory outputs)
    {
        ids = new uint256[](count);
        terms = new IInferenceCoordinator.RequestTerms[](count);
        outputs = new bytes[](count);
        for (uint256 i; i < count; ++i) {
            Sample memory sample_;
            (ids[i], terms[i], sample_) = requestPrice(
                i,
                IInferenceCoordinator.ProofMode.Optimistic,
                address(consumer)
            );
            outputs[i] = tensor(sample_.output);
        }
        assertEq(claimBatchAs(relayer, ids, terms), count);
    }

    function _submitBatchAs(
        address who,
        uint256[] memory ids,
        IInferenceCoordinator.RequestTerms[] memory terms,
        bytes[] memory outputs
    ) private returns (uint256) {
        vm.prank(who);
        return fulfiller.submitOptimisticBatch(ids, terms, outputs);
    }

    function test_aLanguageModelHasNoBatchedVerifier() public {
        vm.prank(modelOwner);
        bytes32 language = registry.registerModel("a-language-model", languageParams());
        vm.expectRevert(IHighwayErrors.InvalidLanguageModel.selector);
        vm.prank(modelOwner);
        registry.registerBatchVerifier(language, batchVerifier, BATCH, bytes32(0));
    }

    function test_theBatchedVerifierIsTheOwnersOnceAndChecksItsCode() public {
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotModelOwner.selector, creditModel, stranger));
        vm.prank(stranger);
        registry.registerBatchVerifier(creditModel, batchVerifier, BATCH, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.BatchVerifierAlreadyRegistered.selector, priceModel));
        vm.prank(modelOwner);
        registry.registerBatchVerifier(priceModel, batchVerifier, BATCH, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidBatchSize.selector, 1, 32));
        vm.prank(modelOwner);
        registry.registerBatchVerifier(creditModel, batchVerifier, 1, bytes32(0));
        IModelRegistry.BatchVerifier memory b = registry.batchVerifierOf(priceModel);
        assertEq(b.verifier, batchVerifier);
        assertEq(b.batchSize, BATCH);
        assertEq(b.codeHash, batchVerifier.codehash);
        vm.etch(batchVerifier, hex"00");
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.VerifierCodeChanged.selector,
                priceModel,
                b.codeHash,
                keccak256(hex"00")
            )
        );
        registry.batchVerifierOf(priceModel);
    }
}
