"""Threads a process may use for array work that releases the GIL.

Batch making in a data worker is mostly single-threaded Python, but its
heaviest steps (the elastic augment's interpolation, numpy arithmetic on
whole volumes) run in C with the GIL released. Where a machine has cores
left over after its data workers, each worker may split such a step over a few
threads (``map_slabs``): contiguous slabs of the output, each computed as
the whole would be, so the result is the same bit for bit.

The budget is per process and defaults to 1 (no threads); the gunpowder
trainer's data workers set theirs with ``set_array_threads(worker_threads(
num_workers))`` when they start.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple

from dacapo.errors import ConfigError

#: the most threads ``worker_threads`` gives a worker
MAX_WORKER_THREADS = 4
#: the environment variable that sets the threads of each data worker
ENVIRONMENT = "DACAPO_WORKER_THREADS"

_budget = {"threads": 1, "pid": -1}
#: this process's helper threads: {"pool", "size", "pid"}
_pool: Dict[str, Any] = {"pool": None, "size": 0, "pid": -1}


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the CPU count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_threads(num_workers: int, cores: Optional[int] = None) -> int:
    """Threads each of ``num_workers`` data workers may use: the cores shared
    out between the workers and the training process (rounded down, so the
    training process keeps a core of its own), at most ``MAX_WORKER_THREADS``;
    1 when the workers (nearly) fill the cores. On an H200 machine with 16
    cores, 12 workers were no faster with 2 threads each (16.8 and 17.1
    batches a second) and the training process needs its core: there they
    get 1. The environment variable ``DACAPO_WORKER_THREADS`` (a
    positive integer) sets it instead, e.g. 1 on a machine shared with others.

    Raises:
        ConfigError: If ``DACAPO_WORKER_THREADS`` is set to anything else.
    """
    chosen = os.environ.get(ENVIRONMENT, "").strip()
    if chosen:
        if not chosen.isdigit() or int(chosen) < 1:
            raise ConfigError(
                f"environment variable {ENVIRONMENT}={chosen!r}: expected a positive "
                "integer, the threads each data worker may use (1: none besides its "
                f"own); unset it to share the spare cores out"
            )
        return int(chosen)
    cores = usable_cores() if cores is None else cores
    share = cores // (max(1, num_workers) + 1)
    return max(1, min(MAX_WORKER_THREADS, share))


def set_array_threads(threads: int) -> None:
    """Sets this process's budget (1: compute in the calling thread only)."""
    _budget["threads"] = max(1, int(threads))
    _budget["pid"] = os.getpid()


def array_threads() -> int:
    """This process's budget; a forked child starts again from 1."""
    return _budget["threads"] if _budget["pid"] == os.getpid() else 1


def map_slabs(compute: Callable[[int, int], None], length: int, min_length: int = 4) -> None:
    """Calls ``compute(start, stop)`` over contiguous slabs covering ``0 ..
    length``: one slab per thread of the budget (each at least ``min_length``
    long), the first in the calling thread. ``compute`` must write disjoint
    outputs; its exceptions are raised here."""
    slabs = _slabs(length, min(array_threads(), max(1, length // max(1, min_length))))
    if len(slabs) == 1:
        compute(0, length)
        return
    pool = _thread_pool(len(slabs) - 1)
    futures = [pool.submit(compute, start, stop) for start, stop in slabs[1:]]
    errors = []
    try:
        compute(*slabs[0])
    except BaseException as error:  # raised once the helpers are done with the output
        errors.append(error)
    for future in futures:
        try:
            future.result()
        except BaseException as error:
            errors.append(error)
    if errors:
        raise errors[0]


def _slabs(length: int, count: int) -> List[Tuple[int, int]]:
    bounds = [round(i * length / count) for i in range(count + 1)]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a] or [(0, length)]


def _thread_pool(helpers: int) -> ThreadPoolExecutor:
    """This process's helper threads (made anew after a fork or when more are needed)."""
    if _pool["pid"] != os.getpid() or _pool["size"] < helpers:
        if _pool["pid"] == os.getpid():  # too small: its threads end once idle
            _pool["pool"].shutdown(wait=False)
        _pool["pool"] = ThreadPoolExecutor(max_workers=helpers, thread_name_prefix="dacapo-array")
        _pool.update(size=helpers, pid=os.getpid())
    return _pool["pool"]
