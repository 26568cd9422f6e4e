// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {InferenceConsumer} from "../../contracts/InferenceConsumer.sol";
import {IInferenceCoordinator} from "../../contracts/interfaces/IInferenceCoordinator.sol";
import {ConstantProductPool} from "./ConstantProductPool.sol";
import {TextLabels} from "./libraries/TextLabels.sol";

/**
 * @title HeadlineSentimentAgent
 * @notice An agent that trades on the news: a keeper submits a headline, the agent asks a language
 * model (the reference `smollm2`) whether it is POSITIVE, NEGATIVE or NEUTRAL news, and when the
 * answer is final it acts on it in a `ConstantProductPool`:
 *   - POSITIVE: sells `tradeBps` of its stable balance for the volatile token;
 *   - NEGATIVE: sells `tradeBps` of its volatile balance for the stable token;
 *   - NEUTRAL: holds;
 *   - anything else (no label, two labels, a negated label, an empty answer): holds, and records
 *     the answer as unclear. A 135M-parameter model's free text is parsed, never trusted
 *     (`TextLabels`: whole words, any case, one label or nothing).
 * @dev The prompt is the contract's, with the headline quoted in it (`prompt`): a keeper chooses the
 * headline, not the question. The callback never reverts: a stale answer, an unclear one or a failed
 * swap is an event and a recorded outcome, so the coordinator's answer stands and nobody retries a
 * trade on old news. Each swap's minimum output is the amount at the pool's time-weighted average
 * price since the request (the pool's accumulator read when the headline was submitted and when the
 * answer arrives), less `maxSlippageBps`: an optimistic answer arrives a challenge window after its
 * request at the earliest, so that average spans the window, and a price pushed around the answer's
 * own block (a sandwich of `finalize`) does not move it. Language models' answers are never served
 * from the coordinator's cache, so the callback never runs inside `submitHeadline`.
 */
