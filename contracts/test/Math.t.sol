// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {AuctionMath} from "../libraries/AuctionMath.sol";
import {FeeMath} from "../libraries/FeeMath.sol";
import {OutputPacking} from "../libraries/OutputPacking.sol";

contract OutputPackingHarness {
    function pack(int256[] memory values) external pure returns (uint256) {
        return OutputPacking.pack(values);
    }
}

/// @dev Fuzz tests of the auction price, the settlement arithmetic and the packed output encoding.
contract MathTest is Test {
    OutputPackingHarness private packing;

    function setUp() public {
        packing = new OutputPackingHarness();
    }

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

    // ------------------------------------------------------------------ packed outputs

    function testFuzz_outputsRoundTrip(int64 a, int64 b, int64 c, uint8 count) public pure {
        count = uint8(bound(count, 1, 3));
        int256[] memory values = new int256[](count);
        values[0] = a;
        if (count > 1) values[1] = b;
        if (count > 2) values[2] = c;
        uint256 word = OutputPacking.pack(values);
        assertTrue(word != 0);
        assertEq(OutputPacking.unpack(word), values);
    }

    function testFuzz_distinctOutputsPackDistinctly(int64 a, int64 b) public pure {
        vm.assume(a != b);
        int256[] memory x = new int256[](1);
        int256[] memory y = new int256[](1);
        x[0] = a;
        y[0] = b;
        assertTrue(OutputPacking.pack(x) != OutputPacking.pack(y));
    }

    function test_packRejectsBadOutputs() public {
        vm.expectRevert(abi.encodeWithSelector(OutputPacking.OutputCountUnsupported.selector, 0));
        packing.pack(new int256[](0));
        vm.expectRevert(abi.encodeWithSelector(OutputPacking.OutputCountUnsupported.selector, 4));
        packing.pack(new int256[](4));
        int256[] memory v = new int256[](2);
        v[1] = int256(type(int64).min) - 1;
        vm.expectRevert(abi.encodeWithSelector(OutputPacking.OutputValueTooLarge.selector, 1, v[1]));
        packing.pack(v);
        assertEq(OutputPacking.unpack(0).length, 0);
    }
}
