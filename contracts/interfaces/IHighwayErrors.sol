// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferenceCoordinator} from "./IInferenceCoordinator.sol";

/**
 * @title IHighwayErrors
 * @notice Every custom error of Highway's contracts, declared once. The coordinator, its
 * dispute game and admin contract, the model registry and the staking contract inherit it (so each one's ABI
 * decodes every error a call into the protocol can bubble up); `InferenceConsumer` reverts
 * with `IHighwayErrors.OnlyCoordinator` without inheriting it, so that a Dapp's own error
 * names stay free. It imports `IInferenceCoordinator` for two enums only; that interface does
 * not inherit it (an import cycle with inheritance does not compile in every order).
 * @dev The libraries keep their own errors (`InstanceEncoding`,
 * `ExactGasCall`): they are usable on their own. The SDK (`sdk/errors.ts`) keys its hints
 * by error name, so names and arguments are part of the protocol's interface.
 */
interface IHighwayErrors {
    // ------------------------------------------------------------------ shared

    /// @notice An address argument that must be set is zero.
    error ZeroAddress();

    /// @notice `value` is outside the bounds `[min, max]` of the parameter being set.
    error ParameterOutOfBounds(uint256 value, uint256 min, uint256 max);

    /// @notice The caller has no balance (or unbonded stake) to withdraw.
    error NothingToWithdraw();

    /// @notice Only the model's owner may do this.
    /// @param modelId The model acted on.
    /// @param caller The account that tried.
    error NotModelOwner(bytes32 modelId, address caller);

    /// @notice Only the coordinator may call this (the staking contract's bond hooks, a consumer's callback).
    error OnlyCoordinator(address caller);

    // ------------------------------------------------------------------ coordinator: deployment and admin

    /// @notice The staking contract stakes another token than the coordinator's payment token.
    error StakeTokenMismatch(address stakeToken);

    /// @notice The staking contract names another coordinator than the one being deployed.
    error StakingCoordinatorMismatch(address stakingCoordinator);

    /// @notice New requests are paused (or `pause` was called while paused).
    error EnforcedPause();

    /// @notice `unpause` was called while not paused.
    error ExpectedPause();

    /// @notice Only the arbiter of the request's model kind may call the dispute hooks: the dispute game
    /// for circuit models, the language arbiter for language models.
    error OnlyArbiter(address caller);

    /// @notice The language arbiter is set once, and is set already (or the address is zero).
    error LanguageArbiterAlreadySet(address arbiter);

    /// @notice Only the coordinator's admin contract may call the configuration hooks.
    error OnlyCoordinatorAdmin(address caller);

    // ------------------------------------------------------------------ coordinator: making a request

    /// @notice The model does not take new requests.
    error ModelInactive(bytes32 modelId);

    /// @notice The model (or the request) does not support proof mode `mode` for this action.
    error ProofModeUnsupported(bytes32 modelId, IInferenceCoordinator.ProofMode mode);

    /// @notice A tensor is not a width byte (1, 2, 4, 8, 16 or 32) followed by a whole number of values
    /// (at least one) of that width (`TensorCodec`).
    error MalformedTensor();

    /// @notice An output tensor is not in its canonical encoding, the smallest width all its values fit.
    error NonCanonicalOutput();

    /// @notice A language model's input is not well-formed UTF-8.
    error InvalidUtf8();

    /// @notice A language model's input has `actual` bytes (none, or too many): it must have 1 to `max`.
    error InvalidPromptLength(uint256 max, uint256 actual);

    /// @notice A language-model request must bound its answer with `maxOutputBytes` in `[1, max]` (the
    /// model's limit); a circuit-model request must leave it 0.
    error InvalidMaxOutputBytes(uint256 maxOutputBytes, uint256 max);

    /// @notice A language model's answer has `actual` bytes: it must have 1 to the request's `max`.
    error OutputTooLong(uint256 max, uint256 actual);

    /// @notice The output passed does not hash to the answer request `requestId` holds.
    error OutputHashMismatch(uint256 requestId);

    /// @notice The input holds `actual` values; the model takes `expected`.
    error InputLengthMismatch(uint256 expected, uint256 actual);

    /// @notice Input value `index` is `value`, beyond the model's input bound `bound` (in magnitude).
    error InputOutOfBounds(uint256 index, int256 value, uint256 bound);

    /// @notice The request's deadline leaves less than the delivery window: a claimant could not be
    /// sure to answer in time, so the deadline must be at least `earliest` (now plus the delivery window).
    error InvalidDeadline(uint256 deadline, uint256 earliest);

    /// @notice The model's fee rose above what the requester accepts (`maxModelFee`), e.g. a `setFee`
    /// mined before the request: nothing is escrowed.
    /// @param modelId The model requested.
    /// @param fee The model's fee now.
    /// @param maxModelFee The most the request accepts.
    error ModelFeeAboveMax(bytes32 modelId, uint256 fee, uint256 maxModelFee);

