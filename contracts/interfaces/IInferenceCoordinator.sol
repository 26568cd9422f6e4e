// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelKind} from "../types/ModelKind.sol";

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

    /// @notice How an arbiter (the dispute game, or the language arbiter) ends a dispute over an optimistic answer.
    enum DisputeOutcome {
        Defended, // the posted output stands: the challenger loses its bond to the relayer
        FraudProven, // another output is established: it answers the request; the relayer's bond is slashed to the challenger
        TimedOut, // no defence in time: the relayer's bond is slashed to the challenger; the request reopens or is refunded
        Voided // no judgement is possible (the model's verifier code changed; a committee with no majority): no party is
    }
    // slashed, the challenger's bond is returned, the relayer's job bond unlocked, the request refunded

    /// @notice What a requester chooses.
    struct RequestParams {
        bytes32 modelId;
        ProofMode proofMode;
        uint96 startComputeFee;
        uint96 maxComputeFee;
        uint96 maxModelFee; // the most the requester accepts as the model's fee: a fee raised before the request is mined makes it revert (ModelFeeAboveMax)
        uint96 jobBond; // the request's security level: 0 for the protocol's job bond, else at least it (InvalidJobBond); the challenge bond rises in proportion
        uint32 challengeWindow; // 0 for the protocol's challenge window, else at least it and at most 7 days (InvalidChallengeWindow)
        uint32 callbackGasLimit;
        uint32 maxOutputBytes; // language models: the longest answer accepted, 1 to the model's limit; circuit models: 0
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
        uint32 outputSize; // circuit models: the output's value count; language models: the answer's most bytes
        ModelKind modelKind;
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
    /// @param input The input: a tensor (`TensorCodec`) for a circuit model, UTF-8 text for a language model.
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
    /// @param output A canonical tensor (circuit models) or UTF-8 text (language models).
    /// @param proven Whether the output was established (zk answer, defence, fraud proof, an arbiter's
    /// verdict) rather than finalized unchallenged.
    event RequestFulfilled(
        uint256 indexed requestId,
        address indexed payee,
        bytes output,
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
        bytes output
    );

    /// @notice `relayer` posted an unproven `output`; its challenge window started. Only the output's hash is
    /// stored: whoever finalizes (or retries the callback) passes the output again.
    event OptimisticSubmitted(uint256 indexed requestId, address indexed relayer, bytes output);

    /// @notice `challenger` disputed request `requestId`'s optimistic output, posting `bond` (through the dispute game).
    event Challenged(uint256 indexed requestId, address indexed challenger, uint256 bond);

    /// @notice `relayer` proved its disputed output; `challenger` lost its bond.
    event Defended(uint256 indexed requestId, address indexed relayer, address indexed challenger);

    /// @notice `prover` proved `output`, not the one `relayer` posted; the relayer's bond is slashed, and the
    /// challenger (whoever the prover) earns the compute fee (`RequestFulfilled`'s payee).
    event FraudProven(uint256 indexed requestId, address indexed prover, address indexed relayer, bytes output);

    /// @notice `relayer` did not defend within the defence window; its bond is slashed to `challenger`.
    event DisputeTimedOut(uint256 indexed requestId, address indexed relayer, address indexed challenger);

    /// @notice The dispute over `relayer`'s answer could not be judged (`DisputeOutcome.Voided`): nobody is
    /// slashed, `challenger` gets its bond back, and the request is refunded.
    event DisputeVoided(uint256 indexed requestId, address indexed relayer, address indexed challenger);

    /// @notice Request `requestId` is Open again; `previousRelayer` no longer holds it.
    event RequestReopened(uint256 indexed requestId, address indexed previousRelayer);

    /// @notice `amount` of `relayer`'s stake was slashed over request `requestId` (0: its job bond was released
    /// unslashed, because the job could not be judged: a void dispute, or a model whose verifier code changed).
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

    /// @notice Asks for `modelId`'s output on `input` (a tensor, or UTF-8 text: `IModelRegistry.termsForInput`),
    /// escrowing the fees.
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
    /// (`ClaimTooSoon`) and to the claimant that lost it (`FormerClaimant`). The coordinator's batch fulfiller
    /// (`IBatchFulfiller.claimBatch`) claims for a relayer, whose address it appends to the calldata.
    function claim(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Answers a claimed request with a proof that `output` is the model's output on the request's input.
    /// @dev The coordinator's batch fulfiller (`IBatchFulfiller.fulfillZkBatch`) answers for a relayer, whose
    /// address it appends to the calldata, with an output proven by its batch proof (no proof checked here).
    function fulfillZk(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata input,
        bytes calldata output,
        bytes calldata proof
    ) external;

    /// @notice Posts an unproven `output` for a claimed optimistic request, starting its challenge window: a
    /// canonical tensor of the model's output count, or (language models) 1 to `terms.outputSize` bytes.
    function submitOptimistic(uint256 requestId, RequestTerms calldata terms, bytes calldata output) external;

    /// @notice Makes a Pending result final once its challenge window has passed; anyone may call, passing
    /// the posted output (from `OptimisticSubmitted`), checked against its hash.
    function finalize(uint256 requestId, RequestTerms calldata terms, bytes calldata output) external;

    /// @notice Reopens a claimed request its relayer did not answer within the delivery window; anyone may call.
    /// The claimant loses `terms.lateSlashBps` of its job bond to the requester.
    function reopen(uint256 requestId, RequestTerms calldata terms) external;

    // ------------------------------------------------------------------ dispute hooks (the request's arbiter only)

    /**
     * @notice Opens a dispute over a Pending optimistic answer within its challenge window: the
     * request becomes Disputed, its defence window starts, `Challenged` is emitted and the
     * request's `challengeBond` is pulled from `challenger` (who approves the coordinator).
     * @dev Only the arbiter of the request's model kind (`disputeGame` for circuit models, `languageArbiter`
     * for language models), which keeps the challenger;
     * `OnlyArbiter` otherwise.
     */
    function openDispute(uint256 requestId, RequestTerms calldata terms, address challenger) external;

    /**
     * @notice Ends the dispute over a Disputed request with `outcome`, and settles, slashes,
     * caches and delivers accordingly (see `DisputeOutcome`).
     * @dev Only the arbiter of the request's model kind, after judging the outcome (the coordinator checks
     * only the terms, the output's hash when `Defended`, and that the request is Disputed, so each dispute
     * ends once).
     * @param challenger The challenger the arbiter recorded: paid back and rewarded unless `Defended`.
     * @param prover `FraudProven` only: who established `output` (for the event: the compute fee goes to the challenger).
     * @param output `Defended`: the posted output (checked against its hash); `FraudProven`: the established
     * output, which answers the request; `TimedOut`: empty.
     * @param rewardees Who share the protocol's part of the loser's bond instead of the protocol (a committee's
     * majority); empty for the dispute game.
     */
    function closeDispute(
        uint256 requestId,
        RequestTerms calldata terms,
        DisputeOutcome outcome,
        address challenger,
        address prover,
        bytes calldata output,
        address[] calldata rewardees
    ) external;

    /// @notice The contract that runs disputes over circuit models' optimistic answers (by proof).
    function disputeGame() external view returns (address);

    /// @notice The contract that runs disputes over language models' answers (zero until set once through
    /// `CoordinatorAdmin`; until then a language model's answer cannot be challenged).
    function languageArbiter() external view returns (address);

    /// @notice Request `requestId`'s state and the hash of the output it holds (posted optimistically, or
    /// established in a dispute; zero otherwise), once `terms` are checked to be its current terms
    /// (`TermsMismatch`): what a dispute is judged on.
    function postedAnswer(
        uint256 requestId,
        RequestTerms calldata terms
    ) external view returns (RequestState memory state, bytes32 outputHash);

    // ------------------------------------------------------------------ configuration hooks (the admin contract only)

    /// @notice Sets the parameters of requests made from now on; only `coordinatorAdmin`, which checked their bounds.
    function applyParams(Params calldata params) external;

    /// @notice Sets the address protocol fees and shares are paid to; only `coordinatorAdmin`.
    function applyTreasury(address treasury) external;

    /// @notice Stops (`true`) or resumes new requests; only `coordinatorAdmin`.
    function applyPause(bool paused) external;

    /// @notice Sets the language arbiter, once (`LanguageArbiterAlreadySet`); only `coordinatorAdmin`.
    function applyLanguageArbiter(address arbiter) external;

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

    /// @notice Calls a failed callback again with the same gas limit and `output`, the output the failed
    /// delivery carried (from `RequestFulfilled` or `CachedRequestFulfilled`; the failure kept its hash);
    /// anyone may call.
    function retryCallback(uint256 requestId, RequestTerms calldata terms, bytes calldata output) external;

    /// @notice Pays out the caller's whole balance.
    function withdraw() external;

    /// @notice Pays `modelId`'s earnings to its current owner; only that owner.
    function withdrawModelEarnings(bytes32 modelId) external;

    /// @notice Pays the protocol's accrued fees and shares to the treasury; anyone may call.
    function withdrawProtocolFees() external;

    /// @notice The proven output of circuit model `modelId` on `input`, if any.
    function cachedResult(
        bytes32 modelId,
        bytes calldata input
    ) external view returns (bool found, bytes memory output);

    /// @notice A request's stored terms hash and state (`phaseEndsAt`: end of the delivery window
    /// when Claimed, of the challenge window when Pending, of the defence window when Disputed, the
    /// time it was reopened when Open again).
    function getRequest(uint256 requestId) external view returns (bytes32 termsHash, RequestState memory state);

    /// @notice What a request with these fees escrows under the current protocol fee.
    function quoteEscrow(bytes32 modelId, uint96 maxComputeFee) external view returns (uint256);

    /// @notice What `account` can withdraw.
    function balanceOf(address account) external view returns (uint256);
}
