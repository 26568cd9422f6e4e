// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {InferenceConsumer} from "../../contracts/InferenceConsumer.sol";
import {IInferenceCoordinator} from "../../contracts/interfaces/IInferenceCoordinator.sol";
import {ConstantProductPool} from "./ConstantProductPool.sol";

/**
 * @title PoolTradingConsumer
 * @notice The base of the kit's contracts that trade in a `ConstantProductPool` on one model's
 * answers (`SignalVault`, `HeadlineSentimentAgent`): what is the same in both, written once.
 *   - **Assets and budget.** The pool's two tokens are the assets; Highway's fees are paid from a
 *     separate balance of the coordinator's payment token, which may not be one of the pool's tokens
 *     (a fee would eat the assets and skew the share of a balance a trade sells).
 *   - **Requests.** `_requestFromBudget` first withdraws what the coordinator owes this contract
 *     (refunds, unspent compute fees), so it pays for the request, then asks `modelId` on that budget:
 *     the model's fee at most the caller's `maxModelFee`, the relayer's at most its `maxComputeFee`.
 *     Anyone may bring those funds home between requests with `reclaimRefunds()`.
 *   - **Trades.** `_sellAtTwap` sells a share of one side's balance with a minimum output of the
 *     amount at a time-weighted average price of the pool (`_twapSince`, from the pool's price
 *     accumulator) less a maximum slippage: a price pushed in the block of the answer (a sandwich)
 *     does not move that average, so the swap fails rather than trade at the pushed price. It never
 *     reverts: a failed swap is returned, with its reason, for the contract's own event.
 *   - **Admin.** The admin role withdraws any token (`withdraw`) and manages roles; the keeper role is
 *     the contract's to use (requests, price records). The deployer's `admin` gets both.
 * @dev The knobs (a `Config` struct, `setConfig`) are each contract's own; `_checkTradeKnobs` holds the
 * bounds they share.
 */
