"""``DaCapoBlockwiseTask``: a daisy task built from a worker (file, module or
callable), with a deterministic id and block tracking for resuming."""

from __future__ import annotations

import copy
import logging
import warnings
from pathlib import Path
from typing import Any, Callable, Optional, Tuple

import attr
import daisy
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, RoiError

from ._task_id import make_task_id
from ._worker_spec import positional_arity, resolve_worker
from .tracking import TaskTracking, tracking_dir_for
from .worker import ClientLoop, record_failure

logger = logging.getLogger(__name__)

__all__ = ["DaCapoBlockwiseTask"]


class DaCapoBlockwiseTask(daisy.Task):
    """A daisy ``Task`` running ``worker_file`` over ``total_roi``.

    The worker is a worker file, an imported worker module or any object with
    ``read_write_conflict``, ``fit`` and ``spawn_worker`` (called with
    ``*args, **kwargs``, plus ``compute_context=`` when it names that
    parameter), or a plain callable ``process(block, *args, **kwargs)``, whose
    ``read_write_conflict`` (default True), ``fit`` (default ``"shrink"``) and
    ``check_function`` come from ``kwargs``.

    ``total_roi`` is the extent read; a block is ``read_roi`` and
    ``write_roi`` shifted together, so what is written is ``total_roi``
    shrunk by the context (daisy's model). In 1D, context 1::

        total_roi   |0 . . . . . . . . . . . . . . . 16|
        read_roi    |0 . . . . 6|
        write_roi     |1 . . 5|
        blocks read |0 . . . . 6|     |8 . . . .14|
                            |4 . . . .10|     |12 . 16|
        and write     |1 . . 5|5 . . 9|9 . .13|13 15|   (fit "shrink" clips the last)

    Workers run in this process, one block after the other, when
    ``num_workers == 1`` or the compute context does not distribute workers;
    otherwise each worker is a process (a command through the compute context
    for worker modules). A ``spawn_worker`` that returns a function of no
    arguments (its own ``daisy.Client`` loop) always gets worker processes.
    When workers write at the same time, the chunks of
    ``kwargs["output_array_identifier"]`` must not straddle blocks
    (``ConfigError`` otherwise: blocks would overwrite each other's voxels).

    The task id is ``<worker name>_<hash>``: the hash covers the worker (its
    file), the ROIs, ``fit`` and the arguments, so the same job gets the same
    id, and a rerun skips the blocks its tracking dir records as done (see
    ``dacapo.blockwise.tracking``).

    Args:
        num_workers: How many workers process blocks at the same time.
        max_retries: How often a failed block is tried again.
        timeout: Seconds a block may take before its worker is stopped and
            the block retried; None: daisy's default (600 s).
        upstream_tasks: Tasks whose overlapping blocks must finish first.
        compute_context: Where workers run; default ``create_compute_context()``.
        tracking_dir: Directory of the done-block records: None puts them next
            to ``kwargs["output_array_identifier"]`` when there is one (else
            none are kept), False keeps none. A new output dataset wipes them.
    """

    worker_name: str
    #: whether daisy runs the workers as processes (else in this process)
    multiprocessing: bool
    serial: Optional["SerialBlock"]
    tracking: TaskTracking
    output_array_identifier: Any

    def __new__(cls, worker_file: Any, total_roi: Roi, read_roi: Roi, write_roi: Roi,
                num_workers: int = 16, max_retries: int = 2, timeout: Optional[float] = None,
                upstream_tasks: Any = None, *args: Any, compute_context: Any = None,
                tracking_dir: Any = None, **kwargs: Any):
        _check_arguments(total_roi, read_roi, write_roi, num_workers, max_retries)
        compute_context = _default_context(compute_context)
        distribute = num_workers > 1 and bool(compute_context.distribute_workers)
        spec = resolve_worker(worker_file, args, kwargs)  # takes the callable's options out
        process = spec.spawn(compute_context if distribute else _in_process(compute_context))
        rois = (total_roi, read_roi, write_roi, spec.fit, spec.read_write_conflict)
        task_id = make_task_id(spec.name, spec.identity, rois, args, kwargs)
        output = kwargs.get("output_array_identifier")
        function, serial = _process_function(process, distribute, spec.name)
        if serial is None and num_workers > 1 and output is not None:  # concurrent writes
            _check_chunks(output, total_roi, read_roi, write_roi)
        tracking = TaskTracking(_tracking_base(tracking_dir, output), task_id, output)
        with warnings.catch_warnings():
            # daisy's advice to prefer done markers over check functions: we use both
            warnings.filterwarnings("ignore", message=r"Task\(check_function")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            self = super().__new__(
                cls, task_id, total_roi, read_roi, write_roi, process_function=function,
                check_function=spec.check_function,
                read_write_conflict=spec.read_write_conflict, fit=spec.fit,
                max_workers=num_workers, max_retries=max_retries, timeout=timeout,
                tracking_path=str(tracking.path), upstream_tasks=list(upstream_tasks or []),
            )
        self.worker_name = spec.name
        self.multiprocessing = serial is None
        self.serial = serial
        self.tracking = tracking
        self.output_array_identifier = output
        return self

    def __init__(self, *args: Any, **kwargs: Any):
        pass  # built in __new__, as daisy's tasks are


