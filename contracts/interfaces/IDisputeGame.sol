// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChallengeCommitments} from "./IChallengeCommitments.sol";
import {IHighwayErrors} from "./IHighwayErrors.sol";
import {IInferenceCoordinator} from "./IInferenceCoordinator.sol";

/**
 * @title IDisputeGame
 * @notice The optimistic dispute game of Highway: anyone challenges a Pending optimistic
 * answer within its challenge window, in two steps bound to the challenger (`commitChallenge`, then
 * `challenge` in a later block), so a challenge copied from the mempool is worth nothing to its copier; the relayer defends it with a proof of its own output
 * within the defence window; anyone proves a different output (fraud) while it is disputed;
 * an undefended dispute times out (the request reopens, claimable from the next block by any
 * relayer but the slashed one). The game keeps the challenger and judges proofs; the
 * coordinator holds every token and settles through its dispute hooks, and emits every
 * life-cycle event (`Challenged`, `Defended`, `FraudProven`, `DisputeTimedOut`).
 * @dev Challengers approve the coordinator, not the game, for the challenge bond.
 */
interface IDisputeGame is IChallengeCommitments, IHighwayErrors {
    /// @notice The coordinator whose optimistic answers this game judges (the game's deployer).
    function coordinator() external view returns (IInferenceCoordinator);

    /// @notice The challenger of request `requestId`'s open dispute (zero when none is open).
    function challengerOf(uint256 requestId) external view returns (address);

    /// @notice Disputes a Pending result within its challenge window (step two of two), posting
    /// `terms.challengeBond` (pulled by the coordinator, which the caller approves). The caller must have
    /// committed `challengeCommitment(requestId, msg.sender, salt)` in an earlier block, and no earlier than the
    /// answer was posted.
    function challenge(uint256 requestId, IInferenceCoordinator.RequestTerms calldata terms, bytes32 salt) external;

    /// @notice The relayer proves its disputed output (passed again, checked against its hash) within the
    /// defence window: the challenger's bond is its, less the protocol's share, and the request settles
    /// and is delivered.
    function defend(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof
    ) external;

    /// @notice Anyone proves a different output for a disputed request, answering it; the challenger gets
    /// its bond back, the relayer's job bond less the protocol's share, and the request's compute fee,
    /// whoever submits the proof (so a proof copied from the mempool earns its copier nothing).
    function proveFraud(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof
    ) external;

    /// @notice Reverts unless `proof` proves that circuit model `terms.modelId` maps request `requestId`'s own
    /// `input` to `output` (`ProofVerification`: `InputMismatch`, `NonCanonicalOutput`, `OutputLengthMismatch`,
    /// `VerifierCodeChanged`, `InvalidProof`): the one proof check, used by the coordinator's `fulfillZk` (which
    /// forwards its own calldata: the arguments are `fulfillZk`'s) and by this game's defences and fraud proofs.
    /// It changes no state (anyone may call it); not a view, since the model's verifier is called as one call.
    function checkProof(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof
    ) external;

    /// @notice Ends a dispute whose defence window passed without a defence; anyone may call. Paid as a
    /// fraud proof; the request is reopened, or refunded if its deadline has passed. If the model's verifier
    /// code changed (`IModelRegistry.verifierCodeChanged`), no proof could have been judged: the dispute is
    /// `Voided` instead (nobody slashed, the challenger's bond returned, the request refunded).
    function resolveDisputeTimeout(uint256 requestId, IInferenceCoordinator.RequestTerms calldata terms) external;
}
