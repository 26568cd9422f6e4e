// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title ConstantProductPool
 * @notice An x*y=k pool between two ERC-20s with a swap fee in basis points, the market
 * the example `SignalVault` trades against, with Uniswap v2's price accumulators: a
 * time-weighted average price between two readings of `cumulativePrice` is their difference
 * over the seconds between them.
 * @dev Liquidity comes from one provider, the owner (no LP shares: that would add a share
 * token and its rounding without showing anything about Highway). Every rounding goes in
 * the pool's favour, so `reserve0 * reserve1` never decreases on a swap. Reserves are the
 * pool's own accounting, not its balances: tokens sent to it directly are not liquidity.
 * The accumulators add, at the first change of the reserves in a block, the spot price the
 * reserves held until then times the seconds it held: a price pushed and pulled back within a
 * block (a sandwich) weighs nothing, and holding a pushed price costs the arbitrage of every
 * second it is held. Like Uniswap v2's they wrap around (differences are taken modulo 2^256).
 */
contract ConstantProductPool is Ownable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The largest fee the pool accepts: 10%.
    uint16 public constant MAX_FEE_BPS = 1_000;

    uint256 private constant BPS = 10_000;

    /// @notice The pool's first token.
    IERC20 public immutable token0;
    /// @notice The pool's second token.
    IERC20 public immutable token1;
    /// @notice The fee kept by the pool on every swap's input, in basis points.
    uint16 public immutable feeBps;

    /// @notice The pool's accounted balance of `token0`.
    uint256 public reserve0;
    /// @notice The pool's accounted balance of `token1`.
    uint256 public reserve1;
    /// @notice Σ (spot price of `token0` in `token1`, 18 decimals) × seconds it held, up to `blockTimestampLast` (wrapping).
    uint256 public price0CumulativeLast;
    /// @notice Σ (spot price of `token1` in `token0`, 18 decimals) × seconds it held, up to `blockTimestampLast` (wrapping).
    uint256 public price1CumulativeLast;
    /// @notice When the reserves last changed.
    uint40 public blockTimestampLast;

    /// @notice `sender` swapped `amountIn` of `tokenIn` for `amountOut` of the other token, paid to `to`.
    event Swap(address indexed sender, IERC20 indexed tokenIn, uint256 amountIn, uint256 amountOut, address indexed to);
    /// @notice The owner added `amount0` and `amount1` of liquidity.
    event LiquidityAdded(uint256 amount0, uint256 amount1);
    /// @notice The owner removed `amount0` and `amount1` of liquidity, paid to `to`.
    event LiquidityRemoved(uint256 amount0, uint256 amount1, address indexed to);

    /// @notice The two tokens are the same, or one of them is the zero address.
    error InvalidTokens();
    /// @notice `feeBps` exceeds `MAX_FEE_BPS`.
    error FeeTooHigh(uint256 feeBps);
    /// @notice `token` is neither of the pool's tokens.
    error UnknownToken(IERC20 token);
    /// @notice An amount that must be positive was zero.
    error ZeroAmount();
    /// @notice The pool has no liquidity on one side.
    error NoLiquidity();
    /// @notice The swap would pay `amountOut`, less than the caller's `minAmountOut`.
    error InsufficientOutput(uint256 amountOut, uint256 minAmountOut);
    /// @notice Removing this much would leave a side of the pool empty (or take more than it holds).
    error InsufficientReserves(uint256 reserve0, uint256 reserve1);

    /**
     * @notice Deploys an empty pool of `token0_` and `token1_`; `owner_` seeds it and sets the price.
     * @param token0_ the pool's first token
     * @param token1_ the pool's second token (not `token0_`)
     * @param feeBps_ the swap fee kept by the pool, at most `MAX_FEE_BPS`
     * @param owner_ the liquidity provider
     */
    constructor(IERC20 token0_, IERC20 token1_, uint16 feeBps_, address owner_) Ownable(owner_) {
        if (address(token0_) == address(0) || address(token1_) == address(0) || token0_ == token1_) {
            revert InvalidTokens();
        }
        if (feeBps_ > MAX_FEE_BPS) revert FeeTooHigh(feeBps_);
        token0 = token0_;
        token1 = token1_;
        feeBps = feeBps_;
    }

    // ------------------------------------------------------------------ liquidity

    /// @notice Adds liquidity from the owner's balance (it must approve the pool first).
    /// @dev Any ratio is accepted: the owner sets the price when it seeds the pool.
    function addLiquidity(uint256 amount0, uint256 amount1) external onlyOwner nonReentrant {
        if (amount0 == 0 && amount1 == 0) revert ZeroAmount();
        uint256 received0 = _pull(token0, amount0);
        uint256 received1 = _pull(token1, amount1);
        _update(reserve0 + received0, reserve1 + received1);
        emit LiquidityAdded(received0, received1);
    }

    /// @notice Removes liquidity to `to`; both sides must stay non-empty so the pool keeps a price.
    function removeLiquidity(uint256 amount0, uint256 amount1, address to) external onlyOwner nonReentrant {
        if (amount0 == 0 && amount1 == 0) revert ZeroAmount();
        if (amount0 >= reserve0 || amount1 >= reserve1) revert InsufficientReserves(reserve0, reserve1);
        _update(reserve0 - amount0, reserve1 - amount1);
        emit LiquidityRemoved(amount0, amount1, to);
        token0.safeTransfer(to, amount0);
        token1.safeTransfer(to, amount1);
    }

    // ------------------------------------------------------------------ swaps

    /**
     * @notice Sells exactly `amountIn` of `tokenIn` (pulled from the caller, who approves the
     * pool first) for at least `minAmountOut` of the other token, paid to `to`.
     * @param tokenIn the token sold: `token0` or `token1`
     * @param amountIn how much of it is pulled from the caller
     * @param minAmountOut the least the caller accepts, or the swap reverts
     * @param to who receives the output
     * @return amountOut what `to` receives
     */
    function swapExactIn(
        IERC20 tokenIn,
        uint256 amountIn,
        uint256 minAmountOut,
        address to
    ) external nonReentrant returns (uint256 amountOut) {
        bool zeroForOne = _isToken0(tokenIn);
        if (amountIn == 0) revert ZeroAmount();
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (reserve0, reserve1) : (reserve1, reserve0);
        if (reserveIn == 0 || reserveOut == 0) revert NoLiquidity();

        // Price what actually arrived, so a token that charges on transfer cannot drain the pool.
        uint256 received = _pull(tokenIn, amountIn);
        amountOut = _amountOut(received, reserveIn, reserveOut);
        if (amountOut == 0 || amountOut < minAmountOut) revert InsufficientOutput(amountOut, minAmountOut);

        if (zeroForOne) {
            _update(reserveIn + received, reserveOut - amountOut);
        } else {
            _update(reserveOut - amountOut, reserveIn + received);
        }
        emit Swap(msg.sender, tokenIn, received, amountOut, to);
        (zeroForOne ? token1 : token0).safeTransfer(to, amountOut);
    }

    // ------------------------------------------------------------------ views

    /// @notice What selling `amountIn` of `tokenIn` would pay now (for a token without a transfer fee).
    function getAmountOut(IERC20 tokenIn, uint256 amountIn) external view returns (uint256) {
        (uint256 reserveIn, uint256 reserveOut) = _isToken0(tokenIn) ? (reserve0, reserve1) : (reserve1, reserve0);
        if (reserveIn == 0 || reserveOut == 0) revert NoLiquidity();
        return _amountOut(amountIn, reserveIn, reserveOut);
    }

    /// @notice The marginal price of `base` in units of the other token, as an 18-decimal fixed-point number.
    /// @dev A spot price moves within a transaction; read it as a reference, not as an oracle.
    function spotPrice(IERC20 base) external view returns (uint256) {
        (uint256 reserveBase, uint256 reserveQuote) = _isToken0(base) ? (reserve0, reserve1) : (reserve1, reserve0);
        if (reserveBase == 0 || reserveQuote == 0) revert NoLiquidity();
        return Math.mulDiv(reserveQuote, 1e18, reserveBase);
    }

    /**
     * @notice The accumulator of `base`'s spot price (in units of the other token, 18 decimals)
     * as of now: `price{0,1}CumulativeLast` plus the current price times the seconds since the
     * reserves last changed. The time-weighted average price of `base` between two readings
     * (c1 at t1, c2 at t2 > t1) is `(c2 - c1) / (t2 - t1)`, the subtraction unchecked.
     */
    function cumulativePrice(IERC20 base) external view returns (uint256 cumulative) {
        bool isToken0 = _isToken0(base);
        cumulative = isToken0 ? price0CumulativeLast : price1CumulativeLast;
        uint256 elapsed = block.timestamp - blockTimestampLast;
        (uint256 r0, uint256 r1) = (reserve0, reserve1);
        if (elapsed != 0 && r0 != 0 && r1 != 0) {
            unchecked {
                cumulative += (isToken0 ? Math.mulDiv(r1, 1e18, r0) : Math.mulDiv(r0, 1e18, r1)) * elapsed;
            }
        }
    }

    // ------------------------------------------------------------------ internals

    /// @dev Sets the reserves, first adding the price the old ones held, times the seconds since they were set,
    /// to the accumulators (once per block: later changes in the same block add nothing).
    function _update(uint256 newReserve0, uint256 newReserve1) private {
        uint256 elapsed = block.timestamp - blockTimestampLast;
        (uint256 r0, uint256 r1) = (reserve0, reserve1);
        if (elapsed != 0 && r0 != 0 && r1 != 0) {
            unchecked {
                price0CumulativeLast += Math.mulDiv(r1, 1e18, r0) * elapsed;
                price1CumulativeLast += Math.mulDiv(r0, 1e18, r1) * elapsed;
            }
        }
        reserve0 = newReserve0;
        reserve1 = newReserve1;
        blockTimestampLast = uint40(block.timestamp);
    }

    /// @dev out = in·(1−fee)·R_out / (R_in + in·(1−fee)), rounded down: the pool keeps the dust.
    function _amountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) private view returns (uint256) {
        uint256 amountInAfterFee = amountIn * (BPS - feeBps);
        return Math.mulDiv(amountInAfterFee, reserveOut, reserveIn * BPS + amountInAfterFee);
    }

    function _isToken0(IERC20 token) private view returns (bool) {
        if (token == token0) return true;
        if (token == token1) return false;
        revert UnknownToken(token);
    }

    /// @dev Pulls `amount` of `token` from the caller and returns what the pool actually received.
    function _pull(IERC20 token, uint256 amount) private returns (uint256) {
        if (amount == 0) return 0;
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        return token.balanceOf(address(this)) - before;
    }
}
