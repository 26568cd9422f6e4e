// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {SignalMath} from "../../../examples/contracts/libraries/SignalMath.sol";

contract SignalMathTest is Test {
    function assertClose(int256 actual, int256 expected, uint256 tolerance) internal pure {
        uint256 diff = actual > expected ? uint256(actual - expected) : uint256(expected - actual);
        assertLe(diff, tolerance);
    }

    function test_lnRatioMatchesKnownLogarithms() public pure {
        assertEq(SignalMath.lnRatio(5e18, 5e18), 0);
        assertClose(SignalMath.lnRatio(101, 100), 9_950_330_853_168_082, 1e6); // ln 1.01
        assertClose(SignalMath.lnRatio(90, 100), -105_360_515_657_826_301, 1e8); // ln 0.9
        // ln 2 (|u| = 1/3): the series stops at u^9, the next term is 2·u^11/11 ≈ 1e-6.
        assertClose(SignalMath.lnRatio(2e18, 1e18), 693_147_180_559_945_309, 2e12);
    }

    function testFuzz_lnRatioIsAntisymmetricAndSigned(uint128 a, uint128 b) public pure {
        vm.assume(a > 0 && b > 0);
        int256 up = SignalMath.lnRatio(a, b);
        assertEq(up, -SignalMath.lnRatio(b, a));
        // A move below 1e-18 of the price rounds to zero; any larger one keeps its sign.
        uint256 diff = a > b ? uint256(a) - b : uint256(b) - a;
        bool visible = diff * 1e18 >= uint256(a) + b;
        if (a == b) assertEq(up, 0);
        else if (a > b) assertTrue(visible ? up > 0 : up >= 0, "up move");
        else assertTrue(visible ? up < 0 : up <= 0, "down move");
    }

    /// @dev The z-scores of a window have a mean square of exactly 1, so their squares sum to 8
    /// (8 · 2^16 quantized), each |z| ≤ sqrt(8), and scaling every price leaves them unchanged.
    function testFuzz_normalizedReturnsHaveUnitRms(uint256 seed, uint64 scale) public pure {
        scale = uint64(bound(scale, 1, 1e9));
        uint256[9] memory prices;
        uint256[9] memory scaled;
        uint256 price = 1e18;
        for (uint256 i; i < 9; ++i) {
            // moves of up to ±10% per step
            uint256 step = uint256(keccak256(abi.encode(seed, i))) % 2_001;
            price = (price * (9_000 + step * 10)) / 10_000;
            prices[i] = price;
            scaled[i] = price * scale;
        }
        int256[] memory z = SignalMath.normalizedReturns(prices);
        int256[] memory zScaled = SignalMath.normalizedReturns(scaled);
        assertEq(z.length, 8);
        uint256 sumOfSquares;
        bool anyMove;
        for (uint256 i; i < 8; ++i) {
            uint256 magnitude = uint256(z[i] < 0 ? -z[i] : z[i]);
            assertLe(magnitude, 725); // ceil(sqrt(8) · 256)
            sumOfSquares += magnitude * magnitude;
            anyMove = anyMove || prices[i + 1] != prices[i];
            assertClose(zScaled[i], z[i], 1);
        }
        if (anyMove) assertClose(int256(sumOfSquares), 8 * 65_536, 8 * 725);
        else assertEq(sumOfSquares, 0);
    }

    function test_flatHistoryGivesZeros() public pure {
        uint256[9] memory prices = [uint256(7e18), 7e18, 7e18, 7e18, 7e18, 7e18, 7e18, 7e18, 7e18];
        int256[] memory z = SignalMath.normalizedReturns(prices);
        for (uint256 i; i < 8; ++i) assertEq(z[i], 0);
    }

    function test_oneJumpInAFlatWindowIsSqrt8() public pure {
        uint256[9] memory prices = [uint256(1e18), 1e18, 1e18, 1e18, 1e18, 1e18, 1e18, 1e18, 11e17];
        int256[] memory z = SignalMath.normalizedReturns(prices);
        assertEq(z[7], 724); // round(sqrt(8) · 256) = round(724.08)
        assertEq(z[0], 0);
    }
}
