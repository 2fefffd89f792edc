"""``run_blockwise``: run a worker over a ROI with daisy, resuming, with a
progress bar, and raising ``BlockwiseError`` when blocks fail."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

import daisy
import numpy as np
from daisy.logging import get_log_basedir
from funlib.geometry import Coordinate, Roi

from dacapo.errors import BlockwiseError

from ._progress import BlockwiseProgress, summary_line
from .blockwise_task import DaCapoBlockwiseTask
from .tracking import done_count, failure_count
from .worker import failure_dir

logger = logging.getLogger(__name__)

__all__ = ["run_blockwise", "run_task"]

#: failed block ids named in an error message at most
MAX_IDS_SHOWN = 10


def run_blockwise(worker_file: Any, total_roi: Roi, read_roi: Roi, write_roi: Roi,
                  num_workers: int = 16, max_retries: int = 2, timeout: Optional[float] = None,
                  upstream_tasks: Any = None, *args: Any, compute_context: Any = None,
                  tracking_dir: Any = None, voxel_size: Any = None, **kwargs: Any) -> bool:
    """Runs ``worker_file`` over ``total_roi`` block by block and returns True.

    The worker and every argument are those of ``DaCapoBlockwiseTask`` (which
    see): ``*args``/``**kwargs`` go to the worker's ``spawn_worker`` (or to a
    callable worker after the block). Blocks finished by an earlier run of the
    same job are skipped (``tracking_dir``). A progress bar counts blocks done,
    skipped and failed, and an INFO line sums the job up (blocks, blocks/s,
    voxels/s, retries).

    Args:
        voxel_size: For the voxels/s of the summary; default: the voxel size
            of ``kwargs["output_array_identifier"]`` when given.

    Raises:
        BlockwiseError: Blocks failed after ``max_retries`` retries, or the
            workers could not run; the message names the task, the failed
            block ids, the worker logs and shows the first worker traceback.
    """
    task = DaCapoBlockwiseTask(
        worker_file, total_roi, read_roi, write_roi, num_workers, max_retries, timeout,
        upstream_tasks, *args, compute_context=compute_context, tracking_dir=tracking_dir,
        **kwargs,
    )
    return run_task(task, voxel_size=voxel_size)


def run_task(task: DaCapoBlockwiseTask, voxel_size: Any = None) -> bool:
    """Runs a ``DaCapoBlockwiseTask`` (and its upstream tasks); see ``run_blockwise``."""
    progress = BlockwiseProgress()
    _clear_failure_records(task.task_id)
    failures_before = failure_count(task.tracking.path) or 0
    if task.serial is not None:
        task.serial.progress = progress
        progress.start_serial(task.task_id, _block_count(task),
                              done_count(task.tracking.path) or 0)
    try:
        states = _run(task, progress)
        state = states[task.task_id]
        if task.serial is not None:
            progress.on_finish({task.task_id: state})
        retries = _retries(task, state, failures_before)
        logger.info(summary_line(task.task_id, state, progress.seconds.get(task.task_id, 0.0),
                                 _voxels_per_block(task, voxel_size), retries))
        if state.failed_count or state.orphaned_count or not state.is_done():
            raise _failure(task, state, _first_traceback(task, state))
    finally:
        task.tracking.cleanup()
    return True


def _run(task: DaCapoBlockwiseTask, progress: BlockwiseProgress) -> Dict[str, Any]:
    try:
        return daisy.run_blockwise([task], multiprocessing=task.multiprocessing,
                                   progress=progress, return_states=True, summary=False)
    except RuntimeError as error:
        states = getattr(error, "daisy_states", None)
        if not states or task.task_id not in states:
            raise  # not a run that daisy gave up: a configuration error
        state = states[task.task_id]
        reason = state.abandon_reason or str(error)
        trace = state.first_worker_error or state.last_worker_error or ""
        # a crashed worker process: what it printed, not daisy's frames around it
        trace = trace.split("worker stderr tail:\n", 1)[-1]
        raise _failure(task, state, trace, f"daisy gave up on its workers: {reason}") from None


def _block_count(task: DaCapoBlockwiseTask) -> int:
    graph = daisy.BlockwiseDependencyGraph(
        task.task_id, task.read_roi, task.write_roi, task.read_write_conflict, task.fit,
        total_read_roi=task.total_roi,
    )
    return int(graph.num_blocks)


def _retries(task: DaCapoBlockwiseTask, state, failures_before: int) -> Optional[int]:
    after = failure_count(task.tracking.path)
    if after is None:
        return None
    return max(0, after - failures_before - int(state.failed_count))


def _voxels_per_block(task: DaCapoBlockwiseTask, voxel_size: Any) -> Optional[float]:
    if voxel_size is None and task.output_array_identifier is not None:
        try:
            from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

            voxel_size = ZarrArray.open_from_array_identifier(
                task.output_array_identifier).voxel_size
        except Exception:  # only the summary needs it
            logger.debug("no voxel size for %s", task.output_array_identifier, exc_info=True)
    if voxel_size is None:
        return None
    return float(np.prod(task.write_roi.shape / Coordinate(voxel_size)))


def _clear_failure_records(task_id: str) -> None:
    directory = failure_dir(get_log_basedir(), task_id)
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


def _first_traceback(task: DaCapoBlockwiseTask, state) -> str:
    """The traceback of the failed block with the lowest id (worker processes
    leave them in the log dir), else the first daisy received."""
    if task.serial is not None and task.serial.first_failure:
        return task.serial.first_failure
    directory = failure_dir(get_log_basedir(), task.task_id)
    if directory is not None and directory.is_dir():
        ids = sorted(block.block_id[1] for block in task.failed_blocks())
        files = [directory / f"block_{i}.txt" for i in ids] + sorted(directory.glob("*.txt"))
        for path in files:
            if path.is_file():
                return path.read_text()
    return state.first_worker_error or state.last_worker_error or ""


def _failure(task: DaCapoBlockwiseTask, state, trace: str,
             reason: Optional[str] = None) -> BlockwiseError:
    ids = sorted(block.block_id[1] for block in task.failed_blocks())
    shown = ", ".join(str(i) for i in ids[:MAX_IDS_SHOWN])
    if len(ids) > MAX_IDS_SHOWN:
        shown += f", ... ({len(ids)} in all)"
    counts = (f"{int(state.failed_count)} of {int(state.total_block_count)} blocks failed"
              + (f" (block ids {shown})" if ids else "")
              + (f", {int(state.orphaned_count)} left unprocessed"
                 if state.orphaned_count else ""))
    lines: List[str] = [
        f"blockwise task {task.task_id!r} (worker {task.worker_name!r}) did not finish: "
        + (reason or counts) + f"; worker logs: {_log_dir(task.task_id)}",
    ]
    if reason:
        lines.append(counts)
    lines.append("Run it again to retry only the blocks that did not finish"
                 + ("" if not task.tracking.ephemeral else
                    " (with block tracking: give tracking_dir)") + ".")
    if trace:
        lines.append("First failure:\n" + trace.rstrip())
    return BlockwiseError("\n".join(lines))


def _log_dir(task_id: str) -> str:
    basedir = get_log_basedir()
    if basedir is None:
        return "none (daisy.logging.set_log_basedir(None) turned them off)"
    return f"{Path(basedir).resolve() / task_id}/"
