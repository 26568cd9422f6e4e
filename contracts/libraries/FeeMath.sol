// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title FeeMath
 * @notice The one fee formula of Highway (docs/DESIGN.md "Settlement of one answered request"):
 * ```
 * protocolFee = (modelFee + computeFee) * protocolFeeBps / 10_000
 * parentCut   = modelFee * parentShareBps / 10_000
 * referralCut = modelFee * referralShareBps / 10_000
 * ownerCut    = modelFee - parentCut - referralCut
 * refund      = escrow - modelFee - computeFee - protocolFee
 * ```
 * where `escrow` is the same formula at `computeFee = maxComputeFee` plus nothing else.
 * Every rounded term rounds down and the terms computed by subtraction absorb the
 * remainder, so the parts always sum to the escrow exactly.
 */
library FeeMath {
    uint256 internal constant BPS = 10_000;

    /// @notice How one answered request's escrow is divided.
    struct Split {
        uint256 protocolFee;
        uint256 parentCut;
        uint256 referralCut;
        uint256 ownerCut;
        uint256 refund;
    }

    /// @notice The protocol's fee on `modelFee + computeFee`.
    function protocolFee(uint256 modelFee, uint256 computeFee, uint256 protocolFeeBps) internal pure returns (uint256) {
        return ((modelFee + computeFee) * protocolFeeBps) / BPS;
    }

    /// @notice What a requester escrows: model fee, maximal compute fee and the protocol fee on both.
    function escrow(uint256 modelFee, uint256 maxComputeFee, uint256 protocolFeeBps) internal pure returns (uint256) {
        return modelFee + maxComputeFee + protocolFee(modelFee, maxComputeFee, protocolFeeBps);
    }

    /// @notice The division of the escrow of a request answered at `computeFee <= maxComputeFee`.
    /// @dev `parentShareBps + referralShareBps <= 10_000` is checked by the model registry.
    function split(
        uint256 modelFee,
        uint256 computeFee,
        uint256 maxComputeFee,
        uint256 protocolFeeBps,
        uint256 parentShareBps,
        uint256 referralShareBps
    ) internal pure returns (Split memory s) {
        s.protocolFee = protocolFee(modelFee, computeFee, protocolFeeBps);
        s.parentCut = (modelFee * parentShareBps) / BPS;
        s.referralCut = (modelFee * referralShareBps) / BPS;
        s.ownerCut = modelFee - s.parentCut - s.referralCut;
        s.refund = escrow(modelFee, maxComputeFee, protocolFeeBps) - modelFee - computeFee - s.protocolFee;
    }

    /// @notice `amount * bps / 10_000`, rounded down: the share of a bond or stake.
    function share(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return (amount * bps) / BPS;
    }
}
