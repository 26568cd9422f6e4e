// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {HighwayFixture} from "../../utils/HighwayFixture.sol";
import {PoolMarketFixture} from "./PoolMarketFixture.sol";
import {PoolTradingConsumer} from "../../../../examples/contracts/PoolTradingConsumer.sol";

/**
 * @dev The kit's trading contracts (`PoolTradingConsumer`s) under test: the real coordinator
 * (`HighwayFixture`) and the kit's market (`PoolMarketFixture`), 10,000 VOL deep. A test deploys its
 * consumer on `pool` and hands it to `fundConsumer`, which makes `keeper` its keeper and gives it its
 * starting balances; `balances()` and `deliver()` then speak of that consumer.
 */
abstract contract PoolTradingFixture is HighwayFixture, PoolMarketFixture {
    address internal keeper = address(0x4EE9);

    PoolTradingConsumer private _consumer;

    function setUp() public virtual override {
        super.setUp();
        openMarket(10_000e18);
    }

    /// @dev Makes `keeper` a keeper of `consumer` (this contract being its admin) and gives it 100 VOL,
    /// 200,000 USD (a 50/50 book at the pool's price) and 1,000 payment tokens; `consumer` becomes the one
    /// `balances()` and `deliver()` speak of.
    function fundConsumer(PoolTradingConsumer consumer) internal {
        consumer.grantRole(consumer.KEEPER_ROLE(), keeper);
        volatile.mint(address(consumer), 100e18);
        stable.mint(address(consumer), 200_000e18);
        token.mint(address(consumer), 1_000 * UNIT);
        _consumer = consumer;
    }

    /// @dev The coordinator delivers `output` for request `id` to the consumer (as its callback would).
    function deliver(uint256 id, bytes memory output) internal {
        vm.prank(address(coordinator));
        _consumer.onInferenceResult(id, output);
    }

    /// @dev The consumer's balances of the pool's two tokens.
    function balances() internal view returns (uint256 stableBalance, uint256 volatileBalance) {
        return (stable.balanceOf(address(_consumer)), volatile.balanceOf(address(_consumer)));
    }
}
