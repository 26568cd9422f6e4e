#!/usr/bin/env python3
"""Builds a model folder's EZKL circuit from its ONNX file, offline.

    build.py build MODEL_DIR [--batch B] [--srs CEREMONY_SRS] [--out DIR]
        settings, calibration, compile, SRS, keys, Solidity verifier, sample proofs,
        manifest.json. Built in place (the default), the verifier is written to
        contracts/verifiers/<model>/Halo2Verifier.sol, its one copy in the repository;
        with --out DIR everything goes to DIR, the verifier as DIR/Halo2Verifier.sol.
        With --batch B (2..32) it builds the model's batched circuit instead: the same
        weights with input [B, n], so one proof answers up to B requests. Built in place it
        goes to MODEL_DIR/batch-B/ and contracts/verifiers/<model>/batch-B/Halo2Verifier.sol,
        next to the single circuit, which it does not touch.
    build.py keys MODEL_DIR
        regenerates the proving key (kept out of git) from the committed compiled
        circuit and SRS, and checks that the verifying key it implies is the committed one.
    build.py verifier MODEL_DIR [--out DIR]
        regenerates the Solidity verifier from the committed verifying key, settings and
        SRS, where the manifest says it is (or as DIR/Halo2Verifier.sol): the generation
        check (test/zk/generation.test.ts) diffs that against the committed verifier.

Without --srs the build makes (once) a local SRS that is for development only: its
toxic waste is not destroyed. Production builds pass the public powers-of-tau file.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import ezkl
import onnx

CIRCUITS = Path(__file__).resolve().parent
REPO = CIRCUITS.parent
sys.path.insert(0, str(CIRCUITS))

from lib.ezkl_support import ezkl_message, quiet, unsupported_nodes  # noqa: E402
from lib.keys import KeyError_, derive_proving_key  # noqa: E402
from lib.ezkl_io import (  # noqa: E402
    from_field, pad_batch, read_proof, srs_path, to_field, witness_inputs, witness_outputs, write_quantized_input,
)

DEV_SRS_DIR = CIRCUITS / "srs"
SAMPLE_COUNT = 3
# Files a build writes into the model folder and the manifest hashes (the proving key is
# regenerated, not shipped). The Solidity verifier is hashed too; it lives where `verifier_path` says.
FOLDER_ARTIFACTS = ["model.onnx", "settings.json", "model.compiled", "vk.key"]
# Every EZKL verifier is a contract named Halo2Verifier; the folder it is in names the model.
VERIFIER_CONTRACT = "Halo2Verifier"
# The batch sizes a batched build accepts: a batch of one is the single circuit, and past 32 the
# circuit outgrows the development SRS sizes this repository keeps (logrows 15 at most).
MIN_BATCH, MAX_BATCH = 2, 32


class BuildError(Exception):
    """A build step failed for a reason the user can act on; the message says which."""


def check_onnx(path: Path) -> onnx.ModelProto:
    """Loads and validates an ONNX file. Which operators it may use is EZKL's to say (see `settings`)."""
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as error:  # onnx raises several unrelated types for corrupt files
        raise BuildError(f"{path}: not a valid ONNX model ({type(error).__name__}: {error})") from error
    return model


def tensor_shape(value_info: onnx.ValueInfoProto) -> list[int]:
    return [d.dim_value for d in value_info.type.tensor_type.shape.dim]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest_path(path: Path) -> str:
    """How a manifest names a file outside its model folder: relative to the repository when
    inside it (the SRS, the verifier's Hardhat source name), absolute otherwise."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def batch_dir_name(batch: int) -> str:
    """The folder, inside its model's folder, of a model's batched circuit of `batch` requests."""
    return f"batch-{batch}"


def verifier_path(model_dir: Path, out: Path, batch: int = 1) -> Path:
    """Where a build writes the Solidity verifier: a build in place writes the repository's one
    copy, which Hardhat compiles and the deployment deploys; a build elsewhere keeps it in `out`."""
    if batch > 1 and out == model_dir / batch_dir_name(batch):
        return REPO / "contracts" / "verifiers" / model_dir.name / batch_dir_name(batch) / f"{VERIFIER_CONTRACT}.sol"
    if out == model_dir:
        return REPO / "contracts" / "verifiers" / model_dir.name / f"{VERIFIER_CONTRACT}.sol"
    return out / f"{VERIFIER_CONTRACT}.sol"


def artifact_hashes(out: Path, verifier: Path) -> dict[str, str]:
    """The SHA-256 of every artifact, keyed by its path relative to the manifest's folder."""
    files = [out / name for name in FOLDER_ARTIFACTS] + [verifier]
    return {os.path.relpath(path, out): sha256(path) for path in files}


