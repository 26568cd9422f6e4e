// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "./utils/HighwayFixture.sol";
import {CoordinatorHandler} from "./CoordinatorHandler.sol";
import {RecordingConsumer} from "./mocks/Consumers.sol";
import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";

/// @dev Invariants over random sequences of every coordinator action (see CoordinatorHandler).
contract InferenceCoordinatorInvariantsTest is HighwayFixture {
    CoordinatorHandler internal handler;

    function setUp() public override {
        super.setUp();
        RecordingConsumer consumer = new RecordingConsumer(coordinator);
        address[] memory requesters = new address[](2);
        requesters[0] = requester;
        requesters[1] = stranger;
        address[] memory relayers = new address[](2);
        relayers[0] = relayer;
        relayers[1] = relayer2;
        address[] memory challengers = new address[](2);
        challengers[0] = challenger;
        challengers[1] = stranger;
        address[] memory others = new address[](2);
        others[0] = treasury;
        others[1] = modelOwner;
        handler = new CoordinatorHandler(
            token, staking, coordinator, priceModel, address(consumer), modelOwner, requesters, relayers, challengers, others
        );
        for (uint256 i; i < 3; ++i) {
            Sample memory s = priceSample(i);
            handler.addSample(s.input, s.output, s.proof);
        }
        // Relayers also dispute: they need wallet funds, and enough stake for many open jobs.
        token.mint(relayer, 1_000_000e18);
        token.mint(relayer2, 1_000_000e18);
        token.mint(requester, 1_000_000e18);
        token.mint(stranger, 1_000_000e18);
        token.mint(challenger, 1_000_000e18);
        targetContract(address(handler));
    }

    /// @dev The handler's actions do reach the coordinator (a handler whose calls all revert would make the invariants vacuous).
    function test_handlerReachesEveryOutcome() public {
        handler.request(0, false, true, true); // zk, sample 0, to the consumer
        handler.claim(0);
        handler.fulfillZk(0);
        handler.request(1, true, true, false); // optimistic, sample 1
        handler.claim(1);
        handler.submitOptimistic(1, true); // wrong output
        handler.challenge(1);
        handler.proveFraud(1);
        handler.request(2, true, true, false); // optimistic, sample 2
        handler.claim(2);
        handler.submitOptimistic(2, false);
        handler.challenge(5);
        handler.defend(2);
        handler.request(3, true, false, false); // optimistic, random input
        handler.claim(3);
        handler.submitOptimistic(3, false);
        handler.finalize(3);
        handler.request(4, true, false, false);
        handler.claim(4);
        handler.submitOptimistic(4, true);
        handler.challenge(4);
        handler.resolveDisputeTimeout(4);
        handler.request(0, false, true, false); // cached pair: answered at once
        handler.request(6, false, false, false);
        handler.raiseMaxComputeFee(6, 1e18);
        handler.cancel(6);
        handler.request(7, false, false, false);
        handler.claim(7);
        handler.reopen(7);
        handler.expire(7);
        handler.withdraw(0);
        handler.withdrawModelEarnings();
        handler.withdrawProtocolFees();
        for (uint256 i; i < handler.trackedCount(); ++i) {
            assertLe(handler.answers(handler.trackedId(i)), 1);
        }
        // Answered: zk, fraud-proven, defended, finalized, cached.
        assertEq(handler.totalAnswers(), 5);
        assertEq(uint256(statusOf(handler.trackedId(7))), 6); // Refunded
        invariant_tokenBalanceEqualsBalancesEscrowsAndBonds();
        invariant_lockedBondNeverExceedsStake();
    }

    /**
     * The coordinator's token balance equals the sum of withdrawable balances, open escrows and posted bonds.
     * hardhat-config: invariant.runs = 256
     * hardhat-config: invariant.depth = 64
     */
    function invariant_tokenBalanceEqualsBalancesEscrowsAndBonds() public view {
        uint256 owed = coordinator.modelEarnings(priceModel) + coordinator.protocolFees();
        for (uint256 i; i < handler.accountCount(); ++i) {
            owed += coordinator.balanceOf(handler.accounts(i));
        }
        for (uint256 i; i < handler.trackedCount(); ++i) {
            (uint256 escrow, uint256 bond) = handler.heldBy(i);
            owed += escrow + bond;
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
            assertEq(rec.locked, expected, "locked bonds");
        }
    }
}