contract HeadlineSentimentAgent is InferenceConsumer, AccessControl {
    using SafeERC20 for IERC20;

    /// @notice The role that may submit headlines.
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");

    /// @notice The largest share of a balance one trade may sell: 50%.
    uint16 public constant MAX_TRADE_BPS = 5_000;
    /// @notice The largest slippage against the TWAP the agent may accept: 10%.
    uint16 public constant MAX_SLIPPAGE_BPS = 1_000;
    /// @notice The longest time a request may stay useful: one day.
    uint32 public constant MAX_REQUEST_TTL = 1 days;
    /// @notice The longest answer the agent pays for, in bytes: a label and a few words (it bounds the callback's gas).
    uint32 public constant MAX_ANSWER_BYTES = 64;
    /// @notice The longest headline, in bytes (UTF-8).
    uint256 public constant MAX_HEADLINE_BYTES = 280;

    // A prompt is longer than a storage word by nature; as a constant it costs no storage read.
    // solhint-disable gas-small-strings
    /// @notice The prompt before the headline. With `PROMPT_SUFFIX`, the wording `smollm2` answered
    /// best among those tried (examples/README.md, "The prompt"). `\x22` is a double quote.
    string public constant PROMPT_PREFIX =
        "Read the headline and answer with one word, POSITIVE (good news), NEGATIVE (bad news) or NEUTRAL (neither).\n\nHeadline: \x22";
    // solhint-enable gas-small-strings
    /// @notice The prompt after the headline.
    string public constant PROMPT_SUFFIX = "\x22\n\nAnswer:";

    uint256 private constant BPS = 10_000;
    uint256 private constant PRICE_ONE = 1e18;

    /// @notice What the model said about a headline, as parsed.
    enum Sentiment {
        Unclear, // no label, two different labels, a negated label, or nothing at all
        Positive,
        Negative,
        Neutral
    }

    /// @notice Where a headline's request stands, and what the agent did with its answer.
    enum Outcome {
        None, // no such request
        Pending, // asked, no answer yet
        Traded, // POSITIVE or NEGATIVE, and the swap went through
        TradeFailed, // POSITIVE or NEGATIVE, but the swap failed (slippage, no TWAP, no balance)
        Held, // NEUTRAL
        Unclear, // the answer named no single label: no action
        Stale // the answer came after the request's deadline: no action
    }

    /// @notice The admin's knobs.
    struct Config {
        /// @notice Share of the source token's balance one trade sells, in basis points (1 to `MAX_TRADE_BPS`).
        uint16 tradeBps;
        /// @notice Largest shortfall of a swap's output against the TWAP since the request, in basis points.
        uint16 maxSlippageBps;
        /// @notice Shortest TWAP a swap is bounded by, in seconds (at least 1): an answer sooner after its request does not trade.
        uint32 minTwapWindow;
        /// @notice Seconds from a request to its deadline (1 to `MAX_REQUEST_TTL`).
        uint32 requestTtl;
        /// @notice Gas the coordinator gives the callback.
        uint32 callbackGasLimit;
        /// @notice The longest answer asked for, in bytes (1 to `MAX_ANSWER_BYTES`).
        uint32 maxAnswerBytes;
        /// @notice The auction's opening compute fee.
        uint96 startComputeFee;
        /// @notice The most the agent pays a relayer per request.
        uint96 maxComputeFee;
        /// @notice The most the agent pays the model's owner per request: a higher fee makes `submitHeadline` revert.
        uint96 maxModelFee;
    }

    /// @notice What the agent keeps of a request.
    struct HeadlineRequest {
        /// @notice The last second at which its answer is acted on.
        uint40 deadline;
        /// @notice When the headline was submitted: the start of the TWAP that bounds the trade.
        uint40 requestedAt;
        /// @notice The answer, parsed (`Unclear` until it arrives).
        Sentiment sentiment;
        /// @notice What happened.
        Outcome outcome;
        /// @notice The pool's accumulator of the volatile token's price when the headline was submitted.
        uint256 priceCumulative;
    }

    /// @notice The language model's id in the registry.
    bytes32 public immutable modelId;
    /// @notice The token the agent pays Highway's fees in.
    IERC20 public immutable paymentToken;
    /// @notice The market the agent trades in.
    ConstantProductPool public immutable pool;
    /// @notice The low-volatility side of the pool.
    IERC20 public immutable stableToken;
    /// @notice The side the news moves.
    IERC20 public immutable volatileToken;

    /// @notice The current knobs.
    Config public config;
    /// @notice Requests by id.
    mapping(uint256 requestId => HeadlineRequest) public requests;

    // ------------------------------------------------------------------ events

    /// @notice `headline` was submitted and its classification requested as `requestId`, to be acted on until `deadline`.
    event HeadlineSubmitted(uint256 indexed requestId, uint40 deadline, string headline);
    /// @notice The answer to `requestId` was read as `sentiment` (`Unclear`: no action).
    event HeadlineClassified(uint256 indexed requestId, Sentiment sentiment);
    /// @notice The agent sold `amountIn` of `tokenIn` for `amountOut` on `sentiment`.
    event Traded(
        uint256 indexed requestId,
        Sentiment sentiment,
        IERC20 indexed tokenIn,
        uint256 amountIn,
        uint256 amountOut
    );
    /// @notice The agent meant to sell `amountIn` of `tokenIn` on `sentiment` but the swap failed with `reason`.
    event TradeFailed(
        uint256 indexed requestId,
        Sentiment sentiment,
        IERC20 indexed tokenIn,
        uint256 amountIn,
        bytes reason
    );
    /// @notice The answer to `requestId` arrived after its deadline: old news, not acted on.
    event StaleAnswerIgnored(uint256 indexed requestId);
    /// @notice The admin changed the knobs.
    event ConfigUpdated(Config config);
    /// @notice The admin took `amount` of `token` out to `to`.
    event Withdrawn(IERC20 indexed token, address indexed to, uint256 amount);
    /// @notice `amount` of the payment token came back from the coordinator (refunds, unspent compute fees).
    event RefundsReclaimed(uint256 amount);

    // ------------------------------------------------------------------ errors

    /// @notice The payment token is one of the pool's tokens (the fee would eat the assets it trades),
    /// or the pool's tokens are not two distinct tokens.
    error InvalidTokens();
    /// @notice A knob is outside its bounds.
    error InvalidConfig();
    /// @notice A headline is empty or longer than `max` bytes.
    error InvalidHeadlineLength(uint256 length, uint256 max);
    /// @notice No TWAP of at least `minTwapWindow` seconds (or it rounds to 0): nothing to bound a swap by.
    /// The reason of a `TradeFailed`.
    error TwapUnavailable();

    /**
     * @notice Deploys an agent that trades between `pool_`'s tokens on `modelId_`'s reading of headlines.
     * @param coordinator_ the Highway coordinator: the only caller of the callback
     * @param modelId_ the language model's id in the registry (`smollm2`)
     * @param paymentToken_ the coordinator's payment token, in which the agent pays its requests
     * @param pool_ the market to trade in; its tokens are the agent's assets
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
    ) InferenceConsumer(coordinator_) {
        (IERC20 token0, IERC20 token1) = (pool_.token0(), pool_.token1());
        if (paymentToken_ == token0 || paymentToken_ == token1) revert InvalidTokens();
        modelId = modelId_;
        paymentToken = paymentToken_;
        pool = pool_;
        (volatileToken, stableToken) = volatileIsToken0 ? (token0, token1) : (token1, token0);
        _setConfig(config_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(KEEPER_ROLE, admin);
    }

    // ------------------------------------------------------------------ keeper

    /**
     * @notice Asks the model for the sentiment of `headline`, optimistically, paid from the agent's
     * payment-token balance; the answer is acted on when final (see the contract's notice).
     * @dev What the coordinator owes the agent is withdrawn first, so it pays for this request. Several
     * headlines may be in flight; each trade is bounded by the TWAP since its own request. Reverts if
     * the model's fee is above `maxModelFee`, or the headline is not UTF-8 (the coordinator's `InvalidUtf8`).
     * @return requestId the coordinator's id of the request
     */
    function submitHeadline(string calldata headline) external onlyRole(KEEPER_ROLE) returns (uint256 requestId) {
        uint256 length = bytes(headline).length;
        if (length == 0 || length > MAX_HEADLINE_BYTES) revert InvalidHeadlineLength(length, MAX_HEADLINE_BYTES);
        _reclaimRefunds();

        Config memory c = config;
        uint40 deadline = uint40(block.timestamp + c.requestTtl);
        uint256 priceCumulative = pool.cumulativePrice(volatileToken);
        requestId = _requestInference(
            paymentToken,
            modelId,
            prompt(headline),
            RequestOptions({
                proofMode: IInferenceCoordinator.ProofMode.Optimistic,
                maxModelFee: c.maxModelFee,
                startComputeFee: c.startComputeFee,
                maxComputeFee: c.maxComputeFee,
                jobBond: 0,
                challengeWindow: 0,
                callbackGasLimit: c.callbackGasLimit,
                maxOutputBytes: c.maxAnswerBytes,
                deadline: deadline,
                referrer: address(0)
            })
        );
        requests[requestId] = HeadlineRequest({
            deadline: deadline,
            requestedAt: uint40(block.timestamp),
            sentiment: Sentiment.Unclear,
            outcome: Outcome.Pending,
            priceCumulative: priceCumulative
        });
        emit HeadlineSubmitted(requestId, deadline, headline);
    }

    /// @notice Withdraws what the coordinator owes the agent (the escrow of an expired request, unspent
    /// compute fees, a late relayer's slashed share) into the agent; anyone may call.
    /// @return amount what came back, in the payment token
    function reclaimRefunds() external returns (uint256 amount) {
        return _reclaimRefunds();
    }

    // ------------------------------------------------------------------ admin

    /// @notice Replaces the knobs; only the admin.
    function setConfig(Config calldata config_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setConfig(config_);
    }

    /// @notice Takes `amount` of `token` out of the agent to `to`; only the admin.
    function withdraw(IERC20 token, address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit Withdrawn(token, to, amount);
        token.safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @notice The prompt the model is sent for `headline`: `PROMPT_PREFIX`, the headline, `PROMPT_SUFFIX`.
    /// @dev Never a JSON message list (it starts with a letter), so the model reads it as one user message.
    function prompt(string calldata headline) public pure returns (bytes memory) {
        return bytes(string.concat(PROMPT_PREFIX, headline, PROMPT_SUFFIX));
    }

    /// @notice How the agent reads an answer (the callback's parse): `TextLabels` over POSITIVE, NEGATIVE, NEUTRAL.
    function sentimentOf(bytes memory answer) public pure returns (Sentiment) {
        string[] memory labels = new string[](3);
        (labels[0], labels[1], labels[2]) = ("POSITIVE", "NEGATIVE", "NEUTRAL");
        uint256 index = TextLabels.find(answer, labels);
        return index == TextLabels.UNKNOWN ? Sentiment.Unclear : Sentiment(index + 1);
    }

    // ------------------------------------------------------------------ callback

    /// @dev Acts on a final answer; never reverts (see the contract's @dev).
    function _onInferenceResult(uint256 requestId, bytes calldata output) internal override {
        HeadlineRequest storage request = requests[requestId];
        // InferenceConsumer passes only this agent's own pending requests, once: the record is Pending.
        if (block.timestamp > request.deadline) {
            request.outcome = Outcome.Stale;
            emit StaleAnswerIgnored(requestId);
            return;
        }
        Sentiment sentiment = sentimentOf(output);
        request.sentiment = sentiment;
        emit HeadlineClassified(requestId, sentiment);
        if (sentiment == Sentiment.Positive) {
            _trade(request, requestId, sentiment, stableToken);
        } else if (sentiment == Sentiment.Negative) {
            _trade(request, requestId, sentiment, volatileToken);
        } else {
            request.outcome = sentiment == Sentiment.Neutral ? Outcome.Held : Outcome.Unclear;
        }
    }

    /// @dev Sells `tradeBps` of the agent's `tokenIn` within the TWAP bound; a failure is an event, not a revert.
    function _trade(HeadlineRequest storage request, uint256 requestId, Sentiment sentiment, IERC20 tokenIn) private {
        uint256 amountIn = Math.mulDiv(tokenIn.balanceOf(address(this)), config.tradeBps, BPS);
        uint256 window = block.timestamp - request.requestedAt;
        uint256 twap;
        if (window >= config.minTwapWindow) {
            unchecked {
                twap = (pool.cumulativePrice(volatileToken) - request.priceCumulative) / window; // accumulators wrap
            }
        }
        if (twap == 0) {
            request.outcome = Outcome.TradeFailed;
            emit TradeFailed(requestId, sentiment, tokenIn, amountIn, abi.encodeWithSelector(TwapUnavailable.selector));
            return;
        }
        // The output expected at the average price since the request, less the slippage the agent accepts.
        uint256 expectedOut =
            tokenIn == stableToken ? Math.mulDiv(amountIn, PRICE_ONE, twap) : Math.mulDiv(amountIn, twap, PRICE_ONE);
        uint256 minAmountOut = Math.mulDiv(expectedOut, BPS - config.maxSlippageBps, BPS, Math.Rounding.Ceil);

        request.outcome = Outcome.Traded; // effects first; a failed swap below rewrites it
        tokenIn.forceApprove(address(pool), amountIn);
        try pool.swapExactIn(tokenIn, amountIn, minAmountOut, address(this)) returns (uint256 amountOut) {
            emit Traded(requestId, sentiment, tokenIn, amountIn, amountOut);
        } catch (bytes memory reason) {
            tokenIn.forceApprove(address(pool), 0);
            request.outcome = Outcome.TradeFailed;
            emit TradeFailed(requestId, sentiment, tokenIn, amountIn, reason);
        }
    }

    function _reclaimRefunds() private returns (uint256 amount) {
        amount = _withdrawFromCoordinator();
        if (amount != 0) emit RefundsReclaimed(amount);
    }

    function _setConfig(Config memory c) private {
        if (
            c.tradeBps == 0
            || c.tradeBps > MAX_TRADE_BPS
            || c.maxSlippageBps > MAX_SLIPPAGE_BPS
            || c.minTwapWindow == 0
            || c.requestTtl == 0
            || c.requestTtl > MAX_REQUEST_TTL
            || c.maxAnswerBytes == 0
            || c.maxAnswerBytes > MAX_ANSWER_BYTES
            || c.startComputeFee > c.maxComputeFee
        ) revert InvalidConfig();
        config = c;
        emit ConfigUpdated(c);
    }
}
