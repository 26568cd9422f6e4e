// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChallengeCommitments} from "../interfaces/IChallengeCommitments.sol";
import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";

/**
 * @title ChallengeCommitments
 * @notice The rule every challenge of an optimistic answer follows, whoever judges it (the dispute game for
 * circuit models, the committee arbiter for language models): a challenge is committed first and revealed in
 * a later block, by the committer, within the answer's challenge window, and only for the answer pending when
 * it was committed. A challenge copied from the mempool is then worth nothing to its copier (the commitment
 * names the challenger), and a challenge can never come after the window that lets the answer be finalized.
 * @dev A judge inherits it and calls `_spendCommitment` in its `challenge` before opening the dispute.
 */
abstract contract ChallengeCommitments is IChallengeCommitments {
    /// @dev When a commitment was first made: the reveal must come in a later block, and the commitment must not
    /// predate the answer it challenges.
    struct Commitment {
        uint64 blockNumber;
        uint64 timestamp;
    }

    mapping(bytes32 commitment => Commitment) private _commitments;

    /// @inheritdoc IChallengeCommitments
    function commitChallenge(bytes32 commitment) external {
        // The first commitment stands: a copy (useless to its sender, whose address is not in the hash) neither
        // reverts the original nor moves its block.
        if (_commitments[commitment].blockNumber == 0) {
            _commitments[commitment] = Commitment(uint64(block.number), uint64(block.timestamp));
        }
        emit ChallengeCommitted(commitment, msg.sender);
    }

    /// @inheritdoc IChallengeCommitments
    function commitmentOf(bytes32 commitment) external view returns (uint256 blockNumber, uint256 timestamp) {
        Commitment memory c = _commitments[commitment];
        return (c.blockNumber, c.timestamp);
    }

    /// @inheritdoc IChallengeCommitments
    function challengeCommitment(uint256 requestId, address challenger, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(requestId, challenger, salt));
    }

    /// @dev Spends `challenger`'s commitment to challenge request `requestId`, whose state is `s` and whose
    /// challenge window is `challengeWindow`; reverts unless the challenge may be revealed now.
    function _spendCommitment(
        uint256 requestId,
        address challenger,
        bytes32 salt,
        IInferenceCoordinator.RequestState memory s,
        uint256 challengeWindow
    ) internal {
        bytes32 commitment = challengeCommitment(requestId, challenger, salt);
        Commitment memory c = _commitments[commitment];
        if (c.blockNumber == 0) revert IHighwayErrors.ChallengeNotCommitted(requestId, challenger);
        if (block.number <= c.blockNumber) revert IHighwayErrors.ChallengeRevealTooSoon(requestId, c.blockNumber);
        if (s.status != IInferenceCoordinator.RequestStatus.Pending)
            revert IHighwayErrors.WrongStatus(requestId, s.status);
        if (block.timestamp >= s.phaseEndsAt) revert IHighwayErrors.ChallengeWindowClosed(requestId, s.phaseEndsAt);
        // The answer was posted a challenge window before its window ends.
        uint256 answeredAt = s.phaseEndsAt - challengeWindow;
        if (c.timestamp < answeredAt)
            revert IHighwayErrors.ChallengeCommitmentStale(requestId, c.timestamp, answeredAt);
        delete _commitments[commitment];
    }
}
