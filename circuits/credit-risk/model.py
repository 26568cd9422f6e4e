"""credit-risk: a lender's risk score over 16 borrower features.

Input: 16 standardized features of a borrower (z-scores clipped to [-8, 8]);
output: two logits, [repays, defaults]; softmax gives the default probability.

Training data comes from a synthetic borrower population, generated here from a
fixed seed (no download): features are correlated Gaussians (a random covariance
with a fixed seed); the true default log-odds are a sparse linear term plus two
interactions (leverage x volatility of income, and a threshold effect on the number
of late payments), and each label is drawn from that probability.
Run `python circuits/credit-risk/model.py` to regenerate model.onnx and calibration.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lib.mlp import export_onnx, train_mlp, write_calibration_data  # noqa: E402

SEED = 16_2026
FEATURES = 16
BORROWERS = 40_000
Z_CLIP = 8.0


def simulate_borrowers(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    mixing = rng.normal(0.0, 0.4, (FEATURES, FEATURES)) + np.eye(FEATURES)
    raw = rng.normal(size=(BORROWERS, FEATURES)) @ mixing
    x = np.clip((raw - raw.mean(axis=0)) / raw.std(axis=0), -Z_CLIP, Z_CLIP)
    weights = np.zeros(FEATURES)
    weights[[0, 1, 3, 6, 10]] = [1.2, -0.9, 0.7, 0.5, -0.6]
    log_odds = -1.5 + x @ weights + 0.6 * x[:, 2] * x[:, 4] + 1.0 * (x[:, 5] > 1.0)
    defaults = rng.random(BORROWERS) < 1.0 / (1.0 + np.exp(-log_odds))
    y = np.stack([~defaults, defaults], axis=1).astype(np.float32)
    return x.astype(np.float32), y


def main() -> None:
    rng = np.random.default_rng(SEED)
    x, y = simulate_borrowers(rng)
    split = int(0.8 * len(x))
    model = train_mlp(x[:split], y[:split], [8], loss="softmax_cross_entropy", seed=SEED, epochs=30)
    logits = model.forward(x[split:])
    accuracy = float(np.mean(logits.argmax(axis=1) == y[split:].argmax(axis=1)))
    print(f"credit-risk: held-out accuracy {accuracy:.3f} on {len(logits)} borrowers")
    export_onnx(model, HERE / "model.onnx", input_name="borrower_features", output_name="logits", doc=__doc__)
    write_calibration_data(x[split : split + 64], HERE / "calibration.json")


if __name__ == "__main__":
    main()
