// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IHighwayErrors} from "../interfaces/IHighwayErrors.sol";
import {IInferenceCoordinator} from "../interfaces/IInferenceCoordinator.sol";

/**
 * @title ChallengeCommitments
 * @notice The rule every challenge of an optimistic answer follows, whoever judges it (the dispute game for
 * circuit models, the committee arbiter for language models): a challenge is committed first and revealed in
 * a later block, by the committer, within the answer's challenge window, and only for the answer pending when
 * it was committed. A challenge copied from the mempool is then worth nothing to its copier (the commitment
 * names the challenger), and a challenge can never come after the window that lets the answer be finalized.
 */
library ChallengeCommitments {
    /// @dev When a commitment was first made: the reveal must come in a later block, and the commitment must not
    /// predate the answer it challenges.
    struct Commitment {
        uint64 blockNumber;
        uint64 timestamp;
    }

    /// @dev The commitments of one judge, by commitment.
    struct Book {
        mapping(bytes32 commitment => Commitment) commitments;
    }

    /// @notice The commitment of `challenger`'s challenge of request `requestId`, hidden by the secret `salt`.
    function hash(uint256 requestId, address challenger, bytes32 salt) internal pure returns (bytes32) {
        return keccak256(abi.encode(requestId, challenger, salt));
    }

    /// @notice Records `commitment` unless it was already made: the first commitment stands, so a copy (useless to
    /// its sender, whose address is not in the hash) neither reverts the original nor moves its block.
    function record(Book storage book, bytes32 commitment) internal {
        if (book.commitments[commitment].blockNumber == 0) {
            book.commitments[commitment] = Commitment(uint64(block.number), uint64(block.timestamp));
        }
    }

    /// @notice Spends `challenger`'s commitment to challenge request `requestId`, whose state is `s` and whose
    /// challenge window is `challengeWindow`; reverts unless the challenge may be revealed now.
    function spend(
        Book storage book,
        uint256 requestId,
        address challenger,
        bytes32 salt,
        IInferenceCoordinator.RequestState memory s,
        uint256 challengeWindow
    ) internal {
        bytes32 commitment = hash(requestId, challenger, salt);
        Commitment memory c = book.commitments[commitment];
        if (c.blockNumber == 0) revert IHighwayErrors.ChallengeNotCommitted(requestId, challenger);
        if (block.number <= c.blockNumber) revert IHighwayErrors.ChallengeRevealTooSoon(requestId, c.blockNumber);
        if (s.status != IInferenceCoordinator.RequestStatus.Pending)
            revert IHighwayErrors.WrongStatus(requestId, s.status);
        if (block.timestamp >= s.phaseEndsAt) revert IHighwayErrors.ChallengeWindowClosed(requestId, s.phaseEndsAt);
        // The answer was posted a challenge window before its window ends.
        uint256 answeredAt = s.phaseEndsAt - challengeWindow;
        if (c.timestamp < answeredAt)
            revert IHighwayErrors.ChallengeCommitmentStale(requestId, c.timestamp, answeredAt);
        delete book.commitments[commitment];
    }

    /// @notice When `commitment` was first made (block number and time; zero if never, or once spent).
    function committedAt(
        Book storage book,
        bytes32 commitment
    ) internal view returns (uint256 blockNumber, uint256 timestamp) {
        Commitment memory c = book.commitments[commitment];
        return (c.blockNumber, c.timestamp);
    }
}
