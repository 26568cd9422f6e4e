// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";
import {RecordingConsumer} from "./mocks/Consumers.sol";
import {
    SilentRelayer,
    CrossModelRelayer,
    InputSwappingRelayer,
    GriefingChallenger,
    SelfDisputingRelayer
} from "./mocks/Adversaries.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";

/// @dev Deploys an adversary contract funded with `funds` tokens (minted to its predicted address).
abstract contract AdversaryFixture is HighwayFixture {
    RecordingConsumer internal consumer;

    function setUp() public virtual override {
        super.setUp();
        consumer = new RecordingConsumer(coordinator);
    }

    function fundNext(uint256 funds) internal returns (address predicted) {
        predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        token.mint(predicted, funds);
    }
}

/// A proof from another model's verifier (the REAL credit-risk proof) for a price-signal request.
contract CrossModelProofTest is AdversaryFixture {
    function test_proofFromAnotherModelIsRejected() public {
        address predicted = fundNext(1_000e18);
        CrossModelRelayer adversary = new CrossModelRelayer(coordinator, staking, token, 1_000e18);
        assertEq(address(adversary), predicted);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        adversary.claim(id, t);
        Sample memory credit = sample("credit-risk", 0);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        adversary.answerWithForeignProof(id, t, s.input, tensor(s.output), credit.proof);
        // The same proof is real: the credit-risk request it was made for accepts it.
        (uint256 id2, IInferenceCoordinator.RequestTerms memory t2) = makeRequest(
            requester,
            requestParams(creditModel, IInferenceCoordinator.ProofMode.Zk, address(consumer)),
            credit.input
        );
        adversary.claim(id2, t2);
        adversary.answerWithForeignProof(id2, t2, credit.input, tensor(credit.output), credit.proof);
        assertEq(uint256(statusOf(id2)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Claimed));
    }
}

/// A real proof for the right model but another request's input.
contract OtherInputProofTest is AdversaryFixture {
    function test_proofForAnotherRequestsInputIsRejected() public {
        fundNext(1_000e18);
        InputSwappingRelayer adversary = new InputSwappingRelayer(coordinator, staking, token, 1_000e18);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        Sample memory other = priceSample(1);
        adversary.claim(id, t);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InputMismatch.selector, id));
        adversary.answerWithOtherInput(id, t, other.input, tensor(other.output), other.proof);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.InvalidProof.selector, id));
        adversary.answerWithOtherProof(id, t, s.input, tensor(other.output), other.proof);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Claimed));
        assertEq(consumer.calls(), 0);
    }
}

/// A challenger disputing a correct optimistic result: the relayer defends with the REAL proof.
contract GriefingChallengerTest is AdversaryFixture {
    function test_challengerOfACorrectResultLosesItsBond() public {
        fundNext(1_000e18);
        GriefingChallenger griefer = new GriefingChallenger(coordinator, token);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Optimistic,
            address(consumer)
        );
        claimAs(relayer, id, t);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, t, tensor(s.output));
        griefer.commitChallenge(id);
        vm.roll(block.number + 1);
        griefer.challenge(id, t);
        assertEq(token.balanceOf(address(griefer)), 1_000e18 - CHALLENGE_BOND);
        vm.prank(relayer);
        disputeGame.defend(id, t, s.input, tensor(s.output), s.proof);

        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        assertEq(consumer.lastOutput(), tensor(s.output));
        uint256 protocolShare = (uint256(CHALLENGE_BOND) * 2_000) / 10_000;
        assertEq(coordinator.balanceOf(relayer), 1e18 + CHALLENGE_BOND - protocolShare);
        assertEq(coordinator.balanceOf(address(griefer)), 0);
        vm.expectRevert(IHighwayErrors.NothingToWithdraw.selector);
        griefer.withdraw();
        uint256 protocolFee = ((uint256(MODEL_FEE) + 1e18) * 500) / 10_000;
        assertEq(coordinator.protocolFees(), protocolFee + protocolShare);
        assertEq(staking.relayerOf(relayer).stake, 1_000 * UNIT);
        (bool found, ) = coordinator.cachedResult(priceModel, s.input);
        assertTrue(found);
    }
}