def _check_arguments(total_roi, read_roi, write_roi, num_workers, max_retries) -> None:
    for name, roi in (("total_roi", total_roi), ("read_roi", read_roi),
                      ("write_roi", write_roi)):
        if not isinstance(roi, Roi):
            raise ConfigError(f"DaCapoBlockwiseTask: {name} must be a funlib.geometry.Roi, "
                              f"got {type(roi).__name__} {roi!r}")
    if not read_roi.contains(write_roi):
        raise RoiError(
            f"DaCapoBlockwiseTask: write_roi {write_roi} is not inside read_roi {read_roi}; "
            "a block writes (part of) what it reads, e.g. read_roi = write_roi.grow(c, c)"
        )
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 1:
        raise ConfigError(f"DaCapoBlockwiseTask: num_workers must be an integer >= 1, "
                          f"got {num_workers!r}")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigError(f"DaCapoBlockwiseTask: max_retries must be an integer >= 0, "
                          f"got {max_retries!r}")


def _check_chunks(output: Any, total_roi: Roi, read_roi: Roi, write_roi: Roi) -> None:
    """Raises ``ConfigError`` when blocks written at the same time would share
    chunks of the output (and overwrite each other's voxels)."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    array = ZarrArray.open_from_array_identifier(output)
    chunk = Coordinate(array.data.chunks[-array.dims:]) * array.voxel_size
    origin = total_roi.begin + (write_roi.begin - read_roi.begin) - array.roi.begin
    if any(s % c for s, c in zip(write_roi.shape, chunk)) or any(
        o % c for o, c in zip(origin, chunk)
    ):
        raise ConfigError(
            f"DaCapoBlockwiseTask: the output {output} has chunks of {tuple(chunk)} (world "
            f"units), but blocks write {tuple(write_roi.shape)} starting at "
            f"{tuple(origin + array.roi.begin)}: workers running at the same time would "
            "share chunks and overwrite each other's voxels. Create the output with chunks "
            "that divide the write ROI (write_size=write_roi.shape), or use one worker"
        )


def _default_context(compute_context: Any) -> Any:
    if compute_context is not None:
        return compute_context
    from dacapo.compute_context import create_compute_context

    return create_compute_context()


def _in_process(compute_context: Any) -> Any:
    """``compute_context`` telling workers not to distribute themselves."""
    if not getattr(compute_context, "distribute_workers", False):
        return compute_context
    if attr.has(type(compute_context)):
        return attr.evolve(compute_context, distribute_workers=False)
    clone = copy.copy(compute_context)
    clone.distribute_workers = False
    return clone


def _tracking_base(tracking_dir: Any, output: Any) -> Optional[Path]:
    """The tracking dir to use; None: none (records only for this run)."""
    if tracking_dir is False:
        return None
    if tracking_dir is None:
        if output is None or "://" in str(output.container):
            return None  # nothing to put it next to (or not on a local file system)
        return tracking_dir_for(output)
    return Path(tracking_dir)


def _process_function(process: Callable, distribute: bool,
                      name: str) -> Tuple[Callable, Optional["SerialBlock"]]:
    """What daisy runs: a worker function (its own loop, in worker processes),
    ``ClientLoop(process)`` in worker processes, or ``SerialBlock(process)``
    in this process."""
    if not callable(process):
        raise ConfigError(f"DaCapoBlockwiseTask: spawn_worker of {name!r} returned "
                          f"{process!r}, not a process function")
    if positional_arity(process) == 0:
        return process, None
    if distribute:
        return ClientLoop(process), None
    serial = SerialBlock(process)
    return serial, serial


class SerialBlock:
    """Runs a block function in this process; a block that raises is marked
    failed (daisy retries it) instead of ending the run, and its traceback
    goes to the worker log. ``first_failure`` keeps the first one."""

    def __init__(self, process: Callable):
        self.process = process
        self.first_failure: Optional[str] = None
        self.progress: Any = None

    def __call__(self, block) -> None:
        failed = False
        try:
            self.process(block)
        except Exception as error:
            failed = True
            text = record_failure(block, error, logdir=None)
            if self.first_failure is None:
                self.first_failure = text
            block.status = daisy.BlockStatus.FAILED
        if self.progress is not None:
            self.progress.advance(block.task_id, failed=failed)
