// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

/// @dev Log-returns in one `price-signal` input (file-level so contracts can size arrays with it).
uint256 constant SIGNAL_RETURNS = 8;
/// @dev Prices needed for `SIGNAL_RETURNS` returns.
uint256 constant SIGNAL_PRICES = 9;

/**
 * @title SignalMath
 * @notice Turns a price history into the input of the `price-signal` model: the last
 * `RETURNS` log-returns, each divided by the window's volatility (root mean square of
 * the window's returns), clipped to ±`Z_CLIP`, quantized at the model's input scale.
 * @dev Mirrors `normalized_windows` in circuits/price-signal/model.py. Log-returns are
 * 18-decimal fixed point. Dividing by the window's own RMS bounds every z-score by
 * sqrt(RETURNS) < 3, so the clip never binds on an 8-return window; it is kept so the
 * function stays the model's definition if the window changes.
 */
library SignalMath {
    /// @notice Log-returns in one model input.
    uint256 internal constant RETURNS = SIGNAL_RETURNS;
    /// @notice Prices needed for `RETURNS` returns.
    uint256 internal constant PRICES = SIGNAL_PRICES;
    /// @notice The model's input scale: a value v is sent as round(v * 2^8).
    uint256 internal constant INPUT_SCALE_BITS = 8;
    /// @notice The model's clip of a z-score, |z| <= 8, quantized (the manifest's input bound, 2048).
    int256 internal constant Z_CLIP = int256(8 << INPUT_SCALE_BITS);

    int256 private constant ONE = 1e18;

    /// @notice A price of zero has no logarithm.
    error ZeroPrice();

    /**
     * @notice ln(p1 / p0) as an 18-decimal fixed-point number.
     * @dev ln(p1/p0) = 2·atanh(u) with u = (p1 − p0) / (p1 + p0), summed to u^9. |u| < 1 always;
     * the truncation error is below 4e-9 for moves between −33% and +50% (|u| ≤ 0.2), plenty for
     * an input quantized to 2^-8. Larger moves are understated but keep their sign and order.
     */
    function lnRatio(uint256 p1, uint256 p0) internal pure returns (int256) {
        if (p1 == 0 || p0 == 0) revert ZeroPrice();
        uint256 diff = p1 > p0 ? p1 - p0 : p0 - p1;
        int256 u = int256(Math.mulDiv(diff, uint256(ONE), p1 + p0));
        if (p1 < p0) u = -u;
        int256 u2 = (u * u) / ONE;
        int256 term = u;
        int256 sum = u;
        for (int256 k = 3; k <= 9; k += 2) {
            term = (term * u2) / ONE;
            sum += term / k;
        }
        return 2 * sum;
    }

    /**
     * @notice The model input for `prices` (oldest first): `RETURNS` quantized z-scores.
     * @dev A flat history (every return zero) has no volatility to divide by; its z-scores are 0,
     * as in the model's training (which adds 1e-12 to the volatility).
     */
    function normalizedReturns(uint256[SIGNAL_PRICES] memory prices) internal pure returns (int256[] memory inputs) {
        int256[SIGNAL_RETURNS] memory returns_;
        uint256 sumOfSquares;
        for (uint256 i; i < RETURNS; ++i) {
            returns_[i] = lnRatio(prices[i + 1], prices[i]);
            sumOfSquares += SignedMath.abs(returns_[i]) ** 2;
        }
        // RMS in 18 decimals: sqrt(mean of squares, which carries 36 decimals).
        uint256 rms = Math.sqrt(sumOfSquares / RETURNS);
        inputs = new int256[](RETURNS);
        if (rms == 0) return inputs;
        for (uint256 i; i < RETURNS; ++i) {
            inputs[i] = _clip(_divRoundAway(returns_[i] << INPUT_SCALE_BITS, rms));
        }
    }

    /// @dev a / b rounded half away from zero (b > 0), as EZKL and `sdk/encoding.ts` quantize.
    function _divRoundAway(int256 a, uint256 b) private pure returns (int256) {
        uint256 magnitude = (SignedMath.abs(a) * 2 + b) / (2 * b);
        return a < 0 ? -int256(magnitude) : int256(magnitude);
    }

    function _clip(int256 z) private pure returns (int256) {
        return
            z > Z_CLIP
                ? Z_CLIP
                : z < -Z_CLIP
                    ? -Z_CLIP
                    : z;
    }
}
