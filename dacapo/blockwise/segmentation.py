"""``segment_blockwise``: one consistent segmentation of a large volume, one
block with context at a time.

Steps (memory bounded by a block; the table by the number of id pairs):

1. **Segment** (``segment_worker``, blocks without conflicts): each block is
   segmented with ``context`` around its write ROI, its ids are made unique
   (``block_id * voxels_per_block`` + 1..n, uint64) and written, and its
   faces are recorded.
2. **Pair and join** (here): the faces of neighbouring blocks give the pairs
   of ids that are one object (both blocks label the two voxels across the
   face alike; see ``dacapo.blockwise._faces``); a union-find over the pairs
   (``scipy.sparse.csgraph.connected_components``) maps every id to the
   smallest id of its object: a lookup table of the ids that change.
3. **Relabel** (``relabel_worker``): each block of the output is rewritten
   through the table, which every worker loads once.

Faces and the table live in ``<tracking dir>/segment_<hash>.tmp/`` next to
the block records (see ``dacapo.blockwise.tracking``), so an interrupted job
run again resumes every step; they are removed after success unless
``keep_tmpdir``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import BlockwiseError, ConfigError, RoiError

from . import relabel_worker, segment_worker
from ._faces import components_lut, face_pairs
from ._task_id import make_task_id, stable_repr
from .blockwise_task import DaCapoBlockwiseTask, _default_context, _tracking_base
from .scheduler import run_task

logger = logging.getLogger(__name__)

__all__ = ["segment_blockwise"]


def segment_blockwise(segment_function_file: Any, context: Any, total_roi: Roi, read_roi: Roi,
                      write_roi: Roi, num_workers: int = 16, max_retries: int = 2,
                      timeout: Optional[float] = None, upstream_tasks: Any = None,
                      keep_tmpdir: bool = False, *args: Any, compute_context: Any = None,
                      tracking_dir: Any = None, **kwargs: Any) -> bool:
    """Segments ``total_roi`` block by block into one segmentation; returns True.

    Args:
        segment_function_file: ``segment_function(input_array, block,
            **parameters)`` returning integer labels for ``block.read_roi``
            (0: background), or a file or module defining it (and optionally
            ``default_parameters``), or ``"module:name"``.
        context: World units read around each block's write ROI on every side.
        total_roi: The ROI to segment (world units), inside the input and the
            output arrays.
        read_roi: A block's read ROI: ``write_roi`` grown by ``context``.
        write_roi: A block's write ROI (a multiple of the voxel size; best a
            multiple of the output's chunks).
        keep_tmpdir: Keep the faces and the lookup table after success.
        compute_context: As for ``run_blockwise``; ``tracking_dir`` too.
        kwargs: ``input_array_identifier`` and ``output_array_identifier``
            (an existing uint64 dataset covering ``total_roi``), and the
            segment function's ``parameters`` (a dict; other keyword
            arguments are parameters too).

    Raises:
        BlockwiseError: Blocks failed (faces and records are kept, so running
            it again resumes).
    """
    input_id, output_id, parameters = _arguments(args, kwargs)
    context = Coordinate(context)
    voxels_per_block = _check_geometry(context, total_roi, read_roi, write_roi, input_id,
                                       output_id)
    base = _tracking_base(tracking_dir, output_id)
    ephemeral = base is None
    base = _temporary_dir(output_id) if base is None else base
    job_id = make_task_id("segment", stable_repr(segment_function_file),
                          (total_roi, read_roi, write_roi, context), (),
                          {"input": input_id, "output": output_id, "parameters": parameters})
    tmpdir = base / f"{job_id}.tmp"
    common = dict(num_workers=num_workers, max_retries=max_retries, timeout=timeout,
                  compute_context=_default_context(compute_context), tracking_dir=base)
    try:
        _segment(segment_function_file, context, total_roi, read_roi, write_roi, upstream_tasks,
                 input_id, output_id, parameters, tmpdir, voxels_per_block, common)
        lut = _join(tmpdir)
        if lut is not None:
            run_task(DaCapoBlockwiseTask(
                relabel_worker, total_roi, _at_origin(write_roi), _at_origin(write_roi),
                output_array_identifier=output_id, lut=str(lut), **common))
    except BlockwiseError as error:
        error.with_context("segment_blockwise" if ephemeral else (
            f"segment_blockwise (faces and tables in {tmpdir}; run it again to resume)"))
        raise
    finally:
        if ephemeral and not keep_tmpdir:  # a rerun could not find it anyway
            _remove(base)
    if not keep_tmpdir:
        _remove(tmpdir)
    return True


def _temporary_dir(output_id: Any) -> Path:
    """A new directory beside the output container (on a file system that
    cluster workers share with this process), else in the system's."""
    container = str(output_id.container)
    parent = None if "://" in container else Path(container).resolve().parent
    return Path(tempfile.mkdtemp(prefix=".dacapo-segment-", dir=parent))


