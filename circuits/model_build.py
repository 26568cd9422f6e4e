"""`build.py model`: any ONNX file and its calibration data to a model bundle, offline.

    build.py model MODEL.onnx --calibration FILE --out DIR [--name N] [--input-scale S]
        [--param-scale S] [--input-bound X] [--max-logrows K] [--min-agreement R] [--srs FILE]

What EZKL can compile, this accepts: there is no operator list. Steps, each one a
refusal with one message (exit 2) when it fails:

1. ONNX: loaded and checked; scikit-learn's ai.onnx.ml operators rewritten to standard
   ONNX (lib/onnx_ml.py, checked against ONNX Runtime on the calibration rows); symbolic
   dimensions fixed to 1 (one inference per request).
2. Calibration rows (lib/calibration.py), synthesized around when fewer than 8.
3. Settings: EZKL's calibration over the rows and the two extreme inputs (every value at
   +bound, every value at -bound), then the requested paramScale put back (EZKL's
   calibration sets it to the input scale). When EZKL cannot translate or lay out the
   graph, every node is tried alone so that the message names every unsupported node.
4. Logrows and layout: from EZKL's smallest upwards (with and without Freivalds' batched
   matrix check) until the Solidity verifier, compiled with the project's compiler
   (scripts/verifier-size.ts), is under EIP-170's 24,576 bytes; else a refusal naming the size.
5. The input bound: the circuit is checked (EZKL's mock prover) at both extremes.
6. Accuracy against ONNX Runtime's float output on the calibration rows: the largest
   absolute error, and the share of rows whose argmax (a tensor of 2+ values) or sign
   (one value) agrees; below --min-agreement the build refuses.
7. A sample proof, verified by EZKL, whose instance count must be the manifest's.
8. The bundle: model.onnx (as built), settings.json, model.compiled, vk.key,
   Halo2Verifier.sol, kzg.srs (a development SRS; omitted with --srs), samples/,
   manifest.json with every input and output tensor's shape and scale from the compiled
   circuit and the artifacts' hashes; artifactHash is what the registry stores.

The last line on stdout is one JSON object (the report); progress goes to stderr.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ezkl
import numpy as np
import onnx

from build import REPO, VERIFIER_CONTRACT, BuildError, sha256, write_verifier
from lib.calibration import CalibrationError, load_rows, with_synthesized
from lib.ezkl_support import ezkl_message, quiet, unsupported_nodes
from lib.ezkl_io import from_field, read_proof, witness_outputs, write_quantized_input
from lib.onnx_ml import RewriteError, has_ml_operators, rewrite

EIP170_LIMIT = 24_576
DECOMP_BASE = 256
DECOMP_LEGS = 4
DECOMP_LEGS_TRIED = (4, 6, 8)
DEFAULT_MIN_AGREEMENT = 0.9
ACCURACY_ROWS = 32
SRS_CACHE = REPO / ".build" / "srs"
COMMITTED_SRS = REPO / "circuits" / "srs"
BUNDLE_FILES = ["model.onnx", "settings.json", "model.compiled", "vk.key", f"{VERIFIER_CONTRACT}.sol"]


def progress(message: str) -> None:
    print(f"build: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- ONNX


def load_model(path: Path) -> onnx.ModelProto:
    if not path.is_file():
        raise BuildError(f"{path}: no such ONNX file")
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as error:  # onnx raises several unrelated types for corrupt files
        raise BuildError(f"{path}: not a valid ONNX model ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})") from error
    if not model.graph.node:
        raise BuildError(f"{path}: the graph has no nodes")
    return model


def fix_dimensions(model: onnx.ModelProto) -> list[str]:
    """Sets every symbolic or unknown input dimension to 1 (one inference per request)."""
    fixed = []
    initializers = {i.name for i in model.graph.initializer}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        for dim in value.type.tensor_type.shape.dim:
            if not dim.dim_value:
                fixed.append(f"{value.name}: {dim.dim_param or '?'} -> 1")
                dim.Clear()
                dim.dim_value = 1
    for value in model.graph.output:
        for dim in value.type.tensor_type.shape.dim:
            if not dim.dim_value:
                dim.Clear()
    return fixed


def graph_inputs(model: onnx.ModelProto) -> list[tuple[str, list[int]]]:
    initializers = {i.name for i in model.graph.initializer}
    return [
        (v.name, [d.dim_value for d in v.type.tensor_type.shape.dim])
        for v in model.graph.input
        if v.name not in initializers
    ]


def onnx_runtime(model: onnx.ModelProto, source: Path):
    """An ONNX Runtime session of `model`: the float reference the accuracy report compares with."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    try:
        return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    except Exception as error:
        raise BuildError(f"{source}: ONNX Runtime cannot run it ({str(error).strip().splitlines()[0]})") from error


