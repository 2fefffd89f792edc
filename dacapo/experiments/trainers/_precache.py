"""``gp.PreCache`` whose data workers always hand their errors back."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import traceback
from typing import Optional

import gunpowder as gp

from dacapo.errors import DacapoError
from dacapo.gp.dacapo_array_source import hold_arrays
from dacapo.utils.array_threads import set_array_threads, worker_threads

from ._batch_files import BatchFiles

__all__ = ["PreCache", "lower_priority", "nth_seed", "one_thread_each", "portable_error"]

#: memory in which each data worker may hold whole (small) training arrays, read
#: once instead of for every sample (``dacapo.gp.dacapo_array_source.hold_arrays``)
HELD_BYTES_PER_WORKER = 256 * 2**20
#: how much lower a data worker's scheduling priority is than the training
#: process's (``os.nice``): where cores are short, the training thread, which
#: launches the GPU's work, goes first; idle cores still go to the workers
WORKER_NICENESS = 5


class PreCache(gp.PreCache):
    """``gp.PreCache`` whose workers seed each batch anew and hand back errors
    that survive pickling.

    gunpowder's workers all copy one stored request, so with a seeded request
    (``GunpowderTrainerConfig.random_seed``) every batch of every worker would
    be drawn with the same seed, i.e. be the same batch. Here the workers
    number the batches they start (a counter shared between them) and batch
    ``n`` gets ``nth_seed(seed, n)``: a seeded training draws the same set of
    batches every time (their order may differ by which worker finishes first).

    A worker's exception object travels back through a multiprocessing queue;
    one that cannot be pickled (e.g. because the failing node holds an open
    file) is dropped there, and the training process would wait for it
    forever. Each worker's error is replaced by ``portable_error(error)`` first.

    Each worker computes with one thread (``one_thread_each``): the workers
    already share the cores, and BLAS or torch threads of their own (one per
    core each, by default) would only make them wait for one another.

    Where cores are left over after every worker and the training process
    has one, each worker also splits its heaviest array step (the elastic
    augment's resampling) over ``worker_threads(num_workers)`` threads
    (``dacapo.utils.array_threads``), which the GIL does not hold up; the
    batches stay the same bit for bit.
    Each worker holds small training arrays whole in memory once read
    (``HELD_BYTES_PER_WORKER``), instead of reading and decoding them for
    every sample.

    Large arrays travel through files in memory (``BatchFiles``), not the pipe.
    The workers run at a lower priority than the training process
    (``WORKER_NICENESS``).
    """

    def __init__(self, cache_size: int, num_workers: int, allocate=None):
        super().__init__(cache_size=cache_size, num_workers=num_workers)
        self.allocate = allocate  # of the arrays read back (see ``BatchFiles``)
        self.array_threads = worker_threads(num_workers)
        self._started = multiprocessing.Value("q", 0)  # shared with the forked workers
        self._files: Optional[BatchFiles] = None

    def setup(self):
        super().setup()
        self._files = BatchFiles(allocate=self.allocate)

    def teardown(self):
        super().teardown()
        if self._files is not None:
            self._files.close()

    def provide(self, request):
        batch = super().provide(request)
        return batch if self._files is None else self._files.take(batch)

    def _run_worker(self):
        lower_priority()
        one_thread_each()
        set_array_threads(self.array_threads)
        hold_arrays(HELD_BYTES_PER_WORKER)
        try:
            request = self.current_request.copy()
            if self.current_request.is_deterministic():
                request._random_seed = nth_seed(self.current_request.random_seed, self._next())

            batch = self.get_upstream_provider().request_batch(request)
            return batch if self._files is None else self._files.put(batch)
        except Exception as error:
            raise portable_error(error) from None

    def _next(self) -> int:
        with self._started.get_lock():
            number = int(self._started.value)
            self._started.value += 1
        return number


#: the process whose threads ``one_thread_each`` limited (a data worker is a fork)
_LIMITED = [-1]
#: the process whose priority ``lower_priority`` lowered
_LOWERED = [-1]


def lower_priority() -> None:
    """Lowers this process's scheduling priority by ``WORKER_NICENESS``, once
    per process (``os.nice`` adds up); where that is not allowed it stays."""
    if _LOWERED[0] == os.getpid():
        return
    _LOWERED[0] = os.getpid()
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # e.g. a sandbox without the right: the priority stays
        pass


def one_thread_each() -> None:
    """Limits this process (a data worker) to one BLAS/OpenMP thread and one
    torch thread, once per process, as torch's own ``DataLoader`` does in its
    workers."""
    if _LIMITED[0] == os.getpid():
        return
    _LIMITED[0] = os.getpid()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # numpy's BLAS (the elastic augment's coordinates), OpenMP
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def nth_seed(seed: int, number: int) -> int:
    """The seed of the ``number``-th batch started from a request seeded ``seed``.

    >>> len({nth_seed(5, n) for n in range(1000)})
    1000
    """
    return (seed * 2_654_435_761 + number * 40_503 + 12_345) % 2**32


def portable_error(error: BaseException) -> Exception:
    """The ``DacapoError`` in ``error``'s chain (rebuilt as the nearest class of
    ``dacapo.errors`` from its text if it does not pickle), else a
    ``RuntimeError`` carrying ``error``'s traceback as text."""
    cause: Optional[BaseException] = error
    while cause is not None:
        if isinstance(cause, DacapoError):
            return cause if _pickles(cause) else _dacapo_class(cause)(str(cause))
        cause = cause.__cause__ or cause.__context__
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return RuntimeError(f"a data worker (num_data_fetchers) failed:\n{text}")


def _pickles(error: BaseException) -> bool:
    try:
        pickle.dumps(error)
    except Exception:
        return False
    return True


def _dacapo_class(error: DacapoError) -> type:
    return next(c for c in type(error).__mro__ if c.__module__ == DacapoError.__module__)
