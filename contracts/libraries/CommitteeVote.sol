// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IRelayerStaking} from "../interfaces/IRelayerStaking.sol";

/**
 * @title CommitteeVote
 * @notice The committee arbiter's two rules: who sits on a committee (the draw) and which answer
 * wins (the majority).
 */
library CommitteeVote {
    /// @notice Draws up to `size` distinct relayers that declared they serve `modelId` and can lock
    /// `bond`, other than `excluded1` and `excluded2` (the disputed answer's relayer and the challenger).
    /// @dev Each seat is an independent uniform pick by `seed` (rejecting ineligible and repeated relayers),
    /// so a relayer's chance of a seat does not depend on where it sits in the list; after `size * 8`
    /// picks the remaining seats are filled by a scan from a random position, so a dispute is never voided
    /// while enough eligible relayers exist. Returns fewer than `size` members only when there are not
    /// enough eligible relayers.
    function draw(
        IRelayerStaking staking,
        bytes32 modelId,
        uint256 seed,
        uint256 size,
        uint256 bond,
        address excluded1,
        address excluded2
    ) internal view returns (address[] memory members, uint256 count) {
        members = new address[](size);
        uint256 n = staking.serverCount(modelId);
        if (n == 0) return (members, 0);
        uint256 picks = size * 8;
        for (uint256 i; i < picks && count < size; ++i) {
            address candidate = staking.serverAt(modelId, uint256(keccak256(abi.encode(seed, i))) % n);
            if (_eligible(staking, candidate, members, count, bond, excluded1, excluded2)) {
                members[count] = candidate;
                ++count;
            }
        }
        uint256 start = uint256(keccak256(abi.encode(seed, picks))) % n;
        for (uint256 i; i < n && count < size; ++i) {
            address candidate = staking.serverAt(modelId, (start + i) % n);
            if (_eligible(staking, candidate, members, count, bond, excluded1, excluded2)) {
                members[count] = candidate;
                ++count;
            }
        }
    }

    /// @notice The answer hash revealed by more than half of the `size` seats, and its votes; zero when none.
    /// @param votes Each seat's revealed hash; only seats whose bit is set in `revealedMask` count.
    function majority(
        bytes32[] memory votes,
        uint256 revealedMask,
        uint256 size
    ) internal pure returns (bytes32 winner, uint256 winnerVotes) {
        for (uint256 i; i < votes.length; ++i) {
            if (revealedMask & (1 << i) == 0) continue;
            uint256 same;
            for (uint256 j; j < votes.length; ++j) {
                if (revealedMask & (1 << j) != 0 && votes[j] == votes[i]) ++same;
            }
            if (same * 2 > size) return (votes[i], same);
        }
    }

    function _eligible(
        IRelayerStaking staking,
        address candidate,
        address[] memory members,
        uint256 count,
        uint256 bond,
        address excluded1,
        address excluded2
    ) private view returns (bool) {
        if (candidate == excluded1 || candidate == excluded2) return false;
        for (uint256 i; i < count; ++i) if (members[i] == candidate) return false;
        return staking.canLock(candidate, bond);
    }
}
