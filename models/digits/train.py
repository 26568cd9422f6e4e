"""digits: a 10-class classifier of scikit-learn's bundled 8x8 handwritten digits.

Input: an 8x8 picture as 64 pixel intensities divided by 16 (so in [0, 1]), row by row.
Output: 10 logits, one per digit; the argmax is the answer. A ReLU MLP (64 -> 24 -> 10)
trained with numpy (circuits/lib/mlp.py) from a fixed seed and exported as Gemm/Relu ONNX.

    .venv/bin/python models/digits/train.py   # writes model.onnx and calibration.npy here
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "circuits"))

from lib.mlp import export_onnx, train_mlp  # noqa: E402

SEED = 8_2026


def main() -> None:
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)
    one_hot = np.eye(10, dtype=np.float32)[y_train]
    model = train_mlp(x_train, one_hot, [24], loss="softmax_cross_entropy", seed=SEED, epochs=150, batch_size=64, learning_rate=3e-3)
    accuracy = float(np.mean(model.forward(x_test).argmax(axis=1) == y_test))
    print(f"digits: float model held-out accuracy {accuracy:.3f} on {len(x_test)} pictures")
    export_onnx(model, HERE / "model.onnx", input_name="pixels", output_name="logits", doc=__doc__)
    np.save(HERE / "calibration.npy", x_test[:32])
    np.save(HERE / "test.npy", np.concatenate([x_test, y_test[:, None].astype(np.float32)], axis=1))


if __name__ == "__main__":
    main()
