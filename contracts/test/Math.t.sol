// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {AuctionMath} from "../libraries/AuctionMath.sol";
import {FeeMath} from "../libraries/FeeMath.sol";

/// @dev Fuzz tests of the auction price and the settlement arithmetic (the tensor encoding's are in TensorCodec.t.sol).
contract MathTest is Test {
    // ------------------------------------------------------------------ auction

    function test_auctionEndpoints() public pure {
        assertEq(AuctionMath.price(1, 5, 100, 40, 100), 1);
        assertEq(AuctionMath.price(1, 5, 100, 40, 120), 3);
        assertEq(AuctionMath.price(1, 5, 100, 40, 140), 5);
        assertEq(AuctionMath.price(1, 5, 100, 40, 10_000), 5);
        assertEq(AuctionMath.price(1, 5, 100, 0, 100), 5);
        assertEq(AuctionMath.price(5, 5, 100, 40, 100), 5);
    }

    function testFuzz_auctionPriceIsBoundedAndMonotonic(
        uint96 startFee,
        uint96 maxFee,
        uint40 startTime,
        uint32 duration,
        uint32 dt1,
        uint32 dt2
    ) public pure {
        vm.assume(startFee <= maxFee);
        (uint256 a, uint256 b) = dt1 <= dt2 ? (dt1, dt2) : (dt2, dt1);
        uint256 p1 = AuctionMath.price(startFee, maxFee, startTime, duration, uint256(startTime) + a);
        uint256 p2 = AuctionMath.price(startFee, maxFee, startTime, duration, uint256(startTime) + b);
        assertGe(p1, startFee);
        assertLe(p2, maxFee);
        assertLe(p1, p2);
        if (b >= duration) assertEq(p2, maxFee);
    }

    function testFuzz_auctionPriceIsLinear(uint96 startFee, uint96 span, uint32 duration, uint32 elapsed) public pure {
        vm.assume(duration > 0 && elapsed < duration);
        uint256 maxFee = uint256(startFee) + span;
        vm.assume(maxFee <= type(uint96).max);
        uint256 p = AuctionMath.price(startFee, maxFee, 1_000, duration, 1_000 + uint256(elapsed));
        assertEq(p, uint256(startFee) + (uint256(span) * elapsed) / duration);
    }

    // ------------------------------------------------------------------ settlement

    function testFuzz_splitConservesTheEscrow(
        uint96 modelFee,
        uint96 maxComputeFee,
        uint96 computeFee,
        uint16 protocolFeeBps,
        uint16 parentShareBps,
        uint16 referralShareBps
    ) public pure {
        computeFee = uint96(bound(computeFee, 0, maxComputeFee));
        protocolFeeBps = uint16(bound(protocolFeeBps, 0, 1_000));
        parentShareBps = uint16(bound(parentShareBps, 0, 10_000));
        referralShareBps = uint16(bound(referralShareBps, 0, 10_000 - parentShareBps));
        uint256 escrow = FeeMath.escrow(modelFee, maxComputeFee, protocolFeeBps);
        FeeMath.Split memory s = FeeMath.split(
            modelFee,
            computeFee,
            maxComputeFee,
            protocolFeeBps,
            parentShareBps,
            referralShareBps
        );
        assertEq(s.ownerCut + s.parentCut + s.referralCut + computeFee + s.protocolFee + s.refund, escrow);
        assertEq(s.protocolFee, ((uint256(modelFee) + computeFee) * protocolFeeBps) / 10_000);
        assertEq(s.parentCut, (uint256(modelFee) * parentShareBps) / 10_000);
        assertEq(s.referralCut, (uint256(modelFee) * referralShareBps) / 10_000);
        assertEq(s.ownerCut, uint256(modelFee) - s.parentCut - s.referralCut);
        // The refund is the unspent compute fee plus the unspent protocol fee on it.
        assertGe(s.refund, uint256(maxComputeFee) - computeFee);
    }

    function testFuzz_escrowIsTheFeesPlusTheProtocolFeeOnThem(
        uint96 modelFee,
        uint96 maxComputeFee,
        uint16 bps
    ) public pure {
        bps = uint16(bound(bps, 0, 1_000));
        uint256 fee = FeeMath.protocolFee(modelFee, maxComputeFee, bps);
        assertEq(fee, ((uint256(modelFee) + maxComputeFee) * bps) / 10_000);
        assertEq(FeeMath.escrow(modelFee, maxComputeFee, bps), uint256(modelFee) + maxComputeFee + fee);
    }

    function testFuzz_shareNeverExceedsTheAmount(uint96 amount, uint16 bps) public pure {
        bps = uint16(bound(bps, 0, 10_000));
        uint256 share = FeeMath.share(amount, bps);
        assertLe(share, amount);
        assertEq(share, (uint256(amount) * bps) / 10_000);
    }
}
