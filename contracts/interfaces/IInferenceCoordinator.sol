// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IInferenceCoordinator
 * @notice Requests, the reverse Dutch auction, zk and optimistic answers, settlement,
 * callbacks, refunds and pull payments of Highway, and the hooks through which its dispute
 * game opens and closes disputes over optimistic answers.
 * @dev A request's id is `uint256(keccak256(abi.encode(terms)))` of the `RequestTerms` it was
 * made with (they carry a unique nonce); it stores only a one-slot state. Every call about a
 * request passes its terms again (they are in `RequestCreated`), checked against the id, or
 * against the stored hash of the raised terms after `raiseMaxComputeFee`. Every life-cycle
 * event of a request, disputes included, is emitted by the coordinator. Its errors are
 * declared in `IHighwayErrors`, which the coordinator also implements.
 */
interface IInferenceCoordinator {
    /// @notice How a request's answer is made final: by a zk proof, or optimistically behind a challenge window.
    enum ProofMode {
        Zk,
        Optimistic
    }

    /// @notice Where a request is in its life cycle.
    enum RequestStatus {
        None,
        Open,
        Claimed,
        Pending, // optimistic answer posted, in its challenge window
        Disputed, // optimistic answer challenged, in its defence window
        Fulfilled,
        Refunded
    }

    /// @notice How the dispute game (or another arbiter) ends a dispute over an optimistic answer.
    enum DisputeOutcome {
        Defended, // the posted output stands (proven): the challenger loses its bond to the relayer
        FraudProven, // another output is proven: it answers the request; the relayer's bond is slashed to the challenger
        TimedOut // no defence in time: the relayer's bond is slashed to the challenger; the request reopens or is refunded
    }

    /// @notice What a requester chooses.
    struct RequestParams {
        bytes32 modelId;
        ProofMode proofMode;
        uint96 startComputeFee;
        uint96 maxComputeFee;
        uint96 maxModelFee; // the most the requester accepts as the model's fee: a fee raised before the request is mined makes it revert (ModelFeeAboveMax)
        uint96 jobBond; // the request's security level: 0 for the protocol's job bond, else at least it (InvalidJobBond)
        uint32 challengeWindow; // 0 for the protocol's challenge window, else at least it and at most 7 days (InvalidChallengeWindow)
        uint32 callbackGasLimit;
        uint40 deadline; // at least the request's time plus the delivery window (InvalidDeadline)
        address consumer;
        address referrer; // no referral share when zero, the requester itself or the consumer
    }

    /// @notice Everything a request locks when it is made; its hash is all that is stored.
    // Never stored (only its hash is): the field order is the ABI encoding whose hash is the request id (sdk/terms.ts).
    // solhint-disable-next-line gas-struct-packing
    struct RequestTerms {
        bytes32 modelId;
        bytes32 inputHash;
        address requester;
        address consumer;
        address referrer;
        bytes32 parentModelId;
        uint96 modelFee;
        uint96 startComputeFee;
        uint96 maxComputeFee;
        uint96 jobBond;
        uint96 challengeBond;
        uint40 createdAt;
        uint40 deadline;
        uint32 auctionDuration;
        uint32 deliveryWindow;
        uint32 challengeWindow;
        uint32 defenceWindow;
        uint32 callbackGasLimit;
        uint16 protocolFeeBps;
        uint16 lateSlashBps; // the share of the job bond a late claimant loses to the requester
        uint16 disputeProtocolShareBps; // the protocol's share of a dispute loser's bond
        uint16 parentShareBps;
        uint16 referralShareBps;
        uint8 outputLength;
        ProofMode proofMode;
        uint40 nonce;
    }

    /// @notice The mutable state of a request (one storage slot). While a request is Open after a
    /// reopen (`reopen`, or a dispute timeout), `relayer` is the claimant that lost it (it may not
    /// claim it again) and `phaseEndsAt` the time it was reopened (it can be claimed only later);
    /// both are zero for a request never claimed. `claimedAt` and `phaseEndsAt` are 32-bit
    /// timestamps, valid until 2106-02-07 (docs/DESIGN.md).
    struct RequestState {
        RequestStatus status;
        bool callbackPending;
        bool termsRaised;
        address relayer;
        uint32 claimedAt;
        uint32 phaseEndsAt;
    }

