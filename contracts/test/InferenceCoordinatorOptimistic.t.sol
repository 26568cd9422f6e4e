// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";
import {RecordingConsumer} from "./mocks/Consumers.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {InstanceEncoding} from "../libraries/InstanceEncoding.sol";

/// @dev Optimistic answers and their disputes; defences and fraud proofs use REAL proofs.
contract InferenceCoordinatorOptimisticTest is HighwayFixture {
    RecordingConsumer internal consumer;
    IInferenceCoordinator.ProofMode internal constant OPT = IInferenceCoordinator.ProofMode.Optimistic;

    function setUp() public override {
        super.setUp();
        consumer = new RecordingConsumer(coordinator);
    }

    function _submitted(
        int256[] memory output
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) {
        return pendingPriceAnswer(address(consumer), output);
    }

    function _challenged(
        int256[] memory output
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) {
        (id, t, s) = _submitted(output);
        challengeAs(challenger, id, t);
    }

    function test_submitOptimisticEmitsTheOutputAndKeepsItsHashWithoutCallingBack() public {
        Sample memory s0 = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, OPT, address(consumer));
        claimAs(relayer, id, t);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.OptimisticSubmitted(id, relayer, tensor(s0.output));
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, tensor(s0.output));
        (IInferenceCoordinator.RequestState memory st, bytes32 outputHash) = coordinator.postedAnswer(id, t);
        assertEq(outputHash, keccak256(tensor(s0.output)));
        assertEq(uint256(st.status), uint256(IInferenceCoordinator.RequestStatus.Pending));
        assertEq(st.relayer, relayer);
        assertEq(st.phaseEndsAt, block.timestamp + t.challengeWindow);
        assertEq(consumer.calls(), 0);
        // Not a proof: the verified-result cache stays empty.
        (bool found, ) = coordinator.cachedResult(priceModel, s0.input);
        assertFalse(found);
    }

    function test_postedAnswerHoldsNoHashBeforeAnAnswerAndChecksTheTerms() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, OPT, address(consumer));
        (IInferenceCoordinator.RequestState memory st, bytes32 outputHash) = coordinator.postedAnswer(id, t);
        assertEq(uint256(st.status), uint256(IInferenceCoordinator.RequestStatus.Open));
        assertEq(outputHash, bytes32(0));
        t.nonce += 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, id));
        coordinator.postedAnswer(id, t);
    }

    function test_finalizeAfterTheWindowSettlesAndCallsBack() public {
        Sample memory s0 = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _submitted(s0.output);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.ChallengeWindowOpen.selector, id, block.timestamp + t.challengeWindow)
        );
        coordinator.finalize(id, t, tensor(s0.output));
        vm.warp(block.timestamp + t.challengeWindow);
        // The output passed must be the one posted (its hash was kept).
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputHashMismatch.selector, id));
        coordinator.finalize(id, t, tensor(withOutput(42)));
        vm.prank(stranger); // anyone
        coordinator.finalize(id, t, tensor(s0.output));
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(consumer.calls(), 1);
        assertEq(consumer.lastOutput(), tensor(s0.output));
        assertEq(coordinator.balanceOf(relayer), 1e18);
        assertEq(staking.relayerOf(relayer).locked, 0);
        assertEq(staking.relayerOf(relayer).jobsServed, 1);
    }

    function test_submitOptimisticOnlyForOptimisticRequests() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        claimAs(relayer, id, t);
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.ProofModeUnsupported.selector,
                priceModel,
                IInferenceCoordinator.ProofMode.Zk
            )
        );
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, tensor(s.output));
    }

    function test_submitOptimisticChecksLengthAndClaimant() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, OPT, address(consumer));
        claimAs(relayer, id, t);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputLengthMismatch.selector, 1, 2));
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, tensor(new int256[](2)));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotClaimant.selector, id, relayer2));
        vm.prank(relayer2);
        coordinator.submitOptimistic(id, t, tensor(withOutput(1)));
    }

    function test_submitOptimisticRejectsMalformedTensors() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, OPT, address(consumer));
        claimAs(relayer, id, t);
        bytes[4] memory malformed = [bytes(""), hex"01", hex"030000aa", hex"020001ff"];
        for (uint256 i; i < malformed.length; ++i) {
            vm.expectRevert(IHighwayErrors.MalformedTensor.selector);
            vm.prank(relayer);
            coordinator.submitOptimistic(id, t, malformed[i]);
        }
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Claimed));
    }

    function test_outputsWithoutAFieldImageArePostedButCannotBeDefended() public {
        // Only the shape is checked when posting; a value no proof can carry is a wrong answer a challenge settles.
        int256 big = int256(InstanceEncoding.MAX_ABS_VALUE) + 1;
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = _challenged(withOutput(big));
        vm.expectRevert(abi.encodeWithSelector(InstanceEncoding.ValueOutsideField.selector, big));
        vm.prank(relayer);
        disputeGame.defend(id, t, s.input, tensor(withOutput(big)), s.proof);
        disputeGame.proveFraud(id, t, s.input, tensor(s.output), s.proof);
        assertEq(consumer.lastOutput(), tensor(s.output));
    }

    function test_challengeTakesTheBondWithinTheWindowOnly() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _submitted(withOutput(7));
        uint256 before = token.balanceOf(challenger);
        challengeAs(challenger, id, t);
        assertEq(before - token.balanceOf(challenger), CHALLENGE_BOND);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Disputed));
        // A second challenge finds it Disputed.
        bytes32 salt = commitChallengeAs(stranger, id);
        vm.roll(block.number + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IHighwayErrors.WrongStatus.selector,
                id,
                IInferenceCoordinator.RequestStatus.Disputed
            )
        );
        vm.prank(stranger);
        disputeGame.challenge(id, t, salt);

        (uint256 id2, IInferenceCoordinator.RequestTerms memory t2, ) = requestPrice(1, OPT, address(consumer));
        claimAs(relayer2, id2, t2);
        vm.prank(relayer2);
        coordinator.submitOptimistic(id2, t2, tensor(withOutput(1)));
        uint256 endsAt = block.timestamp + t2.challengeWindow;
        salt = commitChallengeAs(challenger, id2);
        vm.roll(block.number + 1);
        vm.warp(endsAt);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ChallengeWindowClosed.selector, id2, endsAt));
        vm.prank(challenger);
        disputeGame.challenge(id2, t2, salt);
    }

    function test_defendFailsWithAProofOfAnotherOutput() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = _challenged(withOutput(42));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        vm.prank(relayer);
        disputeGame.defend(id, t, s.input, tensor(withOutput(42)), s.proof);
        // Defending another output than the posted one (the proven one, say) is refused before any proof.
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputHashMismatch.selector, id));
        vm.prank(relayer);
        disputeGame.defend(id, t, s.input, tensor(s.output), s.proof);
    }

    function test_onlyTheRelayerDefendsWithinTheDefenceWindow() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = _challenged(priceSample(0).output);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.NotClaimant.selector, id, stranger));
        vm.prank(stranger);
        disputeGame.defend(id, t, s.input, tensor(s.output), s.proof);
        uint256 endsAt = block.timestamp + t.defenceWindow;
        vm.warp(endsAt + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.DefenceWindowClosed.selector, id, endsAt));
        vm.prank(relayer);
        disputeGame.defend(id, t, s.input, tensor(s.output), s.proof);
    }

    function test_proveFraudAnswersWithTheProvenOutputAndSlashesTheRelayer() public {
        Sample memory s0 = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = _challenged(withOutput(42));
        vm.prank(relayer2); // a third party proves the true output
        disputeGame.proveFraud(id, t, s.input, tensor(s0.output), s.proof);

        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(consumer.calls(), 1);
        assertEq(consumer.lastOutput(), tensor(s0.output));
        uint256 protocolShare = (uint256(JOB_BOND) * 2_000) / 10_000;
        // The challenger earns the compute fee, whoever proved the fraud; the third party earns nothing.
        assertEq(coordinator.balanceOf(challenger), CHALLENGE_BOND + JOB_BOND - protocolShare + 1e18);
        assertEq(coordinator.balanceOf(relayer2), 0);
        assertEq(coordinator.balanceOf(relayer), 0);
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.stake, 1_000 * UNIT - JOB_BOND);
        assertEq(r.locked, 0);
        assertEq(r.jobsSlashed, 1);
        (bool found, bytes memory cached) = coordinator.cachedResult(priceModel, s0.input);
        assertTrue(found);
        assertEq(cached, tensor(s0.output));
    }

    function test_proveFraudRejectsTheSameOutputAndBadProofs() public {
        Sample memory s0 = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = _challenged(s0.output);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.SameOutput.selector, id));
        vm.prank(challenger);
        disputeGame.proveFraud(id, t, s.input, tensor(s0.output), s.proof);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        vm.prank(challenger);
        disputeGame.proveFraud(id, t, s.input, tensor(withOutput(5)), s.proof);
    }

    function test_aNonCanonicalOutputOfTheRightValuesIsAWrongAnswerProvenFraudulent() public {
        Sample memory s0 = priceSample(0);
        bytes memory wide = tensorOfWidth(s0.output, 32); // the right values, not in their smallest width
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = pendingPriceAnswer(
            address(consumer),
            wide
        );
        challengeAs(challenger, id, t);
        // Its relayer cannot defend it: a proof's output is canonical.
        vm.expectRevert(IHighwayErrors.NonCanonicalOutput.selector);
        vm.prank(relayer);
        disputeGame.defend(id, t, s.input, wide, s.proof);
        // The canonical encoding is another output (another hash): a fraud proof.
        vm.expectEmit(true, true, true, true, address(coordinator));
        emit IInferenceCoordinator.FraudProven(id, challenger, relayer, tensor(s0.output));
        vm.prank(challenger);
        disputeGame.proveFraud(id, t, s.input, tensor(s0.output), s.proof);
        assertEq(consumer.lastOutput(), tensor(s0.output));
        assertEq(staking.relayerOf(relayer).jobsSlashed, 1);
        (, bytes32 held) = coordinator.postedAnswer(id, t);
        assertEq(held, keccak256(tensor(s0.output)));
    }

    function test_proveFraudNeedsADispute() public {
        Sample memory s0 = priceSample(0);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = _submitted(withOutput(42));
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.WrongStatus.selector, id, IInferenceCoordinator.RequestStatus.Pending)
        );
        vm.prank(challenger);
        disputeGame.proveFraud(id, t, s.input, tensor(s0.output), s.proof);
    }

    function test_disputeTimeoutSlashesAndReopens() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _challenged(withOutput(42));
        uint256 endsAt = block.timestamp + t.defenceWindow;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.DefenceWindowOpen.selector, id, endsAt));
        disputeGame.resolveDisputeTimeout(id, t);
        vm.warp(endsAt + 1);
        vm.expectEmit(true, true, true, true, address(coordinator));
        emit IInferenceCoordinator.DisputeTimedOut(id, relayer, challenger);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RequestReopened(id, relayer);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RelayerSlashed(id, relayer, JOB_BOND);
        vm.prank(stranger);
        disputeGame.resolveDisputeTimeout(id, t);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
        uint256 protocolShare = (uint256(JOB_BOND) * 2_000) / 10_000;
        assertEq(coordinator.balanceOf(challenger), CHALLENGE_BOND + JOB_BOND - protocolShare);
        assertEq(coordinator.protocolFees(), protocolShare);
        assertEq(staking.relayerOf(relayer).stake, 1_000 * UNIT - JOB_BOND);
        // Another relayer can serve it from the next block; the slashed relayer may not take it back.
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.FormerClaimant.selector, id, relayer));
        claimAs(relayer, id, t);
        claimAs(relayer2, id, t);
        Sample memory s0 = priceSample(0);
        fulfillAs(relayer2, id, t, s0);
        assertEq(consumer.lastOutput(), tensor(s0.output));
    }

    function test_disputeTimeoutPastTheDeadlineRefunds() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _challenged(withOutput(42));
        vm.warp(uint256(t.deadline) + 1);
        disputeGame.resolveDisputeTimeout(id, t);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Refunded));
        assertEq(coordinator.balanceOf(requester), escrowOf(t));
    }
}
