"""The one place that speaks EZKL's file formats, for the build and the prover worker.

Highway hands EZKL quantized inputs (value x 2^scale as integers) and takes back
field elements as integers; signed decoding of those elements happens in the
encoding libraries (sdk/encoding.ts, contracts/libraries/InstanceEncoding.sol).
"""

from __future__ import annotations

import json
from pathlib import Path

import ezkl


def write_quantized_input(quantized: list[int], scale: int, path: Path, lengths: list[int] | None = None) -> None:
    """Writes quantized inputs as EZKL input data, which EZKL re-quantizes at `scale`.

    `quantized` is every input tensor flattened, in order; `lengths` splits it into the
    model's input tensors (default: one tensor). value / 2^scale is exact in a double for
    |value| < 2^53, so EZKL recovers exactly `quantized`; `witness_inputs` lets callers check
    that it did.
    """
    data = [int(q) / (1 << scale) for q in quantized]
    tensors, offset = [], 0
    for length in lengths or [len(data)]:
        tensors.append(data[offset : offset + length])
        offset += length
    path.write_text(json.dumps({"input_data": tensors}))


def input_lengths(manifest: dict) -> list[int]:
    """The value count of each input tensor: a model bundle lists its tensors; a reference circuit has one."""
    return [t["length"] for t in manifest["inputs"]] if "inputs" in manifest else [manifest["input"]["length"]]


def srs_path(circuit_dir: Path, manifest: dict, repo: Path) -> Path:
    """The SRS a manifest names: in the bundle itself (a model bundle ships its development SRS),
    else relative to the repository (the reference circuits' committed SRS), or absolute."""
    named = Path(manifest["srs"]["path"])
    inside = circuit_dir / named
    return inside if not named.is_absolute() and inside.exists() else repo / named


def pad_batch(inputs: list[list[int]], batch: int, input_length: int) -> list[int]:
    """The flattened input of a batched circuit of `batch` rows: the requests' inputs in order,
    then zero rows. The coordinator's batch fulfiller builds the same padding itself (zero inputs;
    the padded rows' outputs are read from the proof and dropped), so a relayer cannot put an
    input of its own in a padded row, nor be paid for one."""
    if not 1 <= len(inputs) <= batch:
        raise ValueError(f"a batch holds 1 to {batch} requests, got {len(inputs)}")
    return [q for row in inputs for q in row] + [0] * (input_length * (batch - len(inputs)))


FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def to_field(value: int) -> int:
    """The BN254 field element of a signed value (negative v is FIELD_MODULUS + v)."""
    return value % FIELD_MODULUS


def from_field(element: int) -> int:
    """The signed value of a BN254 field element (elements above (p - 1) / 2 are negative)."""
    return element - FIELD_MODULUS if element > (FIELD_MODULUS - 1) // 2 else element


def _le_hex_to_int(element: str) -> int:
    return int.from_bytes(bytes.fromhex(element), "little")


def witness_inputs(witness: dict) -> list[int]:
    """The input field elements of a witness (from `ezkl.gen_witness`)."""
    return [_le_hex_to_int(e) for row in witness["inputs"] for e in row]


def witness_outputs(witness: dict) -> list[int]:
    """The output field elements of a witness: the circuit's quantized outputs."""
    return [_le_hex_to_int(e) for row in witness["outputs"] for e in row]


def read_proof(path: Path) -> tuple[str, list[int]]:
    """The EVM calldata proof (0x-hex) and the public instances of an EZKL proof file."""
    proof = json.loads(path.read_text())
    return proof["hex_proof"], [_le_hex_to_int(e) for row in proof["instances"] for e in row]


def ezkl_version() -> str:
    return ezkl.__version__
