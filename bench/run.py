"""``make bench``: each benchmark row for us and for the upstream release, on
the same data, alternating A B A B, and ``bench/RESULTS.md`` from the medians.

    .venv/bin/python bench/run.py [--reps 3] [--rows P3 P4] [--output bench/RESULTS.md]
    .venv/bin/python bench/run.py --large   # make bench-large: P3 512³, CPU training

Needs ``bench/.peer-venv`` (``bash bench/peer-setup.sh``, or ``--peer-setup``). Each row runs a
script of ``bench/rows/`` under each side's interpreter, in a scratch folder
with its own ``dacapo.yaml``; a side that crashes is recorded with its last
error line instead of a number. RESULTS.md also gets the rows measured
elsewhere (``bench/stored_results.py``): the large rows of
``bench/results-large.json`` and the GPU row of ``bench/results-gpu.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import attr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import stored_results  # noqa: E402

from dacapo.store._files import atomic_write_text  # noqa: E402

#: where ``make bench-large`` stores its rows, and ``bench/gpu_train.py`` P7
LARGE_RESULTS = HERE / "results-large.json"
GPU_RESULTS = HERE / "results-gpu.json"
SIDES = {
    "ours": [str(ROOT / ".venv/bin/python"), "-P"],
    "upstream": [str(HERE / ".peer-venv/bin/python"), "-P"],
    # our interpreter with the package as it was before issue 14 (``BEFORE``)
    "before": [str(ROOT / ".venv/bin/python"), "-P"],
}
#: the sides of the table's columns
COLUMNS = ("ours", "upstream")
#: the last commit before the speed work of issue 14: the per-core batch rate (P2,
#: in the training process) is measured with it too, in the same run
BEFORE = "e6b5567"
#: the geometry both sides read: ours resolution/axes, upstream voxel_size/axis_names
_ATTRIBUTES = {"resolution": [8, 8, 8], "voxel_size": [8, 8, 8], "offset": [0, 0, 0],
               "axes": ["z", "y", "x"], "axis_names": ["z", "y", "x"], "units": ["nm"] * 3}
#: upstream's ``dacapo.yaml`` beyond its runs folder: its blockwise ``predict`` (P1)
#: runs only with distributed workers under daisy 1.x (in serial mode daisy calls its
#: worker loop with a block: ``TypeError: ... io_loop() takes 0 positional arguments``);
#: its ``validate`` (P6) predicts without daisy, so only P1 is affected
UPSTREAM_OPTIONS = "compute_context:\n  type: LocalTorch\n  config:\n    distribute_workers: true\n"
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
    #: arguments of the same script for the limit (run once, by our interpreter); its
    #: ``metrics[0]`` figure divides each side's
    limit: Optional[Callable[[Path, Path], List[str]]] = attr.ib(default=None)
    #: the sides measured, alternating in this order
    sides: Tuple[str, ...] = attr.ib(default=COLUMNS)


def _watershed_check(result: Dict[str, Any], data: Dict[str, Any],
                     truth_key: str = "truth_objects") -> Optional[str]:
    """A wrong output: far from the number of objects the affinities came from."""
    truth = data[truth_key]
    if not 0.5 * truth <= result["objects"] <= 2 * truth:
        return f"wrong output: {result['objects']} objects for {truth} true objects"
    return None


def _prediction_check(result: Dict[str, Any], data: Dict[str, Any]) -> Optional[str]:
    """A wrong output: not the shape of the output ROI, or values not finite."""
    expected = data["p1_output_shape"]
    if list(result["shape"][-3:]) != expected or not result["finite"]:
        return (f"wrong output: shape {result['shape']} (expected [c, *{expected}]), "
                f"{'all' if result['finite'] else 'not all'} values finite")
    return None


def _field_check(key: str, expected: Any) -> Callable[[Dict[str, Any], Dict[str, Any]],
                                                      Optional[str]]:
    """A wrong output: the script's ``key`` is not ``expected``."""
    def check(result: Dict[str, Any], data: Dict[str, Any]) -> Optional[str]:
        if result.get(key) != expected:
            return f"wrong output: {key} = {result.get(key)!r}, expected {expected!r}"
        return None
    return check


