// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IInferenceCoordinator} from "../../contracts/interfaces/IInferenceCoordinator.sol";
import {ConstantProductPool} from "./ConstantProductPool.sol";
import {PoolTradingConsumer} from "./PoolTradingConsumer.sol";
import {SignalMath, SIGNAL_PRICES} from "./libraries/SignalMath.sol";

/**
 * @title SignalVault
 * @notice A vault holding a stable and a volatile token that rebalances against a
 * `ConstantProductPool` on the `price-signal` model's answer:
 *   - a keeper records the pool's spot price, and its price accumulator, with `poke()` (at most
 *     once per `minObservationInterval`);
 *   - a keeper calls `requestSignal(mode)`: the vault computes the last 8 volatility-normalized
 *     log-returns of its 9 latest observations ON CHAIN (`SignalMath`), so the model's input is
 *     the vault's own history, not whatever a keeper would claim it is, and pays the fee from its
 *     balance of the payment token, paying the model at most `maxModelFee`;
 *   - when the answer is final, a signal above `signalThreshold` moves `rebalanceBps` of the stable
 *     balance into the volatile token, one below −`signalThreshold` moves `rebalanceBps` of the
 *     volatile balance into the stable token, anything in between holds.
 * @dev The callback never reverts for a market reason: a result past its request's deadline, a
 * malformed output or a failed swap emits an event and returns, so the coordinator's answer
 * stands and nobody retries a trade on an old signal. Each swap's minimum output is the amount at
 * the pool's time-weighted average price over the last `twapWindow` seconds or more (from the
 * pool's accumulator, read at the newest observation at least that old and now), less
 * `maxSlippageBps`: a price pushed in the block of the answer (a sandwich) does not move that
 * average, so the swap fails rather than trade at the pushed price. Refunds and unspent compute
 * fees come back from the coordinator before each request and through `reclaimRefunds()`. The fee
 * budget, refunds, withdrawals and the TWAP-bounded swap are `PoolTradingConsumer`'s; the keeper role
 * (`KEEPER_ROLE`) records prices and requests signals.
 */
