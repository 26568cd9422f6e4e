// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";
import {RecordingConsumer} from "./mocks/Consumers.sol";

/**
 * @dev The coordinator's dispute hooks, called directly as the dispute game (as any future
 * arbiter would: they settle whatever outcome the caller judged, so they take no proofs), the
 * configuration hooks, and the wiring of the coordinator, its dispute game and admin contract.
 */
contract DisputeHooksTest is HighwayFixture {
    IInferenceCoordinator.ProofMode internal constant OPT = IInferenceCoordinator.ProofMode.Optimistic;
    uint256 internal constant COMPUTE_FEE = 1e18; // claimed at once: the start of the auction

    RecordingConsumer internal consumer;
    bytes internal none;
    address[] internal noRewardees;

    function setUp() public override {
        super.setUp();
        consumer = new RecordingConsumer(coordinator);
    }

    function _pending(
        int256[] memory posted
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) {
        return pendingPriceAnswer(address(consumer), posted);
    }

    function _disputed(
        int256[] memory posted
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) {
        (id, t, s) = _pending(posted);
        vm.prank(address(disputeGame));
        coordinator.openDispute(id, t, challenger);
    }

    function _close(
        uint256 id,
        IInferenceCoordinator.RequestTerms memory t,
        IInferenceCoordinator.DisputeOutcome outcome,
        address prover,
        bytes memory output
    ) internal {
        vm.prank(address(disputeGame));
        coordinator.closeDispute(id, t, outcome, challenger, prover, output, noRewardees);
    }

    function _copy(
        IInferenceCoordinator.RequestTerms memory t
    ) internal pure returns (IInferenceCoordinator.RequestTerms memory) {
        return abi.decode(abi.encode(t), (IInferenceCoordinator.RequestTerms));
    }

    // ------------------------------------------------------------------ wiring

    function test_theCoordinatorDeploysItsGameAndAdminAndEachNamesTheOther() public view {
        assertEq(address(disputeGame.coordinator()), address(coordinator));
        assertEq(address(disputeGame.registry()), address(registry));
        assertEq(address(coordinatorAdmin.coordinator()), address(coordinator));
        assertTrue(coordinatorAdmin.hasRole(coordinatorAdmin.DEFAULT_ADMIN_ROLE(), address(this)));
        assertTrue(coordinatorAdmin.hasRole(coordinatorAdmin.PAUSER_ROLE(), address(this)));
    }

    // ------------------------------------------------------------------ only their callers

    function test_onlyTheDisputeGameCallsTheDisputeHooksOfACircuitModel() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _pending(withOutput(42));
        address arbiter = address(0xA4B1);
        coordinatorAdmin.setLanguageArbiter(arbiter); // the arbiter of the other kind
        address[4] memory others = [stranger, relayer, address(coordinatorAdmin), arbiter];
        for (uint256 i; i < others.length; ++i) {
            vm.startPrank(others[i]);
            vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyArbiter.selector, others[i]));
            coordinator.openDispute(id, t, challenger);
            vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyArbiter.selector, others[i]));
            coordinator.closeDispute(
                id,
                t,
                IInferenceCoordinator.DisputeOutcome.TimedOut,
                challenger,
                address(0),
                none,
                noRewardees
            );
            vm.stopPrank();
        }
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Pending));
    }

    function test_onlyTheAdminContractCallsTheConfigurationHooks() public {
        address[3] memory others = [stranger, address(this), address(disputeGame)]; // the admin account too
        for (uint256 i; i < others.length; ++i) {
            vm.startPrank(others[i]);
            vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinatorAdmin.selector, others[i]));
            coordinator.applyParams(defaultParams());
            vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinatorAdmin.selector, others[i]));
            coordinator.applyTreasury(stranger);
            vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinatorAdmin.selector, others[i]));
            coordinator.applyPause(true);
            vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinatorAdmin.selector, others[i]));
            coordinator.applyLanguageArbiter(stranger);
            vm.stopPrank();
        }
        // The admin contract's own checks stand in front of them.
        IInferenceCoordinator.Params memory p = defaultParams();
        p.protocolFeeBps = 700;
        coordinatorAdmin.setParams(p);
        assertEq(coordinator.getParams().protocolFeeBps, 700);
        coordinatorAdmin.setTreasury(stranger);
        assertEq(coordinator.treasury(), stranger);
        coordinatorAdmin.pause();
        assertTrue(coordinator.paused());
        coordinatorAdmin.setLanguageArbiter(stranger);
        assertEq(coordinator.languageArbiter(), stranger);
    }

    // ------------------------------------------------------------------ openDispute

    /// The challenge window (and the commitment) is the game's rule: `test_aFailedChallengeLeavesNoRecord`.
    function test_openDisputeChecksTermsAndStatus() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = requestPrice(0, OPT, address(consumer));
        vm.startPrank(address(disputeGame));
        IInferenceCoordinator.RequestTerms memory wrong = _copy(t);
        wrong.nonce += 1;
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, id));
        coordinator.openDispute(id, wrong, challenger);
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.WrongStatus.selector, id, IInferenceCoordinator.RequestStatus.Open)
        );
        coordinator.openDispute(id, t, challenger);
        vm.stopPrank();
    }

    function test_openDisputeStartsTheDefenceWindowAndPullsTheBondFromTheChallenger() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _pending(withOutput(42));
        uint256 before = token.balanceOf(challenger);
        uint256 held = token.balanceOf(address(coordinator));
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.Challenged(id, challenger, CHALLENGE_BOND);
        vm.prank(address(disputeGame));
        coordinator.openDispute(id, t, challenger);
        IInferenceCoordinator.RequestState memory st = stateOf(id);
        assertEq(uint256(st.status), uint256(IInferenceCoordinator.RequestStatus.Disputed));
        assertEq(st.phaseEndsAt, block.timestamp + t.defenceWindow);
        assertEq(before - token.balanceOf(challenger), CHALLENGE_BOND);
        assertEq(token.balanceOf(address(coordinator)) - held, CHALLENGE_BOND);
        assertEq(token.balanceOf(address(disputeGame)), 0);
        (IInferenceCoordinator.RequestState memory posted, bytes32 outputHash) = coordinator.postedAnswer(id, t);
        assertEq(uint256(posted.status), uint256(IInferenceCoordinator.RequestStatus.Disputed));
        assertEq(posted.relayer, relayer);
        assertEq(outputHash, keccak256(tensor(withOutput(42))));
    }

    // ------------------------------------------------------------------ closeDispute

    function test_closeDisputeChecksTermsAndStatus() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _pending(withOutput(42));
        IInferenceCoordinator.RequestTerms memory wrong = _copy(t);
        wrong.nonce += 1;
        vm.startPrank(address(disputeGame));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.TermsMismatch.selector, id));
        coordinator.closeDispute(
            id,
            wrong,
            IInferenceCoordinator.DisputeOutcome.Defended,
            challenger,
            relayer,
            none,
            noRewardees
        );
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.WrongStatus.selector, id, IInferenceCoordinator.RequestStatus.Pending)
        );
        coordinator.closeDispute(
            id,
            t,
            IInferenceCoordinator.DisputeOutcome.Defended,
            challenger,
            relayer,
            none,
            noRewardees
        );
        coordinator.openDispute(id, t, challenger);
        coordinator.closeDispute(
            id,
            t,
            IInferenceCoordinator.DisputeOutcome.TimedOut,
            challenger,
            address(0),
            none,
            noRewardees
        );
        // Each dispute ends once.
        vm.expectRevert(
            abi.encodeWithSelector(IHighwayErrors.WrongStatus.selector, id, IInferenceCoordinator.RequestStatus.Open)
        );
        coordinator.closeDispute(
            id,
            t,
            IInferenceCoordinator.DisputeOutcome.FraudProven,
            challenger,
            stranger,
            tensor(withOutput(1)),
            noRewardees
        );
        vm.stopPrank();
    }

    function test_defendedSettlesCachesAndDeliversThePostedOutput() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = _disputed(withOutput(42));
        vm.expectEmit(true, true, true, true, address(coordinator));
        emit IInferenceCoordinator.Defended(id, relayer, challenger);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RequestFulfilled(id, relayer, tensor(withOutput(42)), COMPUTE_FEE, true);
        _close(id, t, IInferenceCoordinator.DisputeOutcome.Defended, relayer, tensor(withOutput(42)));

        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        uint256 protocolShare = (uint256(CHALLENGE_BOND) * 2_000) / 10_000;
        assertEq(coordinator.balanceOf(relayer), COMPUTE_FEE + CHALLENGE_BOND - protocolShare);
        assertEq(coordinator.balanceOf(challenger), 0);
        assertEq(coordinator.protocolFees(), ((uint256(MODEL_FEE) + COMPUTE_FEE) * 500) / 10_000 + protocolShare);
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.locked, 0);
        assertEq(r.stake, 1_000 * UNIT);
        assertEq(r.jobsServed, 1);
        assertEq(consumer.lastOutput(), tensor(withOutput(42)));
        (bool found, bytes memory cached) = coordinator.cachedResult(priceModel, s.input);
        assertTrue(found);
        assertEq(cached, tensor(withOutput(42)));
    }

    function test_defendedNeedsThePostedOutput() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _disputed(withOutput(42));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputHashMismatch.selector, id));
        _close(id, t, IInferenceCoordinator.DisputeOutcome.Defended, relayer, tensor(withOutput(43)));
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OutputHashMismatch.selector, id));
        _close(id, t, IInferenceCoordinator.DisputeOutcome.Defended, relayer, none);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Disputed));
        assertEq(consumer.calls(), 0);
    }

    function test_fraudProvenAnswersWithTheProvenOutputAndSlashesTheRelayer() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = _disputed(withOutput(42));
        vm.expectEmit(true, true, true, true, address(coordinator));
        emit IInferenceCoordinator.FraudProven(id, stranger, relayer, tensor(withOutput(7)));
        vm.expectEmit(true, true, false, true, address(coordinator));
        // The compute fee goes to the challenger, whoever proved the fraud (a copied proof earns nothing).
        emit IInferenceCoordinator.RequestFulfilled(id, challenger, tensor(withOutput(7)), COMPUTE_FEE, true);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RelayerSlashed(id, relayer, JOB_BOND);
        _close(id, t, IInferenceCoordinator.DisputeOutcome.FraudProven, stranger, tensor(withOutput(7)));

        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Fulfilled));
        uint256 protocolShare = (uint256(JOB_BOND) * 2_000) / 10_000;
        assertEq(coordinator.balanceOf(challenger), CHALLENGE_BOND + JOB_BOND - protocolShare + COMPUTE_FEE);
        assertEq(coordinator.balanceOf(stranger), 0);
        assertEq(coordinator.balanceOf(relayer), 0);
        IRelayerStaking.Relayer memory r = staking.relayerOf(relayer);
        assertEq(r.stake, 1_000 * UNIT - JOB_BOND);
        assertEq(r.locked, 0);
        assertEq(r.jobsSlashed, 1);
        assertEq(consumer.lastOutput(), tensor(withOutput(7)));
        (bool found, bytes memory cached) = coordinator.cachedResult(priceModel, s.input);
        assertTrue(found);
        assertEq(cached, tensor(withOutput(7)));
        (, bytes32 held) = coordinator.postedAnswer(id, t);
        assertEq(held, keccak256(tensor(withOutput(7)))); // what a retried callback must deliver
    }

    function test_timedOutReopensBeforeTheDeadline() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _disputed(withOutput(42));
        vm.expectEmit(true, true, true, true, address(coordinator));
        emit IInferenceCoordinator.DisputeTimedOut(id, relayer, challenger);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RequestReopened(id, relayer);
        vm.expectEmit(true, true, false, true, address(coordinator));
        emit IInferenceCoordinator.RelayerSlashed(id, relayer, JOB_BOND);
        _close(id, t, IInferenceCoordinator.DisputeOutcome.TimedOut, address(0), none);

        IInferenceCoordinator.RequestState memory st = stateOf(id);
        assertEq(uint256(st.status), uint256(IInferenceCoordinator.RequestStatus.Open));
        // Open again, remembering the claimant that lost it and when: it can be claimed later, by another relayer.
        assertEq(st.relayer, relayer);
        assertEq(uint256(st.phaseEndsAt), block.timestamp);
        uint256 protocolShare = (uint256(JOB_BOND) * 2_000) / 10_000;
        assertEq(coordinator.balanceOf(challenger), CHALLENGE_BOND + JOB_BOND - protocolShare);
        assertEq(coordinator.protocolFees(), protocolShare);
        assertEq(staking.relayerOf(relayer).stake, 1_000 * UNIT - JOB_BOND);
        (, bytes32 held) = coordinator.postedAnswer(id, t);
        assertEq(held, bytes32(0));
        assertEq(consumer.calls(), 0);
    }

    function test_timedOutRefundsPastTheDeadline() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _disputed(withOutput(42));
        vm.warp(uint256(t.deadline) + 1);
        _close(id, t, IInferenceCoordinator.DisputeOutcome.TimedOut, address(0), none);
        assertEq(uint256(statusOf(id)), uint256(IInferenceCoordinator.RequestStatus.Refunded));
        assertEq(coordinator.balanceOf(requester), escrowOf(t));
        assertEq(staking.relayerOf(relayer).locked, 0);
    }

    // ------------------------------------------------------------------ the game's record

    function test_theGameRecordsTheChallengerUntilTheDisputeEnds() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _pending(withOutput(42));
        assertEq(disputeGame.challengerOf(id), address(0));
        challengeAs(challenger, id, t);
        assertEq(disputeGame.challengerOf(id), challenger);
        vm.warp(block.timestamp + t.defenceWindow + 1);
        disputeGame.resolveDisputeTimeout(id, t);
        assertEq(disputeGame.challengerOf(id), address(0));
        assertEq(token.balanceOf(address(disputeGame)), 0);
    }

    function test_aFailedChallengeLeavesNoRecord() public {
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, ) = _pending(withOutput(42));
        bytes32 salt = commitChallengeAs(challenger, id);
        vm.roll(block.number + 1);
        vm.warp(block.timestamp + t.challengeWindow);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.ChallengeWindowClosed.selector, id, block.timestamp));
        vm.prank(challenger);
        disputeGame.challenge(id, t, salt);
        assertEq(disputeGame.challengerOf(id), address(0));
    }
}