    /// @notice The protocol's parameters, each with bounds (see `contracts/README.md`), set through `CoordinatorAdmin`.
    struct Params {
        uint16 protocolFeeBps;
        uint16 lateSlashBps;
        uint16 disputeProtocolShareBps;
        uint32 auctionDuration;
        uint32 deliveryWindow;
        uint32 challengeWindow;
        uint32 defenceWindow;
        uint32 maxCallbackGasLimit;
        uint96 jobBond;
        uint96 challengeBond;
    }

    // ------------------------------------------------------------------ events

    /// @notice A request was made (or, answered from the cache, its callback failed and it was stored for a retry).
    /// @param terms Everything the request locked; its hash is the request's id. Every later call passes them again.
    /// @param input The input, `abi.encode(int256[])` of quantized values.
    event RequestCreated(
        uint256 indexed requestId,
        bytes32 indexed modelId,
        address indexed requester,
        RequestTerms terms,
        bytes input
    );

    /// @notice `relayer` won the auction of request `requestId` at `computeFee` and locked its job bond.
    event RequestClaimed(uint256 indexed requestId, address indexed relayer, uint256 computeFee);

    /// @notice Request `requestId` got its final `output`; `payee` earned `computeFee`.
    /// @param proven Whether the output was proven (zk answer, defence or fraud proof) rather than finalized unchallenged.
    event RequestFulfilled(
        uint256 indexed requestId,
        address indexed payee,
        int256[] output,
        uint256 computeFee,
        bool proven
    );

    /// @notice A request for a cached (model, input) pair was answered in the transaction that made it.
    /// @param terms The request's terms, so a reader settles its fee split from this log alone.
    event CachedRequestFulfilled(
        uint256 indexed requestId,
        bytes32 indexed modelId,
        address indexed requester,
        RequestTerms terms,
        int256[] output
    );

    /// @notice `relayer` posted an unproven `output`; its challenge window started.
    event OptimisticSubmitted(uint256 indexed requestId, address indexed relayer, int256[] output);

    /// @notice `challenger` disputed request `requestId`'s optimistic output, posting `bond` (through the dispute game).
    event Challenged(uint256 indexed requestId, address indexed challenger, uint256 bond);

    /// @notice `relayer` proved its disputed output; `challenger` lost its bond.
    event Defended(uint256 indexed requestId, address indexed relayer, address indexed challenger);

    /// @notice `prover` proved `output`, not the one `relayer` posted; the relayer's bond is slashed, and the
    /// challenger (whoever the prover) earns the compute fee (`RequestFulfilled`'s payee).
    event FraudProven(uint256 indexed requestId, address indexed prover, address indexed relayer, int256[] output);

    /// @notice `relayer` did not defend within the defence window; its bond is slashed to `challenger`.
    event DisputeTimedOut(uint256 indexed requestId, address indexed relayer, address indexed challenger);

    /// @notice Request `requestId` is Open again; `previousRelayer` no longer holds it.
    event RequestReopened(uint256 indexed requestId, address indexed previousRelayer);

    /// @notice `amount` of `relayer`'s stake was slashed over request `requestId`.
    event RelayerSlashed(uint256 indexed requestId, address indexed relayer, uint256 amount);

    /// @notice Request `requestId` ended unanswered; `amount` was credited back to its requester.
    event RequestRefunded(uint256 indexed requestId, uint256 amount);

    /// @notice The requester raised `maxComputeFee`, escrowing `topUp` more.
    event MaxComputeFeeRaised(uint256 indexed requestId, uint256 maxComputeFee, uint256 topUp);

    /// @notice A retried callback of request `requestId` succeeded.
    event CallbackDelivered(uint256 indexed requestId);

