"""Small ONNX models of different operator families, for the tests of `highway models build`.

    make_models.py OUT_DIR [NAME ...]

Writes OUT_DIR/<name>.onnx and a calibration file (OUT_DIR/<name>.<json|csv|npy>) for each
model, from fixed seeds. Each model is made with onnx.helper (or skl2onnx for the
scikit-learn pipeline) and kept small, so that its circuit proves in seconds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
rng = np.random.default_rng(2026)


def weights(*shape: int, scale: float = 0.5) -> np.ndarray:
    return (rng.normal(0.0, scale, shape)).astype(np.float32)


def save(out: Path, name: str, nodes, inputs, outputs, initializers, opset: int = OPSET) -> None:
    graph = helper.make_graph(nodes, name, inputs, outputs, [numpy_helper.from_array(v, k) for k, v in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="highway-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(out / f"{name}.onnx"))


def value(name: str, shape) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def conv_pool(out: Path) -> None:
    """An image input: Conv, Relu, MaxPool, Flatten, Gemm (a 1x6x6 picture, 3 classes)."""
    nodes = [
        helper.make_node("Conv", ["image", "k", "kb"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("Gemm", ["f", "w", "b"], ["logits"]),
    ]
    save(out, "conv-pool", nodes, [value("image", [1, 1, 6, 6])], [value("logits", [1, 3])],
         {"k": weights(2, 1, 3, 3), "kb": weights(2), "w": weights(18, 3, scale=0.3), "b": weights(3)})
    np.save(out / "conv-pool.npy", rng.uniform(0, 1, (6, 1, 1, 6, 6)).astype(np.float32))


def avgpool_sigmoid(out: Path) -> None:
    """Pooling and a sigmoid: Conv, AveragePool, GlobalAveragePool, Sigmoid (an image, one score)."""
    nodes = [
        helper.make_node("Conv", ["image", "k"], ["c"], kernel_shape=[2, 2], strides=[1, 1]),
        helper.make_node("AveragePool", ["c"], ["a"], kernel_shape=[2, 2], strides=[1, 1]),
        helper.make_node("GlobalAveragePool", ["a"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Sigmoid", ["f"], ["score"]),
    ]
    save(out, "avgpool-sigmoid", nodes, [value("image", [1, 2, 5, 5])], [value("score", [1, 3])], {"k": weights(3, 2, 2, 2)})
    json.dump({"input_data": [rng.uniform(-1, 1, 50).round(4).tolist()]}, (out / "avgpool-sigmoid.json").open("w"))


def softmax_mlp(out: Path) -> None:
    """A classifier ending in Softmax, with a symbolic batch dimension and a Constant/Cast the way exporters write them."""
    scale = numpy_helper.from_array(np.array(0.5, dtype=np.float64), "half")
    nodes = [
        helper.make_node("Constant", [], ["half64"], value=scale),
        helper.make_node("Cast", ["half64"], ["half32"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x", "half32"], ["xs"]),
        helper.make_node("MatMul", ["xs", "w1"], ["h"]),
        helper.make_node("Add", ["h", "b1"], ["hb"]),
        helper.make_node("Tanh", ["hb"], ["t"]),
        helper.make_node("MatMul", ["t", "w2"], ["z"]),
        helper.make_node("Softmax", ["z"], ["probabilities"], axis=-1),
    ]
    save(out, "softmax-mlp", nodes, [value("x", ["batch", 6])], [value("probabilities", ["batch", 4])],
         {"w1": weights(6, 8), "b1": weights(8), "w2": weights(8, 4, scale=1.0)})
    rows = rng.normal(0, 1, (10, 6)).round(4)
    (out / "softmax-mlp.csv").write_text("a,b,c,d,e,f\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n")


def layer_norm(out: Path) -> None:
    """LayerNormalization (opset 17) between two linear layers."""
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h"]),
        helper.make_node("LayerNormalization", ["h", "gamma", "beta"], ["n"], axis=-1),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MatMul", ["r", "w2"], ["y"]),
    ]
    save(out, "layer-norm", nodes, [value("x", [1, 4])], [value("y", [1, 2])],
         {"w1": weights(4, 6), "gamma": np.ones(6, np.float32), "beta": np.zeros(6, np.float32), "w2": weights(6, 2)}, opset=17)
    np.save(out / "layer-norm.npy", rng.normal(0, 1, (8, 4)).astype(np.float32))


def recurrent(out: Path) -> None:
    """A recurrent layer: an RNN (tanh) over 3 steps of 2 features, then a linear read-out."""
    hidden = 3
    nodes = [
        helper.make_node("RNN", ["seq", "W", "R", "B"], ["all", "last"], hidden_size=hidden),
        helper.make_node("Reshape", ["last", "shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "wo"], ["y"]),
    ]
    save(out, "rnn", nodes, [value("seq", [3, 1, 2])], [value("y", [1, 1])],
         {"W": weights(1, hidden, 2), "R": weights(1, hidden, hidden), "B": weights(1, 2 * hidden, scale=0.1),
          "shape": np.array([1, hidden], dtype=np.int64), "wo": weights(hidden, 1)})
    np.save(out / "rnn.npy", rng.normal(0, 1, (1, 6)).astype(np.float32))  # one row: the build synthesizes more


def multi_output(out: Path) -> None:
    """Two inputs and two outputs: a shared trunk with a regression head and a 2-class head."""
    nodes = [
        helper.make_node("Concat", ["a", "b"], ["ab"], axis=1),
        helper.make_node("Gemm", ["ab", "w", "wb"], ["h"]),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Gemm", ["r", "w_reg"], ["value"]),
        helper.make_node("Gemm", ["r", "w_cls"], ["classes"]),
    ]
    save(out, "multi-output", nodes, [value("a", [1, 3]), value("b", [1, 2])], [value("value", [1, 1]), value("classes", [1, 2])],
         {"w": weights(5, 6), "wb": weights(6), "w_reg": weights(6, 1), "w_cls": weights(6, 2)})
    a, b = rng.normal(0, 1, (8, 3)).round(4), rng.normal(0, 1, (8, 2)).round(4)
    json.dump({"input_data": [a.reshape(-1).tolist(), b.reshape(-1).tolist()]}, (out / "multi-output.json").open("w"))


def reduce_mean_pad(out: Path) -> None:
    """Pad, ReduceMean and Sub: a centring step before a linear layer; the output is reshaped to (-1, 1)."""
    nodes = [
        helper.make_node("Pad", ["x", "pads"], ["padded"], mode="constant"),
        helper.make_node("ReduceMean", ["padded"], ["mean"], axes=[1], keepdims=1),
        helper.make_node("Sub", ["padded", "mean"], ["centred"]),
        helper.make_node("MatMul", ["centred", "w"], ["y"]),
        helper.make_node("Reshape", ["y", "column"], ["out"]),
    ]
    save(out, "reduce-pad", nodes, [value("x", [1, 5])], [value("out", ["rows", "columns"])],
         {"pads": np.array([0, 1, 0, 1], dtype=np.int64), "w": weights(7, 3), "column": np.array([-1, 1], dtype=np.int64)})
    np.save(out / "reduce-pad.npy", rng.normal(0, 1, (8, 5)).astype(np.float32))


def sklearn_pipeline(out: Path) -> None:
    """A scikit-learn pipeline (StandardScaler + LogisticRegression, 3 classes) exported by skl2onnx, ZipMap included.
    Raw features of moderate range: the circuit is checked with every input at the bound, which sets its size."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from skl2onnx import to_onnx

    x = (rng.normal(0, 1, (300, 4)) * [1, 1.5, 0.5, 1] + [0, 1, -0.5, 0.5]).astype(np.float32)
    y = (x[:, 0] + 0.2 * x[:, 1] > 0.5).astype(int) + (x[:, 2] > -0.5).astype(int)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(x, y)
    model = to_onnx(pipeline, x[:1], target_opset={"": OPSET, "ai.onnx.ml": 3})
    onnx.save(model, str(out / "sklearn-logistic.onnx"))
    np.save(out / "sklearn-logistic.npy", x[:16])


def sklearn_tree(out: Path) -> None:
    """A scikit-learn decision tree (depth 3) exported by skl2onnx: TreeEnsembleClassifier."""
    from sklearn.tree import DecisionTreeClassifier
    from skl2onnx import to_onnx

    x = rng.normal(0, 1, (300, 3)).astype(np.float32)
    y = ((x[:, 0] > 0.3) ^ (x[:, 1] < -0.2)).astype(int)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x, y)
    model = to_onnx(tree, x[:1], target_opset={"": OPSET, "ai.onnx.ml": 3}, options={"zipmap": False})
    onnx.save(model, str(out / "sklearn-tree.onnx"))
    np.save(out / "sklearn-tree.npy", x[:16])


MODELS = {
    "conv-pool": conv_pool,
    "avgpool-sigmoid": avgpool_sigmoid,
    "softmax-mlp": softmax_mlp,
    "layer-norm": layer_norm,
    "rnn": recurrent,
    "multi-output": multi_output,
    "reduce-pad": reduce_mean_pad,
    "sklearn-logistic": sklearn_pipeline,
    "sklearn-tree": sklearn_tree,
}

if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[2:] or list(MODELS):
        MODELS[name](target)
