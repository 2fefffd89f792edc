"""The per-process thread budget of data workers and the slabs shared over it."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from dacapo.errors import ConfigError
from dacapo.utils import array_threads
from dacapo.utils.array_threads import (
    MAX_WORKER_THREADS,
    map_slabs,
    set_array_threads,
    worker_threads,
)
from dacapo.utils.array_threads import (
    array_threads as budget,
)


@pytest.fixture
def threads():
    def set_to(n):
        set_array_threads(n)

    yield set_to
    set_array_threads(1)


@pytest.mark.parametrize(
    "workers, cores, expected",
    [
        (12, 16, 1),  # the GPU machine of issue 14: the training process needs the rest
        (2, 2, 1),  # the workers and the training process fill the cores
        (1, 2, 1),
        (16, 16, 1),
        (4, 16, 3),
        (2, 16, 4),
        (1, 64, MAX_WORKER_THREADS),
        (0, 4, 2),
    ],
)
def test_workers_share_the_spare_cores(workers, cores, expected):
    assert worker_threads(workers, cores) == expected


@pytest.mark.parametrize("value, expected", [("1", 1), (" 6 ", 6)])
def test_the_environment_sets_the_threads_of_each_worker(monkeypatch, value, expected):
    monkeypatch.setenv("DACAPO_WORKER_THREADS", value)
    assert worker_threads(12, 16) == expected


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_bad_environment_value_is_refused(monkeypatch, value):
    monkeypatch.setenv("DACAPO_WORKER_THREADS", value)
    with pytest.raises(ConfigError, match=r"DACAPO_WORKER_THREADS=.*positive integer"):
        worker_threads(12, 16)


def test_the_budget_is_one_unless_set(threads):
    assert budget() == 1
    threads(3)
    assert budget() == 3
    threads(0)
    assert budget() == 1


def _record(length, min_length=4, together=None):
    parts, names = [], set()
    lock = threading.Lock()

    def compute(start, stop):
        with lock:
            parts.append((start, stop))
            names.add(threading.current_thread().name)
        if together is not None:
            together.wait(timeout=10)  # all slabs are under way at once

    map_slabs(compute, length, min_length)
    return sorted(parts), names


@pytest.mark.parametrize("length", [4, 7, 100, 101])
def test_slabs_cover_the_length_once_over_the_threads(threads, length):
    threads(3)
    parts, names = _record(length, min_length=1, together=threading.Barrier(3))
    covered = [i for start, stop in parts for i in range(start, stop)]
    assert covered == list(range(length))
    assert len(parts) == 3 and len(names) == 3  # the caller and two helpers


def test_short_lengths_and_a_budget_of_one_stay_in_the_calling_thread(threads):
    assert _record(100) == ([(0, 100)], {threading.current_thread().name})
    threads(4)
    assert _record(7, min_length=4) == ([(0, 7)], {threading.current_thread().name})
    parts, _ = _record(8, min_length=4)
    assert parts == [(0, 4), (4, 8)]


def test_an_error_in_a_helper_thread_is_raised_to_the_caller(threads):
    threads(2)

    def compute(start, stop):
        if start > 0:
            raise ValueError(f"slab {start}:{stop} failed")

    with pytest.raises(ValueError, match="slab 50:100 failed"):
        map_slabs(compute, 100)


def _child_budget(queue):
    queue.put((array_threads.array_threads(), _record(100)[0]))


def test_a_forked_child_starts_with_a_budget_of_one(threads):
    threads(3)
    map_slabs(lambda a, b: None, 100)  # the parent's pool exists before the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_budget, args=(queue,))
    child.start()
    child_budget, parts = queue.get(timeout=30)
    child.join(timeout=30)
    assert child_budget == 1 and parts == [(0, 100)]