def run_args(config: dict, batch: int = 1) -> ezkl.PyRunArgs:
    args = ezkl.PyRunArgs()
    # Inputs and outputs are public instances (inputs first); weights are fixed columns.
    args.input_visibility = "public"
    args.output_visibility = "public"
    args.param_visibility = "fixed"
    args.input_scale = config["inputScale"]
    args.param_scale = config["paramScale"]
    args.logrows = config["logrows"]
    args.num_inner_cols = config["numInnerCols"]
    args.decomp_base = config["decompBase"]
    args.decomp_legs = config["decompLegs"]
    if batch > 1:
        # A batched circuit checks its matrix products row by row instead of with Freivalds' random
        # vector: EZKL's verifier for the Freivalds check grows with the batch (past EIP-170's 24 KB),
        # the row-by-row one stays the size of the single circuit's (about 10.5 KB of code).
        args.disable_freivalds = True
        # B times the rows: up to ceil(log2(B)) more logrows than the single circuit may need.
        args.logrows = config["logrows"] + (batch - 1).bit_length()
    return args


def dev_srs(logrows: int) -> Path:
    """The development SRS for `logrows`, made locally once and committed with the keys it made."""
    path = DEV_SRS_DIR / f"dev-kzg-k{logrows}.srs"
    if not path.exists():
        DEV_SRS_DIR.mkdir(exist_ok=True)
        ezkl.gen_srs(str(path), logrows)
    return path


def write_verifier(circuit: Path, srs: Path, target: Path) -> None:
    """Writes the Solidity verifier of `circuit`'s vk.key and settings.json to `target`. EZKL then
    compiles it with a native solc it downloads; offline that step fails after the file is
    written, and Hardhat compiles the verifier instead."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)

    async def create(abi: Path) -> None:
        await ezkl.create_evm_verifier(str(circuit / "vk.key"), str(circuit / "settings.json"), str(target), str(abi), str(srs))

    with tempfile.TemporaryDirectory() as scratch:
        try:
            asyncio.run(create(Path(scratch) / "verifier-abi.json"))
        except Exception as error:
            if "svm" not in str(error) or not target.exists():
                raise BuildError(f"{circuit}: EZKL could not write the Solidity verifier: {error}") from error


def prove_sample(out: Path, srs: Path, quantized: list[int], scale: int, scratch: Path) -> dict:
    write_quantized_input(quantized, scale, scratch / "input.json")
    witness = ezkl.gen_witness(str(scratch / "input.json"), str(out / "model.compiled"), str(scratch / "witness.json"))
    if witness_inputs(witness) != [to_field(q) for q in quantized]:
        raise BuildError(f"{out}: EZKL re-quantized the sample input differently")
    ezkl.prove(str(scratch / "witness.json"), str(out / "model.compiled"), str(out / "pk.key"), str(scratch / "proof.json"), str(srs))
    proof, instances = read_proof(scratch / "proof.json")
    return {
        "input": [str(q) for q in quantized],
        "output": [str(from_field(e)) for e in witness_outputs(witness)],
        "proof": proof,
        "instances": [str(e) for e in instances],
    }


def prove_batch_sample(
    out: Path, srs: Path, requests: list[list[int]], batch: int, input_length: int, output_length: int, scale: int, scratch: Path
) -> dict:
    """A proof of a batch of `len(requests)` inputs, padded to `batch` rows (`pad_batch`): each
    request's `input` and `output`, the `padding` row count, the proof and its instances."""
    sample = prove_sample(out, srs, pad_batch(requests, batch, input_length), scale, scratch)
    outputs = sample["output"]
    return {
        "requests": [
            {"input": [str(q) for q in row], "output": outputs[i * output_length : (i + 1) * output_length]}
            for i, row in enumerate(requests)
        ],
        "padding": batch - len(requests),
        "proof": sample["proof"],
        "instances": sample["instances"],
    }