def float_outputs(session, inputs: list[tuple[str, list[int]]], row: np.ndarray) -> list[np.ndarray]:
    """ONNX Runtime's float tensor outputs for one calibration row (integer outputs left out)."""
    feed, offset = {}, 0
    for (name, shape), meta in zip(inputs, session.get_inputs()):
        size = int(np.prod(shape))
        dtype = np.float64 if meta.type == "tensor(double)" else np.float32
        feed[name] = row[offset : offset + size].reshape(shape).astype(dtype)
        offset += size
    results = session.run(None, feed)
    out = []
    for value in results:
        if isinstance(value, list):  # a ZipMap's list of dicts
            value = np.array([[d[k] for k in sorted(d)] for d in value])
        value = np.asarray(value)
        if value.dtype.kind == "f":
            out.append(value.astype(np.float64).reshape(-1))
    return out


# ---------------------------------------------------------------- EZKL settings


def run_args(options: dict, logrows: int, lookup_range=None, freivalds: bool = True, base: dict | None = None) -> ezkl.PyRunArgs:
    args = ezkl.PyRunArgs()
    args.input_visibility = "public"
    args.output_visibility = "public"
    args.param_visibility = "fixed"
    args.input_scale = options["input_scale"]
    args.param_scale = options["param_scale"]
    args.logrows = logrows
    args.variables = [("batch_size", 1)]
    # Range checks decompose into 4 legs of 8 bits (32 bits in all): the smallest tables, so
    # the smallest logrows, for the values a small model at scale 8 produces.
    args.decomp_base = DECOMP_BASE
    args.decomp_legs = DECOMP_LEGS
    if base:
        args.num_inner_cols = base["num_inner_cols"]
        args.decomp_base = base["decomp_base"]
        args.decomp_legs = base["decomp_legs"]
        args.scale_rebase_multiplier = base["scale_rebase_multiplier"]
    if lookup_range is not None:
        args.lookup_range = tuple(lookup_range)
    args.disable_freivalds = not freivalds
    return args


def refuse_unsupported(source: Path, model: onnx.ModelProto, options: dict, scratch: Path, error: Exception, max_logrows: int | None = None) -> None:
    nodes = unsupported_nodes(model, run_args(options, 17), scratch)
    ml_nodes = [f"{n.op_type} '{n.name or n.output[0]}' (domain ai.onnx.ml)" for n in model.graph.node if n.domain == "ai.onnx.ml"]
    nodes = list(dict.fromkeys(ml_nodes + nodes))
    if nodes:
        raise BuildError(f"{source}: EZKL cannot prove {len(nodes)} node(s): {'; '.join(nodes)}")
    if max_logrows is not None:
        raise BuildError(
            f"{source}: too large: EZKL finds no layout within 2^{max_logrows} rows (--max-logrows {max_logrows}) "
            f"for these inputs ({ezkl_message(error)}); shrink the model or the input bound, or raise --max-logrows"
        )
    raise BuildError(f"{source}: EZKL cannot compile this graph: {ezkl_message(error)}")


