// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferenceCoordinator} from "./IInferenceCoordinator.sol";

/**
 * @title IBatchFulfiller
 * @notice Batch proofs: a relayer claims several requests in one transaction (`claimBatch`), posts
 * several optimistic answers in one (`submitOptimisticBatch`) and makes several final in one
 * (`finalizeBatch`), and answers up to B claimed zk requests of one model with one proof of the
 * model's batched circuit (`fulfillZkBatch`, one `verifyProof` call). Each request is settled and called back by the
 * coordinator exactly as `fulfillZk` would (its auction price, its callback gas, its own failed
 * callback recorded for `retryCallback`).
 * @dev Deployed by the coordinator, which takes `claim`, `submitOptimistic` and `fulfillZk` from this contract for the
 * relayer whose address it appends to the calldata (and checks no proof in that `fulfillZk`). Revert
 * or skip: whatever the relayer decided when it built the batch (the model, the terms, the inputs,
 * the output instances, the proof) reverts the whole batch; what
 * others can change between the proof and its inclusion (a claim or answer by someone else, a
 * reopen, the deadline passing) skips that request alone, with `BatchRequestSkipped`, so a proof
 * made for B requests is not lost to one of them. Too little gas is the sender's decision: a request
 * whose call runs out of gas, or whose callback cannot get its exact gas (`InsufficientGasForCall`),
 * reverts the whole batch, as it reverts a single `fulfillZk`.
 */
interface IBatchFulfiller {
    /// @notice Request `requestId` was left out of a batch claim or answer; `reason` is the coordinator's
    /// revert data (e.g. `WrongStatus`, `NotClaimant`, `DeadlinePassed`).
    event BatchRequestSkipped(uint256 indexed requestId, bytes reason);

    /// @notice `relayer` answered `answered` requests of `modelId` with one proof of `count` requests.
    event BatchFulfilled(bytes32 indexed modelId, address indexed relayer, uint256 count, uint256 answered);

    /// @notice The coordinator whose requests this contract claims and answers.
    function coordinator() external view returns (IInferenceCoordinator);

    /**
     * @notice Claims each of `requestIds` (with its current `terms`) for the caller at its own auction
     * price, locking each request's job bond of the caller's stake, as `claim` would. A request that
     * cannot be claimed (taken, past its last claim time, a former claimant's) is skipped.
     * @return claimed How many were claimed; reverts with `NothingClaimed` when none.
     */
    function claimBatch(
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms
    ) external returns (uint256 claimed);

    /**
     * @notice Posts the caller's optimistic answers: `outputs[i]` for its claimed request `requestIds[i]`, as
     * `submitOptimistic` would, each starting its own challenge window. A request the caller no longer holds
     * (reopened, answered, past its deadline) or whose output has the wrong shape is skipped.
     * @return submitted How many answers were posted; reverts with `NothingAnswered` when none.
     */
    function submitOptimisticBatch(
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata outputs
    ) external returns (uint256 submitted);

    /**
     * @notice Makes final, as `finalize` would (anyone may call), the posted optimistic answer `outputs[i]` of
     * each request `requestIds[i]` whose challenge window has passed: settled, its relayer paid and its bond
     * released, its consumer called back with its own gas limit. A request not due (window open, disputed,
     * already final) or whose output is not the posted one is skipped.
     * @return finalized How many were made final; reverts with `NothingAnswered` when none.
     */
    function finalizeBatch(
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata outputs
    ) external returns (uint256 finalized);

    /**
     * @notice Answers the caller's claimed zk requests `requestIds` of `modelId` with one proof of the
     * model's batched circuit (`IModelRegistry.batchVerifierOf`). Row i of the batch is request i: its
     * public inputs are built from `inputs[i]`, checked against its terms' input hash; rows past the
     * requests are padding, zero inputs written here. `outputInstances` holds every row's outputs as
     * field elements (padding rows too: the proof fixes them, they are dropped); request i's output is
     * read back from its row. A request claimed by someone else, already answered or past its deadline
     * is skipped; one whose callback reverts is answered, its callback left for `retryCallback`.
     * @return answered How many requests were answered; reverts with `NothingAnswered` when none.
     */
    function fulfillZkBatch(
        bytes32 modelId,
        uint256[] calldata requestIds,
        IInferenceCoordinator.RequestTerms[] calldata terms,
        bytes[] calldata inputs,
        uint256[] calldata outputInstances,
        bytes calldata proof
    ) external returns (uint256 answered);
}