def _validation_check(result: Dict[str, Any], data: Dict[str, Any]) -> Optional[str]:
    """A wrong output: no scores, or an evaluation that failed (and was logged)."""
    if not result["validated"]:
        errors = result.get("errors") or ["no scores"]
        return f"wrong output: {errors[0]}"
    return None


#: a figure where higher is better
RATE = ("rate", "batches_per_second", "batches/s")
VOXEL_RATE = ("rate", "voxels_per_second", "voxels/s")
HIGHER_IS_BETTER = {"batches_per_second", "voxels_per_second"}
#: voxels a side of P1's volume: one 188³ tile of the U-Net (148³ out), see README
P1_SIZE = 188
#: P5: small crops of 32³
P5_CROPS = 200
#: P4: runs per side (3, not 10: upstream's imports take 4 s a run with the interpreter)
P4_REPETITIONS = 3
#: P2: timed batches per run (2, not 6, to keep ``make bench`` under 20 minutes)
P2_BATCHES = 2
#: P2 with the augments and targets on the device: timed batches per run (about 0.1 s each)
P2_DEVICE_BATCHES = 20
#: P2: voxels a side of the two training crops: a 132³ input rotated by up to 90° needs
#: 195 (the code before issue 14, ``BEFORE``, refuses to sample it from 192³ crops)
P2_CROP = 200

_MEMORY = [("time", "seconds", "s"), ("peak memory of the process tree", "peak_bytes", "GB")]

