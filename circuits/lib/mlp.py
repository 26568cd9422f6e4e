"""A small multilayer perceptron trained with numpy and exported to ONNX.

Shared by the reference models' scripts: each script makes its data set and calls
`train_mlp` and `export_onnx`, so the training loop and the ONNX graph are written once.
The exported graph uses only Gemm and Relu, which EZKL proves with range checks alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ONNX_OPSET = 13
ONNX_IR_VERSION = 8


@dataclass
class Mlp:
    """Weights of a ReLU network: layers[i] = (W with shape (in, out), b with shape (out,))."""

    layers: list[tuple[np.ndarray, np.ndarray]]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        return x


def _mse_gradient(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    return 2.0 * (out - target) / out.shape[0]


def _softmax_cross_entropy_gradient(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    shifted = out - out.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return (probabilities - target) / out.shape[0]


LOSS_GRADIENTS = {"mse": _mse_gradient, "softmax_cross_entropy": _softmax_cross_entropy_gradient}


def train_mlp(
    x: np.ndarray,
    y: np.ndarray,
    hidden: list[int],
    *,
    loss: str,
    seed: int,
    epochs: int = 200,
    batch_size: int = 256,
    learning_rate: float = 3e-3,
    weight_decay: float = 1e-4,
    initial: Mlp | None = None,
) -> Mlp:
    """Trains a ReLU MLP with Adam; deterministic for a given seed. With `initial`, it
    fine-tunes those weights (same layer sizes) instead of starting from random ones."""
    rng = np.random.default_rng(seed)
    sizes = [x.shape[1], *hidden, y.shape[1]]
    if initial is not None:
        layers = [(w.astype(np.float64).copy(), b.astype(np.float64).copy()) for w, b in initial.layers]
    else:
        layers = [
            (rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)), np.zeros(n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
        ]
    moments = [[np.zeros_like(p) for p in layer] for layer in layers]
    velocities = [[np.zeros_like(p) for p in layer] for layer in layers]
    gradient_of_loss = LOSS_GRADIENTS[loss]
    beta1, beta2, step = 0.9, 0.999, 0
    for _ in range(epochs):
        order = rng.permutation(x.shape[0])
        for start in range(0, x.shape[0], batch_size):
            batch = order[start : start + batch_size]
            activations = [x[batch]]
            for i, (w, b) in enumerate(layers):
                z = activations[-1] @ w + b
                activations.append(np.maximum(z, 0.0) if i < len(layers) - 1 else z)
            delta = gradient_of_loss(activations[-1], y[batch])
            step += 1
            for i in reversed(range(len(layers))):
                w, b = layers[i]
                grads = (activations[i].T @ delta + weight_decay * w, delta.sum(axis=0))
                if i > 0:
                    delta = (delta @ w.T) * (activations[i] > 0)
                for j, grad in enumerate(grads):
                    moments[i][j] = beta1 * moments[i][j] + (1 - beta1) * grad
                    velocities[i][j] = beta2 * velocities[i][j] + (1 - beta2) * grad**2
                    corrected = moments[i][j] / (1 - beta1**step)
                    scale = np.sqrt(velocities[i][j] / (1 - beta2**step)) + 1e-8
                    layers[i][j][...] -= learning_rate * corrected / scale
    return Mlp([(w.astype(np.float32), b.astype(np.float32)) for w, b in layers])


def export_onnx(model: Mlp, path: Path, *, input_name: str, output_name: str, doc: str) -> None:
    """Writes the MLP as an ONNX graph of Gemm and Relu nodes with batch size 1."""
    nodes, initializers = [], []
    current = input_name
    for i, (w, b) in enumerate(model.layers):
        initializers += [numpy_helper.from_array(w, f"W{i}"), numpy_helper.from_array(b, f"b{i}")]
        is_last = i == len(model.layers) - 1
        linear = output_name if is_last else f"linear{i}"
        nodes.append(helper.make_node("Gemm", [current, f"W{i}", f"b{i}"], [linear], name=f"gemm{i}"))
        current = linear
        if not is_last:
            nodes.append(helper.make_node("Relu", [linear], [f"relu{i}"], name=f"relu{i}"))
            current = f"relu{i}"
    n_in, n_out = model.layers[0][0].shape[0], model.layers[-1][0].shape[1]
    graph = helper.make_graph(
        nodes,
        path.parent.name,
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, [1, n_in])],
        [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, [1, n_out])],
        initializers,
    )
    onnx_model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)], producer_name="highway", doc_string=doc
    )
    onnx_model.ir_version = ONNX_IR_VERSION
    onnx.checker.check_model(onnx_model)
    onnx.save(onnx_model, path)


def load_onnx_mlp(path: Path) -> Mlp:
    """Reads back the weights of an MLP written by `export_onnx`."""
    model = onnx.load(str(path))
    weights = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    count = sum(1 for name in weights if name.startswith("W"))
    return Mlp([(weights[f"W{i}"], weights[f"b{i}"]) for i in range(count)])


def write_calibration_data(inputs: np.ndarray, path: Path) -> None:
    """Writes inputs in EZKL's data format (one flattened batch of rows) for calibration."""
    path.write_text(json.dumps({"input_data": [inputs.astype(float).reshape(-1).round(6).tolist()]}) + "\n")
