"""Several processes storing configs under one name at the same moment (files store).

The same config stored at once ends with one stored config and no error;
different configs under one name end with exactly one stored and a
``DuplicateNameError`` for every other. Real processes (forked, started
together at a barrier) write to one store folder.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any, List

import pytest

from dacapo.errors import DuplicateNameError
from dacapo.experiments.tasks import DistanceTaskConfig
from dacapo.store.file_config_store import FileConfigStore

ROUNDS = 4


def _task(name: str, clip_distance: float = 40.0) -> DistanceTaskConfig:
    return DistanceTaskConfig(name, ["mito"], clip_distance, 10.0)


def _store_after_barrier(barrier: Any, results: Any, path: Path, config: Any) -> None:
    store = FileConfigStore(path)
    try:
        barrier.wait(timeout=30)
        store.store_task_config(config)
        results.put(("stored", config.clip_distance))
    except DuplicateNameError:
        results.put(("DuplicateNameError", config.clip_distance))
    except BaseException as error:  # reported to the test, which fails on it
        results.put((f"{type(error).__name__}: {error}", config.clip_distance))


def _store_at_once(path: Path, configs: List[Any]) -> List[tuple]:
    """Stores each of ``configs`` from its own process, all released together."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(configs))
    results = context.Queue()
    processes = [
        context.Process(target=_store_after_barrier, args=(barrier, results, path, config))
        for config in configs
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return sorted(outcomes)


def _leftovers(path: Path) -> List[str]:
    return sorted(p.name for p in path.rglob("*") if p.is_file() and p.suffix != ".yaml")


@pytest.mark.parametrize("processes", [2, 4])
def test_the_same_config_stored_at_once_is_stored_once(tmp_path, processes):
    path = tmp_path / "configs"
    for round_ in range(ROUNDS):
        name = f"same_{round_}"
        outcomes = _store_at_once(path, [_task(name) for _ in range(processes)])
        assert outcomes == [("stored", 40.0)] * processes
        assert FileConfigStore(path).retrieve_task_config(name) == _task(name)
    assert FileConfigStore(path).retrieve_task_config_names() == [
        f"same_{r}" for r in range(ROUNDS)
    ]
    assert _leftovers(path) == []


@pytest.mark.parametrize("processes", [2, 4])
def test_different_configs_under_one_name_store_exactly_one(tmp_path, processes):
    path = tmp_path / "configs"
    for round_ in range(ROUNDS):
        name = f"clash_{round_}"
        configs = [_task(name, 10.0 * (i + 1)) for i in range(processes)]
        outcomes = _store_at_once(path, configs)
        kinds = [kind for kind, _ in outcomes]
        assert kinds.count("stored") == 1, outcomes
        assert kinds.count("DuplicateNameError") == processes - 1, outcomes
        winner = next(clip for kind, clip in outcomes if kind == "stored")
        assert FileConfigStore(path).retrieve_task_config(name) == _task(name, winner)
    assert _leftovers(path) == []
