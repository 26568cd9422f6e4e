// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDisputeGame} from "./interfaces/IDisputeGame.sol";
import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ChallengeCommitments} from "./disputes/ChallengeCommitments.sol";
import {ProofVerification} from "./libraries/ProofVerification.sol";

/**
 * @title DisputeGame
 * @notice The optimistic dispute game of circuit models: challenge (committed, then revealed), defence by
 * proof, fraud proof, timeout. (A language model's disputes go to the coordinator's language arbiter.)
 * It keeps each open dispute's challenger and judges proofs with the model's verifier; the
 * coordinator that deployed it holds the tokens, checks the request's terms and status, and
 * settles, slashes, caches, delivers and emits through its dispute hooks (`openDispute`,
 * `closeDispute`), which only this game may call.
 * @dev Each action reads the request from the coordinator (`postedAnswer`, which checks the
 * terms), applies the game's rules, clears its own record, and only then calls the
 * coordinator (checks-effects-interactions). Every action is `nonReentrant`: the verifier it
 * calls is a model owner's contract.
 */
contract DisputeGame is IDisputeGame, ChallengeCommitments, ReentrancyGuardTransient {
    /// @inheritdoc IDisputeGame
    IInferenceCoordinator public immutable coordinator;
    /// @notice Where each model's verifier is registered.
    IModelRegistry public immutable registry;

    mapping(uint256 requestId => address challenger) private _challengers;

    /// @dev Deployed by the coordinator's constructor: the deployer is the coordinator.
    constructor(IModelRegistry registry_) {
        coordinator = IInferenceCoordinator(msg.sender);
        registry = registry_;
    }

    /// @inheritdoc IDisputeGame
    function challenge(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes32 salt
    ) external nonReentrant {
        (, IInferenceCoordinator.RequestState memory s) = coordinator.getRequest(requestId);
        _spendCommitment(requestId, msg.sender, salt, s, terms.challengeWindow);
        _challengers[requestId] = msg.sender;
        coordinator.openDispute(requestId, terms, msg.sender);
    }

    /// @inheritdoc IDisputeGame
    function defend(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof
    ) external nonReentrant {
        (IInferenceCoordinator.RequestState memory s, bytes32 posted) = _disputed(requestId, terms);
        if (msg.sender != s.relayer) revert NotClaimant(requestId, msg.sender);
        if (block.timestamp > s.phaseEndsAt) revert DefenceWindowClosed(requestId, s.phaseEndsAt);
        if (keccak256(output) != posted) revert OutputHashMismatch(requestId);
        ProofVerification.verify(registry, requestId, terms, input, output, proof);
        _close(requestId, terms, IInferenceCoordinator.DisputeOutcome.Defended, address(0), output);
    }

    /// @inheritdoc IDisputeGame
    function proveFraud(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof
    ) external nonReentrant {
        (, bytes32 posted) = _disputed(requestId, terms);
        // Outputs are canonical tensors (one encoding per output): equal hashes are equal values.
        if (keccak256(output) == posted) revert SameOutput(requestId);
        ProofVerification.verify(registry, requestId, terms, input, output, proof);
        _close(requestId, terms, IInferenceCoordinator.DisputeOutcome.FraudProven, msg.sender, output);
    }

    /// @inheritdoc IDisputeGame
    function resolveDisputeTimeout(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms
    ) external nonReentrant {
        (IInferenceCoordinator.RequestState memory s, ) = _disputed(requestId, terms);
        if (block.timestamp <= s.phaseEndsAt) revert DefenceWindowOpen(requestId, s.phaseEndsAt);
        // A verifier whose code changed could judge neither side's proof: nobody is slashed, the request is refunded.
        IInferenceCoordinator.DisputeOutcome outcome =
            registry.verifierCodeChanged(terms.modelId)
                ? IInferenceCoordinator.DisputeOutcome.Voided
                : IInferenceCoordinator.DisputeOutcome.TimedOut;
        _close(requestId, terms, outcome, address(0), "");
    }

    /// @inheritdoc IDisputeGame
    function checkProof(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof
    ) external {
        ProofVerification.verify(registry, requestId, terms, input, output, proof);
    }

    /// @inheritdoc IDisputeGame
    function challengerOf(uint256 requestId) external view returns (address) {
        return _challengers[requestId];
    }

    /// @dev The state and posted output's hash of a Disputed request whose current terms are `terms`.
    function _disputed(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms
    ) private view returns (IInferenceCoordinator.RequestState memory s, bytes32 posted) {
        (s, posted) = coordinator.postedAnswer(requestId, terms);
        if (s.status != IInferenceCoordinator.RequestStatus.Disputed) revert WrongStatus(requestId, s.status);
    }

    /// @dev Ends the dispute: the record is cleared first, then the coordinator settles `outcome`.
    function _close(
        uint256 requestId,
        IInferenceCoordinator.RequestTerms calldata terms,
        IInferenceCoordinator.DisputeOutcome outcome,
        address prover,
        bytes memory output
    ) private {
        address challenger = _challengers[requestId];
        delete _challengers[requestId];
        coordinator.closeDispute(requestId, terms, outcome, challenger, prover, output, new address[](0));
    }
}
