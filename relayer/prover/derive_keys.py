#!/usr/bin/env python3
"""Derives a model bundle's proving key locally, for `relayer models add` (relayer/src/models-add.ts).

    derive_keys.py BUNDLE_DIR

Writes BUNDLE_DIR/pk.key from the bundle's compiled circuit and SRS when the verifying key
they imply is the bundle's vk.key; otherwise prints why on stderr and exits 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "circuits"))

from lib.keys import KeyError_, derive_proving_key  # noqa: E402

if __name__ == "__main__":
    try:
        derive_proving_key(Path(sys.argv[1]).resolve(), REPO)
        code = 0
    except (KeyError_, OSError) as error:
        print(error, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
