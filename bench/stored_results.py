"""Rows that ``make bench`` does not measure itself but adds to ``bench/RESULTS.md``,
each marked with where and when it was measured:

- the large rows (P3 at 512³, P2's full training iterations on the CPU),
  measured once per side by ``make bench-large``
  (``bench/run.py --large``) and stored in ``bench/results-large.json``;
- the GPU row P7, measured by ``bench/gpu_train.py --json bench/results-gpu.json``
  on a machine with a GPU.

Both files are read and checked before ``make bench`` measures anything, so a
broken file stops it at once, not after the measuring.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from dacapo.errors import ConfigError
from dacapo.store._files import atomic_write_text

#: the keys of each object of ``bench/results-gpu.json`` (``bench/gpu_train.py``)
GPU_KEYS = ("row", "precision", "gpu", "fetchers", "ours_s_per_it",
            "ours_cached_batch_s_per_it", "bare_s_per_it", "ours_fraction_of_bare")
#: the keys of ``bench/results-large.json`` and of each of its rows
LARGE_KEYS = ("date", "machine", "rows")
LARGE_ROW_KEYS = ("name", "what", "metrics", "medians", "failures", "runs")


def save_large(path: Path, rows: List[Dict[str, Any]], date: str, machine: str) -> None:
    """Writes the large rows' results (atomically: a temporary file, then a rename)."""
    text = json.dumps({"date": date, "machine": machine, "rows": rows}, indent=1)
    atomic_write_text(path, text + "\n")


def load_large(path: Path) -> Optional[Dict[str, Any]]:
    """The stored large rows, or None if ``path`` does not exist.

    Raises:
        ConfigError: The file is not JSON, or lacks a key.
    """
    stored = _load(path, "bench/run.py --large (make bench-large)")
    if stored is None:
        return None
    _require(stored, LARGE_KEYS, path, "the file", "make bench-large")
    if not isinstance(stored["rows"], list):
        raise ConfigError(f"{path}: 'rows' is {stored['rows']!r}, expected a list of rows; "
                          "rerun `make bench-large` to rewrite the file")
    for i, row in enumerate(stored["rows"]):
        _require(row, LARGE_ROW_KEYS, path, f"row {i}", "make bench-large")
    return stored


def load_gpu(path: Path) -> Optional[List[Dict[str, Any]]]:
    """The stored P7 results (a list of objects with ``GPU_KEYS``), or None if
    ``path`` does not exist.

    Raises:
        ConfigError: The file is not JSON, not a non-empty list, or an entry lacks a key.
    """
    fix = f"bench/gpu_train.py --json {path.name}"
    entries = _load(path, fix)
    if entries is None:
        return None
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: holds {entries!r:.80}, expected a non-empty list of "
                          f"P7 results; rewrite it with `{fix}`")
    for i, entry in enumerate(entries):
        _require(entry, GPU_KEYS, path, f"entry {i}", fix)
    return entries


def _load(path: Path, fix: str) -> Any:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not JSON ({error}); rewrite it with `{fix}` or "
                          "delete it") from error


def _require(item: Any, keys, path: Path, where: str, fix: str) -> None:
    """Raises ConfigError naming the keys ``item`` (a dict) lacks."""
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: {where} is {item!r:.80}, expected an object with the "
                          f"keys {', '.join(keys)}; rewrite it with `{fix}`")
    missing = [key for key in keys if key not in item]
    if missing:
        raise ConfigError(f"{path}: {where} lacks {', '.join(map(repr, missing))} (expected "
                          f"the keys {', '.join(keys)}); rewrite it with `{fix}`")


def gpu_lines(entries: Optional[List[Dict[str, Any]]], path: Path) -> List[str]:
    """The P7 section of RESULTS.md: a table, or that P7 was not measured."""
    lines = ["## P7: training on a GPU (`bench/gpu_train.py`, ours only)", ""]
    if entries is None:
        return lines + ["P7: not measured: no GPU in this run", ""]
    when = entries[0].get("date", f"date not recorded (see `git log {path.name}`)")
    lines += [f"Not measured by `make bench`: stored in `bench/{path.name}`, measured on "
              f"{entries[0]['gpu']} ({when}) with `bench/gpu_train.py`. Seconds per "
              "training iteration; the bare loop is the same model on random tensors "
              "already on the GPU (the limit).", "",
              "| row | precision | GPU | data workers | targets made in | workers' own "
              "rate | ours | ours, one cached batch | bare loop | ours / bare speed |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for e in entries:
        supply = e.get("supply_batches_per_s")
        rate = "-" if supply is None else f"{supply:.1f} batches/s"
        lines.append(f"| {e['row']} | {e['precision']} | {e['gpu']} | {e['fetchers']} | "
                     f"{e.get('targets', 'workers')} | {rate} | "
                     f"{e['ours_s_per_it']:.4f} s | {e['ours_cached_batch_s_per_it']:.4f} s | "
                     f"{e['bare_s_per_it']:.4f} s | {e['ours_fraction_of_bare']:.2f} |")
    return lines + [""]
