#!/usr/bin/env python3
"""A long-lived EZKL worker: one process of the prover pool (relayer/prover/pool.ts).

    ezkl_worker.py CIRCUIT_DIR [CIRCUIT_DIR ...]

Speaks JSON lines: each request on stdin is one object
    {"id": 7, "op": "witness" | "prove", "model": "price-signal", "input": ["-190", ...]}
with the input already quantized at the model's input scale, and each reply on stdout is
    {"id": 7, "ok": true, "outputs": [field elements], "witnessMs": ..., ...}
or  {"id": 7, "ok": false, "error": "..."}.
"prove" adds "proof" (0x calldata) and "instances" (field elements), "proveMs".
A batched circuit folder (circuits/<model>/batch-<B>/) serves
    {"id": 8, "op": "proveBatch", "model": "price-signal", "inputs": [["-190", ...], ...]}
with 1 to B inputs, padded with zero rows (circuits/build.py's `pad_batch`); its reply's
"outputs" are every row's, padding included (the caller keeps the first len(inputs)).
Field elements travel as decimal strings; signed decoding is the caller's (sdk/encoding.ts).

At start it loads every model's manifest and settings, checks that its proving key
and SRS are in place, and proves one sample per model, so keys are read and warm
before the first request; then it prints {"ready": true, "models": [...], "warmUp":
{model: {"witnessMs": ..., "proveMs": ...}}}.
EZKL's Python API takes keys by path, so "loaded" means verified and in the page cache.
Anything EZKL itself prints goes to stderr: replies own stdout.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "circuits"))

import ezkl  # noqa: E402

from lib.ezkl_io import (  # noqa: E402
    input_lengths, pad_batch, read_proof, srs_path, to_field, witness_inputs, witness_outputs, write_quantized_input,
)


class Model:
    def __init__(self, circuit_dir: Path) -> None:
        self.dir = circuit_dir
        manifest = json.loads((circuit_dir / "manifest.json").read_text())
        self.name = manifest["name"]
        self.batch_size = manifest.get("batchSize", 1)
        self.input_scale = manifest["input"]["scale"]
        self.input_length = manifest["input"]["length"]
        self.compiled = str(circuit_dir / "model.compiled")
        self.pk = circuit_dir / "pk.key"
        # A batched circuit's input tensors have a batch dimension: B rows of each (one tensor per model
        # input; the reference circuits have one, so the requests' rows flattened in order are that tensor).
        self.input_lengths = [length * self.batch_size for length in input_lengths(manifest)]
        self.srs = srs_path(circuit_dir, manifest, REPO)
        for path in (self.pk, self.srs, Path(self.compiled)):
            if not path.is_file():
                raise FileNotFoundError(f"{self.name}: {path} is missing; run `make setup`")
        sample = json.loads((circuit_dir / "samples" / "sample-0.json").read_text())
        # A batched sample lists its requests; the single circuit's is one input.
        self.first_sample = [v for r in sample["requests"] for v in r["input"]] if self.batch_size > 1 else sample["input"]


class Worker:
    def __init__(self, circuit_dirs: list[Path], replies) -> None:
        loaded = [Model(d) for d in circuit_dirs]
        self.models = {m.name: m for m in loaded if m.batch_size == 1}
        # A model's batched circuit, by the model's name (one batch size per model).
        self.batched = {m.name: m for m in loaded if m.batch_size > 1}
        self.replies = replies
        self.scratch = Path(tempfile.mkdtemp(prefix="highway-prover-"))

    def warm_up(self) -> None:
        # Its timings seed the relayer's estimate of how long an answer takes (relayer/src/proving-times.ts).
        self.warm_up_times = {}
        for model in self.models.values():
            proved = self.prove(model, [int(v) for v in model.first_sample])
            self.warm_up_times[model.name] = {"witnessMs": proved["witnessMs"], "proveMs": proved["proveMs"]}
        for model in self.batched.values():
            proved = self.prove(model, [int(v) for v in model.first_sample])
            self.warm_up_times[f"{model.name}/batch-{model.batch_size}"] = {"witnessMs": proved["witnessMs"], "proveMs": proved["proveMs"]}

    def witness(self, model: Model, quantized: list[int]) -> dict:
        if len(quantized) != model.input_length * model.batch_size:
            raise ValueError(f"{model.name} takes {model.input_length * model.batch_size} inputs, got {len(quantized)}")
        data, witness_path = self.scratch / "input.json", self.scratch / "witness.json"
        write_quantized_input(quantized, model.input_scale, data, model.input_lengths)
        started = time.perf_counter()
        witness = ezkl.gen_witness(str(data), model.compiled, str(witness_path))
        elapsed = (time.perf_counter() - started) * 1000
        if witness_inputs(witness) != [to_field(q) for q in quantized]:
            raise ValueError(f"{model.name}: EZKL re-quantized the input differently from the request")
        return {"outputs": [str(e) for e in witness_outputs(witness)], "witnessMs": elapsed}

    def prove(self, model: Model, quantized: list[int]) -> dict:
        result = self.witness(model, quantized)
        proof_path = self.scratch / "proof.json"
        started = time.perf_counter()
        ezkl.prove(str(self.scratch / "witness.json"), model.compiled, str(model.pk), str(proof_path), str(model.srs))
        result["proveMs"] = (time.perf_counter() - started) * 1000
        proof, instances = read_proof(proof_path)
        result["proof"] = proof
        result["instances"] = [str(e) for e in instances]
        return result

    def prove_batch(self, model: Model, inputs: list[list[int]]) -> dict:
        for row in inputs:
            if len(row) != model.input_length:
                raise ValueError(f"{model.name} takes {model.input_length} inputs per request, got {len(row)}")
        return self.prove(model, pad_batch(inputs, model.batch_size, model.input_length))

    def handle(self, request: dict) -> dict:
        if request["op"] == "proveBatch":
            batched = self.batched.get(request.get("model"))
            if batched is None:
                raise ValueError(f"no batched circuit of {request.get('model')!r}; this worker batches {sorted(self.batched)}")
            return self.prove_batch(batched, [[int(v) for v in row] for row in request["inputs"]])
        model = self.models.get(request.get("model"))
        if model is None:
            raise ValueError(f"unknown model {request.get('model')!r}; this worker serves {sorted(self.models)}")
        quantized = [int(v) for v in request["input"]]
        if request["op"] == "witness":
            return self.witness(model, quantized)
        if request["op"] == "prove":
            return self.prove(model, quantized)
        raise ValueError(f"unknown op {request['op']!r}; use 'witness', 'prove' or 'proveBatch'")

    def reply(self, message: dict) -> None:
        self.replies.write(json.dumps(message) + "\n")
        self.replies.flush()

    def serve(self) -> None:
        self.reply({"ready": True, "models": sorted(self.models), "batched": sorted(self.batched), "pid": os.getpid(), "warmUp": self.warm_up_times})
        for line in sys.stdin:
            if not line.strip():
                continue
            request_id = None
            try:
                request = json.loads(line)
                request_id = request.get("id")
                self.reply({"id": request_id, "ok": True, **self.handle(request)})
            except Exception as error:  # every failure is reported to the caller, never fatal
                self.reply({"id": request_id, "ok": False, "error": f"{type(error).__name__}: {error}"})


def main() -> int:
    # Replies get a private copy of stdout; fd 1 then points at stderr, so that
    # anything EZKL's native code prints cannot corrupt the reply stream.
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    try:
        worker = Worker([Path(arg).resolve() for arg in sys.argv[1:]], replies)
        worker.warm_up()
    except Exception as error:
        traceback.print_exc()
        replies.write(json.dumps({"ready": False, "error": f"{type(error).__name__}: {error}"}) + "\n")
        replies.flush()
        return 1
    worker.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
