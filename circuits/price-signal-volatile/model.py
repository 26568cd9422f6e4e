"""price-signal-volatile: price-signal fine-tuned for volatile pairs.

A fine-tune of `price-signal` (its parent in the registry): the same 8 → 8 ReLU → 1
network and the same input and output (8 volatility-normalized log-returns in, the
expected next normalized return out), starting from price-signal's weights and
trained further, at a lower learning rate, on the same synthetic process with a
ten times higher volatility floor and faster-reverting momentum (log-return
coefficients 0.15 and -0.30 instead of 0.35 and -0.15): a pair that rarely calms
down and overshoots. Run `python circuits/price-signal-volatile/model.py` after
price-signal's model.py to regenerate model.onnx and calibration.json.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from lib.mlp import export_onnx, load_onnx_mlp, train_mlp, write_calibration_data  # noqa: E402

SEED = 20261123
STEPS = 30_000
BASE_VARIANCE = 1e-5
AR = (0.15, -0.30)


def parent_module():
    """The parent model's script, for its price process and feature windows."""
    spec = importlib.util.spec_from_file_location("price_signal", HERE.parent / "price-signal" / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parent = parent_module()
    rng = np.random.default_rng(SEED)
    x, y = parent.normalized_windows(parent.simulate_log_returns(rng, STEPS, BASE_VARIANCE, AR))
    split = int(0.8 * len(x))
    base = load_onnx_mlp(HERE.parent / "price-signal" / "model.onnx")
    model = train_mlp(x[:split], y[:split], [8], loss="mse", seed=SEED, epochs=10, learning_rate=5e-4, initial=base)
    for name, candidate in (("parent", base), ("fine-tune", model)):
        predicted = candidate.forward(x[split:])[:, 0]
        hit_rate = float(np.mean(np.sign(predicted) == np.sign(y[split:, 0])))
        print(f"price-signal-volatile: {name} direction hit rate {hit_rate:.3f} on {len(predicted)} volatile windows")
    export_onnx(model, HERE / "model.onnx", input_name="normalized_returns", output_name="signal", doc=__doc__)
    write_calibration_data(x[split : split + 64], HERE / "calibration.json")


if __name__ == "__main__":
    main()
