"""Rewrites the `ai.onnx.ml` operators scikit-learn exports (skl2onnx) into standard ONNX.

EZKL proves standard ONNX operators only. A scikit-learn pipeline exported by skl2onnx
uses a handful of `ai.onnx.ml` operators; each has an exact standard equivalent, built
here with onnx's own helpers:

- Scaler: (x - offset) * scale -> Sub, Mul.
- LinearRegressor / LinearClassifier: x W^T + b -> MatMul, Add (then Sigmoid or Softmax
  for a LOGISTIC or SOFTMAX post-transform). A classifier's integer label output is
  dropped: it is the argmax of its scores, which the circuit returns.
- Normalizer (L1, L2, MAX): Abs/Mul, ReduceSum/ReduceMax, Div.
- ZipMap: a map from class label to probability for Python; the probabilities tensor
  under it becomes the graph output.
- TreeEnsembleRegressor / TreeEnsembleClassifier: the tree-as-matrices form (each tree's
  comparisons as one MatMul against a one-hot feature matrix and one comparison with the
  thresholds; a leaf is reached when the path matrix product equals its count of
  true-branch ancestors (Relu(count - ancestors + 1)); the reached-leaf indicator times the leaf weights sums the
  trees), which needs MatMul, a comparison, Cast, Add and Relu.

`rewrite` returns the model unchanged when it has none of these; an `ai.onnx.ml`
operator not in this list stays, and the build names it as unsupported.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ML_DOMAIN = "ai.onnx.ml"


class RewriteError(Exception):
    """An ai.onnx.ml node this module cannot express in standard ONNX; the message names it."""


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


class _Graph:
    """The nodes and constants of the rewritten graph, with fresh names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.count = 0

    def name(self, hint: str) -> str:
        self.count += 1
        return f"ml_{hint}_{self.count}"

    def const(self, value: np.ndarray, hint: str) -> str:
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def op(self, op_type: str, inputs: list[str], output: str | None = None, **attrs) -> str:
        output = output or self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output, **attrs))
        return output


def _post_transform(g: _Graph, scores: str, transform: str, output: str, node: onnx.NodeProto) -> None:
    if transform == "NONE":
        g.op("Identity", [scores], output)
    elif transform == "LOGISTIC":
        g.op("Sigmoid", [scores], output)
    elif transform == "SOFTMAX":
        g.op("Softmax", [scores], output, axis=-1)
    else:
        raise RewriteError(f"{node.op_type} node '{node.name}': post_transform {transform} has no standard rewrite here")


def _linear(g: _Graph, node: onnx.NodeProto, a: dict, classifier: bool, outputs: list[str]) -> None:
    intercepts = np.asarray(a.get("intercepts", []), dtype=np.float32)
    coefficients = np.asarray(a["coefficients"], dtype=np.float32)
    targets = len(intercepts) if len(intercepts) else a.get("targets", 1)
    weights = coefficients.reshape(targets, -1).T
    scores = g.op("MatMul", [node.input[0], g.const(weights, "weights")])
    if len(intercepts):
        scores = g.op("Add", [scores, g.const(intercepts, "intercepts")])
    transform = a.get("post_transform", b"NONE")
    transform = transform.decode() if isinstance(transform, bytes) else transform
    if not classifier:
        _post_transform(g, scores, transform, outputs[0], node)
        return
    labels = a.get("classlabels_ints") or a.get("classlabels_strings") or []
    if targets == 1 and len(labels) == 2:
        # A binary classifier with one score column: ONNX Runtime returns [-s, s] (or [1 - p, p]).
        if transform == "LOGISTIC":
            positive = g.op("Sigmoid", [scores])
            negative = g.op("Sub", [g.const(np.ones(1), "one"), positive])
        elif transform == "NONE":
            positive, negative = scores, g.op("Neg", [scores])
        else:
            raise RewriteError(f"{node.op_type} node '{node.name}': binary post_transform {transform} has no standard rewrite here")
        g.op("Concat", [negative, positive], outputs[1], axis=-1)
        return
    _post_transform(g, scores, transform, outputs[1], node)


def _normalizer(g: _Graph, node: onnx.NodeProto, a: dict, output: str) -> None:
    norm = a.get("norm", b"MAX")
    norm = norm.decode() if isinstance(norm, bytes) else norm
    x = node.input[0]
    if norm == "L1" and any(n.op_type == "Softmax" and n.output[0] == x for n in g.nodes):
        g.op("Identity", [x], output)  # a softmax already sums to 1: the division would only cost a lookup table
        return
    axes_i64 = _i64(g, [-1])
    if norm == "L1":
        total = g.op("ReduceSum", [g.op("Abs", [x]), axes_i64], keepdims=1)
    elif norm == "L2":
        total = g.op("Sqrt", [g.op("ReduceSum", [g.op("Mul", [x, x]), axes_i64], keepdims=1)])
    elif norm == "MAX":
        total = g.op("ReduceMax", [x], axes=[-1], keepdims=1)
    else:
        raise RewriteError(f"Normalizer node '{node.name}': norm {norm} has no standard rewrite here")
    g.op("Div", [x, total], output)


