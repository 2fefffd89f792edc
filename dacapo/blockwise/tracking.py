"""Where blockwise jobs record their finished blocks, so a rerun resumes.

daisy 2 keeps one byte per block ("done") and a failure count per block in a
small Zarr v3 group per task, ``<tracking dir>/<task id>/``; the scheduler
writes a block's byte only after the worker released the block, that is after
the block's data was written. A rerun of the same task (same worker, ROIs
and arguments, hence the same task id) skips the blocks marked done.

The tracking dir of an output dataset lies next to its container::

    /data/out.zarr                 the output container
    /data/out.zarr.blocks/pred/    tracking dir of dataset "pred"
        output-stamp.json          which version of the dataset it tracks
        threshold_worker_3f2a9c1b0d4e/   daisy's records of one task

The stamp identifies the dataset's metadata file (``.zarray``; N5:
``attributes.json``) by inode and modification time. Recreating the dataset
(``overwrite=True``) rewrites that file, so the next run finds a different
stamp and wipes the records: blocks are never skipped for an output that no
longer holds them. Changing data in place without recreating the dataset is
not detected; call ``reset_tracking`` then.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any, Optional

import numpy as np

logger = logging.getLogger(__name__)

__all__ = ["tracking_dir_for", "prepare_tracking_dir", "reset_tracking"]

STAMP_FILE = "output-stamp.json"


def tracking_dir_for(output_array_identifier: Any) -> Path:
    """The tracking dir of an output dataset: ``<container>.blocks/<dataset>``."""
    container = str(output_array_identifier.container).rstrip("/")
    return Path(f"{container}.blocks") / str(output_array_identifier.dataset).strip("/")


def reset_tracking(tracking_dir: Any) -> None:
    """Forgets every finished block recorded under ``tracking_dir``."""
    shutil.rmtree(tracking_dir, ignore_errors=True)


def prepare_tracking_dir(tracking_dir: Path, output_array_identifier: Any = None) -> None:
    """Creates ``tracking_dir``; wipes it first when it tracked another version
    of the output dataset (one since recreated)."""
    stamp = _output_stamp(output_array_identifier)
    stamp_file = tracking_dir / STAMP_FILE
    if stamp is not None and stamp_file.exists():
        recorded = json.loads(stamp_file.read_text())
        if recorded != stamp:
            logger.info("%s was recreated: forgetting the blocks recorded in %s",
                        output_array_identifier, tracking_dir)
            reset_tracking(tracking_dir)
    tracking_dir.mkdir(parents=True, exist_ok=True)
    if stamp is not None and not stamp_file.exists():
        _write_atomically(stamp_file, json.dumps(stamp))


def _output_stamp(identifier: Any) -> Optional[dict]:
    if identifier is None:
        return None
    container = str(identifier.container)
    if "://" in container:
        return None
    metadata = "attributes.json" if container.rstrip("/").endswith(".n5") else ".zarray"
    path = Path(container) / str(identifier.dataset).strip("/") / metadata
    try:
        status = path.stat()
    except OSError:
        return None
    return {"dataset": str(path.parent), "inode": status.st_ino,
            "mtime_ns": status.st_mtime_ns}


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def failure_count(task_tracking_path: Path) -> Optional[int]:
    """Failed block attempts daisy recorded for one task (all runs together),
    or None when its records cannot be read."""
    return _sum_records(task_tracking_path / "failures", "uint32")


def done_count(task_tracking_path: Path) -> Optional[int]:
    """Blocks daisy recorded as done for one task, or None when unreadable."""
    return _sum_records(task_tracking_path / "done", "uint8")


def _sum_records(array: Path, dtype: str) -> Optional[int]:
    """Sum of a daisy tracking array (Zarr v3, raw little-endian chunks)."""
    try:
        meta = json.loads((array / "zarr.json").read_text())
    except (OSError, ValueError):
        return None
    codecs = [c.get("name") for c in meta.get("codecs", [])]
    if meta.get("data_type") != dtype or codecs != ["bytes"]:
        return None  # a layout this reader does not know
    total = 0
    for chunk in (array / "c").rglob("*"):
        if chunk.is_file():
            total += int(np.fromfile(chunk, dtype=np.dtype(dtype).newbyteorder("<")).sum())
    return total


class TaskTracking:
    """The tracking dir of one task: ``<base>/<task id>``. Without a base
    (tracking off) it is a fresh temporary dir, removed with this object, so
    that failed blocks can still be listed."""

    def __init__(self, base: Optional[Path], task_id: str, output_array_identifier: Any = None):
        self.ephemeral = base is None
        if base is None:
            base = Path(tempfile.mkdtemp(prefix="dacapo-blocks-"))
            self._finalizer = weakref.finalize(self, shutil.rmtree, base, True)
        else:
            prepare_tracking_dir(base, output_array_identifier)
        self.base = base
        self.path = base / task_id

    def cleanup(self) -> None:
        """Removes a temporary tracking dir (persistent ones stay)."""
        if self.ephemeral:
            self._finalizer()
