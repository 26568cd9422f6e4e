"""Calibration data for `build.py model`: EZKL's input.json, a CSV or a .npy, read as rows.

A row is one inference's input: every input tensor of the model flattened, in the
graph's input order, concatenated. The three formats:

- input.json (EZKL's format): {"input_data": [tensor0, tensor1, ...]}, each tensor a flat
  list of one or more rows' values (rows back to back), or a nested list (one entry per row).
- CSV: one row per line, numbers separated by commas; a first line that is not all numbers
  is a header and skipped.
- .npy: an array whose first axis is the rows (shape (rows, ...)), or exactly one row.

With fewer than MIN_ROWS rows the build synthesizes more around them (Gaussian noise at
10% of each value's magnitude, fixed seed) and says so: EZKL's calibration needs a spread.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

MIN_ROWS = 8
SYNTHESIZED_ROWS = 16
SEED = 13


class CalibrationError(Exception):
    """The calibration file is missing, unreadable or of the wrong shape; the message says which."""


def _flat(value) -> list[float]:
    return np.asarray(value, dtype=np.float64).reshape(-1).tolist()


def load_rows(path: Path, lengths: list[int], described: str = "") -> np.ndarray:
    """The calibration rows of `path` as an array (rows, sum(lengths)), for a model whose input
    tensors hold `lengths` values each (`described`: its inputs' names and shapes, for messages)."""
    if not path.is_file():
        raise CalibrationError(f"{path}: no such calibration file")
    total = sum(lengths)
    shapes = described or " + ".join(str(n) for n in lengths)
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            array = np.load(path, allow_pickle=False).astype(np.float64)
            rows = array.reshape(1, -1) if array.size == total else array.reshape(array.shape[0], -1)
        elif suffix == ".csv":
            with path.open(newline="") as handle:
                lines = [line for line in csv.reader(handle) if any(cell.strip() for cell in line)]
            parsed = []
            for i, line in enumerate(lines):
                try:
                    parsed.append([float(cell) for cell in line])
                except ValueError:
                    if i == 0:
                        continue  # a header
                    raise CalibrationError(f"{path}: line {i + 1} is not all numbers") from None
            widths = {len(row) for row in parsed}
            if len(widths) > 1:
                raise CalibrationError(f"{path}: rows have different numbers of values ({sorted(widths)})")
            rows = np.asarray(parsed, dtype=np.float64)
        else:
            data = json.loads(path.read_text())
            if not isinstance(data, dict) or "input_data" not in data:
                raise CalibrationError(f'{path}: not EZKL input data (a JSON object with "input_data"), nor a .csv or .npy file')
            tensors = data["input_data"]
            if not isinstance(tensors, list) or len(tensors) != len(lengths):
                count = len(tensors) if isinstance(tensors, list) else 0
                raise CalibrationError(f"{path}: input_data has {count} tensors, the model takes {len(lengths)} ({shapes})")
            per_tensor = []
            for k, (tensor, length) in enumerate(zip(tensors, lengths)):
                values = _flat(tensor)
                if len(values) % length:
                    raise CalibrationError(
                        f"{path}: input_data[{k}] has {len(values)} values, not a whole number of rows of {length} (the model's input {k})"
                    )
                per_tensor.append(np.asarray(values).reshape(-1, length))
            counts = {t.shape[0] for t in per_tensor}
            if len(counts) > 1:
                raise CalibrationError(f"{path}: the input tensors have different numbers of rows ({sorted(counts)})")
            rows = np.concatenate(per_tensor, axis=1)
    except CalibrationError:
        raise
    except Exception as error:  # numpy, csv and json raise many unrelated types for a bad file
        raise CalibrationError(f"{path}: cannot read calibration data ({type(error).__name__}: {error})") from error
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise CalibrationError(f"{path}: no calibration rows")
    if rows.shape[1] != total:
        raise CalibrationError(f"{path}: each row has {rows.shape[1]} values, the model takes {total} ({shapes})")
    if not np.all(np.isfinite(rows)):
        raise CalibrationError(f"{path}: calibration values must be finite numbers")
    return rows


def with_synthesized(rows: np.ndarray) -> tuple[np.ndarray, int]:
    """`rows`, plus synthesized ones when there are fewer than MIN_ROWS; and how many were added."""
    if rows.shape[0] >= MIN_ROWS:
        return rows, 0
    rng = np.random.default_rng(SEED)
    count = SYNTHESIZED_ROWS - rows.shape[0]
    base = rows[rng.integers(0, rows.shape[0], count)]
    spread = 0.1 * np.maximum(np.abs(base), 0.1)
    return np.concatenate([rows, base + rng.normal(0.0, 1.0, base.shape) * spread]), count