abstract contract PoolTradingConsumer is InferenceConsumer, AccessControl {
    using SafeERC20 for IERC20;

    /// @notice The role that may drive the contract (submit requests, record prices).
    bytes32 public constant KEEPER_ROLE = keccak256("KEEPER_ROLE");

    /// @notice The largest slippage against the TWAP a trade may accept: 10%.
    uint16 public constant MAX_SLIPPAGE_BPS = 1_000;
    /// @notice The longest time a request may stay useful: one day.
    uint32 public constant MAX_REQUEST_TTL = 1 days;

    /// @dev The largest share of a balance one trade may sell: 50%.
    uint16 internal constant MAX_SHARE_BPS = 5_000;
    /// @dev 100% in basis points.
    uint256 internal constant BPS = 10_000;
    /// @dev A price of 1 at the pool's 18 decimals.
    uint256 internal constant PRICE_ONE = 1e18;

    /// @notice The model's id in the registry.
    bytes32 public immutable modelId;
    /// @notice The token the contract pays Highway's fees in.
    IERC20 public immutable paymentToken;
    /// @notice The market the contract trades in.
    ConstantProductPool public immutable pool;
    /// @notice The low-volatility side of the pool.
    IERC20 public immutable stableToken;
    /// @notice The side the model's answers are about.
    IERC20 public immutable volatileToken;

    // ------------------------------------------------------------------ events

    /// @notice The admin took `amount` of `token` out to `to`.
    event Withdrawn(IERC20 indexed token, address indexed to, uint256 amount);
    /// @notice `amount` of the payment token came back from the coordinator (refunds, unspent compute fees).
    event RefundsReclaimed(uint256 amount);

    // ------------------------------------------------------------------ errors

    /// @notice The payment token is one of the pool's tokens: the fee would eat the assets the
    /// contract trades, and skew the share of a balance a trade sells.
    error InvalidTokens();
    /// @notice A knob is outside its bounds.
    error InvalidConfig();
    /// @notice No time-weighted average price over a long enough window (or it rounds to 0): nothing
    /// to bound a swap by. The reason of a failed trade's event.
    error TwapUnavailable();

    /**
     * @notice Sets the model, the budget's token and the market; grants `admin` both roles.
     * @param coordinator_ the Highway coordinator: the only caller of the callback
     * @param modelId_ the model's id in the registry
     * @param paymentToken_ the coordinator's payment token, in which the contract pays its requests
     * @param pool_ the market to trade in; its tokens are the contract's assets
     * @param volatileIsToken0 whether the pool's `token0` is the volatile token
     * @param admin gets the admin role (knobs, roles, withdrawals) and the keeper role
     */
    constructor(
        IInferenceCoordinator coordinator_,
        bytes32 modelId_,
        IERC20 paymentToken_,
        ConstantProductPool pool_,
        bool volatileIsToken0,
        address admin
    ) InferenceConsumer(coordinator_) {
        (IERC20 token0, IERC20 token1) = (pool_.token0(), pool_.token1());
        if (paymentToken_ == token0 || paymentToken_ == token1) revert InvalidTokens();
        modelId = modelId_;
        paymentToken = paymentToken_;
        pool = pool_;
        (volatileToken, stableToken) = volatileIsToken0 ? (token0, token1) : (token1, token0);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(KEEPER_ROLE, admin);
    }

    /// @notice Withdraws what the coordinator owes this contract (the escrow of an expired or cancelled
    /// request, unspent compute fees, a late relayer's slashed share) into it; anyone may call.
    /// @return amount what came back, in the payment token
    function reclaimRefunds() external returns (uint256 amount) {
        return _reclaimRefunds();
    }

    /// @notice Takes `amount` of `token` out of the contract to `to`; only the admin.
    function withdraw(IERC20 token, address to, uint256 amount) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit Withdrawn(token, to, amount);
        token.safeTransfer(to, amount);
    }

    // ------------------------------------------------------------------ internal

    /**
     * @notice Asks `modelId` for its output on `input` in `mode`, paid from this contract's balance of the
     * payment token, after withdrawing what the coordinator owes it (so that pays first).
     * @dev No job bond, challenge window or referrer of its own: the protocol's. A cached answer runs the
     * callback before this returns (see `InferenceConsumer`).
     * @param input the model's input (a tensor, or a language model's prompt)
     * @param mode `Zk` or `Optimistic`
     * @param deadline the last second at which the request may be answered
     * @param callbackGasLimit the gas the coordinator gives the callback
     * @param maxOutputBytes the longest answer of a language model, in bytes; 0 for a circuit model
     * @param startComputeFee the auction's opening compute fee
     * @param maxComputeFee the most this request pays a relayer
     * @param maxModelFee the most this request pays the model's owner: a higher fee reverts the request
     * @return requestId the coordinator's id of the request
     */
    function _requestFromBudget(
        bytes memory input,
        IInferenceCoordinator.ProofMode mode,
        uint40 deadline,
        uint32 callbackGasLimit,
        uint32 maxOutputBytes,
        uint96 startComputeFee,
        uint96 maxComputeFee,
        uint96 maxModelFee
    ) internal returns (uint256 requestId) {
        _reclaimRefunds();
        return
            _requestInference(
                paymentToken,
                modelId,
                input,
                RequestOptions({
                    proofMode: mode,
                    maxModelFee: maxModelFee,
                    startComputeFee: startComputeFee,
                    maxComputeFee: maxComputeFee,
                    jobBond: 0,
                    challengeWindow: 0,
                    callbackGasLimit: callbackGasLimit,
                    maxOutputBytes: maxOutputBytes,
                    deadline: deadline,
                    referrer: address(0)
                })
            );
    }

    /**
     * @notice Sells `shareBps` of this contract's balance of `tokenIn` (one of the pool's tokens) for the
     * other, with a minimum output of the amount at `twap` (the volatile token's price in stable units,
     * 18 decimals) less `maxSlippageBps`.
     * @dev Never reverts for a market reason: a `twap` of 0 (none available) fails with `TwapUnavailable`,
     * a failed swap with the pool's revert data, and either way nothing moves and no allowance is left.
     * @return swapped whether the swap went through
     * @return amountIn what was (or was to be) sold
     * @return amountOut what was bought (0 when `swapped` is false)
     * @return reason why the swap failed (empty when `swapped` is true)
     */
    function _sellAtTwap(
        IERC20 tokenIn,
        uint256 shareBps,
        uint256 twap,
        uint256 maxSlippageBps
    ) internal returns (bool swapped, uint256 amountIn, uint256 amountOut, bytes memory reason) {
        amountIn = Math.mulDiv(tokenIn.balanceOf(address(this)), shareBps, BPS);
        if (twap == 0) return (false, amountIn, 0, abi.encodeWithSelector(TwapUnavailable.selector));
        // The output expected at the time-weighted average price, less the slippage accepted: the spot
        // price now is whatever the last trade before this call made it. (Selling stable, 1/TWAP is a
        // hair below the average of the inverse price when the price moved in the window: the bound is
        // that much looser, never tighter.)
        uint256 expectedOut =
            tokenIn == stableToken ? Math.mulDiv(amountIn, PRICE_ONE, twap) : Math.mulDiv(amountIn, twap, PRICE_ONE);
        uint256 minAmountOut = Math.mulDiv(expectedOut, BPS - maxSlippageBps, BPS, Math.Rounding.Ceil);

        tokenIn.forceApprove(address(pool), amountIn);
        try pool.swapExactIn(tokenIn, amountIn, minAmountOut, address(this)) returns (uint256 out) {
            return (true, amountIn, out, "");
        } catch (bytes memory failure) {
            tokenIn.forceApprove(address(pool), 0);
            return (false, amountIn, 0, failure);
        }
    }

    /**
     * @dev The pool's time-weighted average price of the volatile token (stable units, 18 decimals) over
     * the last `window` seconds (not 0), given its price accumulator `window` seconds ago: (accumulator
     * now − then) / window. The accumulator moves only at a block's first change of the reserves, by
     * the price that held before it, so nothing done in this block (a swap right before this call) counts.
     */
    function _twapSince(uint256 priceCumulative, uint256 window) internal view returns (uint256) {
        unchecked {
            return (pool.cumulativePrice(volatileToken) - priceCumulative) / window; // accumulators wrap
        }
    }

    /**
     * @dev Reverts `InvalidConfig` unless the knobs every such contract has are within their bounds: a
     * trade's share 1 to 50%, slippage at most `MAX_SLIPPAGE_BPS`, a request's time to live 1 second to
     * `MAX_REQUEST_TTL`, an opening compute fee at most the maximum.
     */
    function _checkTradeKnobs(
        uint256 shareBps,
        uint256 maxSlippageBps,
        uint256 requestTtl,
        uint256 startComputeFee,
        uint256 maxComputeFee
    ) internal pure {
        if (
            shareBps == 0
            || shareBps > MAX_SHARE_BPS
            || maxSlippageBps > MAX_SLIPPAGE_BPS
            || requestTtl == 0
            || requestTtl > MAX_REQUEST_TTL
            || startComputeFee > maxComputeFee
        ) revert InvalidConfig();
    }

    /// @dev Withdraws what the coordinator owes this contract; emits `RefundsReclaimed` when it was anything.
    function _reclaimRefunds() internal returns (uint256 amount) {
        amount = _withdrawFromCoordinator();
        if (amount != 0) emit RefundsReclaimed(amount);
    }
}