def batched_onnx(source: Path, target: Path, batch: int) -> None:
    """Writes `source`'s graph with a batch dimension of `batch` on its input and output: the same
    weights, `batch` rows proven at once. Only a graph whose first dimension is 1 can be batched."""
    model = onnx.load(str(source))
    for value in (model.graph.input[0], model.graph.output[0]):
        dims = value.type.tensor_type.shape.dim
        if len(dims) < 2 or dims[0].dim_value != 1:
            raise BuildError(f"{source}: '{value.name}' has shape {tensor_shape(value)}; a batched build needs [1, n]")
        dims[0].dim_value = batch
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # onnx raises several unrelated types
        raise BuildError(f"{source}: the graph does not take a batch of {batch} ({type(error).__name__}: {error})") from error
    onnx.save(model, str(target))


def build(model_dir: Path, out: Path, ceremony_srs: Path | None, batch: int = 1) -> dict:
    config = json.loads((model_dir / "circuit.json").read_text())
    single_onnx = model_dir / "model.onnx"
    graph = check_onnx(single_onnx).graph
    out.mkdir(parents=True, exist_ok=True)
    if batch > 1:
        batched_onnx(single_onnx, out / "model.onnx", batch)
    elif out != model_dir:
        shutil.copy(single_onnx, out / "model.onnx")
    onnx_path = out / "model.onnx"
    settings = out / "settings.json"
    started = time.time()

    args = run_args(config, batch)
    try:
        quiet(ezkl.gen_settings, str(onnx_path), str(settings), py_run_args=args)
        quiet(
            ezkl.calibrate_settings,
            str(model_dir / "calibration.json"), str(onnx_path), str(settings), "resources",
            scales=[config["inputScale"]], max_logrows=args.logrows,
        )
        quiet(ezkl.compile_circuit, str(onnx_path), str(out / "model.compiled"), str(settings))
    except Exception as error:
        # What EZKL cannot prove is refused with every node it refuses, by name (there is no operator list).
        with tempfile.TemporaryDirectory() as scratch:
            nodes = unsupported_nodes(onnx.load(str(onnx_path)), run_args(config, batch), Path(scratch))
        if nodes:
            raise BuildError(f"{onnx_path}: EZKL cannot prove {len(nodes)} node(s): {'; '.join(nodes)}") from error
        raise BuildError(f"{onnx_path}: EZKL cannot build this circuit: {ezkl_message(error)}") from error
    calibrated = json.loads(settings.read_text())
    logrows = calibrated["run_args"]["logrows"]

    srs = ceremony_srs or dev_srs(logrows)
    ezkl.setup(str(out / "model.compiled"), str(out / "vk.key"), str(out / "pk.key"), str(srs))
    verifier = verifier_path(model_dir, out, batch)
    write_verifier(out, srs, verifier)

    # Per request: a batched circuit's tensors are `batch` rows of the single circuit's.
    input_shape, output_shape = tensor_shape(graph.input[0]), tensor_shape(graph.output[0])
    input_length, output_length = input_shape[-1], output_shape[-1]
    input_scale = calibrated["model_input_scales"][0]
    bound = round(config["inputBound"] * (1 << input_scale))
    calibration_rows = json.loads((model_dir / "calibration.json").read_text())["input_data"][0]
    rows = [
        [round(v * (1 << input_scale)) for v in calibration_rows[i * input_length : (i + 1) * input_length]]
        for i in range(len(calibration_rows) // input_length)
    ]
    samples_dir = out / "samples"
    samples_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for i in range(SAMPLE_COUNT):
            if batch > 1:
                # A full batch, then partial ones (their padding is part of what the tests check).
                count = batch if i == 0 else max(1, batch // (2 * i))
                sample = prove_batch_sample(
                    out, srs, rows[i * batch : i * batch + count], batch, input_length, output_length, input_scale, Path(scratch)
                )
            else:
                sample = prove_sample(out, srs, rows[i], input_scale, Path(scratch))
            (samples_dir / f"sample-{i}.json").write_text(json.dumps(sample, indent=2) + "\n")

    artifacts = artifact_hashes(out, verifier)
    manifest = {
        "name": model_dir.name,
        "description": config["description"],
        # The model this one is fine-tuned from, registered as its parent (null for a base model).
        "parent": config.get("parent"),
        # How many requests one proof answers (a batched circuit; absent for the single one).
        **({"batchSize": batch} if batch > 1 else {}),
        "ezklVersion": ezkl.__version__,
        "logrows": logrows,
        "srs": {
            "kind": "ceremony" if ceremony_srs else "development-only",
            "path": manifest_path(srs),
            "sha256": sha256(srs),
        },
        "input": {"shape": input_shape, "scale": input_scale, "length": input_length, "bound": bound},
        "output": {"shape": output_shape, "scale": calibrated["model_output_scales"][0], "length": output_length},
        "publicInstances": {
            "layout": "inputs then outputs, each a BN254 scalar field element (negative v as p + v)",
            "count": input_length + output_length,
            "inputOffset": 0,
            "outputOffset": input_length,
        },
        "verifier": {"contract": VERIFIER_CONTRACT, "source": manifest_path(verifier)},
        "artifacts": artifacts,
        # One digest that names this exact build: the registry stores it so relayers can check downloads.
        "artifactHash": "0x" + hashlib.sha256(json.dumps(artifacts, sort_keys=True).encode()).hexdigest(),
    }
    if batch > 1:
        # `input` and `output` stay per request; the circuit's own tensors are `batch` rows of them.
        manifest["input"]["shape"] = [batch, *input_shape[1:]]
        manifest["output"]["shape"] = [batch, *output_shape[1:]]
        manifest["publicInstances"] = {
            "layout": (
                "the batch's inputs, row i (request i) at inputOffset + i * input.length, then its outputs, "
                "row i at outputOffset + i * output.length; each a BN254 scalar field element (negative v as p + v). "
                "Rows past the batch's requests are padding: zero inputs, outputs ignored"
            ),
            "count": batch * (input_length + output_length),
            "inputOffset": 0,
            "outputOffset": batch * input_length,
        }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{model_dir.name}: built in {time.time() - started:.1f} s (logrows {logrows}, srs {manifest['srs']['kind']})")
    return manifest


def committed_srs(model_dir: Path, manifest: dict) -> Path:
    """The SRS a model folder was built with, checked against the hash its manifest records."""
    srs = srs_path(model_dir, manifest, REPO)
    if not srs.exists() or sha256(srs) != manifest["srs"]["sha256"]:
        raise BuildError(f"{model_dir}: the SRS {srs} is missing or is not the one the manifest records")
    return srs


def regenerate_proving_key(model_dir: Path) -> None:
    try:
        derive_proving_key(model_dir, REPO)
    except KeyError_ as error:
        raise BuildError(f"{error}; rebuild with `circuits/build.py build {model_dir}`") from error
    print(f"{model_dir.name}: proving key regenerated")


def regenerate_verifier(model_dir: Path, out: Path | None) -> Path:
    """Writes the Solidity verifier again from the folder's committed vk.key, settings.json and
    SRS: where its manifest records it, or into `out`. Returns the file written."""
    manifest = json.loads((model_dir / "manifest.json").read_text())
    srs = committed_srs(model_dir, manifest)
    target = out / f"{VERIFIER_CONTRACT}.sol" if out else REPO / manifest["verifier"]["source"]
    write_verifier(model_dir, srs, target)
    print(f"{model_dir.name}: verifier written to {target}")
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build a model folder from its ONNX file")
    build_cmd.add_argument("model_dir", type=Path)
    build_cmd.add_argument("--srs", type=Path, help="a ceremony SRS file (production); default: local dev SRS")
    build_cmd.add_argument("--out", type=Path, metavar="DIR", help="write the build here instead of into MODEL_DIR")
    build_cmd.add_argument("--batch", type=int, default=1, metavar="B", help=f"build the batched circuit of B requests ({MIN_BATCH}..{MAX_BATCH})")
    keys_cmd = commands.add_parser("keys", help="regenerate a model's proving key")
    keys_cmd.add_argument("model_dir", type=Path)
    verifier_cmd = commands.add_parser("verifier", help="regenerate a model's Solidity verifier from its committed keys")
    verifier_cmd.add_argument("model_dir", type=Path)
    verifier_cmd.add_argument("--out", type=Path, metavar="DIR", help="write DIR/Halo2Verifier.sol instead of the committed verifier")
    model_cmd = commands.add_parser("model", help="build any ONNX file into a model bundle (see model_build.py)")
    model_cmd.add_argument("onnx", type=Path)
    model_cmd.add_argument("--calibration", type=Path, required=True, help="EZKL input.json, CSV or .npy rows")
    model_cmd.add_argument("--out", type=Path, required=True, metavar="DIR")
    model_cmd.add_argument("--name", help="default: the ONNX file's name without .onnx")
    model_cmd.add_argument("--description", default="")
    model_cmd.add_argument("--input-scale", type=int, default=8)
    model_cmd.add_argument("--param-scale", type=int, help="default: the input scale")
    model_cmd.add_argument("--input-bound", type=float, help="largest |input value| accepted (default: the calibration's)")
    model_cmd.add_argument("--max-logrows", type=int, default=17)
    model_cmd.add_argument("--min-agreement", type=float, default=None)
    model_cmd.add_argument("--srs", type=Path, help="a ceremony SRS file (production); default: a development SRS")
    args = parser.parse_args(argv)
    if args.command == "model":
        return build_model_command(args)
    try:
        model_dir = args.model_dir.resolve()
        if args.command == "keys":
            regenerate_proving_key(model_dir)
        elif args.command == "verifier":
            regenerate_verifier(model_dir, args.out.resolve() if args.out else None)
        else:
            if args.srs is not None and not args.srs.is_file():
                raise BuildError(f"--srs {args.srs}: no such file")
            if args.batch != 1 and not MIN_BATCH <= args.batch <= MAX_BATCH:
                raise BuildError(f"--batch {args.batch}: a batch holds {MIN_BATCH} to {MAX_BATCH} requests (1 is the single circuit)")
            default_out = model_dir / batch_dir_name(args.batch) if args.batch > 1 else model_dir
            out = (args.out or default_out).resolve()
            build(model_dir, out, args.srs.resolve() if args.srs else None, args.batch)
    except BuildError as error:
        print(f"build error: {error}", file=sys.stderr)
        return 2
    return 0


def build_model_command(args: argparse.Namespace) -> int:
    """`build.py model`: the report as the last line on stdout, {"ok":false,"error":...} and exit 2 on a refusal."""
    # model_build imports this file as the module `build`: its BuildError is that module's class.
    from model_build import DEFAULT_MIN_AGREEMENT, build_model
    from model_build import BuildError as ModelBuildError

    try:
        if args.srs is not None and not args.srs.is_file():
            raise BuildError(f"--srs {args.srs}: no such file")
        for flag, value in (("--input-scale", args.input_scale), ("--param-scale", args.param_scale)):
            if value is not None and not 0 <= value <= 24:
                raise BuildError(f"{flag} {value}: a scale is a power of two from 0 to 24")
        if not 8 <= args.max_logrows <= 22:
            raise BuildError(f"--max-logrows {args.max_logrows}: from 8 to 22")
        name = args.name or args.onnx.name.removesuffix(".onnx")
        options = {
            "input_scale": args.input_scale,
            "param_scale": args.param_scale if args.param_scale is not None else args.input_scale,
            "input_bound": args.input_bound,
            "max_logrows": args.max_logrows,
            "min_agreement": DEFAULT_MIN_AGREEMENT if args.min_agreement is None else args.min_agreement,
            "srs": args.srs.resolve() if args.srs else None,
            "description": args.description,
        }
        report = build_model(args.onnx.resolve(), args.calibration.resolve(), args.out.resolve(), name, options)
    except (BuildError, ModelBuildError) as error:
        print(f"build error: {error}", file=sys.stderr)
        print(json.dumps({"ok": False, "error": str(error)}))
        return 2
    except Exception as error:  # an EZKL or ONNX Runtime failure the steps above do not foresee: still one line
        message = f"{args.onnx}: the build failed unexpectedly ({type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''})"
        print(f"build error: {message}", file=sys.stderr)
        print(json.dumps({"ok": False, "error": message}))
        return 1
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # EZKL's async runtime may still hold a thread after create_evm_verifier's failed solc
    # download, and the interpreter's shutdown then intermittently aborts (SIGABRT/SIGSEGV).
    # Every file is written and closed by now: leave without that shutdown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