def _tree_ensemble(g: _Graph, node: onnx.NodeProto, a: dict, classifier: bool, features: int, outputs: list[str]) -> None:
    prefix = "class" if classifier else "target"
    modes = [m.decode() if isinstance(m, bytes) else m for m in a["nodes_modes"]]
    trees = list(a["nodes_treeids"])
    ids = list(a["nodes_nodeids"])
    index = {(t, n): i for i, (t, n) in enumerate(zip(trees, ids))}
    internal = [i for i, m in enumerate(modes) if m != "LEAF"]
    leaves = [i for i, m in enumerate(modes) if m == "LEAF"]
    column = {node_index: c for c, node_index in enumerate(internal)}
    leaf_row = {node_index: r for r, node_index in enumerate(leaves)}
    kinds = {modes[i] for i in internal}
    if len(kinds) > 1 or not kinds <= {"BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT"}:
        raise RewriteError(f"{node.op_type} node '{node.name}': node modes {sorted(kinds)} have no standard rewrite here")
    selector = np.zeros((features, len(internal)), dtype=np.float32)
    thresholds = np.zeros(len(internal), dtype=np.float32)
    for c, i in enumerate(internal):
        selector[a["nodes_featureids"][i], c] = 1.0
        thresholds[c] = a["nodes_values"][i]
    # paths[c, r] = +1 when leaf r is under internal node c's true branch, -1 under its false branch.
    paths = np.zeros((len(internal), len(leaves)), dtype=np.float32)
    true_ancestors = np.zeros(len(leaves), dtype=np.float32)

    def walk(i: int, ancestors: list[tuple[int, float]]) -> None:
        if modes[i] == "LEAF":
            for c, sign in ancestors:
                paths[c, leaf_row[i]] = sign
            true_ancestors[leaf_row[i]] = sum(1 for _, sign in ancestors if sign > 0)
            return
        t = trees[i]
        walk(index[(t, a["nodes_truenodeids"][i])], ancestors + [(column[i], 1.0)])
        walk(index[(t, a["nodes_falsenodeids"][i])], ancestors + [(column[i], -1.0)])

    for t in sorted(set(trees)):
        root = min((i for i in range(len(modes)) if trees[i] == t), key=lambda i: ids[i])
        walk(root, [])

    if classifier:
        labels = a.get("classlabels_int64s") or a.get("classlabels_strings") or []
        width = len(labels)
    else:
        width = a.get("n_targets", 1)
    leaf_values = np.zeros((len(leaves), width), dtype=np.float32)
    for t, n, k, w in zip(a[f"{prefix}_treeids"], a[f"{prefix}_nodeids"], a[f"{prefix}_ids"], a[f"{prefix}_weights"]):
        leaf_values[leaf_row[index[(t, n)]], k] += w
    if not classifier and (a.get("aggregate_function", b"SUM") in (b"AVERAGE", "AVERAGE")):
        leaf_values /= len(set(trees))
    compare = {"BRANCH_LEQ": "LessOrEqual", "BRANCH_LT": "Less", "BRANCH_GTE": "GreaterOrEqual", "BRANCH_GT": "Greater"}[kinds.pop()]
    picked = g.op("MatMul", [node.input[0], g.const(selector, "features")])
    decisions = g.op("Cast", [g.op(compare, [picked, g.const(thresholds, "thresholds")])], to=TensorProto.FLOAT)
    counts = g.op("MatMul", [decisions, g.const(paths, "paths")])
    # counts <= true_ancestors, with equality on the path only: Relu(counts - true_ancestors + 1) is
    # the reached-leaf indicator in exact integer arithmetic (EZKL mis-scales Cast(Equal(...))).
    reached = g.op("Relu", [g.op("Add", [counts, g.const(1.0 - true_ancestors, "offsets")])])
    scores = g.op("MatMul", [reached, g.const(leaf_values, "leaves")])
    base = a.get("base_values")
    if base:
        scores = g.op("Add", [scores, g.const(np.asarray(base), "base")])
    transform = a.get("post_transform", b"NONE")
    transform = transform.decode() if isinstance(transform, bytes) else transform
    used = set(a[f"{prefix}_ids"])
    if classifier and width == 2 and len(used) == 1:
        # A binary classifier that weights one column only: ONNX Runtime reads it as class 1's
        # probability p and returns [1 - p, p].
        column = used.pop()
        positive = g.op("Slice", [scores, _i64(g, [column]), _i64(g, [column + 1]), _i64(g, [-1])])
        scores = g.op("Concat", [g.op("Sub", [g.const(np.ones(1), "one"), positive]), positive], axis=-1)
    _post_transform(g, scores, transform, outputs[1] if classifier else outputs[0], node)


