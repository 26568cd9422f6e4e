// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {console} from "hardhat/console.sol";
import {Vm} from "../utils/Test.sol";
import {MoreCheatcodes} from "../utils/MoreCheatcodes.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {InferenceConsumer} from "../../InferenceConsumer.sol";
import {PoolTradingConsumer} from "../../../examples/contracts/PoolTradingConsumer.sol";
import {SignalVault} from "../../../examples/contracts/SignalVault.sol";
import {SignalVaultFixture} from "./SignalVault.t.sol";

/**
 * @dev Issue 10's findings against the example vault, each attack replayed on the real vault,
 * pool, coordinator and token: the fee front-run (M-2), the stuck refunds (M-3), results of
 * requests the vault did not make, and the sandwich of its answer (L-6).
 */
contract SignalVaultSecurityTest is SignalVaultFixture {
    // The cheatcode handle beside `vm`, named like it.
    // solhint-disable-next-line const-name-snakecase
    MoreCheatcodes internal constant cheats = MoreCheatcodes(address(vm));
    address internal attacker = address(0xA77AC);

    function setUp() public override {
        super.setUp();
        fundTrader(attacker);
    }

    // ================================================================== M-2

    /// @dev The front-run of issue 10 M-2: the model's owner raises the fee right before the vault's
    /// request. The old InferenceConsumer approved `quoteEscrow` in the same transaction, so the vault
    /// would have paid 992.25 of its 1,000 tokens for one signal. The vault's `maxModelFee` (10) caps
    /// the approval at the escrow at that fee, (10 + 5) * 1.05 = 15.75: the request reverts.
    function test_modelFeeFrontRunRevertsTheRequestAndCostsTheVaultNothing() public {
        choppyHistory();
        uint256 budget = token.balanceOf(address(vault));
        assertEq(budget, 1_000 * UNIT);
        vm.prank(modelOwner);
        registry.setFee(priceModel, 940e18);
        uint256 oldApproval = coordinator.quoteEscrow(priceModel, 5e18);
        assertEq(oldApproval, 992.25e18);
        assertTrue(oldApproval * 100 > budget * 99, "over 99% of the budget for one signal");

        vm.prank(keeper);
        vm.expectRevert();
        vault.requestSignal(ZK);
        assertEq(token.balanceOf(address(vault)), budget);
        assertEq(vault.latestRequestId(), 0);

        // The admin accepts a new fee knowingly, by raising the cap.
        SignalVault.Config memory c = defaultConfig();
        c.maxModelFee = 940e18;
        vault.setConfig(c);
        (, IInferenceCoordinator.RequestTerms memory terms) = request(ZK);
        assertEq(uint256(terms.modelFee), 940e18);
        assertEq(token.balanceOf(address(vault)), budget - escrowOf(terms));
        assertEq(token.allowance(address(vault), address(coordinator)), 0);
    }

    // ================================================================== M-3

    /// @dev Issue 10 M-3: an expired request's escrow is credited to the vault's pull balance in the
    /// coordinator, which the vault had no way to withdraw. Now anyone can bring it home.
    function test_expiredRequestIsRefundedAndTheVaultRecoversEveryUnit() public {
        choppyHistory();
        uint256 before = token.balanceOf(address(vault));
        (uint256 id, IInferenceCoordinator.RequestTerms memory terms) = request(ZK);
        uint256 escrow = escrowOf(terms);
        assertEq(escrow, 15.75e18);
        vm.warp(uint256(terms.deadline) + 1);
        vm.prank(stranger);
        coordinator.expire(id, terms);
        assertEq(coordinator.balanceOf(address(vault)), escrow);
        assertEq(token.balanceOf(address(vault)), before - escrow); // the old vault's loss: stuck for good

        vm.expectEmit(true, true, true, true, address(vault));
        emit PoolTradingConsumer.RefundsReclaimed(escrow);
        vm.prank(stranger); // anyone: it only moves the vault's own money home
        assertEq(vault.reclaimRefunds(), escrow);
        assertEq(token.balanceOf(address(vault)), before, "every unit");
        assertEq(coordinator.balanceOf(address(vault)), 0);
        assertEq(vault.reclaimRefunds(), 0); // nothing owed: no revert
    }

    /// @dev The unspent compute fee of an answered request, and a late claimant's slashed share,
    /// come back by themselves: `requestSignal` withdraws what the coordinator owes first.
    function test_unspentComputeFeesAndLateSlashesComeBackBeforeTheNextRequest() public {
        vault.setConfig(_withTtl(2 hours));
        choppyHistory();
        uint256 before = token.balanceOf(address(vault));

        // Answered optimistically, claimed at the auction's opening price (1 of the 5 escrowed).
        (uint256 first, IInferenceCoordinator.RequestTerms memory t1) = request(OPTIMISTIC);
        claimAs(relayer, first, t1);
        vm.prank(relayer);
        coordinator.submitOptimistic(first, t1, tensor(withOutput(0)));
        vm.warp(stateOf(first).phaseEndsAt);
        coordinator.finalize(first, t1, tensor(withOutput(0)));
        uint256 paid = 10e18 + 1e18 + ((10e18 + 1e18) * 500) / 10_000; // model fee, compute fee, protocol fee
        uint256 unspent = escrowOf(t1) - paid; // 4.2
        assertEq(coordinator.balanceOf(address(vault)), unspent);

        // The next request withdraws it first; this one's relayer claims and never answers.
        vm.expectEmit(true, true, true, true, address(vault));
        emit PoolTradingConsumer.RefundsReclaimed(unspent);
        (uint256 second, IInferenceCoordinator.RequestTerms memory t2) = request(ZK);
        assertEq(coordinator.balanceOf(address(vault)), 0);
        claimAs(relayer, second, t2);
        vm.warp(uint256(t2.deadline) + 1);
        coordinator.expire(second, t2);
        uint256 lateSlash = (uint256(JOB_BOND) * defaultParams().lateSlashBps) / 10_000; // 20 of the 100 bonded
        assertEq(coordinator.balanceOf(address(vault)), escrowOf(t2) + lateSlash);

        assertEq(vault.reclaimRefunds(), escrowOf(t2) + lateSlash);
        assertEq(token.balanceOf(address(vault)), before - paid + lateSlash);
    }

    // ================================================================== results the vault did not ask for

    /// @dev A real request, answered with a real proof, naming the vault as its consumer but made
    /// (and paid for, on an input of the requester's choosing) by someone else. With a threshold of
    /// 0 any signal would trade: the vault must not act on it.
    function test_aRealResultOfSomeoneElsesRequestNamingTheVaultIsIgnored() public {
        SignalVault.Config memory c = defaultConfig();
        c.signalThreshold = 0;
        vault.setConfig(c);
        choppyHistory();
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        (uint256 id, IInferenceCoordinator.RequestTerms memory t, Sample memory s) = requestPrice(
            1,
            ZK,
            address(vault)
        );
        assertEq(t.consumer, address(vault));
        assertTrue(s.output[0] != 0, "a signal that would trade");
        claimAs(relayer, id, t);
        vm.expectEmit(true, true, true, true, address(vault));
        emit InferenceConsumer.UnrequestedResultIgnored(id);
        fulfillAs(relayer, id, t, s);
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
        assertFalse(stateOf(id).callbackPending); // ignored, not refused: nothing to retry
    }

    // ================================================================== L-6: the sandwich

    struct Sandwich {
        uint256 fairPrice; // the pool's price, held for the whole TWAP window before the request
        uint256 spotAtRequest; // what the old vault read as its reference, inside the attacker's sandwich
        uint256 twap; // what the vault bounds by now
        uint256 amountIn; // the vault's stable sold
        uint256 fairOut; // its worth in volatile at the TWAP
        uint256 oldMinOut; // the old bound: at the request-time spot, less 1%
        uint256 newMinOut; // the bound now: at the TWAP, less 1%
        uint256 oldPush; // the attacker's largest push the old bound lets through
        uint256 newPush; // ... and the one the new bound lets through
        uint256 oldOut; // what the vault got under the old bound
        uint256 newOut; // what it gets now
    }

    /**
     * @dev Issue 10 L-6, replayed. The attacker (1) sandwiches the keeper's `requestSignal`, pushing
     * the volatile token up ~22% and back, so the old vault's reference, the spot price read at
     * request time, is inflated; then (2) sandwiches the final answer: it pushes the price up right
     * before `finalize` (which it calls itself) and sells back after. Its best push is the largest
     * the vault's minimum output lets through. The old bound (request-time spot less 1%) lets the
     * vault buy ~18% below fair value; the new bound (the pool's TWAP over the 5 minutes before the
     * answer's block, less 1%) keeps the loss within 1%, and the old attack's push now makes the swap
     * fail, losing the vault nothing.
     */
    function test_sandwichedAnswerCannotPushTheSwapBeyondTheTwapBound() public {
        vault.setConfig(_withTtl(2 hours)); // the optimistic answer is final after the 1 h challenge window
        choppyHistory();
        Sandwich memory w;
        w.fairPrice = pool.spotPrice(volatile);

        // (1) the request, sandwiched
        uint256 bought = _buyVolatile(2_200_000e18);
        w.spotAtRequest = pool.spotPrice(volatile);
        (uint256 id, IInferenceCoordinator.RequestTerms memory terms) = request(OPTIMISTIC);
        _sellVolatile(bought);
        assertTrue(w.spotAtRequest * 100 > w.fairPrice * 120, "the old reference was inflated by over 20%");

        // The answer: buy the volatile token. Final after the challenge window.
        claimAs(relayer, id, terms);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, terms, tensor(withOutput(THRESHOLD * 3)));
        vm.warp(stateOf(id).phaseEndsAt);

        (w.twap, ) = vault.twapPrice();
        // The request's sandwich lasted no time: it does not weigh in the average (the fees of its
        // round trip left the pool a little richer in stable: the price since is ~0.07% higher).
        assertTrue(_diff(w.twap, w.fairPrice) * 1_000 < w.fairPrice, "TWAP within 0.1% of the fair price");
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        w.amountIn = (stableBefore * REBALANCE_BPS) / 10_000;
        w.fairOut = Math.mulDiv(w.amountIn, 1e18, w.twap);
        w.newMinOut = Math.mulDiv(w.fairOut, 10_000 - SLIPPAGE_BPS, 10_000, Math.Rounding.Ceil);
        w.oldMinOut = Math.mulDiv(
            Math.mulDiv(w.amountIn, 1e18, w.spotAtRequest),
            10_000 - SLIPPAGE_BPS,
            10_000,
            Math.Rounding.Ceil
        );
        w.oldPush = _largestPush(w.amountIn, w.oldMinOut);
        w.newPush = _largestPush(w.amountIn, w.newMinOut);

        // (2a) the old behaviour, replayed in a snapshot: after the attacker's push, the vault's swap
        // with the old minimum output (exactly what the old `_rebalance` sent to the pool).
        uint256 snapshot = cheats.snapshotState();
        _buyVolatile(w.oldPush);
        vm.startPrank(address(vault));
        stable.approve(address(pool), w.amountIn);
        w.oldOut = pool.swapExactIn(stable, w.amountIn, w.oldMinOut, address(vault));
        vm.stopPrank();
        cheats.revertToState(snapshot);

        // (2b) the same push against the vault now: the swap fails, the vault keeps its balances.
        snapshot = cheats.snapshotState();
        _buyVolatile(w.oldPush);
        vm.recordLogs();
        coordinator.finalize(id, terms, tensor(withOutput(THRESHOLD * 3)));
        assertTrue(_emitted(vm.getRecordedLogs(), SignalVault.RebalanceFailed.selector), "RebalanceFailed");
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
        cheats.revertToState(snapshot);

        // (2c) the attacker's best against the vault now: the largest push the TWAP bound lets through.
        _buyVolatile(w.newPush);
        vm.prank(attacker);
        coordinator.finalize(id, terms, tensor(withOutput(THRESHOLD * 3)));
        (, volatileAfter) = balances();
        w.newOut = volatileAfter - volatileBefore;

        uint256 oldLoss = w.fairOut - w.oldOut;
        uint256 newLoss = w.fairOut - w.newOut;
        console.log("fair price %d, spot read at request %d, TWAP %d", w.fairPrice, w.spotAtRequest, w.twap);
        console.log("vault sells %d stable, worth %d volatile at the TWAP", w.amountIn, w.fairOut);
        console.log("old bound: push %d stable, vault gets %d, loses %d", w.oldPush, w.oldOut, oldLoss);
        console.log("new bound: push %d stable, vault gets %d, loses %d", w.newPush, w.newOut, newLoss);
        assertGe(w.newOut, w.newMinOut);
        assertTrue(newLoss <= (w.fairOut * SLIPPAGE_BPS) / 10_000, "the loss stays within the TWAP bound");
        assertTrue(oldLoss * 100 > w.fairOut * 15, "the old bound let the vault lose over 15%");
        assertGt(oldLoss, 10 * newLoss);
        assertLt(w.newPush, w.oldPush / 10);
    }

    function test_twapIsThePoolsTimeWeightedAveragePrice() public {
        choppyHistory(); // the price then held for TWAP_WINDOW seconds since the last observation
        uint256 p0 = pool.spotPrice(volatile);
        (uint256 twap, uint256 window) = vault.twapPrice();
        assertEq(twap, p0);
        assertEq(window, TWAP_WINDOW);
        // A trade, then 100 s at its price: the newest observation 300 s old is 400 s back.
        _buyVolatile(500_000e18);
        uint256 p1 = pool.spotPrice(volatile);
        vm.warp(block.timestamp + 100);
        (twap, window) = vault.twapPrice();
        assertEq(window, TWAP_WINDOW + 100);
        assertLe(_diff(twap, (p0 * 300 + p1 * 100) / 400), 1);
        // Pushing the price in this block changes nothing.
        _buyVolatile(5_000_000e18);
        (uint256 again, ) = vault.twapPrice();
        assertEq(again, twap);
    }

    function test_noObservationOldEnoughFailsTheSwapWithoutReverting() public {
        choppyHistory(); // 9 observations over 480 s, the last one 300 s ago
        (uint256 id, ) = request(ZK);
        SignalVault.Config memory c = defaultConfig();
        c.minObservationInterval = 120;
        c.twapWindow = 900; // older than the oldest observation (780 s)
        vault.setConfig(c);
        vm.expectRevert(PoolTradingConsumer.TwapUnavailable.selector);
        vault.twapPrice();
        (uint256 stableBefore, ) = balances();
        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.RebalanceFailed(
            id,
            THRESHOLD * 3,
            stable,
            (stableBefore * REBALANCE_BPS) / 10_000,
            abi.encodeWithSelector(PoolTradingConsumer.TwapUnavailable.selector)
        );
        answer(id, THRESHOLD * 3);
    }

    // ------------------------------------------------------------------ helpers

    function _buyVolatile(uint256 stableIn) internal returns (uint256 out) {
        if (stableIn == 0) return 0;
        vm.prank(attacker);
        out = pool.swapExactIn(stable, stableIn, 0, attacker);
    }

    function _sellVolatile(uint256 volatileIn) internal returns (uint256 out) {
        vm.prank(attacker);
        out = pool.swapExactIn(volatile, volatileIn, 0, attacker);
    }

    /// @dev The pool's own formula (ConstantProductPool._amountOut, fee 30 bps).
    function _amountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) internal pure returns (uint256) {
        uint256 afterFee = amountIn * 9_970;
        return Math.mulDiv(afterFee, reserveOut, reserveIn * 10_000 + afterFee);
    }

    /// @dev What the vault's swap of `amountIn` stable pays after the attacker buys with `push` stable.
    function _vaultOutAfterPush(uint256 push, uint256 amountIn) internal view returns (uint256) {
        (uint256 r0, uint256 r1) = (pool.reserve0(), pool.reserve1()); // volatile, stable
        uint256 taken = push == 0 ? 0 : _amountOut(push, r1, r0);
        return _amountOut(amountIn, r1 + push, r0 - taken);
    }

    /// @dev The largest push after which the vault's swap still pays at least `minOut` (0 if none).
    function _largestPush(uint256 amountIn, uint256 minOut) internal view returns (uint256 lo) {
        if (_vaultOutAfterPush(0, amountIn) < minOut) return 0;
        uint256 hi = 100_000_000e18;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (_vaultOutAfterPush(mid, amountIn) >= minOut) lo = mid;
            else hi = mid - 1;
        }
    }

    function _emitted(Vm.Log[] memory logs, bytes32 topic) internal view returns (bool) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(vault) && logs[i].topics[0] == topic) return true;
        }
        return false;
    }

    function _diff(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : b - a;
    }
}