def write_rows(path: Path, rows: np.ndarray, lengths: list[int]) -> None:
    """Rows as EZKL input data: one flat list per input tensor, the rows back to back."""
    tensors, offset = [], 0
    for length in lengths:
        tensors.append(rows[:, offset : offset + length].reshape(-1).tolist())
        offset += length
    path.write_text(json.dumps({"input_data": tensors}))





# ---------------------------------------------------------------- verifier size


def verifier_runtime_bytes(source: Path) -> int:
    node_bin = REPO / ".tools" / "node" / "bin"
    env = dict(os.environ, PATH=f"{node_bin}:{REPO / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}")
    result = subprocess.run(
        ["tsx", str(REPO / "scripts" / "verifier-size.ts"), str(source), VERIFIER_CONTRACT],
        capture_output=True, text=True, env=env, cwd=REPO,
    )
    if result.returncode != 0:
        raise BuildError(f"{source}: the verifier does not compile: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}")
    return int(json.loads(result.stdout.strip().splitlines()[-1])["runtimeBytes"])


def dev_srs(logrows: int) -> Path:
    """A development SRS for `logrows`: the committed one when there is one, else one made once in .build/srs."""
    committed = COMMITTED_SRS / f"dev-kzg-k{logrows}.srs"
    if committed.exists():
        return committed
    path = SRS_CACHE / f"dev-kzg-k{logrows}.srs"
    if not path.exists():
        SRS_CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        quiet(ezkl.gen_srs, str(partial), logrows)
        os.replace(partial, path)
    return path


# ---------------------------------------------------------------- the build


