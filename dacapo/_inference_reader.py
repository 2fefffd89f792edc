"""The read side of prediction: a background thread that reads blocks and
stacks their windows into batches while the model runs.

The main thread hands blocks (``BlockJob``) to the reader and keeps it about
two batches ahead; the reader reads each block's input once (the union of
its windows' inputs, zero-padded beyond the array), cuts the windows out and
emits ``Batch``es of at most ``batch_size()`` windows. Blocks whose input is
empty (``skip_empty``) or cannot be read come back in a batch without windows.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, List, Optional, Tuple

import attr
import numpy as np
from funlib.geometry import Roi

__all__ = ["BlockJob", "Batch", "Reader"]

#: the main thread's last message: flush the partial batch and stop
END = object()


@attr.s(eq=False)
class BlockJob:
    """One block: where it writes, its windows, and what has come back."""

    block: Any = attr.ib()
    write_roi: Roi = attr.ib()
    windows: List[Roi] = attr.ib()
    read_roi: Roi = attr.ib()
    skipped: bool = attr.ib(default=False)
    error: Optional[BaseException] = attr.ib(default=None)
    remaining: int = attr.ib(default=0)
    output: Optional[np.ndarray] = attr.ib(default=None)
    weight: Optional[np.ndarray] = attr.ib(default=None)

    def __attrs_post_init__(self):
        self.remaining = len(self.windows)


@attr.s(eq=False)
class Batch:
    """Windows (``(job, window index)``) stacked in ``data`` (n, c, *shape),
    and blocks that were skipped or could not be read (``job.error``)."""

    items: List[Tuple[BlockJob, int]] = attr.ib(factory=list)
    data: Any = attr.ib(default=None)
    skipped: List[BlockJob] = attr.ib(factory=list)
    failed: List[BlockJob] = attr.ib(factory=list)


class Reader:
    """Reads blocks in a daemon thread.

    Args:
        read: ``read(roi)`` -> float32 ``(c, *spatial)`` input over ``roi``.
        window_slices: ``window_slices(job, index)`` -> index of a window in
            its block's input.
        batch_size: The current number of windows per batch (may shrink).
        is_empty: ``is_empty(job, data)`` -> whether to skip the block.
        pin: Whether to put batches in pinned memory (for CUDA copies).
    """

    def __init__(
        self,
        read: Callable[[Roi], np.ndarray],
        window_slices: Callable[[BlockJob, int], Tuple[slice, ...]],
        batch_size: Callable[[], int],
        is_empty: Callable[[BlockJob, np.ndarray], bool],
        pin: bool = False,
    ):
        self._read = read
        self._window_slices = window_slices
        self._batch_size = batch_size
        self._is_empty = is_empty
        self._pin = pin
        self._jobs: "queue.Queue[Any]" = queue.Queue()
        self._batches: "queue.Queue[Any]" = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dacapo-reader", daemon=True)
        self._thread.start()

    def put(self, job: Any) -> None:
        """Queues a ``BlockJob`` (or ``END``)."""
        self._jobs.put(job)

    def get(self) -> Batch:
        """The next batch; re-raises an error of the reader thread."""
        item = self._batches.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        """Stops the thread (after its current read)."""
        self._stop.set()
        self._jobs.put(END)
        self._thread.join()

    def _run(self) -> None:
        pending: List[Tuple[BlockJob, np.ndarray, int]] = []
        try:
            while not self._stop.is_set():
                job = self._jobs.get()
                if job is END:
                    while pending:
                        pending = self._emit(pending)
                    return
                pending = self._take(job, pending)
        except BaseException as error:  # handed to the main thread
            self._batches.put(error)

    def _take(self, job: BlockJob, pending):
        try:
            data = self._read(job.read_roi)
        except Exception as error:  # this block fails; the others go on
            job.error = error
            self._batches.put(Batch(failed=[job]))
            return pending
        if self._is_empty(job, data):
            job.skipped = True
            self._batches.put(Batch(skipped=[job]))
            return pending
        pending = pending + [(job, data, index) for index in range(len(job.windows))]
        while len(pending) >= self._batch_size():
            pending = self._emit(pending)
        return pending

    def _emit(self, pending):
        size = max(1, self._batch_size())
        chosen, rest = pending[:size], pending[size:]
        stacked = np.stack(
            [data[self._window_slices(job, index)] for job, data, index in chosen]
        )
        self._batches.put(
            Batch(items=[(job, index) for job, _, index in chosen], data=self._tensor(stacked))
        )
        return rest

    def _tensor(self, stacked: np.ndarray):
        import torch

        tensor = torch.from_numpy(stacked)
        return tensor.pin_memory() if self._pin else tensor
