// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Vm} from "../utils/Test.sol";
import {PoolTradingFixture} from "./utils/PoolTradingFixture.sol";
import {IInferenceCoordinator} from "../../interfaces/IInferenceCoordinator.sol";
import {InferenceConsumer} from "../../InferenceConsumer.sol";
import {ConstantProductPool} from "../../../examples/contracts/ConstantProductPool.sol";
import {PoolTradingConsumer} from "../../../examples/contracts/PoolTradingConsumer.sol";
import {SignalVault} from "../../../examples/contracts/SignalVault.sol";
import {SignalMath} from "../../../examples/contracts/libraries/SignalMath.sol";
import {IHighwayErrors} from "../../interfaces/IHighwayErrors.sol";

/// @dev The vault against the real coordinator (requests escrow for real), in `PoolTradingFixture`'s
/// market; callbacks come either through the coordinator's optimistic path or straight from the
/// coordinator's address (the vault requested them: `InferenceConsumer` takes results only of its own
/// requests). Shared by the attack replays of SignalVaultSecurity.t.sol.
abstract contract SignalVaultFixture is PoolTradingFixture {
    int256 internal constant THRESHOLD = 838_861; // 0.05 at scale 24
    uint16 internal constant REBALANCE_BPS = 2_000;
    uint16 internal constant SLIPPAGE_BPS = 100;
    uint32 internal constant TTL = 600;
    uint32 internal constant TWAP_WINDOW = 300;
    IInferenceCoordinator.ProofMode internal constant ZK = IInferenceCoordinator.ProofMode.Zk;
    IInferenceCoordinator.ProofMode internal constant OPTIMISTIC = IInferenceCoordinator.ProofMode.Optimistic;

    SignalVault internal vault;

    function setUp() public virtual override {
        super.setUp();
        vault = new SignalVault(coordinator, priceModel, token, pool, true, defaultConfig(), address(this));
        fundConsumer(vault);
    }

    function defaultConfig() internal pure returns (SignalVault.Config memory) {
        return
            SignalVault.Config({
                signalThreshold: THRESHOLD,
                rebalanceBps: REBALANCE_BPS,
                maxSlippageBps: SLIPPAGE_BPS,
                minObservationInterval: 60,
                twapWindow: TWAP_WINDOW,
                requestTtl: TTL,
                callbackGasLimit: 400_000,
                startComputeFee: 1e18,
                maxComputeFee: 5e18,
                maxModelFee: MODEL_FEE
            });
    }

    /// @dev Nine observations a minute apart, the trader pushing the price by `moves` (stable in if > 0).
    function buildHistory(int256[8] memory moves) internal {
        vm.prank(keeper);
        vault.poke();
        for (uint256 i; i < 8; ++i) {
            vm.warp(block.timestamp + 60);
            vm.startPrank(trader);
            if (moves[i] > 0) pool.swapExactIn(stable, uint256(moves[i]), 0, trader);
            else pool.swapExactIn(volatile, uint256(-moves[i]), 0, trader);
            vm.stopPrank();
            vm.prank(keeper);
            vault.poke();
        }
    }

    /// @dev A choppy history, then a TWAP window with no trade: the pool's average price is its spot price.
    function choppyHistory() internal {
        buildHistory([int256(200_000e18), -50e18, 300_000e18, -120e18, 80_000e18, 150_000e18, -40e18, 100_000e18]);
        vm.warp(block.timestamp + TWAP_WINDOW);
    }

    function request(
        IInferenceCoordinator.ProofMode mode
    ) internal returns (uint256 id, IInferenceCoordinator.RequestTerms memory terms) {
        vm.recordLogs();
        vm.prank(keeper);
        id = vault.requestSignal(mode);
        terms = termsFromLogs();
    }

    function answer(uint256 id, int256 signal) internal {
        deliver(id, tensor(withOutput(signal)));
    }

    function _withTtl(uint32 ttl) internal pure returns (SignalVault.Config memory c) {
        c = defaultConfig();
        c.requestTtl = ttl;
    }
}