    /// @notice A request's own job bond (`RequestParams.jobBond`, when not 0) must be at least the
    /// protocol's, `minimum`: a request may raise its security level, not lower it.
    error InvalidJobBond(uint256 jobBond, uint256 minimum);

    /// @notice A request's own challenge window (`RequestParams.challengeWindow`, when not 0) must be
    /// within `[minimum, maximum]`: at least the protocol's, at most the longest dispute window.
    error InvalidChallengeWindow(uint256 challengeWindow, uint256 minimum, uint256 maximum);

    /// @notice The auction would start above its maximum compute fee.
    error InvalidComputeFees(uint256 startComputeFee, uint256 maxComputeFee);

    /// @notice The request asks for more callback gas than the protocol allows.
    error CallbackGasLimitTooHigh(uint256 callbackGasLimit, uint256 maxCallbackGasLimit);

    // ------------------------------------------------------------------ coordinator: acting on a request

    /// @notice The terms passed are not request `requestId`'s current terms (those it was made with, or raised to).
    error TermsMismatch(uint256 requestId);

    /// @notice The input passed does not hash to request `requestId`'s `inputHash`.
    error InputMismatch(uint256 requestId);

    /// @notice Request `requestId` is in `status`, where this action is not allowed.
    error WrongStatus(uint256 requestId, IInferenceCoordinator.RequestStatus status);

    /// @notice Only the request's requester may do this.
    error NotRequester(uint256 requestId, address caller);

    /// @notice Only the relayer that claimed the request may do this.
    error NotClaimant(uint256 requestId, address caller);

    /// @notice The request's deadline has passed: it can only be refunded.
    error DeadlinePassed(uint256 requestId, uint256 deadline);

    /// @notice The request's deadline has not passed yet.
    error DeadlineNotReached(uint256 requestId, uint256 deadline);

    /// @notice Request `requestId` can no longer be claimed: a claim after `lastClaimAt` (its deadline
    /// less its delivery window) would not leave the claimant its whole delivery window.
    error ClaimTooLate(uint256 requestId, uint256 lastClaimAt);

    /// @notice Request `requestId` was reopened at `reopenedAt`: it can be claimed only in a later block
    /// (one with a later timestamp), so that whoever reopened it cannot take it back first.
    error ClaimTooSoon(uint256 requestId, uint256 reopenedAt);

    /// @notice `relayer` lost its claim on request `requestId` (late, or undefended): it may not claim it again.
    error FormerClaimant(uint256 requestId, address relayer);

    /// @notice The claimant still has until `endsAt` to answer.
    error DeliveryWindowOpen(uint256 requestId, uint256 endsAt);

    /// @notice The optimistic answer can still be challenged until `endsAt`.
    error ChallengeWindowOpen(uint256 requestId, uint256 endsAt);

    /// @notice The optimistic answer's challenge window ended at `endedAt`.
    error ChallengeWindowClosed(uint256 requestId, uint256 endedAt);

    /// @notice The challenged relayer can still defend until `endsAt`.
    error DefenceWindowOpen(uint256 requestId, uint256 endsAt);

    /// @notice The challenged relayer's defence window ended at `endedAt`.
    error DefenceWindowClosed(uint256 requestId, uint256 endedAt);

    /// @notice The output has `actual` values; the model has `expected`.
    error OutputLengthMismatch(uint256 expected, uint256 actual);

    /// @notice The proof does not prove the claimed output for request `requestId`'s input (or the verifier reverted).
    error InvalidProof(uint256 requestId);

    /// @notice `challenger` committed no challenge of request `requestId` with this salt (`commitChallenge`).
    error ChallengeNotCommitted(uint256 requestId, address challenger);

    /// @notice A challenge is revealed in a later block than its commitment (block `committedAt`).
    error ChallengeRevealTooSoon(uint256 requestId, uint256 committedAt);

    /// @notice The commitment (at `committedAt`) predates the answer it would challenge, posted at `answeredAt`:
    /// a commitment holds only for the answer pending when it was made.
    error ChallengeCommitmentStale(uint256 requestId, uint256 committedAt, uint256 answeredAt);

    /// @notice A fraud proof must prove another output than the one posted for request `requestId`.
    error SameOutput(uint256 requestId);

    /// @notice Request `requestId` has no failed callback to retry.
    error NoFailedCallback(uint256 requestId);

    /// @notice A raise must lift `maxComputeFee` above its `current` value.
    error MaxComputeFeeNotRaised(uint256 current, uint256 proposed);

    // ------------------------------------------------------------------ model registry

    /// @notice The model id (owner and salt) is taken.
    error ModelAlreadyRegistered(bytes32 modelId);

    /// @notice No model is registered under `modelId`.
    error UnknownModel(bytes32 modelId);

    /// @notice A circuit model needs a deployed verifier: its disputes are settled by a proof.
    error VerifierRequired();

    /// @notice A language model has no verifier, a runtime spec hash, optimistic answers only and no
    /// input bound or scales: its disputes are settled by the language arbiter's re-execution.
    error InvalidLanguageModel();

