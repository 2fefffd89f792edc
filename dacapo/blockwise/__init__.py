"""Blockwise processing on daisy: run a worker over a large ROI block by
block, locally or on a cluster, resuming where an interrupted run stopped.

- ``run_blockwise(worker, total_roi, read_roi, write_roi, num_workers=16,
  max_retries=2, timeout=None, upstream_tasks=None, *args,
  compute_context=None, tracking_dir=None, voxel_size=None, **kwargs)``
  runs one worker; True on success, ``dacapo.errors.BlockwiseError`` when
  blocks fail.
- ``segment_blockwise(segment_function_file, context, total_roi, read_roi,
  write_roi, num_workers=16, max_retries=2, timeout=None,
  upstream_tasks=None, keep_tmpdir=False, *args, compute_context=None,
  tracking_dir=None, **kwargs)`` segments block by block and joins objects
  across block faces into one segmentation (see
  ``dacapo.blockwise.segmentation``).
- ``DaCapoBlockwiseTask`` is the daisy task both build.

**Workers.** A worker is a worker file (a path), a module, or any object
defining ``read_write_conflict: bool``, ``fit: str`` (daisy's "valid",
"overhang" or "shrink") and ``spawn_worker(*args, **kwargs)`` returning the
process function, optionally ``check_function(block) -> bool`` (True: the
block is done already). ``spawn_worker`` receives ``compute_context=`` when
it names that parameter. It may return a block function ``process(block)``
(run by daisy's worker loop, or in this process) or a worker function of no
arguments that runs its own ``daisy.Client`` loop (always in worker
processes). ``dacapo.blockwise.worker`` has the pieces our workers use:
``worker_process`` loads once per worker and, when the compute context
distributes workers, launches ``python -m <worker module> start-worker ...``
through it. A plain callable ``process(block, *args, **kwargs)`` is a worker
too; its ``read_write_conflict`` (default True) and ``fit`` (default
"shrink") come from ``kwargs``.

**Where workers run.** In this process, one block after the other, when
``num_workers == 1`` or the compute context (default
``dacapo.compute_context.create_compute_context()``) does not distribute
workers; otherwise ``num_workers`` worker processes. Workers running at the
same time must not share chunks of the output: chunk it by the write ROI.

**Resuming.** The task id is the worker's name and a hash of the worker, the
ROIs, ``fit`` and the arguments, never a timestamp. daisy records each block
once the worker released it, after its data was written, in the tracking dir
(``tracking_dir``; by default ``<container>.blocks/<dataset>/`` of
``kwargs["output_array_identifier"]``, see ``dacapo.blockwise.tracking``),
and a rerun skips the recorded blocks. Recreating the output dataset wipes
the records. ``tracking_dir=False``, or no output to put them next to, keeps
records only for the run itself.

**Failures.** A failing block is retried ``max_retries`` times; a worker
process survives its blocks' failures. Then ``BlockwiseError`` names the
task, the failed block ids and the worker logs
(``./daisy_logs/<task id>/worker_<n>.{out,err}``, see
``daisy.logging.set_log_basedir``) and shows the first traceback once. Each
job logs one progress bar (blocks done, skipped, failed) and an INFO summary
line (blocks, blocks/s, voxels/s, retries).

Workers with a ``start-worker`` command: ``threshold_worker``,
``argmax_worker``, ``segment_worker`` and ``relabel_worker``;
``watershed_function`` is a segment function (mutex watershed).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "DaCapoBlockwiseTask": "dacapo.blockwise.blockwise_task",
    "run_blockwise": "dacapo.blockwise.scheduler",
    "segment_blockwise": "dacapo.blockwise.segmentation",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    # daisy loads with the first of these, not with the package (workers'
    # `start-worker --help` and the CLI stay quick)
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dacapo.blockwise' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))
