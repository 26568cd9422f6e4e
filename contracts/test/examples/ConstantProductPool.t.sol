// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ConstantProductPool} from "../../../examples/contracts/ConstantProductPool.sol";
import {DemoToken} from "../../../examples/contracts/DemoToken.sol";
import {PoolMarketFixture} from "./utils/PoolMarketFixture.sol";

contract ConstantProductPoolTest is PoolMarketFixture {
    function setUp() public {
        openMarket(1_000e18); // 2000 USD per VOL
    }

    function test_spotPriceIsTheReserveRatio() public view {
        assertEq(pool.spotPrice(volatile), 2_000e18);
        assertEq(pool.spotPrice(stable), 1e18 / uint256(2_000));
    }

    function test_swapPaysTheConstantProductQuoteLessTheFee() public {
        uint256 amountIn = 10_000e18;
        // 10k USD * 0.997 into 2M USD / 1000 VOL: out = 1000 * 9970 / (2_000_000 + 9970) VOL, rounded down.
        uint256 expected = (1_000e18 * ((amountIn * 9_970) / 10_000)) / (2_000_000e18 + (amountIn * 9_970) / 10_000);
        vm.prank(trader);
        uint256 out = pool.swapExactIn(stable, amountIn, 0, trader);
        assertEq(out, expected);
        assertEq(pool.reserve0(), 1_000e18 - out);
        assertEq(pool.reserve1(), 2_000_000e18 + amountIn);
        assertEq(volatile.balanceOf(address(pool)), pool.reserve0());
        assertEq(stable.balanceOf(address(pool)), pool.reserve1());
    }

    function test_revertsBelowMinimumOutput() public {
        uint256 quote = pool.getAmountOut(stable, 1_000e18);
        vm.prank(trader);
        vm.expectRevert(abi.encodeWithSelector(ConstantProductPool.InsufficientOutput.selector, quote, quote + 1));
        pool.swapExactIn(stable, 1_000e18, quote + 1, trader);
    }

    function test_revertsOnDustThatBuysNothing() public {
        vm.prank(trader);
        vm.expectRevert(abi.encodeWithSelector(ConstantProductPool.InsufficientOutput.selector, 0, 0));
        pool.swapExactIn(stable, 1, 0, trader);
    }

    function test_revertsOnUnknownTokenAndZeroAmount() public {
        DemoToken other = new DemoToken("Other", "OTH", address(this));
        vm.expectRevert(abi.encodeWithSelector(ConstantProductPool.UnknownToken.selector, address(other)));
        pool.swapExactIn(other, 1e18, 0, trader);
        vm.expectRevert(ConstantProductPool.ZeroAmount.selector);
        pool.swapExactIn(stable, 0, 0, trader);
    }

    function test_constructorChecks() public {
        vm.expectRevert(ConstantProductPool.InvalidTokens.selector);
        new ConstantProductPool(stable, stable, FEE_BPS, address(this));
        vm.expectRevert(abi.encodeWithSelector(ConstantProductPool.FeeTooHigh.selector, 1_001));
        new ConstantProductPool(stable, volatile, 1_001, address(this));
    }

    function test_onlyOwnerManagesLiquidityAndItCannotEmptyASide() public {
        vm.prank(trader);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, trader));
        pool.addLiquidity(1e18, 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(ConstantProductPool.InsufficientReserves.selector, 1_000e18, 2_000_000e18)
        );
        pool.removeLiquidity(1_000e18, 0, address(this));
        vm.expectRevert(ConstantProductPool.ZeroAmount.selector);
        pool.removeLiquidity(0, 0, address(this));
        pool.removeLiquidity(500e18, 1_000_000e18, trader);
        assertEq(pool.reserve0(), 500e18);
        assertEq(pool.reserve1(), 1_000_000e18);
    }

    function test_swapOnEmptyPoolReverts() public {
        ConstantProductPool empty = new ConstantProductPool(volatile, stable, FEE_BPS, address(this));
        vm.expectRevert(ConstantProductPool.NoLiquidity.selector);
        empty.swapExactIn(stable, 1e18, 0, trader);
        vm.expectRevert(ConstantProductPool.NoLiquidity.selector);
        empty.spotPrice(stable);
    }

    /// forge-config: default.fuzz.runs = 512
    function testFuzz_swapKeepsInvariants(uint256 amountIn, bool stableIn) public {
        IERC20 tokenIn = stableIn ? IERC20(stable) : IERC20(volatile);
        amountIn = bound(amountIn, 1, 1e27);
        (uint256 r0, uint256 r1) = (pool.reserve0(), pool.reserve1());
        uint256 reserveOut = stableIn ? r0 : r1;
        uint256 quote = pool.getAmountOut(tokenIn, amountIn);
        vm.assume(quote > 0);

        vm.prank(trader);
        uint256 out = pool.swapExactIn(tokenIn, amountIn, quote, trader);

        assertEq(out, quote, "pays the quote");
        assertLt(out, reserveOut); // never drains the output side
        uint256 kBefore = r0 * r1;
        uint256 kAfter = pool.reserve0() * pool.reserve1();
        assertGe(kAfter, kBefore); // k never decreases
        // Fee applied: k holds even counting only the input after the fee, so the fee stays in the pool.
        uint256 reserveIn = stableIn ? r1 : r0;
        assertGe(
            (reserveIn * 10_000 + amountIn * (10_000 - FEE_BPS)) * (reserveOut - out),
            reserveIn * 10_000 * reserveOut
        );
        // And a fee-free pool would pay at least as much for the same input.
        uint256 feeFree = (reserveOut * amountIn) / (reserveIn + amountIn);
        assertLe(out, feeFree);
        assertEq(volatile.balanceOf(address(pool)), pool.reserve0());
        assertEq(stable.balanceOf(address(pool)), pool.reserve1());
    }

    /// forge-config: default.fuzz.runs = 256
    function testFuzz_roundTripNeverProfits(uint256 amountIn) public {
        amountIn = bound(amountIn, 1e6, 1e24);
        vm.startPrank(trader);
        uint256 bought = pool.swapExactIn(stable, amountIn, 0, trader);
        uint256 back = pool.swapExactIn(volatile, bought, 0, trader);
        vm.stopPrank();
        assertLt(back, amountIn);
    }

    // ------------------------------------------------------------------ price accumulators

    function test_cumulativePriceAddsEachPriceTimesTheSecondsItHeld() public {
        uint256 t0 = block.timestamp;
        uint256 c0 = pool.cumulativePrice(volatile);
        uint256 s0 = pool.cumulativePrice(stable);
        vm.warp(t0 + 100);
        // 100 s at 2000 USD per VOL (and 0.0005 VOL per USD).
        assertEq(pool.cumulativePrice(volatile) - c0, 2_000e18 * 100);
        assertEq(pool.cumulativePrice(stable) - s0, (1e18 / uint256(2_000)) * 100);
        vm.prank(trader);
        pool.swapExactIn(stable, 100_000e18, 0, trader);
        uint256 p1 = pool.spotPrice(volatile);
        assertEq(pool.price0CumulativeLast() - c0, 2_000e18 * 100); // recorded at the swap, before it
        assertEq(uint256(pool.blockTimestampLast()), t0 + 100);
        vm.warp(t0 + 150);
        uint256 c2 = pool.cumulativePrice(volatile);
        assertEq(c2 - c0, 2_000e18 * 100 + p1 * 50);
        // The time-weighted average over the 150 s.
        assertEq((c2 - c0) / 150, (2_000e18 * 100 + p1 * 50) / 150);
    }

    /// @dev A price pushed and pulled back within one block (a sandwich) weighs nothing in the accumulator.
    function testFuzz_aPushWithinABlockAddsNothing(uint256 push) public {
        push = bound(push, 1e18, 1e26);
        vm.warp(block.timestamp + 60);
        uint256 before = pool.cumulativePrice(volatile);
        vm.startPrank(trader);
        uint256 bought = pool.swapExactIn(stable, push, 0, trader);
        assertEq(pool.cumulativePrice(volatile), before);
        pool.swapExactIn(volatile, bought, 0, trader);
        vm.stopPrank();
        assertEq(pool.cumulativePrice(volatile), before);
        assertEq(pool.price0CumulativeLast(), before);
    }

    function test_liquidityChangesAccumulateThePriceBeforeThem() public {
        vm.warp(block.timestamp + 10);
        uint256 before = pool.price0CumulativeLast();
        pool.removeLiquidity(500e18, 500_000e18, address(this)); // the price moves to 3000
        assertEq(pool.price0CumulativeLast() - before, 2_000e18 * 10);
        vm.warp(block.timestamp + 10);
        pool.addLiquidity(1, 0);
        assertEq(pool.price0CumulativeLast() - before, 2_000e18 * 10 + 3_000e18 * 10);
    }
}