ROWS = [
    Row(name="P1", what=f"blockwise predict, 3D U-Net 188³ in (12 fmaps, factor 6), "
        f"{P1_SIZE}³ uint8 volume (one tile), CPU, 1 local worker", script="blockwise_predict.py",
        metrics=[VOXEL_RATE], check=_prediction_check,
        arguments=lambda data, out: [str(data / "p1.zarr"), "p1", str(out)],
        limit=lambda data, out: [str(data / "p1.zarr"), "p1", str(out), "--bare"]),
    Row(name="P3", what="mutex watershed of 256³ affinities (3 offsets, uint8), 2 workers",
        script="watershed.py", check=_watershed_check, metrics=_MEMORY,
        arguments=lambda data, out: [str(data / "affs.zarr"), "affs_256", str(out),
                                     "--workers", "2"]),
    Row(name="P2", what="training batches, 132³ input, elastic + simple augments, in the "
        "training process", script="batches.py", metrics=[RATE],
        sides=("ours", "upstream", "before"),
        arguments=lambda data, out: [str(data / "crops.zarr"), "--fetchers", "0",
                                     "--batches", str(P2_BATCHES)]),
    Row(name="P2", what="training batches, 132³ input, elastic + simple augments, 2 data "
        "workers", script="batches.py", metrics=[RATE],
        arguments=lambda data, out: [str(data / "crops.zarr"), "--fetchers", "2",
                                     "--batches", str(P2_BATCHES)]),
    Row(name="P2", what="training batches, 132³ input, elastic + simple augments, 1 data "
        "worker, with the augments and targets left to the training device as on a GPU "
        "(the data workers' share; upstream has no such mode)", script="batches.py",
        metrics=[RATE], sides=("ours",),
        arguments=lambda data, out: [str(data / "crops.zarr"), "--fetchers", "1",
                                     "--batches", str(P2_DEVICE_BATCHES), "--device-share"]),
    Row(name="P4", what="`import dacapo`", script="import_time.py",
        repetitions=P4_REPETITIONS,
        arguments=lambda data, out: ["dacapo"]),
    Row(name="P4", what=f"`import {SEED_MODULE}`", script="import_time.py",
        repetitions=P4_REPETITIONS, arguments=lambda data, out: [SEED_MODULE]),
    Row(name="P5", what=f"time to the first training batch over {P5_CROPS} crops of 32³ "
        "(distance task, U-Net 28³ in, no augments, no data workers)",
        script="first_batch.py", check=_field_check("datasets", P5_CROPS),
        arguments=lambda data, out: [str(data / "crops32.zarr"), "--crops", str(P5_CROPS)]),
    Row(name="P6", what="one `validate` of a run at a stored checkpoint, two validation "
        "crops of 64³ (distance task, U-Net 28³ in)", script="validation.py",
        check=_validation_check,
        arguments=lambda data, out: [str(data / "validation.zarr")]),
]
#: P2, full training: iterations a run (the U-Net's forward and backward pass at 132³
#: takes about a minute on 2 cores)
P2_ITERATIONS = 3
#: ``make bench-large`` (``--large``): once a side, stored in ``LARGE_RESULTS``; not in
#: ``make bench``: upstream's P3 is OOM-killed at about 20 GB, ours takes minutes, and a
#: training iteration on the CPU about a minute (README)
LARGE_ROWS = [
    Row(name="P3", what="mutex watershed of 512³ affinities (3 offsets, uint8), 2 workers",
        script="watershed.py", metrics=_MEMORY, repetitions=1,
        check=lambda result, data: _watershed_check(result, data, "truth_objects_512"),
        arguments=lambda data, out: [str(data / "affs.zarr"), "affs_512", str(out),
                                     "--workers", "2"]),
    Row(name="P2", what=f"full training on the CPU, P2's run (132³ input, batch 2, elastic "
        f"+ simple augments, 2 data workers): `train` of a new run for {P2_ITERATIONS} "
        "iterations, start-up included", script="train_iterations.py", repetitions=1,
        metrics=[("time per iteration", "seconds_per_iteration", "s")],
        arguments=lambda data, out: [str(data / "crops.zarr"), "--iterations",
                                     str(P2_ITERATIONS), "--fetchers", "2"]),
]


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.refresh_stored:
        return _refresh_stored(args)
    # the peer venv is made while the data is written (both take a minute or so)
    ready = _peer_setup() if args.peer_setup else None
    if args.large:
        results = _measure_rows(LARGE_ROWS, ["P2", "P3"], args.reps, large=True, ready=ready)
        stored_results.save_large(args.large_output, [_stored(r) for r in results],
                                  _now(), _machine())
        print(f"wrote {args.large_output}")
        return 0
    # read (and check) the stored rows first: a broken file stops us before measuring
    stored = _stored_lines(args)
    results = _measure_rows([row for row in ROWS if row.name in args.rows], args.rows,
                            args.reps, ready=ready)
    atomic_write_text(args.output, _report(results) + "\n" + stored)
    print(f"wrote {args.output}")
    return 0


def _stored_lines(args: argparse.Namespace) -> str:
    """The sections of the rows measured elsewhere (large and GPU), from their files."""
    large = stored_results.load_large(args.large_output)
    gpu = stored_results.load_gpu(args.gpu_results)
    return "\n".join(_large_lines(large, args.large_output)
                     + stored_results.gpu_lines(gpu, args.gpu_results)) + "\n"


def _refresh_stored(args: argparse.Namespace) -> int:
    """Rewrites the sections of ``args.output`` after the rows ``make bench``
    measured (the large and GPU rows) from their files, measuring nothing:
    after ``make bench-large`` or a GPU run."""
    if not args.output.is_file():
        raise SystemExit(f"{args.output} does not exist: run `make bench` first")
    text = args.output.read_text()
    marker = text.find(STORED_MARKER)
    if marker < 0:
        raise SystemExit(f"{args.output} has no line starting {STORED_MARKER!r}: it was not "
                         "written by bench/run.py; run `make bench` to rewrite it")
    atomic_write_text(args.output, text[:marker] + _stored_lines(args))
    print(f"rewrote the stored rows of {args.output}")
    return 0


