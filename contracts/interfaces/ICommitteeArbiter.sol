// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChallengeCommitments} from "./IChallengeCommitments.sol";
import {IHighwayErrors} from "./IHighwayErrors.sol";
import {IInferenceCoordinator} from "./IInferenceCoordinator.sol";

/**
 * @title ILanguageDisputeHooks
 * @notice The coordinator's side of a language-model dispute, as the committee arbiter calls it: the
 * dispute hooks of the bytes interface (docs/DESIGN.md, "Language models"), where a language model's
 * disputes are routed to the coordinator's `languageArbiter()`.
 */
interface ILanguageDisputeHooks {
    /// @notice Opens a dispute over a Pending answer: the request becomes Disputed, `challenger`'s bond is pulled.
    function openDispute(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        address challenger
    ) external;

    /// @notice Ends a dispute with `outcome`; `rewardees` share the arbiter's cut of the loser's bond.
    function closeDispute(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        IInferenceCoordinator.DisputeOutcome outcome,
        address challenger,
        address prover,
        bytes calldata output,
        address[] calldata rewardees
    ) external;

    /// @notice The request's state and the hash of the answer it holds, once `terms` are checked.
    function postedAnswer(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms
    ) external view returns (IInferenceCoordinator.RequestState memory state, bytes32 outputHash);

    /// @notice Where the protocol's shares are paid.
    function treasury() external view returns (address);

    /// @notice The arbiter of language models' disputes (the only caller of the hooks for them).
    function languageArbiter() external view returns (address);
}

/**
 * @title ICommitteeArbiter
 * @notice Settles disputes over language models' optimistic answers by re-execution: a committee of
 * `committeeSize` staked relayers that declared they serve the model is drawn from the hash of the
 * block after the challenge (so neither the challenger nor the relayer picks it); each member
 * commits a hash of the answer it re-computed, then reveals it; the answer more than half of the
 * committee revealed wins. If it is the posted answer, the challenger loses its bond; otherwise the
 * relayer is slashed and the request is answered with the majority's. The members of the majority
 * share the arbiter's cut of the loser's bond (paid by the coordinator); a member that does not
 * reveal loses `nonRevealSlashBps` of its seat's bond, shared by the majority; no majority voids the
 * dispute (the request is refunded, nobody is slashed). Every step can be taken by anyone once due.
 * @dev Challengers approve the coordinator, not the arbiter, for the challenge bond.
 */
interface ICommitteeArbiter is IChallengeCommitments, IHighwayErrors {
    /// @notice The committee's parameters, fixed at deployment.
    struct CommitteeParams {
        uint8 committeeSize; // odd, 1 to 15
        uint16 nonRevealSlashBps; // the share of a seat's bond a member that does not reveal loses
        uint32 commitWindow; // seconds from the draw for every member to commit
        uint32 revealWindow; // seconds from the end of the commit phase for every member to reveal
        uint96 memberBond; // the stake locked for each seat until the vote is resolved
    }

    /// @notice Request `requestId` was challenged by `challenger`; its committee is drawn from the hash of block `seedBlock`.
    event CommitteeSeeded(uint256 indexed requestId, address indexed challenger, uint256 seedBlock);

    /// @notice The committee of request `requestId` was drawn; members commit until `commitEndsAt`.
    /// @param members The members, by seat: `commit`, `reveal` and `resolve` take this list back (the arbiter keeps only its hash).
    event CommitteeDrawn(uint256 indexed requestId, bytes32 indexed modelId, address[] members, uint256 commitEndsAt);

    /// @notice `member` committed its vote on request `requestId`.
    event VoteCommitted(uint256 indexed requestId, address indexed member);

    /// @notice `member` revealed `output` (hash `outputHash`) as its answer to request `requestId`.
    event VoteRevealed(uint256 indexed requestId, address indexed member, bytes32 outputHash, bytes output);

    /// @notice The vote on request `requestId` ended with `outcome`; `majorityHash` won with `votes` votes (zero without a majority).
    event VoteResolved(
        uint256 indexed requestId,
        IInferenceCoordinator.DisputeOutcome outcome,
        bytes32 majorityHash,
        uint256 votes
    );

    /// @notice `member` did not reveal on request `requestId` and lost `amount` of its seat's bond.
    event MemberPenalised(uint256 indexed requestId, address indexed member, uint256 amount);

    /// @notice `account` was credited `amount` of a non-revealing member's penalty.
    event PenaltyShared(uint256 indexed requestId, address indexed account, uint256 amount);

    /// @notice `account` withdrew `amount` of penalties shared to it.
    event Withdrawal(address indexed account, uint256 amount);

    /// @notice Disputes a Pending language-model answer within its challenge window (step two of two), posting
    /// `terms.challengeBond` (pulled by the coordinator). The caller must have committed
    /// `challengeCommitment(requestId, msg.sender, salt)` in an earlier block, and no earlier than the answer was
    /// posted (the same rule as the dispute game's: a copied challenge is worth nothing to its copier).
    function challenge(uint256 requestId, IInferenceCoordinator.RequestTerms calldata terms, bytes32 salt) external;

    /// @notice Draws the committee of a challenged request, in a block after the challenge; anyone may call.
    /// With fewer eligible relayers than seats the dispute is voided at once.
    function draw(uint256 requestId, IInferenceCoordinator.RequestTerms calldata terms) external;

    /// @notice A member commits `keccak256(abi.encode(requestId, member, keccak256(output), salt))`.
    function commit(uint256 requestId, address[] calldata members, uint256 seat, bytes32 commitment) external;

    /// @notice A member reveals the output it committed to, with its salt.
    function reveal(
        uint256 requestId,
        address[] calldata members,
        uint256 seat,
        bytes calldata output,
        bytes32 salt
    ) external;

    /// @notice Ends the vote once every member revealed or the reveal window passed; anyone may call.
    /// @param output The majority's answer (checked against its hash: it is in the members' `VoteRevealed`
    /// events); empty without a majority.
    function resolve(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        address[] calldata members,
        bytes calldata output
    ) external;

    /// @notice Pays out the caller's shared penalties.
    function withdraw() external;

    /// @notice The coordinator whose language-model disputes this arbiter settles.
    function coordinator() external view returns (ILanguageDisputeHooks);

    /// @notice The committee's parameters.
    function params() external view returns (CommitteeParams memory);

    /// @notice The hash of request `requestId`'s committee: the first 20 bytes of `keccak256(abi.encode(members))`
    /// (zero before the draw).
    function membersHashOf(uint256 requestId) external view returns (bytes20);

    /// @notice The commitment a member makes for `output` on request `requestId` with `salt`.
    function voteCommitment(
        uint256 requestId,
        address member,
        bytes calldata output,
        bytes32 salt
    ) external pure returns (bytes32);

    /// @notice What `account` can withdraw.
    function balanceOf(address account) external view returns (uint256);
}