    /// @notice The consumer's callback reverted or ran out of gas; anyone may `retryCallback`.
    /// @param gasUsed The gas the call consumed.
    /// @param reason At most the first 256 bytes of the revert data.
    event CallbackFailed(uint256 indexed requestId, uint256 gasUsed, bytes reason);

    /// @notice `account` withdrew `amount` from its balance.
    event Withdrawal(address indexed account, uint256 amount);

    /// @notice `owner` withdrew `amount` of `modelId`'s earnings.
    event ModelEarningsWithdrawn(bytes32 indexed modelId, address indexed owner, uint256 amount);

    /// @notice The protocol's accrued fees and shares, `amount`, were paid to `treasury`.
    event ProtocolFeesWithdrawn(address indexed treasury, uint256 amount);

    // ------------------------------------------------------------------ requests

    /// @notice Asks for `modelId`'s output on `input` (`abi.encode(int256[])`, quantized), escrowing the fees.
    function requestInference(RequestParams calldata params, bytes calldata input) external returns (uint256 requestId);

    /// @notice `requestInference` after an ERC-2612 permit of the payment token, in one transaction.
    function requestInferenceWithPermit(
        RequestParams calldata params,
        bytes calldata input,
        uint256 permitValue,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 requestId);

    /// @notice Lets the requester withdraw an Open request, refunding its whole escrow.
    function cancel(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Refunds a request whose deadline passed before it was answered; anyone may call.
    function expire(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Raises an Open request's `maxComputeFee`, escrowing the difference (and its protocol fee).
    function raiseMaxComputeFee(uint256 requestId, RequestTerms calldata terms, uint96 newMaxComputeFee) external;

    // ------------------------------------------------------------------ relayers

    /// @notice Wins an Open request at the current auction price, locking `terms.jobBond` of the caller's stake.
    /// @dev Refused once fewer than `deliveryWindow` seconds are left before the deadline (`ClaimTooLate`), so
    /// every claimant has its whole delivery window; after a reopen, refused in the reopen's block
    /// (`ClaimTooSoon`) and to the claimant that lost it (`FormerClaimant`).
    function claim(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Answers a claimed request with a proof that `output` is the model's output on the request's input.
    function fulfillZk(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external;

    // ------------------------------------------------------------------ batch hooks (the batch fulfiller only)

    /// @notice `claim` for `relayer`, from its `claimBatch` through the batch fulfiller (`OnlyBatchFulfiller` otherwise).
    function claimFor(uint256 requestId, RequestTerms calldata terms, address relayer) external;

    /**
     * @notice Answers request `requestId`, claimed by `relayer`, with `output`, which the batch fulfiller
     * proved in a batch proof (`IBatchFulfiller.fulfillZkBatch`): cached, settled and called back as by
     * `fulfillZk`, and refused as `fulfillZk` would refuse it (not Claimed by `relayer`, past its deadline).
     * Only the batch fulfiller (`OnlyBatchFulfiller`).
     */
    function fulfillFromBatch(
        uint256 requestId,
        RequestTerms calldata terms,
        address relayer,
        int256[] calldata output
    ) external;

    /// @notice Posts an unproven `output` for a claimed optimistic request, starting its challenge window.
    function submitOptimistic(uint256 requestId, RequestTerms calldata terms, int256[] calldata output) external;

    /// @notice Makes a Pending result final once its challenge window has passed; anyone may call.
    function finalize(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Reopens a claimed request its relayer did not answer within the delivery window; anyone may call.
    /// The claimant loses `terms.lateSlashBps` of its job bond to the requester.
    function reopen(uint256 requestId, RequestTerms calldata terms) external;

    // ------------------------------------------------------------------ dispute hooks (the dispute game only)

    /**
     * @notice Opens a dispute over a Pending optimistic answer within its challenge window: the
     * request becomes Disputed, its defence window starts, `Challenged` is emitted and the
     * request's `challengeBond` is pulled from `challenger` (who approves the coordinator).
     * @dev Only the dispute game, which keeps the challenger; `OnlyDisputeGame` otherwise.
     */
    function openDispute(uint256 requestId, RequestTerms calldata terms, address challenger) external;

    /**
     * @notice Ends the dispute over a Disputed request with `outcome`, and settles, slashes,
     * caches and delivers accordingly (see `DisputeOutcome`).
     * @dev Only the dispute game, after judging the outcome (the coordinator checks only the
     * terms and that the request is Disputed, so each dispute ends once).
     * @param challenger The challenger the game recorded: paid back and rewarded unless `Defended`.
     * @param prover `FraudProven` only: who proved `output` (for the event: the compute fee goes to the challenger).
     * @param output `FraudProven` only: the proven output, which answers the request.
     */
    function closeDispute(
        uint256 requestId,
        RequestTerms calldata terms,
        DisputeOutcome outcome,
        address challenger,
        address prover,
        int256[] calldata output
    ) external;

    /// @notice The contract that runs disputes over optimistic answers (the only caller of the dispute hooks).
    function disputeGame() external view returns (address);

    /// @notice Request `requestId`'s state and the output it holds (posted optimistically, or proven by a
    /// fraud proof; empty otherwise), once `terms` are checked to be its current terms (`TermsMismatch`):
    /// what a dispute is judged on.
    function postedAnswer(
        uint256 requestId,
        RequestTerms calldata terms
    ) external view returns (RequestState memory state, int256[] memory output);

    // ------------------------------------------------------------------ configuration hooks (the admin contract only)

    /// @notice Sets the parameters of requests made from now on; only `coordinatorAdmin`, which checked their bounds.
    function applyParams(Params calldata params) external;

    /// @notice Sets the address protocol fees and shares are paid to; only `coordinatorAdmin`.
    function applyTreasury(address treasury) external;

    /// @notice Stops (`true`) or resumes new requests; only `coordinatorAdmin`.
    function applyPause(bool paused) external;

    /// @notice The `CoordinatorAdmin` contract: roles, parameter bounds, treasury and pause (the only
    /// caller of the configuration hooks).
    function coordinatorAdmin() external view returns (address);

    /// @notice The current protocol parameters.
    function getParams() external view returns (Params memory);

    /// @notice Whether new requests are stopped.
    function paused() external view returns (bool);

    /// @notice The address protocol fees and shares are paid to.
    function treasury() external view returns (address);

    // ------------------------------------------------------------------ results and payments

    /// @notice Calls a failed callback again with the same gas limit; anyone may call.
    function retryCallback(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Pays out the caller's whole balance.
    function withdraw() external;

    /// @notice Pays `modelId`'s earnings to its current owner; only that owner.
    function withdrawModelEarnings(bytes32 modelId) external;

    /// @notice Pays the protocol's accrued fees and shares to the treasury; anyone may call.
    function withdrawProtocolFees() external;

    /// @notice The proven output of `modelId` on `input`, if any.
    function cachedResult(
        bytes32 modelId,
        bytes calldata input
    ) external view returns (bool found, int256[] memory output);

    /// @notice The provisional output of a Pending or Disputed request, at the reader's own risk, with
    /// its status and the end of its current window (challenge window when Pending, defence window when Disputed).
    function pendingResult(
        uint256 requestId
    ) external view returns (int256[] memory output, RequestStatus status, uint256 windowEndsAt);

    /// @notice A request's stored terms hash and state (`phaseEndsAt`: end of the delivery window
    /// when Claimed, of the challenge window when Pending, of the defence window when Disputed, the
    /// time it was reopened when Open again).
    function getRequest(uint256 requestId) external view returns (bytes32 termsHash, RequestState memory state);

    /// @notice What a request with these fees escrows under the current protocol fee.
    function quoteEscrow(bytes32 modelId, uint96 maxComputeFee) external view returns (uint256);

    /// @notice What `account` can withdraw.
    function balanceOf(address account) external view returns (uint256);
}
