"""``make bench``: each benchmark row for us and for the upstream release, on
the same data, alternating A B A B, and ``bench/RESULTS.md`` from the medians.

    .venv/bin/python bench/run.py [--reps 3] [--rows P3 P4] [--output bench/RESULTS.md]

Needs ``bench/.peer-venv`` (``bash bench/peer-setup.sh``). Each row runs a
script of ``bench/rows/`` under each side's interpreter, in a scratch folder
with its own ``dacapo.yaml``; a side that crashes is recorded with its last
error line instead of a number.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import attr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIDES = {
    "ours": [str(ROOT / ".venv/bin/python"), "-P"],
    "upstream": [str(HERE / ".peer-venv/bin/python"), "-P"],
}
#: the geometry both sides read: ours resolution/axes, upstream voxel_size/axis_names
_ATTRIBUTES = {"resolution": [8, 8, 8], "voxel_size": [8, 8, 8], "offset": [0, 0, 0],
               "axes": ["z", "y", "x"], "axis_names": ["z", "y", "x"], "units": ["nm"] * 3}
#: the seed module of our public API
SEED_MODULE = "dacapo.experiments.tasks.predictors.dummy_predictor"


@attr.s(frozen=True, kw_only=True)
class Row:
    """One benchmark: a script of ``bench/rows`` with its arguments."""

    name: str = attr.ib()
    what: str = attr.ib()
    script: str = attr.ib()
    arguments: Callable[[Path, Path], List[str]] = attr.ib()
    #: (label, JSON key, unit) of each figure the script prints
    metrics: List[Any] = attr.ib(factory=lambda: [("time", "seconds", "s")])
    repetitions: Optional[int] = attr.ib(default=None)
    check: Optional[Callable[[Dict[str, Any], Dict[str, Any]], Optional[str]]] = attr.ib(
        default=None
    )


def _watershed_check(result: Dict[str, Any], data: Dict[str, Any]) -> Optional[str]:
    """A wrong output: far from the number of objects the affinities came from."""
    truth = data["truth_objects"]
    if not 0.5 * truth <= result["objects"] <= 2 * truth:
        return f"wrong output: {result['objects']} objects for {truth} true objects"
    return None


#: a figure where higher is better
RATE = ("rate", "batches_per_second", "batches/s")
HIGHER_IS_BETTER = {"batches_per_second"}

ROWS = [
    Row(name="P3", what="mutex watershed of 256³ affinities (3 offsets, uint8), 2 workers",
        script="watershed.py", check=_watershed_check,
        metrics=[("time", "seconds", "s"), ("peak memory of the process tree", "peak_bytes",
                                           "GB")],
        arguments=lambda data, out: [str(data / "affs.zarr"), "affs_256", str(out),
                                     "--workers", "2"]),
    Row(name="P2", what="training batches, 132³ input, elastic + simple augments, in the "
        "training process", script="batches.py", metrics=[RATE],
        arguments=lambda data, out: [str(data / "crops.zarr"), "--fetchers", "0"]),
    Row(name="P2", what="training batches, 132³ input, elastic + simple augments, 2 data "
        "workers", script="batches.py", metrics=[RATE],
        arguments=lambda data, out: [str(data / "crops.zarr"), "--fetchers", "2"]),
    Row(name="P4", what="`import dacapo`", script="import_time.py", repetitions=10,
        arguments=lambda data, out: ["dacapo"]),
    Row(name="P4", what=f"`import {SEED_MODULE}`", script="import_time.py",
        repetitions=10, arguments=lambda data, out: [SEED_MODULE]),
]


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    rows = [row for row in ROWS if row.name in args.rows]
    with tempfile.TemporaryDirectory(prefix="dacapo_bench_") as scratch:
        data = _prepare(Path(scratch) / "data")
        results = [_measure(row, Path(scratch) / f"row{i}", data, args.reps)
                   for i, row in enumerate(rows)]
    args.output.write_text(_report(results))
    print(f"wrote {args.output}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per side (min 3)")
    parser.add_argument("--rows", nargs="+", default=["P2", "P3", "P4"], help="rows to run")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    return parser


def _prepare(data: Path) -> Dict[str, Any]:
    """Writes the benchmark data once, with both sides' metadata."""
    import numpy as np
    import zarr

    from dacapo.utils.affinities import seg_to_affgraph
    from dacapo.utils.synthetic import generate_volume

    labels = generate_volume((256,) * 3, seed=1, cell_size=24).labels
    offsets = [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    affinities = seg_to_affgraph(labels, offsets).astype(np.float32)
    affinities += np.random.default_rng(0).normal(0, 0.1, affinities.shape).astype(np.float32)
    stored = zarr.open_group(str(data / "affs.zarr"), mode="w").create_dataset(
        "affs_256", data=(np.clip(affinities, 0, 1) * 255).astype(np.uint8),
        chunks=(3, 64, 64, 64))
    stored.attrs.update(_ATTRIBUTES, axes=["c", "z", "y", "x"],
                        axis_names=["c^", "z", "y", "x"])
    _write_crops(data / "crops.zarr")
    return {"truth_objects": int(np.count_nonzero(np.unique(labels)))}


def _write_crops(path: Path, crops: int = 2, size: int = 192) -> None:
    """``crop<i>/raw`` and ``crop<i>/mito`` (mitochondria, 0/1) for P2."""
    import numpy as np
    import zarr

    from dacapo.utils.synthetic import CLASS_NAMES, generate_volume

    mito = next(i for i, name in CLASS_NAMES.items() if name == "mitochondrion")
    root = zarr.open_group(str(path), mode="w")
    for i in range(crops):
        volume = generate_volume((size,) * 3, seed=10 + i, voxel_size=(8, 8, 8))
        for name, data in (("raw", volume.raw), ("mito", (volume.semantic == mito))):
            array = root.create_dataset(f"crop{i}/{name}", data=data.astype(np.uint8),
                                        chunks=(64, 64, 64))
            array.attrs.update(_ATTRIBUTES)


def _measure(row: Row, scratch: Path, data: Dict[str, Any], reps: int) -> Dict[str, Any]:
    """Runs ``row`` A B A B; the median of each side, or its failure."""
    values: Dict[str, List[Dict[str, Any]]] = {side: [] for side in SIDES}
    failures: Dict[str, str] = {}
    for rep in range(row.repetitions or max(3, reps)):
        for side in SIDES:
            if side in failures:
                continue
            outcome = _run(row, side, scratch / f"{side}_{rep}", scratch.parent / "data")
            if isinstance(outcome, str):
                failures[side] = outcome
                continue
            problem = row.check(outcome, data) if row.check else None
            if problem:
                failures[side] = problem
            else:
                values[side].append(outcome)
    medians = {side: {key: statistics.median(float(r[key]) for r in runs)
                      for _, key, _ in row.metrics}
               for side, runs in values.items() if runs}
    return {"row": row, "medians": medians, "failures": failures,
            "runs": {side: len(runs) for side, runs in values.items()}}


def _run(row: Row, side: str, folder: Path, data: Path) -> Any:
    """The JSON a row's script printed, or the reason it failed."""
    folder.mkdir(parents=True)
    (folder / "dacapo.yaml").write_text(f"runs_base_dir: {folder / 'runs'}\n")
    env = dict(os.environ, DACAPO_OPTIONS_FILE=str(folder / "dacapo.yaml"))
    if side == "upstream":
        env["PYTHONPATH"] = str(HERE / ".peer-stubs")
    command = SIDES[side] + [str(HERE / "rows" / row.script), *row.arguments(data, folder)]
    start = time.monotonic()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        error = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return f"failed (exit {done.returncode}, {time.monotonic() - start:.0f} s): {error}"
    return json.loads(lines[-1])


def _report(results: List[Dict[str, Any]]) -> str:
    lines = ["# Benchmarks: us against the upstream release (dacapo-ml 0.3.5)", "",
             f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` "
             f"on {_machine()}.", "",
             "Medians of runs alternating ours / upstream (A B A B); advantage = how many "
             "times faster or smaller ours is (above 1: ours wins).", "",
             "| row | what | ours | upstream | advantage |", "|---|---|---|---|---|"]
    for result in results:
        lines += _table_rows(result)
    lines += ["", "Upstream runs with placeholders for `fibsem_tools` and `cellmap_models` "
              "(see `bench/peer-setup.sh`): `MissingAnnotationsMask` and `CosemStart` are "
              "not benchmarked.", ""]
    return "\n".join(lines)


def _table_rows(result: Dict[str, Any]) -> List[str]:
    row, medians = result["row"], result["medians"]
    lines = []
    for label, key, unit in row.metrics:
        ratio = _advantage(medians, key) if len(medians) == 2 else "-"
        lines.append(f"| {row.name} | {row.what}: {label} | {_cell(result, 'ours', key, unit)} "
                     f"| {_cell(result, 'upstream', key, unit)} | {ratio} |")
    return lines


def _advantage(medians: Dict[str, Dict[str, float]], key: str) -> str:
    """How many times better ours is (above 1: ours wins)."""
    ours, theirs = medians["ours"][key], medians["upstream"][key]
    better = ours / theirs if key in HIGHER_IS_BETTER else theirs / ours
    return f"{better:.2f}"


def _cell(result: Dict[str, Any], side: str, key: str, unit: str) -> str:
    if side in result["failures"]:
        failure = result["failures"][side].replace("|", "/")
        return failure if len(failure) <= 240 else failure[:237] + "..."
    value = result["medians"][side][key] / (1e9 if unit == "GB" else 1)
    return f"{value:.3g} {unit} ({result['runs'][side]} runs)"


def _machine() -> str:
    cores = os.cpu_count()
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    model = next((line.split(":", 1)[1].strip()
                  for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    gpu = subprocess.run(["sh", "-c", "nvidia-smi --query-gpu=name --format=csv,noheader "
                          "2>/dev/null"], capture_output=True, text=True).stdout.strip()
    return (f"{cores} cores ({model}), {int(memory) / 2**20:.0f} GiB memory, "
            f"{gpu or 'no GPU'}")


if __name__ == "__main__":
    sys.exit(main())
