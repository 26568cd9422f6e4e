"""price-signal: the next-move signal a DeFi bot asks for before it rebalances.

Input: the last 8 log-returns of a pair, each divided by the pair's recent volatility
(a z-score, clipped to [-8, 8]); output: the expected next normalized log-return.
A positive signal means "expect up", its size the confidence.

Training data comes from a synthetic price process, generated here from a fixed seed
(no download): log-returns r_t = m_t + s_t * e_t with
  - momentum:   m_t = 0.35 * r_{t-1} - 0.15 * r_{t-2} + regime drift
  - regimes:    a two-state Markov chain (trend, mean-revert) switching with p = 0.01,
                with drift +/-0.2 sigma in the trend state and 0 otherwise
  - volatility: s_t follows a GARCH(1,1)-like recursion around 1% per step
  - noise:      e_t is Student-t with 5 degrees of freedom (fat tails), scaled to unit variance.
Run `python circuits/price-signal/model.py` to regenerate model.onnx and calibration.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lib.mlp import export_onnx, train_mlp, write_calibration_data  # noqa: E402

SEED = 20261122
WINDOW = 8
STEPS = 60_000
Z_CLIP = 8.0


def simulate_log_returns(
    rng: np.random.Generator, steps: int, base_variance: float = 1e-6, ar: tuple[float, float] = (0.35, -0.15)
) -> np.ndarray:
    """The synthetic process above; `base_variance` sets the floor of the GARCH recursion and
    `ar` the two momentum coefficients."""
    returns = np.zeros(steps)
    variance = 1e-4
    trend = False
    student = rng.standard_t(5, steps) / np.sqrt(5 / 3)
    for t in range(2, steps):
        if rng.random() < 0.01:
            trend = not trend
        sigma = np.sqrt(variance)
        drift = 0.2 * sigma * (1 if trend else 0) * np.sign(returns[t - 1] or 1.0)
        mean = ar[0] * returns[t - 1] + ar[1] * returns[t - 2] + drift
        returns[t] = mean + sigma * student[t]
        variance = base_variance + 0.08 * (returns[t] - mean) ** 2 + 0.9 * variance
    return returns


def normalized_windows(returns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Z-scores of each window of returns (and of the return after it) by the window's volatility."""
    windows = np.lib.stride_tricks.sliding_window_view(returns[:-1], WINDOW)
    following = returns[WINDOW:]
    volatility = np.sqrt((windows**2).mean(axis=1)) + 1e-12
    x = np.clip(windows / volatility[:, None], -Z_CLIP, Z_CLIP)
    y = np.clip(following / volatility, -Z_CLIP, Z_CLIP)[:, None]
    return x.astype(np.float32), y.astype(np.float32)


def main() -> None:
    rng = np.random.default_rng(SEED)
    x, y = normalized_windows(simulate_log_returns(rng, STEPS))
    split = int(0.8 * len(x))
    model = train_mlp(x[:split], y[:split], [8], loss="mse", seed=SEED, epochs=30)
    predicted = model.forward(x[split:])[:, 0]
    hit_rate = float(np.mean(np.sign(predicted) == np.sign(y[split:, 0])))
    print(f"price-signal: held-out direction hit rate {hit_rate:.3f} on {len(predicted)} windows")
    export_onnx(model, HERE / "model.onnx", input_name="normalized_returns", output_name="signal", doc=__doc__)
    write_calibration_data(x[split : split + 64], HERE / "calibration.json")


if __name__ == "__main__":
    main()