def _measure_rows(rows: List[Row], names: List[str], reps: int, large: bool = False,
                  ready: Optional[Callable[[], None]] = None) -> List[Dict[str, Any]]:
    """Writes the data of ``rows`` to a scratch folder, calls ``ready`` (which
    waits for whatever else the rows need), and measures each row."""
    with tempfile.TemporaryDirectory(prefix="dacapo_bench_") as scratch:
        data = _prepare(Path(scratch) / "data", names, large)
        if ready:
            ready()
        return [_measure(row, Path(scratch) / f"row{i}", data, reps)
                for i, row in enumerate(rows)]


def _peer_setup() -> Callable[[], None]:
    """Starts ``bench/peer-setup.sh``; the function returned waits for it.

    Raises (from the function returned):
        SystemExit: The set-up failed (its output, above, says why).
    """
    setup = subprocess.Popen(["bash", str(HERE / "peer-setup.sh")])

    def wait() -> None:
        if setup.wait() != 0:
            raise SystemExit(f"bench/peer-setup.sh failed (exit {setup.returncode}): see "
                             "its output above; nothing was measured")
    return wait


def _now() -> str:
    return time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())


def _stored(result: Dict[str, Any]) -> Dict[str, Any]:
    """A measured row as ``bench/results-large.json`` keeps it."""
    row = result["row"]
    return {"name": row.name, "what": row.what, "metrics": [list(m) for m in row.metrics],
            "medians": result["medians"], "failures": result["failures"],
            "runs": result["runs"]}


#: the first line of the sections that ``--refresh-stored`` rewrites
STORED_MARKER = "## Large rows ("


def _large_lines(stored: Optional[Dict[str, Any]], path: Path) -> List[str]:
    """The section of the large rows, measured earlier by ``make bench-large``."""
    lines = [f"{STORED_MARKER}`make bench-large`, stored in `bench/{path.name}`)", ""]
    if stored is None:
        return lines + ["P3 at 512³ and P2's full training on the CPU: not measured: run "
                        "`make bench-large` (once a side, about 20 minutes here) to measure "
                        "them", ""]
    lines += [f"Not measured by this run: measured {stored['date']} by `make bench-large` on "
              f"{stored['machine']}, one run per side (too long for `make bench`).", "",
              "| row | what | ours | upstream | advantage |", "|---|---|---|---|---|"]
    for entry in stored["rows"]:
        row = Row(name=entry["name"], what=entry["what"], script="",
                  metrics=[tuple(m) for m in entry["metrics"]], arguments=lambda d, o: [])
        lines += _table_rows(dict(entry, row=row, limit=None))
    return lines + [""]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per side (min 3)")
    parser.add_argument("--rows", nargs="+", default=["P1", "P2", "P3", "P4", "P5", "P6"],
                        help="rows to run")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--large", action="store_true",
                        help="instead: the large rows (P3 at 512³, CPU training), once a "
                        "side, stored in --large-output (make bench-large)")
    parser.add_argument("--refresh-stored", action="store_true",
                        help="instead: rewrite only the large and GPU rows' sections of "
                        "--output from their files, measuring nothing")
    parser.add_argument("--peer-setup", action="store_true",
                        help="run bench/peer-setup.sh (the upstream release's venv) while "
                        "the data is written (make bench)")
    parser.add_argument("--large-output", type=Path, default=LARGE_RESULTS,
                        help="the large rows' JSON (written by --large, read otherwise)")
    parser.add_argument("--gpu-results", type=Path, default=GPU_RESULTS,
                        help="P7's JSON (bench/gpu_train.py --json), read if it exists")
    return parser


def _prepare(data: Path, rows: List[str], large: bool = False) -> Dict[str, Any]:
    """Writes the data of ``rows`` (with ``large``: of the large rows) once, with
    both sides' metadata."""
    facts: Dict[str, Any] = {}
    if large:
        _write_crops(data / "crops.zarr", size=P2_CROP)
        return _write_affinities(data / "affs.zarr", large=True)
    if "P1" in rows:
        facts["p1_output_shape"] = _write_p1_volume(data / "p1.zarr")
    if "P2" in rows:
        _write_crops(data / "crops.zarr", size=P2_CROP)
        _extract_before(data / "before")
    if "P3" in rows:
        facts.update(_write_affinities(data / "affs.zarr"))
    if "P5" in rows:
        _write_small_crops(data / "crops32.zarr", P5_CROPS)
    if "P6" in rows:
        _write_crops(data / "validation.zarr", names=["train0", "val0", "val1"], size=64,
                     seed=20)
    return facts


