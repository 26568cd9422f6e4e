// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {IInferenceConsumer} from "./interfaces/IInferenceConsumer.sol";
import {IInferenceCoordinator} from "./interfaces/IInferenceCoordinator.sol";
import {IHighwayErrors} from "./interfaces/IHighwayErrors.sol";
import {FeeMath} from "./libraries/FeeMath.sol";
import {TensorCodec} from "./libraries/TensorCodec.sol";

/**
 * @title InferenceConsumer
 * @notice The base a Dapp inherits to ask Highway for inferences.
 *
 * - **Asking.** `_requestInference(token, modelId, input, options)` escrows from this contract's
 *   own balance of `token` (the coordinator's payment token) and names this contract the consumer.
 *   `options` is what the Dapp states about the request, its budget first: `maxModelFee` is the
 *   most it pays the model's owner. The coordinator is approved for the escrow AT THAT CAP
 *   (`maxModelFee + maxComputeFee` and the protocol fee on both), never for whatever the model
 *   costs when the transaction is mined, so a model owner who raises the fee in front of the
 *   request cannot make it pay more; the coordinator refuses a request whose model fee is above
 *   `maxModelFee`. Whatever the coordinator does not pull is un-approved before returning.
 * - **Receiving.** The coordinator calls `onInferenceResult`, which reaches `_onInferenceResult`
 *   only for a request THIS contract made, and only once: anyone can name any contract as the
 *   consumer of a request they pay for, so a result for a request made by someone else is
 *   ignored (`UnrequestedResultIgnored`), not acted on. It is ignored rather than refused: a
 *   revert would make the coordinator record a failed callback that anyone may retry, while
 *   ignoring loses nothing (the result belongs to whoever asked for it). A Dapp that wants
 *   results of requests others make for it overrides `_acceptResult` (see there).
 * - **Synchronous answers.** A (model, input) pair already proven is answered from the
 *   coordinator's cache INSIDE `requestInference`: `_onInferenceResult` runs before
 *   `_requestInference` returns the request's id. Stage whatever the callback needs about the
 *   request (its deadline, its context) before calling `_requestInference`. If that callback
 *   reverts, the request is recorded like any other and its retry (`retryCallback`) is accepted.
 * - **Outputs are bytes.** A circuit model's output is a tensor: `_tensor(output)` gives its
 *   fixed-point values (at the model's output scale). A language model's is UTF-8 text, at most the
 *   request's `maxOutputBytes`: `_text(output)`; parse it defensively, it is a model's free text.
 * - **Refunds.** What the coordinator owes this contract (the unspent compute fee of every
 *   answered request, the whole escrow of a cancelled or expired one, the late share of a
 *   claimant's bond) is credited to its pull balance in the coordinator, not sent:
 *   `_withdrawFromCoordinator()` brings it back to this contract. Expose it (or call it before
 *   each request) or those funds stay in the coordinator.
 *
 * @dev The bookkeeping of pending requests is one storage slot per request, written when it is
 * made and cleared when its result arrives (ERC-7201 namespace `highway.storage.InferenceConsumer`:
 * request `id` is pending iff the slot `keccak256(abi.encode(id, 0x9c71…f800))` is non-zero, which a
 * gas estimate can set with a state override). A request that never gets a result (cancelled,
 * expired) leaves its slot set; no result can arrive for it. While `_requestInference` runs, a
 * transient flag lets the synchronous answer through: the coordinator holds its reentrancy lock
 * for the whole call, so that answer is the only callback it can make meanwhile. Needs an EVM
 * with transient storage (Cancun), like the coordinator itself.
 */
