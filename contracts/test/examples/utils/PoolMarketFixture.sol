// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../../utils/Test.sol";
import {ConstantProductPool} from "../../../../examples/contracts/ConstantProductPool.sol";
import {DemoToken} from "../../../../examples/contracts/DemoToken.sol";

/**
 * @dev The kit's market in a test: a stable and a volatile `DemoToken` and a `ConstantProductPool`
 * between them (`volatile` is its `token0`) at 2000 USD per VOL with a 0.3% fee, seeded by this
 * contract (its owner), and a trader holding plenty of both, approved to the pool. `openMarket` makes
 * it; `fundTrader` arms another account like the trader.
 */
abstract contract PoolMarketFixture is Test {
    /// @dev The pool's fee, in basis points.
    uint16 internal constant FEE_BPS = 30;

    DemoToken internal stable;
    DemoToken internal volatile;
    ConstantProductPool internal pool;
    address internal trader = address(0x7EAD);

    /// @dev Deploys the tokens and the pool (in that order), seeds it with `volatileDepth` VOL and 2000
    /// times as much USD, and funds `trader`.
    function openMarket(uint256 volatileDepth) internal {
        stable = new DemoToken("Stable", "USD", address(this));
        volatile = new DemoToken("Volatile", "VOL", address(this));
        pool = new ConstantProductPool(volatile, stable, FEE_BPS, address(this));
        volatile.mint(address(this), volatileDepth);
        stable.mint(address(this), volatileDepth * 2_000);
        volatile.approve(address(pool), type(uint256).max);
        stable.approve(address(pool), type(uint256).max);
        pool.addLiquidity(volatileDepth, volatileDepth * 2_000); // 2000 USD per VOL
        fundTrader(trader);
    }

    /// @dev Gives `who` 1e30 of each side of the pool, approved to it: enough to push the price anywhere.
    function fundTrader(address who) internal {
        volatile.mint(who, 1e30);
        stable.mint(who, 1e30);
        vm.startPrank(who);
        volatile.approve(address(pool), type(uint256).max);
        stable.approve(address(pool), type(uint256).max);
        vm.stopPrank();
    }
}
