"""Segment worker: the first step of ``segment_blockwise``.

Per block: the segment function labels the block's read ROI (the write ROI
with context, clipped to the input); the labels of the write ROI are
renumbered 1..n plus ``block_id * voxels_per_block`` (uint64, so ids of
different blocks never collide) and written; then the block's faces (see
``dacapo.blockwise._faces``) go to ``faces_dir``, before the block is
released, so a block recorded as done always has its faces.

A segment function is ``segment_function(input_array, block, **parameters)``
returning integer labels (0: background) for ``block.read_roi``, in voxels
of ``input_array``. It is a Python callable, a file defining
``segment_function`` (and optionally a ``default_parameters`` dict), a
module defining them, or ``"module:name"``. Blocks do not conflict (``read_write_conflict = False``:
faces are paired afterwards, not read from neighbours) and ``fit =
"shrink"`` covers the whole ROI. As a command::

    python -m dacapo.blockwise.segment_worker start-worker \\
        --input-container in.zarr --input-dataset affs \\
        --output-container out.zarr --output-dataset fragments \\
        --segment-function /path/function.py --faces-dir /tmp/faces \\
        --voxels-per-block 262144 [--parameters '{"bias": 0.5}']
"""

from __future__ import annotations

import importlib
import json
import types
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, Tuple

import click
import numpy as np

from dacapo.blockwise._faces import face_planes, save_faces
from dacapo.blockwise.worker import (
    LazyBlockFunction,
    array_identifier,
    array_options,
    identifier_options,
    run_worker,
    worker_cli,
    worker_process,
)
from dacapo.errors import ConfigError
from dacapo.utils.label_ids import unique_ids
from dacapo.utils.roi_slices import roi_slices

read_write_conflict: bool = False
fit: str = "shrink"


def load_segment_function(function: Any) -> Tuple[Callable, Dict[str, Any]]:
    """``(segment_function, default_parameters)`` of a callable, a module or
    file defining ``segment_function``, or ``"module:name"``."""
    if isinstance(function, types.ModuleType):
        module = function
    elif callable(function):
        return function, {}
    elif ":" in str(function) and not Path(str(function)).exists():
        module_name, _, name = str(function).partition(":")
        return getattr(importlib.import_module(module_name), name), {}
    else:
        from dacapo.blockwise._worker_spec import load_worker_file

        module = load_worker_file(Path(str(function)))
    if not callable(getattr(module, "segment_function", None)):
        where = getattr(module, "__file__", None) or module.__name__
        raise ConfigError(f"segment function source {where!r} defines no "
                          "segment_function(input_array, block, **parameters)")
    return module.segment_function, dict(getattr(module, "default_parameters", {}))


def function_reference(function: Any) -> str:
    """Text naming a segment function for a worker command: its file, or
    ``module:name`` of a callable that a new interpreter can import."""
    if isinstance(function, types.ModuleType):
        return str(function.__file__)
    if not callable(function):
        return str(function)
    module, name = getattr(function, "__module__", None), getattr(function, "__qualname__", "")
    try:
        found = getattr(importlib.import_module(module), name) if module else None
    except (ImportError, AttributeError):
        found = None
    if found is not function or module == "__main__" or "." in name:
        raise ConfigError(
            f"segment_blockwise: segment function {function!r} cannot be named in a worker "
            "command (the compute context distributes workers); define it at module level "
            "of an importable module, or give the path of a file defining segment_function"
        )
    return f"{module}:{name}"


def load(input_array_identifier: Any, output_array_identifier: Any, segment_function: Any,
         faces_dir: Any, voxels_per_block: int,
         parameters: Dict[str, Any]) -> Callable[[Any], None]:
    """Opens the arrays and the segment function; returns the block function."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    input_array = ZarrArray.open_from_array_identifier(input_array_identifier)
    output_array = ZarrArray.open_from_array_identifier(output_array_identifier)
    function, defaults = load_segment_function(segment_function)
    return partial(segment_block, input_array=input_array, output_array=output_array,
                   function=function, parameters={**defaults, **parameters},
                   faces_dir=Path(faces_dir), voxels_per_block=int(voxels_per_block))


def segment_block(block, input_array, output_array, function: Callable,
                  parameters: Dict[str, Any], faces_dir: Path, voxels_per_block: int) -> None:
    """Segments, writes and records the faces of one block."""
    import daisy

    voxel_size = input_array.voxel_size
    read_roi = block.read_roi.intersect(input_array.roi)
    write_roi = block.write_roi.intersect(output_array.roi)
    clipped = daisy.Block(read_roi, read_roi, write_roi, task_id=block.task_id,
                          block_id=block.block_id[1])
    labels = np.asarray(function(input_array, clipped, **parameters))
    expected = tuple(read_roi.shape / voxel_size)
    if labels.shape != expected or labels.dtype.kind not in "iub":
        raise ConfigError(
            f"segment function {getattr(function, '__name__', function)!r} returned "
            f"{labels.dtype} labels of shape {labels.shape} for read ROI {read_roi}; expected "
            f"integer labels of shape {expected} (the read ROI in voxels of {voxel_size})"
        )
    slices = roi_slices(write_roi, read_roi.begin, voxel_size)
    written = unique_ids(labels[slices], block.block_id[1] * voxels_per_block)
    output_array[write_roi] = written
    save_faces(faces_dir, write_roi.begin, write_roi.end, face_planes(labels, written, slices))


def spawn_worker(input_array_identifier: Any, output_array_identifier: Any,
                 segment_function: Any, faces_dir: Any, voxels_per_block: int,
                 parameters: Any = None, compute_context: Any = None):
    """The process function of a segment worker (see ``worker_process``)."""
    parameters = dict(parameters or {})
    distributed = compute_context is not None and compute_context.distribute_workers
    options = {**identifier_options("input", input_array_identifier),
               **identifier_options("output", output_array_identifier),
               "segment-function": function_reference(segment_function) if distributed else None,
               "faces-dir": faces_dir, "voxels-per-block": int(voxels_per_block),
               "parameters": json.dumps(parameters)}
    return worker_process(
        __name__, options,
        partial(load, input_array_identifier, output_array_identifier, segment_function,
                faces_dir, int(voxels_per_block), parameters),
        compute_context,
    )


cli = worker_cli()


@cli.command("start-worker")
@array_options("input", "output")
@click.option("--segment-function", "--function_path", required=True,
              help="File defining segment_function, or module:name.")
@click.option("--faces-dir", required=True, help="Directory of the blocks' face records.")
@click.option("--voxels-per-block", type=int, required=True,
              help="Voxels of a full write block (spacing of the blocks' id ranges).")
@click.option("--parameters", default="{}", show_default=True,
              help="Keyword arguments of the segment function, as JSON.")
def start_worker(input_container: str, input_dataset: str, output_container: str,
                 output_dataset: str, segment_function: str, faces_dir: str,
                 voxels_per_block: int, parameters: str) -> None:
    """Segment blocks handed out by the scheduler (DAISY_CONTEXT)."""
    run_worker(LazyBlockFunction(partial(
        load, array_identifier(input_container, input_dataset),
        array_identifier(output_container, output_dataset), segment_function, faces_dir,
        voxels_per_block, json.loads(parameters),
    )))


if __name__ == "__main__":
    cli()