abstract contract InferenceConsumer is IInferenceConsumer {
    using SafeERC20 for IERC20;
    using TransientSlot for *;

    /// @notice What a Dapp states about one request (`IInferenceCoordinator.RequestParams` less the
    /// model, the consumer and the input, which `_requestInference` fills in).
    struct RequestOptions {
        /// @notice `Zk` for a proven answer, `Optimistic` for a bonded answer behind a challenge window.
        IInferenceCoordinator.ProofMode proofMode;
        /// @notice The most this request pays the model's owner: the consumer's budget for the
        /// model fee. A higher fee when the request is mined makes it revert. No default: 0 accepts
        /// only a free model; `type(uint96).max` accepts any fee (a front-run fee increase included).
        uint96 maxModelFee;
        /// @notice The reverse Dutch auction's opening compute fee.
        uint96 startComputeFee;
        /// @notice The most this request pays the relayer; the rest of it is refunded.
        uint96 maxComputeFee;
        /// @notice The relayer's job bond: 0 for the protocol's, else at least it.
        uint96 jobBond;
        /// @notice Optimistic answers' challenge window: 0 for the protocol's, else at least it.
        uint32 challengeWindow;
        /// @notice The gas the coordinator gives `onInferenceResult`.
        uint32 callbackGasLimit;
        /// @notice Language models: the longest answer accepted, in bytes (1 to the model's limit); circuit models: 0.
        uint32 maxOutputBytes;
        /// @notice The last second at which the request may be answered.
        uint40 deadline;
        /// @notice Who referred this request (earns the model's referral share), or the zero address.
        address referrer;
    }

    /// @custom:storage-location erc7201:highway.storage.InferenceConsumer
    struct ConsumerStorage {
        mapping(uint256 requestId => bool) pending;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("highway.storage.InferenceConsumer")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0x9c7169dd1004f74c2ec867ad813ab664baf0631fcbab57af64a235a2599ff800;
    /// @dev The transient phase of `_requestInference`: keccak256(abi.encode(uint256(keccak256(
    /// "highway.transient.InferenceConsumer")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant PHASE_SLOT = 0x597f6fd395da223bfc9a40df722c8639af52ed50485825f400f70d70d12f6200;
    uint256 private constant IDLE = 0;
    uint256 private constant REQUESTING = 1; // inside the coordinator's requestInference
    uint256 private constant ANSWERED = 2; // ... and the synchronous answer was delivered

    /// @notice The coordinator this consumer trusts.
    IInferenceCoordinator public immutable coordinator;

    /// @notice The coordinator delivered a result for `requestId`, which this contract did not
    /// request (or whose result it already received); `_onInferenceResult` was not called.
    event UnrequestedResultIgnored(uint256 indexed requestId);

    constructor(IInferenceCoordinator coordinator_) {
        coordinator = coordinator_;
    }

    /// @inheritdoc IInferenceConsumer
    /// @dev Only the coordinator; the result reaches `_onInferenceResult` if `_acceptResult` takes it.
    function onInferenceResult(uint256 requestId, bytes calldata output) external {
        if (msg.sender != address(coordinator)) revert IHighwayErrors.OnlyCoordinator(msg.sender);
        if (!_acceptResult(requestId)) {
            emit UnrequestedResultIgnored(requestId);
            return;
        }
        _onInferenceResult(requestId, output);
    }

    /// @notice Whether this contract made request `requestId` and has not received its result yet.
    function isPendingRequest(uint256 requestId) public view returns (bool) {
        return _consumerStorage().pending[requestId];
    }

    /**
     * @notice Requests `modelId`'s output on `input` (a tensor for a circuit model, UTF-8 text for a
     * language model: see `IModelRegistry.termsForInput`), paid from this
     * contract's balance of `token`, with this contract as the consumer, on `options`.
     * @dev Approves the coordinator for `FeeMath.escrow(options.maxModelFee, options.maxComputeFee,
     * protocolFeeBps)` and resets what it did not pull. A cached pair's answer calls
     * `_onInferenceResult` before this returns (see the contract's notice).
     * @return requestId the coordinator's id of the request (the hash of its terms)
     */
    function _requestInference(
        IERC20 token,
        bytes32 modelId,
        bytes memory input,
        RequestOptions memory options
    ) internal returns (uint256 requestId) {
        address spender = address(coordinator);
        uint256 budget = FeeMath.escrow(
            options.maxModelFee,
            options.maxComputeFee,
            coordinator.getParams().protocolFeeBps
        );
        token.forceApprove(spender, budget);
        TransientSlot.Uint256Slot phase = PHASE_SLOT.asUint256();
        phase.tstore(REQUESTING);
        requestId = coordinator.requestInference(
            IInferenceCoordinator.RequestParams({
                modelId: modelId,
                proofMode: options.proofMode,
                startComputeFee: options.startComputeFee,
                maxComputeFee: options.maxComputeFee,
                maxModelFee: options.maxModelFee,
                jobBond: options.jobBond,
                challengeWindow: options.challengeWindow,
                callbackGasLimit: options.callbackGasLimit,
                maxOutputBytes: options.maxOutputBytes,
                deadline: options.deadline,
                consumer: address(this),
                referrer: options.referrer
            }),
            input
        );
        // Not answered inside the call (or its callback reverted, to be retried): its result is to come.
        if (phase.tload() != ANSWERED) _consumerStorage().pending[requestId] = true;
        phase.tstore(IDLE);
        // A model cheaper than the cap, or a cached answer (which buys no compute), leaves an allowance.
        if (token.allowance(address(this), spender) != 0) token.forceApprove(spender, 0);
    }

    /**
     * @notice Withdraws this contract's whole pull balance in the coordinator (refunds, unspent
     * compute fees, late-slash shares) to this contract, in the payment token.
     * @return amount what was withdrawn (0, and no call, when nothing is owed)
     */
    function _withdrawFromCoordinator() internal returns (uint256 amount) {
        amount = coordinator.balanceOf(address(this));
        if (amount != 0) coordinator.withdraw();
    }

    /**
     * @dev Whether the result of `requestId` reaches `_onInferenceResult`; consumes the request's
     * pending mark. By default: a request this contract made whose result has not arrived yet, or
     * the synchronous (cached) answer of the request `_requestInference` is making right now.
     * Override to opt out, e.g. to act on results of requests others pay for with this contract as
     * the consumer: `return super._acceptResult(requestId) || true;` (super first, to clear this
     * contract's own marks). Such a Dapp must then tell its own requests from anyone else's.
     */
    function _acceptResult(uint256 requestId) internal virtual returns (bool) {
        ConsumerStorage storage $ = _consumerStorage();
        if ($.pending[requestId]) {
            delete $.pending[requestId];
            return true;
        }
        TransientSlot.Uint256Slot phase = PHASE_SLOT.asUint256();
        if (phase.tload() == REQUESTING) {
            phase.tstore(ANSWERED);
            return true;
        }
        return false;
    }

    /// @dev Receives the final output of request `requestId`, a request this contract made (unless
    /// `_acceptResult` is overridden), once. May run inside `_requestInference` (a cached answer).
    function _onInferenceResult(uint256 requestId, bytes calldata output) internal virtual;

    /// @dev A circuit model's input from its fixed-point `values` (the smallest `TensorCodec` width they fit).
    function _encodeTensor(int256[] memory values) internal pure returns (bytes memory) {
        return TensorCodec.encode(values);
    }

    /// @dev The fixed-point values of a circuit model's `output` (a `TensorCodec` tensor).
    function _tensor(bytes memory output) internal pure returns (int256[] memory) {
        return TensorCodec.decode(output);
    }

    /// @dev A language model's `output` as a string (UTF-8, checked by the committee that can dispute it, not here).
    function _text(bytes memory output) internal pure returns (string memory) {
        return string(output);
    }

    function _consumerStorage() private pure returns (ConsumerStorage storage $) {
        // ERC-7201 namespaced storage: only assembly can set a storage pointer's slot.
        // solhint-disable-next-line no-inline-assembly
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