contract SignalVault is PoolTradingConsumer {
    /// @notice The largest share of a balance one rebalance may move: 50%.
    uint16 public constant MAX_REBALANCE_BPS = MAX_SHARE_BPS;

    /// @notice Why a result did not lead to a decision.
    enum IgnoreReason {
        Stale, // the request's deadline had passed: a signal about an old price
        Unknown, // not an open request of this vault (InferenceConsumer already filters those out: a second line)
        MalformedOutput // not exactly one value
    }

    /// @notice One price observation.
    struct Observation {
        /// @notice Spot price of the volatile token in stable units (18 decimals): the signal's input.
        uint216 price;
        /// @notice When it was made.
        uint40 timestamp;
        /// @notice The pool's accumulator of the volatile token's price then (`pool.cumulativePrice`).
        uint256 priceCumulative;
    }

    /// @notice The admin's knobs.
    struct Config {
        /// @notice |signal| above this (at the model's output scale, 2^24) trades; at or below it holds.
        int256 signalThreshold;
        /// @notice Share of the source token's balance one rebalance sells, in basis points.
        uint16 rebalanceBps;
        /// @notice Largest shortfall of a swap's output against the pool's TWAP, in basis points.
        uint16 maxSlippageBps;
        /// @notice Seconds between two price observations at least.
        uint32 minObservationInterval;
        /// @notice Shortest window of the TWAP a swap is bounded by, in seconds: at least 1, at most
        /// 8 × `minObservationInterval` (so the 9 observations always hold a start that old).
        uint32 twapWindow;
        /// @notice Seconds from a request to its deadline.
        uint32 requestTtl;
        /// @notice Gas the coordinator gives the callback.
        uint32 callbackGasLimit;
        /// @notice The auction's opening compute fee.
        uint96 startComputeFee;
        /// @notice The most the vault pays a relayer per request.
        uint96 maxComputeFee;
        /// @notice The most the vault pays the model's owner per request: a higher fee (one raised
        /// in front of a request, say) makes `requestSignal` revert.
        uint96 maxModelFee;
    }

    /// @notice What the vault remembers of a request until its answer.
    struct SignalRequest {
        uint40 deadline;
        bool open;
    }

    /// @notice The current knobs.
    Config public config;

    /// @notice Requests by id.
    mapping(uint256 requestId => SignalRequest) public requests;
    /// @notice The latest request made (0 before the first).
    uint256 public latestRequestId;

    Observation[SIGNAL_PRICES] private _history; // ring buffer of observations
    uint256 private _observations; // total observations made; the next slot is _observations % PRICES
    SignalRequest private _staged; // the request being made, while requestInference runs

    // ------------------------------------------------------------------ events

    /// @notice A spot price of the volatile token was recorded.
    event PriceObserved(uint256 indexed observation, uint256 price);
    /// @notice A signal was requested on `inputs` (the model's quantized input), whose last price is `lastObservedPrice`.
    event SignalRequested(
        uint256 indexed requestId,
        IInferenceCoordinator.ProofMode mode,
        uint40 deadline,
        uint256 lastObservedPrice,
        int256[] inputs
    );
    /// @notice A result was not acted on, for `reason`.
    event SignalIgnored(uint256 indexed requestId, IgnoreReason reason);
    /// @notice A signal within ±threshold: the vault keeps its balances.
    event SignalHeld(uint256 indexed requestId, int256 signal);
    /// @notice The vault sold `amountIn` of `tokenIn` for `amountOut` on `signal`.
    event Rebalanced(
        uint256 indexed requestId,
        int256 signal,
        IERC20 indexed tokenIn,
        uint256 amountIn,
        uint256 amountOut
    );
    /// @notice The vault meant to sell `amountIn` of `tokenIn` on `signal` but the swap failed with `reason`.
    event RebalanceFailed(
        uint256 indexed requestId,
        int256 signal,
        IERC20 indexed tokenIn,
        uint256 amountIn,
        bytes reason
    );
    /// @notice The owner changed the knobs.
    event ConfigUpdated(Config config);

    // ------------------------------------------------------------------ errors

    /// @notice The last observation is younger than `minObservationInterval`; try at `nextAt`.
    error ObservationTooSoon(uint256 nextAt);
    /// @notice Fewer than 9 prices observed so far.
    error HistoryTooShort(uint256 observations, uint256 needed);
    /// @notice Request `requestId` may still be answered (until `deadline`); one signal at a time.
    error RequestInFlight(uint256 requestId, uint256 deadline);

    /**
     * @notice Deploys a vault that rebalances between `pool_`'s tokens on `modelId_`'s answers.
     * @param coordinator_ the Highway coordinator: the only caller of the callback
     * @param modelId_ the `price-signal` model's id in the registry
     * @param paymentToken_ the coordinator's payment token, in which the vault pays its requests
     * @param pool_ the market to rebalance against; its tokens are the vault's assets
     * @param volatileIsToken0 whether the pool's `token0` is the volatile token
     * @param config_ the initial knobs (see `Config`)
     * @param admin gets the admin role (knobs, roles, withdrawals) and the keeper role
     */
    constructor(
        IInferenceCoordinator coordinator_,
        bytes32 modelId_,
        IERC20 paymentToken_,
        ConstantProductPool pool_,
        bool volatileIsToken0,
        Config memory config_,
        address admin
    ) PoolTradingConsumer(coordinator_, modelId_, paymentToken_, pool_, volatileIsToken0, admin) {
        _setConfig(config_);
    }

    // ------------------------------------------------------------------ keeper

    /// @notice Records the pool's current spot price of the volatile token, and its price accumulator.
    function poke() external onlyRole(KEEPER_ROLE) {
        uint256 count = _observations;
        if (count != 0) {
            uint256 nextAt = uint256(_latest().timestamp) + config.minObservationInterval;
            if (block.timestamp < nextAt) revert ObservationTooSoon(nextAt);
        }
        uint256 price = pool.spotPrice(volatileToken);
        _history[count % SignalMath.PRICES] = Observation({
            price: SafeCast.toUint216(price),
            timestamp: uint40(block.timestamp),
            priceCumulative: pool.cumulativePrice(volatileToken)
        });
        emit PriceObserved(count, price);
        _observations = count + 1;
    }

    /**
     * @notice Asks `price-signal` for a signal on the vault's last 9 observations, in `mode`,
     * paid from the vault's payment-token balance.
     * @dev One request at a time: a new one waits until the previous was answered or its deadline passed.
     * What the coordinator owes the vault (refunds, unspent compute fees) is withdrawn first, so it
     * pays for this request. An input already proven is answered inside this call, so its decision
     * event comes before `SignalRequested` in the same transaction. Reverts if the model's fee is
     * above `maxModelFee`.
     * @return requestId the coordinator's id of the request
     */
    function requestSignal(
        IInferenceCoordinator.ProofMode mode
    ) external onlyRole(KEEPER_ROLE) returns (uint256 requestId) {
        SignalRequest storage previous = requests[latestRequestId];
        if (previous.open && block.timestamp <= previous.deadline)
            revert RequestInFlight(latestRequestId, previous.deadline);
        int256[] memory inputs = SignalMath.normalizedReturns(priceHistory());

        Config memory c = config;
        uint40 deadline = uint40(block.timestamp + c.requestTtl);
        // Staged before the call: a proven (cached) input is answered inside requestInference,
        // before the id is known, and its callback must find the request's deadline.
        _staged = SignalRequest({deadline: deadline, open: true});
        requestId = _requestFromBudget(
            _encodeTensor(inputs),
            mode,
            deadline,
            c.callbackGasLimit,
            0, // a circuit model: its output is a tensor of fixed length
            c.startComputeFee,
            c.maxComputeFee,
            c.maxModelFee
        );
        if (_staged.open) requests[requestId] = _staged; // not answered yet
        delete _staged;
        latestRequestId = requestId;
        emit SignalRequested(requestId, mode, deadline, _latest().price, inputs);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Replaces the knobs; only the admin.
    function setConfig(Config calldata config_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setConfig(config_);
    }

    // ------------------------------------------------------------------ views

    /// @notice The last 9 observed prices, oldest first.
    function priceHistory() public view returns (uint256[SIGNAL_PRICES] memory prices) {
        uint256 count = _observations;
        if (count < SignalMath.PRICES) revert HistoryTooShort(count, SignalMath.PRICES);
        for (uint256 i; i < SignalMath.PRICES; ++i) {
            prices[i] = _history[(count + i) % SignalMath.PRICES].price;
        }
    }

    /// @notice How many prices were observed, and when the next may be.
    function observationState() external view returns (uint256 observations, uint256 nextObservationAt) {
        observations = _observations;
        nextObservationAt = observations == 0 ? 0 : uint256(_latest().timestamp) + config.minObservationInterval;
    }

    /**
     * @notice The price a swap made now is bounded by: the pool's time-weighted average price of
     * the volatile token (stable units, 18 decimals) from the newest observation at least
     * `twapWindow` seconds old until now, and that window's length.
     * @dev Reverts `TwapUnavailable` when no observation is old enough (the callback fails its swap instead).
     */
    function twapPrice() external view returns (uint256 price, uint256 window) {
        bool ok;
        (ok, price, window) = _twap();
        if (!ok) revert TwapUnavailable();
    }

    /// @notice The model input a request made now would send.
    function currentInputs() external view returns (int256[] memory) {
        return SignalMath.normalizedReturns(priceHistory());
    }

    // ------------------------------------------------------------------ callback

    /// @dev Decides on a final result; never reverts (see the contract's @dev).
    function _onInferenceResult(uint256 requestId, bytes calldata output) internal override {
        SignalRequest memory request = requests[requestId];
        if (request.open) {
            delete requests[requestId]; // answered once: a retried callback finds no open request
        } else if (_staged.open) {
            request = _staged; // answered from the cache inside requestSignal
            delete _staged;
        } else {
            return _ignore(requestId, IgnoreReason.Unknown);
        }
        if (block.timestamp > request.deadline) return _ignore(requestId, IgnoreReason.Stale);
        // The coordinator delivers only canonical tensors of the model's output count, so this decodes.
        int256[] memory values = _tensor(output);
        if (values.length != 1) return _ignore(requestId, IgnoreReason.MalformedOutput);

        int256 signal = values[0];
        int256 threshold = config.signalThreshold;
        if (signal > threshold) {
            _rebalance(requestId, signal, stableToken);
        } else if (signal < -threshold) {
            _rebalance(requestId, signal, volatileToken);
        } else {
            emit SignalHeld(requestId, signal);
        }
    }

    /// @dev Sells `rebalanceBps` of the vault's `tokenIn` within the TWAP bound (`TwapUnavailable`
    /// when no observation is old enough); a failure is an event, not a revert.
    function _rebalance(uint256 requestId, int256 signal, IERC20 tokenIn) private {
        (, uint256 twap, ) = _twap(); // 0 when unavailable
        (bool swapped, uint256 amountIn, uint256 amountOut, bytes memory reason) = _sellAtTwap(
            tokenIn,
            config.rebalanceBps,
            twap,
            config.maxSlippageBps
        );
        if (swapped) emit Rebalanced(requestId, signal, tokenIn, amountIn, amountOut);
        else emit RebalanceFailed(requestId, signal, tokenIn, amountIn, reason);
    }

    function _ignore(uint256 requestId, IgnoreReason reason) private {
        emit SignalIgnored(requestId, reason);
    }

    /**
     * @dev The pool's TWAP of the volatile token from the newest observation at least `twapWindow`
     * old until now (`_twapSince` its accumulator then). `ok` is false, and `price` 0, when no
     * observation is old enough, or the average rounds to 0.
     */
    function _twap() private view returns (bool ok, uint256 price, uint256 window) {
        uint256 count = _observations;
        uint256 minWindow = config.twapWindow;
        uint256 available = count < SignalMath.PRICES ? count : SignalMath.PRICES;
        for (uint256 back = 1; back <= available; ++back) {
            Observation storage o = _history[(count - back) % SignalMath.PRICES];
            window = block.timestamp - o.timestamp;
            if (window < minWindow || window == 0) continue;
            price = _twapSince(o.priceCumulative, window);
            return (price != 0, price, window);
        }
        return (false, 0, 0);
    }

    function _latest() private view returns (Observation storage) {
        return _history[(_observations + SignalMath.PRICES - 1) % SignalMath.PRICES];
    }

    function _setConfig(Config memory c) private {
        _checkTradeKnobs(c.rebalanceBps, c.maxSlippageBps, c.requestTtl, c.startComputeFee, c.maxComputeFee);
        if (
            c.signalThreshold < 0
            || c.twapWindow == 0
            || uint256(c.twapWindow) > uint256(c.minObservationInterval) * (SignalMath.PRICES - 1)
        ) revert InvalidConfig();
        config = c;
        emit ConfigUpdated(c);
    }
}
