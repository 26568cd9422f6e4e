// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IChallengeCommitments
 * @notice Step one of every challenge (the dispute game's and the committee arbiter's): a commitment that binds
 * the later reveal to its sender (`disputes/ChallengeCommitments.sol` has the rule).
 */
interface IChallengeCommitments {
    /// @notice `committer` committed to a challenge (`commitment`, which names neither the request nor the salt).
    event ChallengeCommitted(bytes32 indexed commitment, address indexed committer);

    /// @notice Commits to a challenge (step one of two). Free, and it locks nothing: it binds the later reveal to
    /// its sender (a copy commits to the original sender's challenge) and blocks no one (any number of
    /// commitments may name a request; the first reveal opens the dispute). A commitment holds for the answer
    /// pending when it is made, until that answer's challenge window ends; it is spent by its reveal.
    function commitChallenge(bytes32 commitment) external;

    /// @notice The commitment of `challenger`'s challenge of request `requestId`: `keccak256(abi.encode(requestId,
    /// challenger, salt))`, with `salt` a secret random word (it hides the request until the reveal).
    function challengeCommitment(uint256 requestId, address challenger, bytes32 salt) external pure returns (bytes32);

    /// @notice When `commitment` was first committed (block number and time; zero if never, or once revealed).
    function commitmentOf(bytes32 commitment) external view returns (uint256 blockNumber, uint256 timestamp);
}