def _extract_before(folder: Path) -> None:
    """The ``dacapo`` package of commit ``BEFORE`` into ``folder`` (nothing if this
    checkout lacks it: the ``before`` side then reports that it was not measured)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", BEFORE,
                              "dacapo"], capture_output=True)
    if archive.returncode != 0:
        return
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")


def _write_affinities(path: Path, large: bool = False) -> Dict[str, int]:
    """``affs_256`` (with ``large``: ``affs_512`` instead): noisy uint8 affinities of
    synthetic cells (512³: the 256³ cells tiled 2 x 2 x 2, each copy with its own
    ids; making 512³ anew takes minutes here); the number of true objects."""
    import numpy as np

    from dacapo.utils.synthetic import generate_volume

    labels = generate_volume((256,) * 3, seed=1, cell_size=24).labels.astype(np.uint32)
    step = int(labels.max()) + 1
    if not large:
        _store_affinities(path, "affs_256", labels)
        return {"truth_objects": int(np.count_nonzero(np.unique(labels)))}
    copies = [[[labels + (4 * z + 2 * y + x) * step * (labels > 0) for x in range(2)]
               for y in range(2)] for z in range(2)]
    volume: np.ndarray = np.block(copies)
    _store_affinities(path, "affs_512", volume)
    return {"truth_objects_512": int(np.count_nonzero(np.unique(volume)))}


def _store_affinities(path: Path, name: str, labels, slab: int = 64) -> None:
    """The affinities of ``labels`` (offsets 1 along z, y, x) plus Gaussian noise
    (sigma 0.1), as uint8, a slab of z at a time (no full float copy)."""
    import numpy as np
    import zarr

    from dacapo.utils.affinities import seg_to_affgraph

    affinities = seg_to_affgraph(labels, [(1, 0, 0), (0, 1, 0), (0, 0, 1)])
    stored = zarr.open_group(str(path), mode="a").create_dataset(
        name, shape=affinities.shape, dtype=np.uint8, chunks=(3, 64, 64, 64),
        overwrite=True)
    random = np.random.default_rng(0)
    for z in range(0, labels.shape[0], slab):
        part = affinities[:, z:z + slab].astype(np.float32)
        part += random.normal(0, 0.1, part.shape).astype(np.float32)
        stored[:, z:z + slab] = (np.clip(part, 0, 1) * 255).astype(np.uint8)
    stored.attrs.update(_ATTRIBUTES, axes=["c", "z", "y", "x"],
                        axis_names=["c^", "z", "y", "x"])


def _write_p1_volume(path: Path) -> List[int]:
    """``p1/raw`` (and ``p1/mito`` for the run's datasplit); the output shape
    (``P1_SIZE`` less the U-Net's 40 voxels of context)."""
    _write_crops(path, names=["p1"], size=P1_SIZE, seed=3)
    return [P1_SIZE - 40] * 3


def _write_small_crops(path: Path, count: int, size: int = 32) -> None:
    """``crop<i>/raw`` and ``crop<i>/mito`` of ``size``³, cut from one volume."""
    import numpy as np
    import zarr

    from dacapo.utils.synthetic import CLASS_NAMES, generate_volume

    mito = next(i for i, name in CLASS_NAMES.items() if name == "mitochondrion")
    volume = generate_volume((size, size, size * count), seed=30)
    root = zarr.open_group(str(path), mode="w")
    for i in range(count):
        cut = (slice(None), slice(None), slice(i * size, (i + 1) * size))
        for name, data in (("raw", volume.raw[cut]), ("mito", volume.semantic[cut] == mito)):
            array = root.create_dataset(f"crop{i}/{name}", data=data.astype(np.uint8),
                                        chunks=(size,) * 3)
            array.attrs.update(_ATTRIBUTES)


def _write_crops(path: Path, names: Optional[List[str]] = None, size: int = 192,
                 seed: int = 10) -> None:
    """``<name>/raw`` and ``<name>/mito`` (mitochondria, 0/1) of ``size``³ each
    (default: ``crop0`` and ``crop1`` of 192³ for P2)."""
    import numpy as np
    import zarr

    from dacapo.utils.synthetic import CLASS_NAMES, generate_volume

    mito = next(i for i, name in CLASS_NAMES.items() if name == "mitochondrion")
    root = zarr.open_group(str(path), mode="w")
    for i, crop in enumerate(names or ["crop0", "crop1"]):
        volume = generate_volume((size,) * 3, seed=seed + i, voxel_size=(8, 8, 8))
        for name, data in (("raw", volume.raw), ("mito", (volume.semantic == mito))):
            array = root.create_dataset(f"{crop}/{name}", data=data.astype(np.uint8),
                                        chunks=(64, 64, 64))
            array.attrs.update(_ATTRIBUTES)


def _measure(row: Row, scratch: Path, data: Dict[str, Any], reps: int) -> Dict[str, Any]:
    """Runs ``row`` A B A B; the median of each side, or its failure."""
    values: Dict[str, List[Dict[str, Any]]] = {side: [] for side in row.sides}
    failures: Dict[str, str] = {}
    for rep in range(row.repetitions or max(3, reps)):
        for side in row.sides:
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
    # the limit last: the first runs of a fresh clone meet a cold machine
    limit = _run(row, "ours", scratch / "limit", scratch.parent / "data",
                 row.limit) if row.limit else None
    medians = {side: {key: statistics.median(float(r[key]) for r in runs)
                      for _, key, _ in row.metrics}
               for side, runs in values.items() if runs}
    return {"row": row, "medians": medians, "failures": failures, "limit": limit,
            "runs": {side: len(runs) for side, runs in values.items()}}


def _run(row: Row, side: str, folder: Path, data: Path,
         arguments: Optional[Callable[[Path, Path], List[str]]] = None) -> Any:
    """The JSON a row's script printed (with ``arguments``, default the row's),
    or the reason it failed."""
    folder.mkdir(parents=True)
    (folder / "dacapo.yaml").write_text(f"runs_base_dir: {folder / 'runs'}\n" + (
        UPSTREAM_OPTIONS if side == "upstream" else ""))
    env = dict(os.environ, DACAPO_OPTIONS_FILE=str(folder / "dacapo.yaml"))
    if side == "upstream":
        env["PYTHONPATH"] = str(HERE / ".peer-stubs")
    if side == "before":
        if not (data / "before" / "dacapo").is_dir():
            return f"not measured: this checkout has no commit {BEFORE} (git history)"
        env["PYTHONPATH"] = str(data / "before")
    command = SIDES[side] + [str(HERE / "rows" / row.script),
                             *(arguments or row.arguments)(data, folder)]
    start = time.monotonic()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                          preexec_fn=_first_to_go)
    print(f"{row.name} {side} {folder.name}: {time.monotonic() - start:.0f} s",
          file=sys.stderr, flush=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        error = _error_line(done.stderr)
        if done.returncode < 0:  # a signal: the last line of stderr says nothing
            error = f"killed by {signal.Signals(-done.returncode).name}" + (
                " (out of memory?)" if done.returncode == -signal.SIGKILL else "")
        return f"failed (exit {done.returncode}, {time.monotonic() - start:.0f} s): {error}"
    return json.loads(lines[-1])


#: the line of a traceback that names the exception (``module.SomeError: message``)
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def _error_line(stderr: str) -> str:
    """The last line of ``stderr`` that names an exception, else its last line
    (progress bars, which end with ``\\r``, count as lines: they may come last)."""
    lines = [line.strip() for line in re.split(r"[\r\n]+", stderr) if line.strip()]
    named = [line for line in lines if _EXCEPTION.match(line)]
    return (named or lines or ["(no output)"])[-1]


def _first_to_go() -> None:
    """Makes a row's processes the OOM killer's first choice (upstream's 512³
    watershed outgrows a 24 GiB machine), not the machine's other jobs."""
    try:
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError:
        pass


def _report(results: List[Dict[str, Any]]) -> str:
    lines = ["# Benchmarks: us against the upstream release (dacapo-ml 0.3.5)", "",
             "## Measured by this run", "",
             f"Run {_now()} by `make bench` on {_machine()}. The rows measured elsewhere "
             "(and where and when) follow in their own sections.", "",
             "Medians of runs alternating ours / upstream (A B A B); advantage = how many "
             "times faster or smaller ours is (above 1: ours wins).", "",
             "| row | what | ours | upstream | advantage |", "|---|---|---|---|---|"]
    for result in results:
        lines += _table_rows(result)
    lines += _before_lines(results)
    lines += ["", "Upstream runs with placeholders for `fibsem_tools` and `cellmap_models` "
              "(see `bench/peer-setup.sh`): `MissingAnnotationsMask` and `CosemStart` are "
              "not benchmarked.", ""]
    return "\n".join(lines)


def _before_lines(results: List[Dict[str, Any]]) -> List[str]:
    """The rows also measured with the code before issue 14: before, now, speed-up."""
    lines = []
    for result in results:
        row, medians = result["row"], result["medians"]
        if "before" not in row.sides:
            continue
        for label, key, unit in row.metrics:
            ratio = (f"{medians['ours'][key] / medians['before'][key]:.2f}"
                     if {"ours", "before"} <= medians.keys() else "-")
            lines.append(f"| {row.name} | {row.what}: {label} | "
                         f"{_cell(result, 'before', key, unit)} | "
                         f"{_cell(result, 'ours', key, unit)} | {ratio} |")
    if not lines:
        return []
    return ["", f"Our code before issue 14's speed work (commit {BEFORE}) against now, "
            "measured in this run, alternating with the columns above:", "",
            f"| row | what | before ({BEFORE}) | now | speed-up |", "|---|---|---|---|---|",
            *lines]


def _table_rows(result: Dict[str, Any]) -> List[str]:
    row, medians = result["row"], result["medians"]
    lines = []
    for label, key, unit in row.metrics:
        ratio = _advantage(medians, key) if set(COLUMNS) <= medians.keys() else "-"
        lines.append(f"| {row.name} | {row.what}: {label} | {_cell(result, 'ours', key, unit)} "
                     f"| {_cell(result, 'upstream', key, unit)} | {ratio} |")
    if row.limit:
        lines.append(_limit_row(result))
    return lines


def _limit_row(result: Dict[str, Any]) -> str:
    """Each side's median as a fraction of the limit (one run of the bare loop)."""
    row, limit = result["row"], result["limit"]
    label, key, unit = row.metrics[0]
    if isinstance(limit, str):
        cells = [limit.replace("|", "/")] * 2
    else:
        cells = [f"{result['medians'][side][key] / limit[key]:.2f}"
                 if side in result["medians"] else "-" for side in COLUMNS]
    bare = limit[key] if isinstance(limit, dict) else float("nan")
    return (f"| {row.name} | fraction of the limit, the bare loop of forward passes "
            f"({bare:.3g} {unit}) | {cells[0]} | {cells[1]} | - |")


def _advantage(medians: Dict[str, Dict[str, float]], key: str) -> str:
    """How many times better ours is (above 1: ours wins)."""
    ours, theirs = medians["ours"][key], medians["upstream"][key]
    better = ours / theirs if key in HIGHER_IS_BETTER else theirs / ours
    return f"{better:.2f}"


def _cell(result: Dict[str, Any], side: str, key: str, unit: str) -> str:
    if side in result["failures"]:
        failure = result["failures"][side].replace("|", "/")
        return failure if len(failure) <= 240 else failure[:237] + "..."
    if side not in result["medians"]:
        return "not measured"
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