def build_model(source: Path, calibration: Path, out: Path, name: str, options: dict) -> dict:
    started = time.time()
    notes: list[str] = []
    original = load_model(source)
    model = original
    if has_ml_operators(model):
        try:
            model, rewritten = rewrite(model)
        except RewriteError as error:
            raise BuildError(f"{source}: {error}") from error
        notes += rewritten
    fixed = fix_dimensions(model)
    if fixed:
        notes.append("fixed symbolic dimensions: " + ", ".join(fixed))
    try:
        model = onnx.shape_inference.infer_shapes(model)
    except Exception:
        pass
    inputs = graph_inputs(model)
    if any(0 in shape or not shape for _, shape in inputs):
        raise BuildError(f"{source}: input shapes {[s for _, s in inputs]} are not all known")
    lengths = [int(np.prod(shape)) for _, shape in inputs]

    try:
        rows = load_rows(calibration, lengths, ", ".join(f"{n} {s}" for n, s in inputs))
    except CalibrationError as error:
        raise BuildError(str(error)) from error
    given = rows.shape[0]
    rows, synthesized = with_synthesized(rows)
    if synthesized:
        notes.append(f"calibration: {given} row(s) given; synthesized {synthesized} more around them (10% Gaussian noise, seed 13)")

    scale = options["input_scale"]
    bound_value = options["input_bound"] if options["input_bound"] is not None else float(np.abs(rows[:given]).max())
    bound_value = max(bound_value, 1.0 / (1 << scale))
    bound = math.ceil(bound_value * (1 << scale))
    extremes = [np.full(sum(lengths), bound / (1 << scale)), np.full(sum(lengths), -bound / (1 << scale))]

    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "model.onnx"
    onnx.save(model, str(onnx_path))
    settings = out / "settings.json"
    compiled = out / "model.compiled"

    # The float reference: ONNX Runtime on the model as given, and the rewrite checked against it.
    reference = onnx_runtime(original, source)
    accuracy_rows = rows[: min(len(rows), ACCURACY_ROWS)]
    expected = [float_outputs(reference, _shapes_like(original, inputs), r) for r in accuracy_rows]
    if model is not original and has_ml_operators(original):
        rewritten_session = onnx_runtime(model, source)
        for r, want in zip(accuracy_rows, expected):
            got = float_outputs(rewritten_session, inputs, r)
            if len(got) != len(want) or any(np.abs(g - w).max() > 1e-4 for g, w in zip(got, want)):
                raise BuildError(f"{source}: the standard-ONNX rewrite of its ai.onnx.ml operators does not reproduce ONNX Runtime's output")

    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        data = scratch / "calibration.json"
        write_rows(data, np.concatenate([rows, np.stack(extremes)]), lengths)
        progress(f"{source.name}: settings and calibration ({len(rows)} rows + 2 extremes, input scale {scale})")
        try:
            quiet(ezkl.gen_settings, str(onnx_path), str(settings), py_run_args=run_args(options, options["max_logrows"]))
            quiet(
                ezkl.calibrate_settings, str(data), str(onnx_path), str(settings), "resources",
                scales=[scale], max_logrows=options["max_logrows"],
            )
        except Exception as error:
            refuse_unsupported(source, model, options, scratch, error, options["max_logrows"])
        calibrated = json.loads(settings.read_text())
        base = calibrated["run_args"]
        min_logrows = base["logrows"]

        chosen = None
        sizes, overflows = [], []
        # Candidates, cheapest first: range checks of 32 bits (then 48, 64: what a large paramScale or
        # input bound needs), logrows from EZKL's smallest up, Freivalds' batched matrix check on, then off.
        candidates = [
            (legs, logrows, freivalds)
            for legs in DECOMP_LEGS_TRIED
            for logrows in range(min_logrows, options["max_logrows"] + 1)
            for freivalds in (True, False)
        ]
        skip, fitted = set(), set()
        for legs, logrows, freivalds in candidates:
            # Wider range checks only help inputs fit, never the verifier's size: once some width fits at
            # this logrows, wider ones are not tried there.
            if (legs, logrows) in skip or any(f == logrows and fl < legs for fl, f in fitted):
                continue
            try:
                quiet(
                    ezkl.gen_settings, str(onnx_path), str(settings),
                    py_run_args=run_args(options, logrows, base["lookup_range"], freivalds, {**base, "decomp_legs": legs}),
                )
                quiet(ezkl.compile_circuit, str(onnx_path), str(compiled), str(settings))
            except Exception as error:
                refuse_unsupported(source, model, options, scratch, error)
            # The first row and both extremes must lay out at this size before keys are made.
            try:
                for i, row in enumerate([rows[0], *extremes]):
                    write_rows(scratch / "row.json", row.reshape(1, -1), lengths)
                    quiet(ezkl.gen_witness, str(scratch / "row.json"), str(compiled), str(scratch / "witness.json"))
                    quiet(ezkl.mock, str(scratch / "witness.json"), str(compiled))
            except Exception as error:
                what = ["the first calibration row", f"every input at +{bound_value:g}", f"every input at -{bound_value:g}"][i]
                overflows.append(f"{what} does not fit {legs * 8}-bit range checks at logrows {logrows} ({ezkl_message(error)})")
                skip.add((legs, logrows))
                continue
            fitted.add((legs, logrows))
            srs = options["srs"] or dev_srs(logrows)
            progress(f"{source.name}: keys and verifier at logrows {logrows}{'' if freivalds else ' (no Freivalds check)'}")
            quiet(ezkl.setup, str(compiled), str(out / "vk.key"), str(out / "pk.key"), str(srs))
            verifier = out / f"{VERIFIER_CONTRACT}.sol"
            quiet(write_verifier, out, srs, verifier)
            runtime = verifier_runtime_bytes(verifier)
            sizes.append(f"logrows {logrows}{'' if freivalds else ' without Freivalds'}: {runtime} bytes")
            if runtime < EIP170_LIMIT:
                chosen = (logrows, freivalds, runtime, srs)
                break
        if not chosen and not sizes:
            raise BuildError(
                f"{source}: too large: no circuit up to logrows {options['max_logrows']} proves every input at ±{bound_value:g} "
                f"({overflows[-1]}); pass a smaller --input-bound, or raise --max-logrows"
            )
        if not chosen:
            raise BuildError(
                f"{source}: too large: no layout up to logrows {options['max_logrows']} gives a verifier under EIP-170's {EIP170_LIMIT} bytes "
                f"({'; '.join(sizes[-3:])}); shrink the model or raise --max-logrows"
            )
        logrows, freivalds, runtime, srs = chosen
        final = json.loads(settings.read_text())
        if final["run_args"]["param_scale"] != options["param_scale"]:
            raise BuildError(f"{source}: EZKL changed paramScale to {final['run_args']['param_scale']}")

        # Shapes and scales from the compiled circuit.
        instance_shapes = final["model_instance_shapes"]
        input_scales = final["model_input_scales"]
        output_scales = final["model_output_scales"]
        n_in = len(input_scales)
        in_shapes, out_shapes = instance_shapes[:n_in], instance_shapes[n_in:]
        out_lengths = [int(np.prod(s)) for s in out_shapes]
        if len(set(output_scales)) > 1:
            notes.append(f"outputs come at different scales {output_scales}: a registration has one output scale, so it is refused")
        if [int(np.prod(s)) for s in in_shapes] != lengths:
            raise BuildError(f"{source}: the compiled circuit's inputs {in_shapes} are not the graph's {[s for _, s in inputs]}")

        # Accuracy against the float model.
        progress(f"{source.name}: accuracy on {len(accuracy_rows)} rows")
        max_error, agreeing = 0.0, 0
        for row, want in zip(accuracy_rows, expected):
            write_rows(scratch / "row.json", row.reshape(1, -1), lengths)
            witness = quiet(ezkl.gen_witness, str(scratch / "row.json"), str(compiled), str(scratch / "witness.json"))
            got, offset = [], 0
            values = [from_field(e) for e in witness_outputs(witness)]
            for length, s in zip(out_lengths, output_scales):
                got.append(np.array(values[offset : offset + length], dtype=np.float64) / (1 << s))
                offset += length
            if len(got) != len(want) or any(g.size != w.size for g, w in zip(got, want)):
                raise BuildError(
                    f"{source}: the circuit returns {len(got)} tensor(s) of {[g.size for g in got]} values, "
                    f"ONNX Runtime {len(want)} of {[w.size for w in want]}"
                )
            max_error = max(max_error, *(float(np.abs(g - w).max()) for g, w in zip(got, want)))
            agreeing += all(
                (int(np.argmax(g)) == int(np.argmax(w))) if w.size > 1 else (np.sign(g[0]) == np.sign(w[0]) or abs(w[0]) < 1e-6)
                for g, w in zip(got, want)
            )
        agreement = agreeing / len(accuracy_rows)
        if agreement < options["min_agreement"]:
            raise BuildError(
                f"{source}: the circuit agrees with ONNX Runtime on {agreement:.1%} of {len(accuracy_rows)} calibration rows "
                f"(argmax or sign; max abs error {max_error:.4g}), below --min-agreement {options['min_agreement']:g}; "
                f"raise --input-scale/--param-scale, or pass a lower --min-agreement"
            )

        # The sample proof.
        progress(f"{source.name}: sample proof")
        quantized = [round(v * (1 << scale)) for v in rows[0]]
        write_quantized_input(quantized, scale, scratch / "sample.json", lengths)
        witness = quiet(ezkl.gen_witness, str(scratch / "sample.json"), str(compiled), str(scratch / "witness.json"))
        proving = time.time()
        quiet(ezkl.prove, str(scratch / "witness.json"), str(compiled), str(out / "pk.key"), str(scratch / "proof.json"), str(srs))
        prove_ms = round((time.time() - proving) * 1000)
        if not quiet(ezkl.verify, str(scratch / "proof.json"), str(settings), str(out / "vk.key"), str(srs)):
            raise BuildError(f"{source}: EZKL does not verify its own sample proof")
        proof, instances = read_proof(scratch / "proof.json")
        if len(instances) != sum(lengths) + sum(out_lengths):
            raise BuildError(
                f"{source}: the sample proof has {len(instances)} public instances, the manifest {sum(lengths)} inputs + {sum(out_lengths)} outputs"
            )
        (out / "samples").mkdir(exist_ok=True)
        sample = {
            "input": [str(q) for q in quantized],
            "output": [str(from_field(e)) for e in witness_outputs(witness)],
            "proof": proof,
            "instances": [str(e) for e in instances],
        }
        (out / "samples" / "sample-0.json").write_text(json.dumps(sample, indent=2) + "\n")

    files = list(BUNDLE_FILES)
    if not options["srs"]:
        shutil.copy(srs, out / "kzg.srs")
        files.append("kzg.srs")
    artifacts = {f: sha256(out / f) for f in files}
    tensor = lambda names, shapes, scales: [  # noqa: E731
        {"name": n, "shape": list(s), "scale": sc, "length": int(np.prod(s))} for n, s, sc in zip(names, shapes, scales)
    ]
    output_names = [o.name for o in model.graph.output]
    total_in, total_out = sum(lengths), sum(out_lengths)
    manifest = {
        "name": name,
        "description": options["description"] or f"{source.name}, built by highway models build",
        "parent": None,
        "ezklVersion": ezkl.__version__,
        "logrows": logrows,
        "srs": {
            "kind": "ceremony" if options["srs"] else "development-only",
            "path": "kzg.srs" if not options["srs"] else str(options["srs"]),
            "sha256": sha256(srs),
        },
        "inputs": tensor([n for n, _ in inputs], in_shapes, input_scales),
        "outputs": tensor(output_names, out_shapes, output_scales),
        # Every input tensor flattened in order, then the same for outputs: the on-chain
        # tensors (input value count = inputLength, output value count = outputLength).
        "input": {"shape": in_shapes[0] if n_in == 1 else [total_in], "scale": input_scales[0], "length": total_in, "bound": bound},
        "output": {"shape": out_shapes[0] if len(out_shapes) == 1 else [total_out], "scale": output_scales[0], "length": total_out},
        "paramScale": final["run_args"]["param_scale"],
        # Weights and constants of the model as built: the size a request's fee pays for.
        "parameters": int(sum(np.prod(i.dims) for i in model.graph.initializer)),
        "publicInstances": {
            "layout": "inputs then outputs, each tensor flattened in order, each a BN254 scalar field element (negative v as p + v)",
            "count": total_in + total_out,
            "inputOffset": 0,
            "outputOffset": total_in,
        },
        "verifier": {"contract": VERIFIER_CONTRACT, "source": f"{VERIFIER_CONTRACT}.sol", "runtimeBytes": runtime},
        "accuracy": {"rows": len(accuracy_rows), "maxAbsError": round(max_error, 6), "agreement": round(agreement, 4)},
        "notes": notes,
        "artifacts": artifacts,
        "artifactHash": "0x" + hashlib.sha256(json.dumps(artifacts, sort_keys=True).encode()).hexdigest(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    progress(f"{name}: built in {time.time() - started:.1f} s (logrows {logrows}, verifier {runtime} bytes)")
    return {
        "ok": True,
        "name": name,
        "dir": str(out),
        "logrows": logrows,
        "inputShapes": in_shapes,
        "outputShapes": out_shapes,
        "inputBound": bound,
        "verifierRuntimeBytes": runtime,
        "proveMs": prove_ms,
        "accuracy": {"maxAbsError": manifest["accuracy"]["maxAbsError"], "agreement": manifest["accuracy"]["agreement"]},
        "freivalds": freivalds,
        "notes": notes,
        "artifactHash": manifest["artifactHash"],
    }


def _shapes_like(original: onnx.ModelProto, inputs: list[tuple[str, list[int]]]) -> list[tuple[str, list[int]]]:
    """The original graph's inputs with the fixed shapes of the rewritten one (same names, same order)."""
    fixed = dict(inputs)
    return [(name, fixed.get(name, shape)) for name, shape in graph_inputs(original)]