/// A relayer disputing its own wrong result to pre-empt an honest challenger.
contract SelfDisputingRelayerTest is AdversaryFixture {
    function test_selfDisputeAlwaysCostsTheProtocolShare() public {
        fundNext(1_000e18);
        SelfDisputingRelayer adversary = new SelfDisputingRelayer(coordinator, staking, token, 500e18);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Optimistic,
            address(consumer)
        );
        adversary.claim(id, t);
        adversary.submitWrong(id, t, tensor(withOutput(42)));
        adversary.commitChallenge(id);
        vm.roll(block.number + 1);
        uint256 before = token.balanceOf(address(adversary)) + staking.relayerOf(address(adversary)).stake;
        adversary.disputeItself(id, t, s.input, tensor(s.output), s.proof);
        adversary.withdraw();
        uint256 afterwards = token.balanceOf(address(adversary)) + staking.relayerOf(address(adversary)).stake;

        // It gets its challenge bond back, the compute fee as the prover, and its slashed bond less the protocol's share.
        uint256 protocolShare = (uint256(JOB_BOND) * t.disputeProtocolShareBps) / 10_000;
        assertEq(afterwards + protocolShare, before + 1e18);
        assertGt(protocolShare, 1e18); // a loss under the default parameters
        assertEq(coordinator.protocolFees(), protocolShare + ((uint256(MODEL_FEE) + 1e18) * 500) / 10_000);
        assertEq(consumer.lastOutput(), tensor(s.output)); // the consumer still gets the proven output
        assertEq(staking.relayerOf(address(adversary)).jobsSlashed, 1);
    }
}

/// A relayer that claims and never answers.
contract SilentRelayerTest is AdversaryFixture {
    function test_silentClaimantIsReopenedAndLosesTheLateShare() public {
        fundNext(1_000e18);
        SilentRelayer silent = new SilentRelayer(coordinator, staking, token, 1_000e18);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        silent.claim(id, t);
        uint256 endsAt = block.timestamp + t.deliveryWindow;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.DeliveryWindowOpen.selector, id, endsAt));
        coordinator.reopen(id, t);
        vm.warp(endsAt + 1);
        uint256 late = (uint256(JOB_BOND) * 2_000) / 10_000;
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RequestReopened(id, address(silent));
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RelayerSlashed(id, address(silent), late);
        vm.prank(stranger);
        coordinator.reopen(id, t);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Open));
        assertEq(coordinator.balanceOf(requester), late);
        IRelayerStaking.Relayer memory r = staking.relayerOf(address(silent));
        assertEq(r.stake, 1_000 * UNIT - late);
        assertEq(r.locked, 0);
        assertEq(r.jobsSlashed, 1);
        // Another relayer serves it, from the next block on; the late claimant may not take it back.
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ClaimTooSoon.selector, id, block.timestamp));
        claimAs(relayer2, id, t);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.FormerClaimant.selector, id, address(silent)));
        silent.claim(id, t);
        claimAs(relayer2, id, t);
        fulfillAs(relayer2, id, t, s);
        assertEq(consumer.lastOutput(), tensor(s.output));
    }

    function test_silentClaimantPastTheDeadlineIsExpired() public {
        fundNext(1_000e18);
        SilentRelayer silent = new SilentRelayer(coordinator, staking, token, 1_000e18);
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(
            0,
            IInferenceCoordinator.ProofMode.Zk,
            address(consumer)
        );
        silent.claim(id, t);
        vm.warp(uint256(t.deadline) + 1);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.DeadlinePassed.selector, id, t.deadline));
        coordinator.reopen(id, t);
        vm.prank(stranger);
        coordinator.expire(id, t);
        uint256 late = (uint256(JOB_BOND) * 2_000) / 10_000;
        assertEq(coordinator.balanceOf(requester), escrowOf(t) + late);
        assertEq(staking.relayerOf(address(silent)).locked, 0);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Refunded));
    }
}