    /// @notice The code at model `modelId`'s verifier is no longer the code registered (its code hash
    /// was `recorded`, it is `current`; 0 once destroyed): no proof of the model is accepted.
    error VerifierCodeChanged(bytes32 modelId, bytes32 recorded, bytes32 current);

    /// @notice `proofModes` is not 1 (zk), 2 (optimistic) or 3 (both).
    error InvalidProofModes(uint8 proofModes);

    /// @notice A model takes 1 to `MAX_INPUT_LENGTH` input values (a language model: prompt bytes).
    error InvalidInputLength(uint256 inputLength);

    /// @notice A model has 1 to `MAX_OUTPUT_LENGTH` output values (a language model: answer bytes).
    error InvalidOutputLength(uint256 outputLength);

    /// @notice A fixed-point scale is at most `MAX_SCALE` bits.
    error InvalidScale(uint8 scale);

    /// @notice The parent and referral shares exceed the model fee (10,000 bps), or a share is set without a parent.
    error InvalidShares(uint16 parentShareBps, uint16 referralShareBps);

    /// @notice The parent is not a registered model (or is the model itself).
    error InvalidParent(bytes32 parentModelId);

    /// @notice `modelId` has no batched verifier (`registerBatchVerifier`).
    error NoBatchVerifier(bytes32 modelId);

    /// @notice `modelId` already has its batched verifier: like the single verifier, it is never replaced.
    error BatchVerifierAlreadyRegistered(bytes32 modelId);

    /// @notice A batched verifier answers 2 to `max` requests per proof; `batchSize` is outside that.
    error InvalidBatchSize(uint256 batchSize, uint256 max);

    // ------------------------------------------------------------------ batch fulfilment

    /// @notice A batch holds 1 to `batchSize` requests of one model; it held `count` (or its arrays differ in length).
    error InvalidBatch(uint256 count, uint256 batchSize);

    /// @notice Request `requestId` is not a zk request of the batch's model `modelId`.
    error NotInBatchModel(uint256 requestId, bytes32 modelId);

    /// @notice Request `requestId` was made before its model's batched verifier existed (at `since`):
    /// only the verifier its requester saw answers it.
    error RequestBeforeBatchVerifier(uint256 requestId, uint256 since);

    /// @notice No request of the batch could be answered (each was skipped): nothing was settled.
    error NothingAnswered();

    /// @notice No request of a batch claim could be claimed (each was skipped).
    error NothingClaimed();

    // ------------------------------------------------------------------ relayer staking

    /// @notice The amount must be above zero.
    error ZeroAmount();

    /// @notice `amount` does not fit the staking contract's 96-bit records.
    error AmountTooLarge(uint256 amount);

    /// @notice `relayer` needs `needed` free (unlocked) stake but has `free`.
    error InsufficientFreeStake(address relayer, uint256 needed, uint256 free);

    /// @notice `relayer`'s `stake` is below the `minStake` needed to claim.
    error BelowMinStake(address relayer, uint256 stake, uint256 minStake);

    /// @notice The unbonding stake is released at `releaseAt`.
    error StillUnbonding(uint256 releaseAt);

    /// @notice `relayer` has only `locked` bonded, less than the `amount` to release or slash.
    error LockedBondTooSmall(address relayer, uint256 amount, uint256 locked);

    // ------------------------------------------------------------------ committee arbiter (language models)

    /// @notice Request `requestId`'s dispute has no committee yet (`draw` it first), or was never opened here.
    error CommitteeNotDrawn(uint256 requestId);

    /// @notice Request `requestId`'s committee is drawn already.
    error CommitteeAlreadyDrawn(uint256 requestId);

    /// @notice The committee is drawn from the hash of block `seedBlock`: only in a later block.
    error DrawTooEarly(uint256 requestId, uint256 seedBlock);

    /// @notice `caller` is not a member of request `requestId`'s committee.
    error NotCommitteeMember(uint256 requestId, address caller);

    /// @notice The commit window of request `requestId`'s committee closed at `closedAt`.
    error CommitWindowClosed(uint256 requestId, uint256 closedAt);

    /// @notice `member` already committed (or revealed) on request `requestId`.
    error AlreadyVoted(uint256 requestId, address member);

    /// @notice Reveals open once every member committed or the commit window closes at `opensAt`.
    error RevealWindowNotOpen(uint256 requestId, uint256 opensAt);

    /// @notice The reveal window of request `requestId`'s committee closed at `closedAt`.
    error RevealWindowClosed(uint256 requestId, uint256 closedAt);

    /// @notice `member`'s reveal does not match its commitment (or it did not commit).
    error CommitmentMismatch(uint256 requestId, address member);

    /// @notice The vote on request `requestId` can be resolved once every member revealed or at `endsAt`.
    error VoteStillOpen(uint256 requestId, uint256 endsAt);

    /// @notice The output passed to resolve hashes to `actual`, not the majority's `expected`.
    error MajorityOutputMismatch(bytes32 expected, bytes32 actual);
}
