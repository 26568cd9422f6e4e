// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title AuctionMath
 * @notice The one formula of Highway's reverse Dutch auction: the compute fee on offer
 * rises linearly from `startFee` at `startTime` to `maxFee` at `startTime + duration`,
 * and stays at `maxFee` afterwards.
 */
library AuctionMath {
    /// @notice The compute fee on offer at time `at`.
    /// @dev Rounds down, so the price never exceeds `maxFee`; `startFee > maxFee` is treated as `maxFee`.
    function price(
        uint256 startFee,
        uint256 maxFee,
        uint256 startTime,
        uint256 duration,
        uint256 at
    ) internal pure returns (uint256) {
        if (startFee >= maxFee || duration == 0 || at >= startTime + duration) return maxFee;
        if (at <= startTime) return startFee;
        unchecked {
            // (maxFee - startFee) < 2^96 and (at - startTime) < duration < 2^32: no overflow.
            return startFee + ((maxFee - startFee) * (at - startTime)) / duration;
        }
    }
}
