// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IInferenceCoordinator
 * @notice Requests, the reverse Dutch auction, zk and optimistic answers, disputes,
 * settlement, callbacks, refunds and pull payments of Highway.
 * @dev A request's id is `uint256(keccak256(abi.encode(terms)))` of the `RequestTerms` it was
 * made with (they carry a unique nonce); it stores only a one-slot state. Every call about a
 * request passes its terms again (they are in `RequestCreated`), checked against the id, or
 * against the stored hash of the raised terms after `raiseMaxComputeFee`.
 */
interface IInferenceCoordinator {
    enum ProofMode {
        Zk,
        Optimistic
    }

    enum RequestStatus {
        None,
        Open,
        Claimed,
        Pending,
        Disputed,
        Fulfilled,
        Refunded
    }

    /// @notice What a requester chooses.
    struct RequestParams {
        bytes32 modelId;
        ProofMode proofMode;
        uint96 startComputeFee;
        uint96 maxComputeFee;
        uint32 callbackGasLimit;
        uint40 deadline;
        address consumer;
        address referrer;
    }

    /// @notice Everything a request locks when it is made; its hash is all that is stored.
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
        uint16 parentShareBps;
        uint16 referralShareBps;
        uint8 outputLength;
        ProofMode proofMode;
        uint40 nonce;
    }

    /// @notice The mutable state of a request (one storage slot).
    struct RequestState {
        RequestStatus status;
        bool callbackPending;
        bool termsRaised;
        address relayer;
        uint32 claimedAt;
        uint32 phaseEndsAt;
    }

    /// @notice The protocol's parameters, each with bounds (see `contracts/README.md`).
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

    event RequestCreated(uint256 indexed requestId, bytes32 indexed modelId, address indexed requester, RequestTerms terms, bytes input);
    event RequestClaimed(uint256 indexed requestId, address indexed relayer, uint256 computeFee);
    event RequestFulfilled(
        uint256 indexed requestId, address indexed payee, int256[] output, uint256 computeFee, bool proven
    );
    event CachedRequestFulfilled(
        uint256 indexed requestId, bytes32 indexed modelId, address indexed requester, RequestTerms terms, int256[] output
    );
    event OptimisticSubmitted(uint256 indexed requestId, address indexed relayer, int256[] output);
    event Challenged(uint256 indexed requestId, address indexed challenger, uint256 bond);
    event Defended(uint256 indexed requestId, address indexed relayer, address indexed challenger);
    event FraudProven(uint256 indexed requestId, address indexed prover, address indexed relayer, int256[] output);
    event DisputeTimedOut(uint256 indexed requestId, address indexed relayer, address indexed challenger);
    event RequestReopened(uint256 indexed requestId, address indexed previousRelayer);
    event RelayerSlashed(uint256 indexed requestId, address indexed relayer, uint256 amount);
    event RequestRefunded(uint256 indexed requestId, uint256 amount);
    event MaxComputeFeeRaised(uint256 indexed requestId, uint256 maxComputeFee, uint256 topUp);
    event CallbackDelivered(uint256 indexed requestId);
    event CallbackFailed(uint256 indexed requestId, uint256 gasUsed, bytes reason);
    event Withdrawal(address indexed account, uint256 amount);
    event ModelEarningsWithdrawn(bytes32 indexed modelId, address indexed owner, uint256 amount);
    event ProtocolFeesWithdrawn(address indexed treasury, uint256 amount);
    event Paused(address account);
    event Unpaused(address account);
    event ParamsUpdated(Params params);
    event TreasuryUpdated(address indexed treasury);

    // ------------------------------------------------------------------ errors

    error ZeroAddress();
    error EnforcedPause();
    error ExpectedPause();
    error NotModelOwner(bytes32 modelId, address caller);
    error ParameterOutOfBounds(uint256 value, uint256 min, uint256 max);
    error StakeTokenMismatch(address stakeToken);
    error StakingCoordinatorMismatch(address stakingCoordinator);
    error ModelInactive(bytes32 modelId);
    error ProofModeUnsupported(bytes32 modelId, ProofMode mode);
    error MalformedInput();
    error InputLengthMismatch(uint256 expected, uint256 actual);
    error InputOutOfBounds(uint256 index, int256 value, uint256 bound);
    error InvalidDeadline(uint256 deadline);
    error InvalidComputeFees(uint256 startComputeFee, uint256 maxComputeFee);
    error CallbackGasLimitTooHigh(uint256 callbackGasLimit, uint256 maxCallbackGasLimit);
    error TermsMismatch(uint256 requestId);
    error InputMismatch(uint256 requestId);
    error WrongStatus(uint256 requestId, RequestStatus status);
    error NotRequester(uint256 requestId, address caller);
    error NotClaimant(uint256 requestId, address caller);
    error DeadlinePassed(uint256 requestId, uint256 deadline);
    error DeadlineNotReached(uint256 requestId, uint256 deadline);
    error DeliveryWindowOpen(uint256 requestId, uint256 endsAt);
    error ChallengeWindowOpen(uint256 requestId, uint256 endsAt);
    error ChallengeWindowClosed(uint256 requestId, uint256 endedAt);
    error DefenceWindowOpen(uint256 requestId, uint256 endsAt);
    error DefenceWindowClosed(uint256 requestId, uint256 endedAt);
    error OutputLengthMismatch(uint256 expected, uint256 actual);
    error InvalidProof(uint256 requestId);
    error SameOutput(uint256 requestId);
    error NoFailedCallback(uint256 requestId);
    error NothingToWithdraw();
    error MaxComputeFeeNotRaised(uint256 current, uint256 proposed);

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
    function claim(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Answers a claimed request with a proof that `output` is the model's output on the request's input.
    function fulfillZk(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external;

    /// @notice Posts an unproven `output` for a claimed optimistic request, starting its challenge window.
    function submitOptimistic(uint256 requestId, RequestTerms calldata terms, int256[] calldata output) external;

    /// @notice Makes a Pending result final once its challenge window has passed; anyone may call.
    function finalize(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Disputes a Pending result, posting `terms.challengeBond`.
    function challenge(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice The relayer proves its disputed output within the defence window.
    function defend(uint256 requestId, RequestTerms calldata terms, bytes calldata input, bytes calldata proof) external;

    /// @notice Anyone proves a different output for a disputed request, answering it.
    function proveFraud(
        uint256 requestId,
        RequestTerms calldata terms,
        bytes calldata input,
        int256[] calldata output,
        bytes calldata proof
    ) external;

    /// @notice Resolves a dispute whose defence window passed without a defence; anyone may call.
    function resolveDisputeTimeout(uint256 requestId, RequestTerms calldata terms) external;

    /// @notice Reopens a claimed request its relayer did not answer within the delivery window; anyone may call.
    function reopen(uint256 requestId, RequestTerms calldata terms) external;

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
    function cachedResult(bytes32 modelId, bytes calldata input) external view returns (bool found, int256[] memory output);

    /// @notice The provisional output of a Pending or Disputed request, at the reader's own risk, with
    /// its status and the end of its current window (challenge window when Pending, defence window when Disputed).
    function pendingResult(uint256 requestId)
        external
        view
        returns (int256[] memory output, RequestStatus status, uint256 windowEndsAt);

    /// @notice A request's stored terms hash and state (`phaseEndsAt`: end of the delivery window
    /// when Claimed, of the challenge window when Pending, of the defence window when Disputed).
    function getRequest(uint256 requestId) external view returns (bytes32 termsHash, RequestState memory state);


    /// @notice What a request with these fees escrows under the current protocol fee.
    function quoteEscrow(bytes32 modelId, uint96 maxComputeFee) external view returns (uint256);

    /// @notice What `account` can withdraw.
    function balanceOf(address account) external view returns (uint256);
}