def _arguments(args: tuple, kwargs: Dict[str, Any]) -> Tuple[Any, Any, Dict[str, Any]]:
    if args:
        raise ConfigError(f"segment_blockwise: unexpected positional arguments {args!r}; "
                          "give the segment function's parameters as parameters={...}")
    missing = [k for k in ("input_array_identifier", "output_array_identifier")
               if kwargs.get(k) is None]
    if missing:
        raise ConfigError(f"segment_blockwise: missing {', '.join(missing)}; give the "
                          "input and output datasets as LocalArrayIdentifier keyword arguments")
    input_id = kwargs.pop("input_array_identifier")
    output_id = kwargs.pop("output_array_identifier")
    parameters = {**dict(kwargs.pop("parameters", None) or {}), **kwargs}
    return input_id, output_id, parameters


def _check_geometry(context: Coordinate, total_roi: Roi, read_roi: Roi, write_roi: Roi,
                    input_id: Any, output_id: Any) -> int:
    """Raises ``RoiError`` unless the ROIs fit the arrays; returns the voxels
    of a write block."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    where = "segment_blockwise"
    if read_roi.shape != write_roi.grow(context, context).shape or (
        write_roi.begin - read_roi.begin != context
    ):
        raise RoiError(f"{where}: read_roi {read_roi} is not write_roi {write_roi} grown by "
                       f"context {tuple(context)} on every side; use "
                       "read_roi = write_roi.grow(context, context)")
    input_array = ZarrArray.open_from_array_identifier(input_id)
    output_array = ZarrArray.open_from_array_identifier(output_id)
    voxel_size = input_array.voxel_size
    for name, array in (("input", input_array), ("output", output_array)):
        if not array.roi.contains(total_roi):
            raise RoiError(f"{where}: total_roi {total_roi} is not inside the {name} array "
                           f"{array.name!r} (ROI {array.roi}); give a total_roi inside it")
    if output_array.voxel_size != voxel_size or not _on_grid(
        voxel_size, write_roi.shape, context, total_roi.begin, total_roi.shape
    ):
        raise RoiError(f"{where}: write_roi {write_roi}, context {tuple(context)} and "
                       f"total_roi {total_roi} must be multiples of the voxel size "
                       f"{tuple(voxel_size)} of input and output (output: "
                       f"{tuple(output_array.voxel_size)})")
    return int(np.prod(write_roi.shape / voxel_size))


def _on_grid(voxel_size: Coordinate, *coordinates: Any) -> bool:
    return all(c % v == 0 for coordinate in coordinates for c, v in zip(coordinate, voxel_size))


def _at_origin(roi: Roi) -> Roi:
    return Roi((0,) * roi.dims, roi.shape)


def _segment(function: Any, context: Coordinate, total_roi: Roi, read_roi: Roi,
             write_roi: Roi, upstream_tasks: Any, input_id: Any, output_id: Any,
             parameters: Dict[str, Any], tmpdir: Path, voxels_per_block: int,
             common: Dict[str, Any]) -> None:
    """Step 1: segment every block, writing its ids and faces."""
    run_task(DaCapoBlockwiseTask(
        segment_worker, total_roi.grow(context, context), read_roi, write_roi,
        upstream_tasks=upstream_tasks, input_array_identifier=input_id,
        output_array_identifier=output_id, segment_function=function,
        faces_dir=str(tmpdir / "faces"), voxels_per_block=voxels_per_block,
        parameters=parameters, **common,
    ))


def _join(tmpdir: Path) -> Optional[Path]:
    """Step 2: pairs across faces -> union-find -> ``lut.npz`` (None when no
    id changes)."""
    faces = tmpdir / "faces"
    pairs = face_pairs(faces) if faces.is_dir() else np.empty((0, 2), dtype=np.uint64)
    old, new = components_lut(pairs)
    logger.info("segment_blockwise: %d id pairs across block faces join %d ids into others",
                len(pairs), len(old))
    if len(old) == 0:
        return None
    path = tmpdir / "lut.npz"
    tmp = tmpdir / f".lut.{os.getpid()}.tmp.npz"
    np.savez(tmp, old=old, new=new)
    os.replace(tmp, path)
    return path


def _remove(path: Optional[Path]) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)
