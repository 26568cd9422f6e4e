#!/usr/bin/env python3
"""The held-out accuracy of a model bundle: the float ONNX model and the circuit side by side.

    model_accuracy.py BUNDLE_DIR TEST.npy

TEST.npy holds rows of the model's flattened input followed by the true class (last column).
The float model runs in ONNX Runtime; the circuit's answer is EZKL's witness (what a proof
proves), dequantized. Both answers are the argmax of the outputs. Prints one JSON line:
{"rows": N, "float": accuracy, "circuit": accuracy, "agreement": share of rows where they agree}.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import ezkl
import numpy as np
import onnx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib.ezkl_io import from_field, witness_outputs  # noqa: E402
from model_build import float_outputs, graph_inputs, onnx_runtime, quiet, write_rows  # noqa: E402


def main(bundle: Path, test: Path) -> dict:
    manifest = json.loads((bundle / "manifest.json").read_text())
    data = np.load(test)
    rows, labels = data[:, :-1].astype(np.float64), data[:, -1].astype(int)
    model = onnx.load(str(bundle / "model.onnx"))
    session = onnx_runtime(model, bundle / "model.onnx")
    inputs = graph_inputs(model)
    lengths = [t["length"] for t in manifest["inputs"]]
    scales = [t["scale"] for t in manifest["outputs"]]
    float_right = circuit_right = agree = 0
    with tempfile.TemporaryDirectory() as scratch:
        for row, label in zip(rows, labels):
            expected = np.concatenate(float_outputs(session, inputs, row))
            write_rows(Path(scratch) / "row.json", row.reshape(1, -1), lengths)
            witness = quiet(ezkl.gen_witness, str(Path(scratch) / "row.json"), str(bundle / "model.compiled"), str(Path(scratch) / "w.json"))
            got = np.array([from_field(e) for e in witness_outputs(witness)], dtype=np.float64) / (1 << scales[0])
            float_right += int(np.argmax(expected) == label)
            circuit_right += int(np.argmax(got) == label)
            agree += int(np.argmax(got) == np.argmax(expected))
    n = len(rows)
    return {"rows": n, "float": round(float_right / n, 4), "circuit": round(circuit_right / n, 4), "agreement": round(agree / n, 4)}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]))))
    sys.stdout.flush()
    import os

    os._exit(0)