contract SignalVaultTest is SignalVaultFixture {
    // ------------------------------------------------------------------ requests

    function test_requestSendsTheOnChainNormalizedReturnsAndPaysFromTheVault() public {
        choppyHistory();
        int256[] memory expected = SignalMath.normalizedReturns(vault.priceHistory());
        uint256 paymentBefore = token.balanceOf(address(vault));
        (uint256 id, IInferenceCoordinator.RequestTerms memory terms) = request(ZK);

        assertEq(terms.inputHash, keccak256(tensor(expected)));
        assertEq(terms.consumer, address(vault));
        assertEq(terms.requester, address(vault));
        assertEq(uint256(terms.deadline), block.timestamp + TTL);
        assertEq(paymentBefore - token.balanceOf(address(vault)), escrowOf(terms));
        assertEq(token.allowance(address(vault), address(coordinator)), 0);
        (uint40 deadline, bool open) = vault.requests(id);
        assertTrue(open);
        assertTrue(vault.isPendingRequest(id));
        assertEq(uint256(deadline), block.timestamp + TTL);
        for (uint256 i; i < expected.length; ++i) {
            assertTrue(expected[i] != 0, "every return moved");
            assertLe(uint256(expected[i] < 0 ? -expected[i] : expected[i]), 2_048);
        }
        // Price went up on the stable buys: the first return is positive, the second negative.
        assertTrue(expected[0] > 0 && expected[1] < 0, "signs follow the trades");
    }

    function test_onlyKeepersPokeAndRequest() public {
        bytes32 role = vault.KEEPER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
        vault.poke();
        choppyHistory();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role)
        );
        vault.requestSignal(ZK);
    }

    function test_requestNeedsNineObservationsSpacedByTheInterval() public {
        vm.prank(keeper);
        vault.poke();
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(SignalVault.ObservationTooSoon.selector, block.timestamp + 60));
        vault.poke();
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(SignalVault.HistoryTooShort.selector, 1, 9));
        vault.requestSignal(ZK);
    }

    function test_oneRequestInFlightUntilAnsweredOrPastItsDeadline() public {
        choppyHistory();
        (uint256 first, ) = request(OPTIMISTIC);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(SignalVault.RequestInFlight.selector, first, block.timestamp + TTL));
        vault.requestSignal(ZK);

        vm.warp(block.timestamp + TTL + 1);
        (uint256 second, ) = request(ZK);
        answer(second, 0);
        (uint256 third, ) = request(ZK);
        // Request ids are hashes of their terms: a new request has a new id, in no particular order.
        assertTrue(third != second && third != first, "a new request after an answer");
    }

    // ------------------------------------------------------------------ decisions

    function test_positiveSignalAboveThresholdBuysTheVolatileToken() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        uint256 amountIn = (stableBefore * REBALANCE_BPS) / 10_000;
        uint256 quote = pool.getAmountOut(stable, amountIn);

        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.Rebalanced(id, THRESHOLD + 1, stable, amountIn, quote);
        answer(id, THRESHOLD + 1);

        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore - amountIn);
        assertEq(volatileAfter, volatileBefore + quote);
        assertEq(stable.allowance(address(vault), address(pool)), 0);
    }

    function test_negativeSignalBelowMinusThresholdSellsTheVolatileToken() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        uint256 amountIn = (volatileBefore * REBALANCE_BPS) / 10_000;
        uint256 quote = pool.getAmountOut(volatile, amountIn);

        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.Rebalanced(id, -THRESHOLD - 1, volatile, amountIn, quote);
        answer(id, -THRESHOLD - 1);

        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(volatileAfter, volatileBefore - amountIn);
        assertEq(stableAfter, stableBefore + quote);
    }

    function test_signalWithinTheThresholdHolds() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.SignalHeld(id, THRESHOLD); // the threshold itself holds
        answer(id, THRESHOLD);
        (id, ) = request(ZK);
        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.SignalHeld(id, -THRESHOLD);
        answer(id, -THRESHOLD);
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
    }

    function testFuzz_decisionFollowsTheSignal(int256 signal) public {
        signal = bound(signal, -100 * THRESHOLD, 100 * THRESHOLD);
        choppyHistory();
        (uint256 id, ) = request(ZK);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        answer(id, signal);
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        if (signal > THRESHOLD) {
            assertTrue(stableAfter < stableBefore && volatileAfter > volatileBefore, "bought volatile");
        } else if (signal < -THRESHOLD) {
            assertTrue(stableAfter > stableBefore && volatileAfter < volatileBefore, "sold volatile");
        } else {
            assertTrue(stableAfter == stableBefore && volatileAfter == volatileBefore, "held");
        }
    }

    function test_resultPastItsDeadlineIsIgnored() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        vm.warp(block.timestamp + TTL + 1);
        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.SignalIgnored(id, SignalVault.IgnoreReason.Stale);
        answer(id, THRESHOLD * 10);
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
        (, bool open) = vault.requests(id);
        assertFalse(open);
    }

    function test_resultAtItsDeadlineStillCounts() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        vm.warp(block.timestamp + TTL);
        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.SignalHeld(id, 0);
        answer(id, 0);
    }

    function test_secondCallbackForTheSameRequestAndUnknownIdsAreIgnored() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        answer(id, THRESHOLD + 1);
        assertFalse(vault.isPendingRequest(id));
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        // InferenceConsumer stops them before the vault's own bookkeeping would.
        vm.expectEmit(true, true, true, true, address(vault));
        emit InferenceConsumer.UnrequestedResultIgnored(id);
        answer(id, THRESHOLD + 1);
        vm.expectEmit(true, true, true, true, address(vault));
        emit InferenceConsumer.UnrequestedResultIgnored(id + 100);
        answer(id + 100, THRESHOLD + 1);
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
    }

    function test_malformedOutputIsIgnored() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.SignalIgnored(id, SignalVault.IgnoreReason.MalformedOutput);
        deliver(id, tensor(new int256[](2)));
    }

    function test_onlyTheCoordinatorCallsBack() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IHighwayErrors.OnlyCoordinator.selector, stranger));
        vault.onInferenceResult(id, tensor(withOutput(THRESHOLD * 10)));
        (, bool open) = vault.requests(id);
        assertTrue(open);
    }

    function test_swapBeyondTheSlippageBoundFailsWithoutReverting() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        // The volatile token jumps ~20% in the answer's block: buying it now would pay far less
        // than the pool's average price allows, so the swap must not happen.
        vm.prank(trader);
        pool.swapExactIn(stable, 2_000_000e18, 0, trader);
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        uint256 amountIn = (stableBefore * REBALANCE_BPS) / 10_000;

        vm.recordLogs();
        answer(id, THRESHOLD * 10); // does not revert
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
        assertEq(stable.allowance(address(vault), address(pool)), 0);

        bytes memory reason = failedReason(id, amountIn);
        assertEq(bytes4(reason), ConstantProductPool.InsufficientOutput.selector);
    }

    function test_emptySideFailsWithoutReverting() public {
        choppyHistory();
        (uint256 id, ) = request(ZK);
        vault.withdraw(volatile, address(this), volatile.balanceOf(address(vault)));
        vm.recordLogs();
        answer(id, -THRESHOLD * 10);
        assertEq(bytes4(failedReason(id, 0)), ConstantProductPool.ZeroAmount.selector);
    }

    function failedReason(uint256 id, uint256 amountIn) internal returns (bytes memory reason) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(vault) && logs[i].topics[0] == SignalVault.RebalanceFailed.selector) {
                assertEq(uint256(logs[i].topics[1]), id);
                uint256 loggedAmount;
                (, loggedAmount, reason) = abi.decode(logs[i].data, (int256, uint256, bytes));
                assertEq(loggedAmount, amountIn);
                return reason;
            }
        }
        fail("no RebalanceFailed");
    }

    // ------------------------------------------------------------------ through the coordinator

    function test_optimisticAnswerFinalizedAfterTheDeadlineIsIgnored() public {
        // The fixture's challenge window (1 h) outlasts the vault's TTL (10 min): by the time the
        // answer is final, the price it was about is old, and the vault must not trade on it.
        choppyHistory();
        (uint256 id, IInferenceCoordinator.RequestTerms memory terms) = request(OPTIMISTIC);
        claimAs(relayer, id, terms);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, terms, tensor(withOutput(THRESHOLD * 3)));
        (uint256 stableBefore, uint256 volatileBefore) = balances();
        vm.warp(stateOf(id).phaseEndsAt);
        assertGt(block.timestamp, terms.deadline);
        vm.expectEmit(true, true, true, true, address(vault));
        emit SignalVault.SignalIgnored(id, SignalVault.IgnoreReason.Stale);
        coordinator.finalize(id, terms, tensor(withOutput(THRESHOLD * 3)));
        (uint256 stableAfter, uint256 volatileAfter) = balances();
        assertEq(stableAfter, stableBefore);
        assertEq(volatileAfter, volatileBefore);
        assertEq(uint8(statusOf(id)), uint8(IInferenceCoordinator.RequestStatus.Fulfilled));
    }

    function test_optimisticAnswerWithinTheDeadlineRebalancesThroughTheCoordinator() public {
        vault.setConfig(_withTtl(2 hours));
        choppyHistory();
        (uint256 id, IInferenceCoordinator.RequestTerms memory terms) = request(OPTIMISTIC);
        claimAs(relayer, id, terms);
        vm.prank(relayer);
        coordinator.submitOptimistic(id, terms, tensor(withOutput(-THRESHOLD * 3)));
        (, uint256 volatileBefore) = balances();
        vm.warp(stateOf(id).phaseEndsAt);
        vm.expectEmit(true, true, true, false, address(vault));
        emit SignalVault.Rebalanced(id, -THRESHOLD * 3, volatile, (volatileBefore * REBALANCE_BPS) / 10_000, 0);
        coordinator.finalize(id, terms, tensor(withOutput(-THRESHOLD * 3)));
        (, uint256 volatileAfter) = balances();
        assertEq(volatileAfter, volatileBefore - (volatileBefore * REBALANCE_BPS) / 10_000);
    }

    // ------------------------------------------------------------------ admin

    function test_configIsBoundedAndAdminOnly() public {
        SignalVault.Config memory c = defaultConfig();
        c.rebalanceBps = 5_001;
        vm.expectRevert(PoolTradingConsumer.InvalidConfig.selector);
        vault.setConfig(c);
        c = defaultConfig();
        c.signalThreshold = -1;
        vm.expectRevert(PoolTradingConsumer.InvalidConfig.selector);
        vault.setConfig(c);
        c = defaultConfig();
        c.twapWindow = 0; // no window: the spot price
        vm.expectRevert(PoolTradingConsumer.InvalidConfig.selector);
        vault.setConfig(c);
        c.twapWindow = 8 * 60 + 1; // longer than 9 observations a minute apart are sure to span
        vm.expectRevert(PoolTradingConsumer.InvalidConfig.selector);
        vault.setConfig(c);
        c.twapWindow = 8 * 60;
        vault.setConfig(c);
        vm.prank(keeper);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, keeper, bytes32(0))
        );
        vault.setConfig(defaultConfig());
    }

    function test_aPriceThatRoundsToZeroIsRefusedAtRequestTime() public {
        // 1 wei of stable against 2 volatile: the volatile token's price rounds to 0 at 18 decimals.
        ConstantProductPool degenerate = new ConstantProductPool(volatile, stable, 30, address(this));
        volatile.approve(address(degenerate), 2e18);
        stable.approve(address(degenerate), 1);
        volatile.mint(address(this), 2e18);
        stable.mint(address(this), 1);
        degenerate.addLiquidity(2e18, 1);
        SignalVault other = new SignalVault(
            coordinator,
            priceModel,
            token,
            degenerate,
            true,
            defaultConfig(),
            address(this)
        );
        token.mint(address(other), 100 * UNIT);
        for (uint256 i; i < 9; ++i) {
            vm.warp(block.timestamp + 60);
            other.poke();
        }
        vm.expectRevert(SignalMath.ZeroPrice.selector);
        other.requestSignal(ZK);
    }

    function test_paymentTokenMustNotBeAPoolToken() public {
        vm.expectRevert(PoolTradingConsumer.InvalidTokens.selector);
        new SignalVault(coordinator, priceModel, IERC20(stable), pool, true, defaultConfig(), address(this));
    }
}
