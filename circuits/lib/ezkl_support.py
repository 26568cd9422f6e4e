"""What EZKL can prove, asked of EZKL itself: there is no operator list.

When EZKL cannot translate or lay out a graph it stops at the first node it cannot take;
`unsupported_nodes` tries every node alone (with its inferred input shapes and its
weights) so that a refusal names every node EZKL refuses, with EZKL's reason.
`quiet` runs an EZKL call with the native library's own prints kept out of the caller's output.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import ezkl
import onnx


def quiet(call, *args, **kwargs):
    """Runs an EZKL call with its own prints (Rust's stdout and stderr) sent to a log, so the
    build's output is its own; the log's last lines come back in the error when it fails."""
    with tempfile.TemporaryFile(mode="w+") as log:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            return call(*args, **kwargs)
        finally:
            sys.stdout.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def ezkl_message(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def single_node_models(model: onnx.ModelProto):
    """Each node of `model` as a model of its own (inputs with their inferred shapes; weights kept)."""
    inferred = onnx.shape_inference.infer_shapes(model)
    infos = {v.name: v for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output)}
    initializers = {i.name: i for i in model.graph.initializer}
    produced_by_constant = {}
    for node in model.graph.node:
        if node.op_type == "Constant":
            produced_by_constant[node.output[0]] = node
    for index, node in enumerate(model.graph.node):
        if node.op_type == "Constant":
            continue
        inputs, inits, nodes = [], [], []
        for name in node.input:
            if not name:
                continue
            if name in initializers:
                inits.append(initializers[name])
            elif name in produced_by_constant:
                nodes.append(produced_by_constant[name])
            elif name in infos and infos[name].type.tensor_type.shape.dim:
                inputs.append(infos[name])
            else:
                inputs = None
                break
        outputs = []
        for name in node.output:
            if name in infos:
                outputs.append(infos[name])
            else:
                outputs.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
        if inputs is None or not inputs:
            continue
        graph = onnx.helper.make_graph(nodes + [node], f"node{index}", inputs, outputs, inits)
        single = onnx.helper.make_model(graph, opset_imports=list(model.opset_import))
        single.ir_version = model.ir_version
        yield node, single


def unsupported_nodes(model: onnx.ModelProto, run_args: ezkl.PyRunArgs, scratch: Path) -> list[str]:
    """Every node EZKL cannot take on its own, each as `op 'name' (EZKL's reason)`."""
    found = []
    for node, single in single_node_models(model):
        label = f"{node.op_type} '{node.name or node.output[0]}'"
        if node.domain not in ("", "ai.onnx"):
            found.append(f"{label} (domain {node.domain})")
            continue
        path = scratch / "node.onnx"
        onnx.save(single, str(path))
        try:
            quiet(ezkl.gen_settings, str(path), str(scratch / "node-settings.json"), py_run_args=run_args)
            quiet(ezkl.compile_circuit, str(path), str(scratch / "node.compiled"), str(scratch / "node-settings.json"))
        except Exception as error:
            found.append(f"{label} ({ezkl_message(error)})")
    return found
