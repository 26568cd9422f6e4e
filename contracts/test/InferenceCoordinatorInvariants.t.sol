// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchFixture} from "./utils/BatchFixture.sol";
import {CoordinatorHandler, AdminAndCodeHandler} from "./CoordinatorHandler.sol";
import {BatchHandler} from "./BatchHandler.sol";
import {
    RecordingConsumer,
    ReentrantConsumer,
    GasBurnerConsumer,
    HugeRevertConsumer,
    ToggleConsumer
} from "./mocks/Consumers.sol";
import {SwitchableVerifier} from "./mocks/SwitchableVerifier.sol";
import {IHalo2Verifier} from "../interfaces/IHalo2Verifier.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";

/// @dev Invariants over random sequences of every coordinator action (see CoordinatorHandler) and of batch
/// claims and batch answers (see BatchHandler).
contract InferenceCoordinatorInvariantsTest is BatchFixture {
    CoordinatorHandler internal handler;
    BatchHandler internal batches;
    AdminAndCodeHandler internal adminAndCode;
    bytes32 internal switchModel;

    function setUp() public override {
        super.setUp();
        // A model whose verifier its owner flips between accept-all and reject-all during the campaign.
        vm.prank(modelOwner);
        // No verifier behind it: it accepts or rejects as its owner sets it.
        SwitchableVerifier switchable = new SwitchableVerifier(IHalo2Verifier(address(0)));
        vm.prank(modelOwner);
        switchable.setMode(SwitchableVerifier.Mode.AcceptAll);
        vm.prank(modelOwner);
        switchModel = registry.registerModel("switchable", modelParams(address(switchable), 8, 1, 3));
        // Its batched verifier is the same switch: batches of it are accepted or rejected as its owner sets it.
        vm.prank(modelOwner);
        registry.registerBatchVerifier(switchModel, address(switchable), BATCH, bytes32(0));
        vm.warp(block.timestamp + 1);

        ToggleConsumer toggle = new ToggleConsumer(coordinator);
        CoordinatorHandler.Setup memory s;
        s.coordinator = coordinator;
        s.staking = staking;
        s.priceModel = priceModel;
        s.switchModel = switchModel;
        s.modelOwner = modelOwner;
        s.toggleConsumer = toggle;
        s.consumers = new address[](5); // a well-behaved consumer, then the malicious ones
        s.consumers[0] = address(new RecordingConsumer(coordinator));
        s.consumers[1] = address(new ReentrantConsumer(coordinator));
        s.consumers[2] = address(new GasBurnerConsumer(coordinator));
        s.consumers[3] = address(new HugeRevertConsumer(coordinator));
        s.consumers[4] = address(toggle);
        s.requesters = new address[](2);
        s.requesters[0] = requester;
        s.requesters[1] = stranger;
        s.relayers = new address[](2);
        s.relayers[0] = relayer;
        s.relayers[1] = relayer2;
        s.challengers = new address[](2);
        s.challengers[0] = challenger;
        s.challengers[1] = stranger;
        s.others = new address[](2);
        s.others[0] = treasury;
        s.others[1] = modelOwner;
        handler = new CoordinatorHandler(s);
        for (uint256 i; i < 3; ++i) {
            Sample memory sample = priceSample(i);
            handler.addSample(sample.input, tensor(sample.output), sample.proof);
        }
        batches = new BatchHandler(coordinator, priceModel, switchModel, s.requesters, s.relayers, s.consumers);
        for (uint256 i; i < 3; ++i) {
            BatchSample memory b = batchSample(i);
            batches.addSample(b.inputs, b.outputInstances, b.proof);
        }
        // Relayers also dispute: they need wallet funds, and enough stake for many open jobs of any security level.
        token.mint(relayer, 1_000_000e18);
        token.mint(relayer2, 1_000_000e18);
        token.mint(requester, 1_000_000e18);
        token.mint(stranger, 1_000_000e18);
        token.mint(challenger, 1_000_000e18);
        vm.prank(relayer);
        staking.stake(100_000e18);
        vm.prank(relayer2);
        staking.stake(100_000e18);
        targetContract(address(handler));
        targetContract(address(batches));
        address[] memory verifiers = new address[](2);
        verifiers[0] = registry.verifierOf(priceModel);
        verifiers[1] = address(switchable);
        adminAndCode = new AdminAndCodeHandler(coordinator, address(this), verifiers);
        targetContract(address(adminAndCode));
    }

    /// @dev A request seed whose deadline leaves a day beyond the delivery window (`seed >> 160`).
    function _seed(uint256 i) internal pure returns (uint256) {
        return i | (uint256(1 days) << 160);
    }

    /// @dev A request shape: the price model (or the switchable one), to the recording consumer (or none),
    /// no referrer, a cap at or above the fee, the protocol's job bond and challenge window.
    function _shape(bool onSwitch, bool toConsumer) internal pure returns (uint256) {
        return uint256(onSwitch ? 0 : 1) | (uint256(toConsumer ? 0 : 5) << 8) | (1 << 24);
    }

    /// @dev The handler's actions do reach the coordinator (a handler whose calls all revert would make the invariants vacuous).
    function test_handlerReachesEveryOutcome() public {
        handler.request(_seed(0), _shape(false, true), false, true); // zk, sample 0, to the consumer
        handler.claim(0);
        handler.fulfillZk(0);
        handler.request(_seed(1), _shape(false, false), true, true); // optimistic, sample 1
        handler.claim(1);
        handler.submitOptimistic(1, true); // wrong output
        handler.challenge(1);
        handler.proveFraud(1);
        handler.request(_seed(2), _shape(false, false), true, true); // optimistic, sample 2
        handler.claim(2);
        handler.submitOptimistic(2, false);
        handler.challenge(5);
        handler.defend(2);
        handler.request(_seed(3), _shape(false, false), true, false); // optimistic, random input
        handler.claim(3);
        handler.submitOptimistic(3, false);
        handler.finalize(3);
        handler.request(_seed(4), _shape(false, false), true, false);
        handler.claim(4);
        handler.submitOptimistic(4, true);
        handler.challenge(4); // by the relayer itself
        handler.timeoutAndReclaim(4); // timed out; not reclaimable in that block, nor by the slashed relayer
        handler.submitOptimistic(4, false); // the reclaimer answers
        handler.finalize(4);
        handler.request(_seed(0), _shape(false, false), false, true); // cached pair: answered at once, not stored
        handler.request(_seed(6), _shape(false, false), false, false); // index 5
        handler.raiseMaxComputeFee(5, 1e18);
        handler.cancel(5);
        handler.request(_seed(7), _shape(false, false), false, false); // index 6
        handler.claim(6);
        handler.reopenAndReclaim(6); // late: reopened by its claimant, reclaimed by the other relayer next block
        handler.expire(6); // the reclaimer is late too
        handler.request(_seed(8), _shape(true, false), false, false); // index 7: the switchable model, accepting all
        handler.claim(7);
        handler.fulfillZk(7); // a made-up output and a junk proof
        handler.flipVerifier(false);
        adminAndCode.setParams(8);
        handler.setModelFee(8, true);
        handler.request(_seed(9), 1 | (1 << 8) | (1 << 24), true, false); // index 8: to the re-entering consumer
        handler.claim(8);
        handler.submitOptimistic(8, false);
        handler.finalize(8);
        handler.request(_seed(10), 1 | (4 << 8) | (1 << 24), true, false); // index 9: to the toggle consumer, not ready
        handler.claim(9);
        handler.submitOptimistic(9, false);
        handler.finalize(9); // its callback fails
        assertTrue(stateOf(handler.trackedId(9)).callbackPending);
        handler.retryCallback(9, true); // retried with the output its RequestFulfilled carried
        assertFalse(stateOf(handler.trackedId(9)).callbackPending);
        uint256 slashedBefore = staking.relayerOf(relayer).jobsSlashed + staking.relayerOf(relayer2).jobsSlashed;
        handler.request(_seed(11), _shape(false, false), true, false); // index 10: optimistic, random input
        handler.claim(10);
        handler.submitOptimistic(10, true);
        handler.challenge(10);
        handler.request(_seed(12), _shape(false, false), false, false); // index 11: zk, random input
        handler.claim(11);
        adminAndCode.swapVerifierCode(0, true); // the price model's verifier code is replaced
        handler.resolveDisputeTimeout(10); // voided: nobody slashed, the challenger's bond back, refunded
        handler.reopen(11); // late, but its proof could not pass: reopened without a late slash
        adminAndCode.swapVerifierCode(0, false);
        handler.withdraw(0);
        handler.withdrawModelEarnings(false);
        handler.withdrawProtocolFees();
        for (uint256 i; i < handler.trackedCount(); ++i) {
            assertLe(handler.answers(handler.trackedId(i)), 1);
        }
        // Answered: zk, fraud-proven, defended, finalized, reclaimed and finalized, cached, made-up, re-entered,
        // retried.
        assertEq(handler.totalAnswers(), 9);
        assertEq(handler.trackedCount(), 12);
        assertEq(handler.reclaims(), 2);
        assertEq(handler.lateSlashes(), 2);
        // Nobody was slashed over the changed code: the voided dispute's relayer and the late claimant kept their stake.
        assertEq(staking.relayerOf(relayer).jobsSlashed + staking.relayerOf(relayer2).jobsSlashed, slashedBefore);
        assertEq(uint256(statusOf(handler.trackedId(10))), 6); // Refunded (voided dispute)
        assertEq(uint256(statusOf(handler.trackedId(11))), 1); // Open again (reopened with the code changed)
        assertEq(uint256(statusOf(handler.trackedId(5))), 6); // Refunded (cancelled)
        assertEq(uint256(statusOf(handler.trackedId(6))), 6); // Refunded (expired)
        invariant_tokenBalanceEqualsBalancesEscrowsAndBonds();
        invariant_lockedBondNeverExceedsStake();
        invariant_claimsAndSlashesFollowTheRules();
    }

    /// @dev The batch actions reach the batch fulfiller: real batches answered (one with its first request taken
    /// by the other relayer first), the switchable model's batches claimed and answered, late ones ended,
    /// optimistic answers posted together and finalized.
    function test_batchHandlerReachesEveryBatchOutcome() public {
        batches.requestAndAnswerRealBatch(0, false, 0); // a full batch of 8
        assertEq(batches.totalAnswers(), 8);
        batches.requestAndAnswerRealBatch(1, true, 0); // 4 requests: the first claimed by the other relayer, skipped
        assertEq(batches.totalAnswers(), 11);
        batches.requestSwitchable(_seed(30), 3);
        batches.claimBatch(0, 8); // the three switchable ones
        batches.fulfillSwitchableBatch(0, 8);
        assertEq(batches.totalAnswers(), 14);
        batches.requestAndAnswerRealBatch(2, false, 2_000); // too late: reopened or expired after
        batches.reopenOrExpire(batches.trackedCount() - 1);
        assertEq(batches.maxAnswers(), 1);
        // Optimistic answers: four requests claimed together, posted together (one misshapen, skipped), finalized.
        uint256 first = batches.trackedCount();
        batches.requestOptimistic(_seed(40), 4);
        batches.claimBatch(first, 8);
        batches.postOptimisticBatch(first, 8);
        uint256 pending;
        for (uint256 i = first; i < first + 4; ++i) {
            if (statusOf(batches.trackedId(i)) == IInferenceCoordinator.RequestStatus.Pending) ++pending;
        }
        assertEq(pending, first % 5 < 4 ? 3 : 4); // the misshapen one is the `seed % 5`th, if any
        for (uint256 i = first; i < first + 4; ++i) {
            // The first posted one alone (warping past its window), the others together.
            if (statusOf(batches.trackedId(i)) == IInferenceCoordinator.RequestStatus.Pending) {
                batches.finalizePosted(i);
                break;
            }
        }
        batches.finalizePostedBatch(first, 8);
        for (uint256 i = first; i < first + 4; ++i) {
            assertTrue(statusOf(batches.trackedId(i)) != IInferenceCoordinator.RequestStatus.Pending);
        }
        assertEq(batches.totalAnswers(), 14 + pending);
        invariant_tokenBalanceEqualsBalancesEscrowsAndBonds();
        invariant_lockedBondNeverExceedsStake();
    }

    /**
     * The coordinator's token balance equals the sum of withdrawable balances, open escrows and posted bonds:
     * every unit escrowed ends in exactly one balance.
     * hardhat-config: invariant.runs = 256
     * hardhat-config: invariant.depth = 64
     */
    function invariant_tokenBalanceEqualsBalancesEscrowsAndBonds() public view {
        uint256 owed =
            coordinator.modelEarnings(priceModel) + coordinator.modelEarnings(switchModel) + coordinator.protocolFees();
        for (uint256 i; i < handler.accountCount(); ++i) {
            owed += coordinator.balanceOf(handler.accounts(i));
        }
        for (uint256 i; i < handler.trackedCount(); ++i) {
            (uint256 escrow, uint256 bond) = handler.heldBy(i);
            owed += escrow + bond;
        }
        for (uint256 i; i < batches.trackedCount(); ++i) {
            owed += batches.heldBy(i);
        }
        assertEq(token.balanceOf(address(coordinator)), owed, "coordinator balance");
    }

    /**
     * No request is answered or settled twice.
     * hardhat-config: invariant.runs = 256
     * hardhat-config: invariant.depth = 64
     */
    function invariant_noRequestAnsweredOrSettledTwice() public view {
        assertLe(handler.maxAnswers(), 1);
        assertLe(handler.maxSettlements(), 1);
        assertLe(batches.maxAnswers(), 1);
    }

    /**
     * A relayer's locked bond never exceeds its stake, and equals the bonds of its open jobs.
     * hardhat-config: invariant.runs = 256
     * hardhat-config: invariant.depth = 64
     */
    function invariant_lockedBondNeverExceedsStake() public view {
        address[] memory relayers = handler.relayers();
        for (uint256 r; r < relayers.length; ++r) {
            IRelayerStaking.Relayer memory rec = staking.relayerOf(relayers[r]);
            assertLe(rec.locked, rec.stake);
            uint256 expected;
            for (uint256 i; i < handler.trackedCount(); ++i) {
                expected += handler.lockedFor(i, relayers[r]);
            }
            for (uint256 i; i < batches.trackedCount(); ++i) {
                expected += batches.lockedFor(i, relayers[r]);
            }
            assertEq(rec.locked, expected, "locked bonds");
        }
    }

    /**
     * Every claim left its claimant its whole delivery window; no reopened request was claimed in the block
     * it was reopened, or by the claimant that lost it; every late slash took the share locked in the terms,
     * after the claimant's whole window; every dispute slash took the job bond locked in the terms.
     * hardhat-config: invariant.runs = 256
     * hardhat-config: invariant.depth = 64
     */
    function invariant_claimsAndSlashesFollowTheRules() public view {
        assertEq(handler.violations(), 0, handler.lastViolation());
    }
}
