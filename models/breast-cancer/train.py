"""breast-cancer: a logistic regression over scikit-learn's bundled Wisconsin breast-cancer data.

Input: the 30 raw features of a biopsy, in scikit-learn's order (`load_breast_cancer().feature_names`);
the model standardizes them itself (a StandardScaler fitted on the training split, exported as an
ONNX Scaler). Output: two raw scores [-s, s], s the log-odds of "benign" (class 1): the sign of s
is the decision. Exported by skl2onnx (raw scores, no ZipMap); `highway models build` rewrites
its ai.onnx.ml operators into standard ONNX.

    .venv/bin/python models/breast-cancer/train.py   # writes model.onnx and calibration.npy here
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from skl2onnx import to_onnx
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

HERE = Path(__file__).resolve().parent
SEED = 13_2026


def main() -> None:
    x, y = load_breast_cancer(return_X_y=True)
    x = x.astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=SEED, stratify=y)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000, random_state=SEED)).fit(x_train, y_train)
    accuracy = pipeline.score(x_test, y_test)
    print(f"breast-cancer: float model held-out accuracy {accuracy:.3f} on {len(x_test)} biopsies")
    model = to_onnx(
        pipeline, x_train[:1], target_opset={"": 13, "ai.onnx.ml": 3},
        options={id(pipeline.steps[-1][1]): {"zipmap": False, "raw_scores": True}},
    )
    onnx.save(model, str(HERE / "model.onnx"))
    np.save(HERE / "calibration.npy", x_test[:32])
    np.save(HERE / "test.npy", np.concatenate([x_test, y_test[:, None].astype(np.float32)], axis=1))


if __name__ == "__main__":
    main()
