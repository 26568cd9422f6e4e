"""The proving key of a circuit folder or model bundle, derived locally (it is never shipped).

Shared by `build.py keys` (the reference circuits, `make setup`) and the relayer's
`relayer/prover/derive_keys.py` (a bundle fetched by `relayer models add`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import ezkl

from lib.ezkl_io import srs_path


class KeyError_(Exception):
    """The folder's keys cannot be derived as its manifest says; the message says why."""


def derive_proving_key(circuit_dir: Path, repo: Path) -> None:
    """Writes circuit_dir/pk.key from its model.compiled and the SRS its manifest names (checked
    against the manifest's SHA-256), only when the verifying key that setup implies is the
    folder's vk.key byte for byte."""
    manifest = json.loads((circuit_dir / "manifest.json").read_text())
    srs = srs_path(circuit_dir, manifest, repo)
    if not srs.exists() or hashlib.sha256(srs.read_bytes()).hexdigest() != manifest["srs"]["sha256"]:
        raise KeyError_(f"{circuit_dir}: the SRS {srs} is missing or is not the one the manifest records")
    with tempfile.TemporaryDirectory() as scratch:
        vk = Path(scratch) / "vk.key"
        ezkl.setup(str(circuit_dir / "model.compiled"), str(vk), str(Path(scratch) / "pk.key"), str(srs))
        if vk.read_bytes() != (circuit_dir / "vk.key").read_bytes():
            raise KeyError_(f"{circuit_dir}: its vk.key does not come from its model.compiled and SRS")
        shutil.move(str(Path(scratch) / "pk.key"), circuit_dir / "pk.key")