def _i64(g: _Graph, values: list[int]) -> str:
    name = g.name("i64")
    g.initializers.append(numpy_helper.from_array(np.array(values, dtype=np.int64), name))
    return name


def _feature_count(model: onnx.ModelProto, name: str) -> int:
    inferred = onnx.shape_inference.infer_shapes(model)
    for info in list(inferred.graph.value_info) + list(inferred.graph.input):
        if info.name == name:
            dims = info.type.tensor_type.shape.dim
            if dims and dims[-1].dim_value:
                return dims[-1].dim_value
    raise RewriteError(f"cannot tell how many features feed '{name}'")


def has_ml_operators(model: onnx.ModelProto) -> bool:
    return any(node.domain == ML_DOMAIN for node in model.graph.node)


def rewrite(model: onnx.ModelProto) -> tuple[onnx.ModelProto, list[str]]:
    """The model with its ai.onnx.ml operators in standard ONNX, and what was rewritten
    (one line per node). Integer label outputs are dropped; ZipMap outputs become the
    probabilities tensor under them."""
    if not has_ml_operators(model):
        return model, []
    g = _Graph()
    notes: list[str] = []
    renamed: dict[str, str] = {}
    dropped: set[str] = set()
    for node in model.graph.node:
        a = _attrs(node)
        if node.domain != ML_DOMAIN:
            if node.op_type == "Cast" and node.input[0] in dropped:
                dropped.add(node.output[0])  # the label's cast to int64
                continue
            g.nodes.append(node)
            continue
        op = node.op_type
        if op == "Scaler":
            offset = g.const(np.asarray(a.get("offset", [0.0])), "offset")
            shifted = g.op("Sub", [node.input[0], offset])
            g.op("Mul", [shifted, g.const(np.asarray(a.get("scale", [1.0])), "scale")], node.output[0])
        elif op in ("LinearRegressor", "LinearClassifier"):
            _linear(g, node, a, op == "LinearClassifier", list(node.output))
            if op == "LinearClassifier":
                dropped.add(node.output[0])
        elif op == "Normalizer":
            _normalizer(g, node, a, node.output[0])
        elif op == "ZipMap":
            renamed[node.output[0]] = node.input[0]
        elif op in ("TreeEnsembleRegressor", "TreeEnsembleClassifier"):
            classifier = op == "TreeEnsembleClassifier"
            _tree_ensemble(g, node, a, classifier, _feature_count(model, node.input[0]), list(node.output))
            if classifier:
                dropped.add(node.output[0])
        else:
            g.nodes.append(node)  # left for the build to name as unsupported
            continue
        notes.append(f"{op} '{node.name or node.output[0]}' -> standard ONNX")

    outputs = []
    for out in model.graph.output:
        if out.name in dropped:
            notes.append(f"dropped the integer label output '{out.name}' (the argmax of the scores the circuit returns)")
            continue
        name = renamed.get(out.name, out.name)
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    graph = helper.make_graph(
        g.nodes, model.graph.name, list(model.graph.input), outputs, list(model.graph.initializer) + g.initializers
    )
    opsets = [o for o in model.opset_import if o.domain not in (ML_DOMAIN,)]
    if any(n.domain == ML_DOMAIN for n in g.nodes):
        opsets += [o for o in model.opset_import if o.domain == ML_DOMAIN]
    default = next((o for o in opsets if o.domain in ("", "ai.onnx")), None)
    if default is None:
        opsets.append(helper.make_opsetid("", 13))
    elif default.version < 13:
        default.version = 13
    rewritten = helper.make_model(graph, opset_imports=opsets, producer_name=model.producer_name or "highway")
    rewritten.ir_version = min(model.ir_version, 8) if model.ir_version else 8
    # The new outputs' shapes, from onnx's shape inference (the checker wants them declared).
    graph_inferred = onnx.shape_inference.infer_shapes(rewritten).graph
    inferred = {v.name: v for v in list(graph_inferred.value_info) + list(graph_inferred.output) if v.type.tensor_type.HasField("shape")}
    for out in rewritten.graph.output:
        if out.name in inferred:
            out.type.CopyFrom(inferred[out.name].type)
    return rewritten, notes
