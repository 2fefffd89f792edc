"""Concurrent use of one file store: two runs training at once lose nothing;
a run trained by a second process at the same time is refused with the
holder's host and pid; the lock of a killed trainer is taken over."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from dacapo.errors import StoreError
from dacapo.experiments import Run, RunConfig
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits import DummyDataSplitConfig
from dacapo.experiments.tasks.dummy_task_config import DummyTaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig
from dacapo.store._run_lock import LOCK_NAME
from dacapo.store.create_store import (
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from dacapo.train import train, train_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses SIGKILL"),
]

TRAIN = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.INFO)\n"
    "from dacapo.train import train\n"
    "train(sys.argv[1], do_validate=False)\n"
)


def run_config(name, num_iterations):
    return RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 2),
        trainer_config=DummyTrainerConfig("trainer", 1, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name=name, repetition=0, num_iterations=num_iterations, validation_interval=5,
    )


def launch(run_name, log):
    return subprocess.Popen([sys.executable, "-c", TRAIN, run_name], stdout=log,
                            stderr=subprocess.STDOUT, env=dict(os.environ, OMP_NUM_THREADS="1"))


def wait_for_training(process, log_path, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"training ended early:\n{log_path.read_text()[-3000:]}")
        if re.search(r"training from iteration", log_path.read_text(errors="replace")):
            return
        time.sleep(0.02)
    pytest.fail(f"training did not start in {timeout} s:\n{log_path.read_text()[-3000:]}")


def test_two_runs_at_once_and_one_run_twice(runs_base_dir, tmp_path, caplog):
    store = create_config_store()
    for name, iterations in (("a", 100), ("b", 100), ("long", 100000)):
        store.store_run_config(run_config(name, iterations))
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b", "long")}
    processes, handles = {}, []
    try:
        for name, log_path in logs.items():
            handles.append(log_path.open("w"))
            processes[name] = launch(name, handles[-1])
        wait_for_training(processes["long"], logs["long"])
        pid = processes["long"].pid
        # a second trainer of the same run, here, is refused; it changes nothing
        with pytest.raises(StoreError, match=rf"run 'long' is being trained by another process: "
                           rf"its lock .*long/{LOCK_NAME} is held by pid {pid} on host "
                           rf"'{re.escape(socket.gethostname())}' \(since .*\); wait for that "
                           r"training to end or stop it"):
            train("long", do_validate=False)
        for name in ("a", "b"):
            assert processes[name].wait(timeout=120) == 0, logs[name].read_text()[-3000:]
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait()
        for handle in handles:
            handle.close()
    for name in ("a", "b"):  # both complete, nothing lost
        stats = create_stats_store().retrieve_training_stats(name)
        assert [s.iteration for s in stats.iteration_stats] == list(range(100))
        assert create_weights_store().iterations(name) == list(range(5, 101, 5))
        assert not (runs_base_dir / name / LOCK_NAME).exists()
    # the killed trainer's lock is stale: the next trainer takes it over
    assert (runs_base_dir / "long" / LOCK_NAME).exists()
    reached = create_weights_store().latest_iteration("long") or 0
    with caplog.at_level(logging.WARNING):
        train_run(Run(run_config("long", reached + 5)), do_validate=False)
    assert f"took over the stale lock {runs_base_dir / 'long' / LOCK_NAME} of pid {pid}" in caplog.text
    assert not (runs_base_dir / "long" / LOCK_NAME).exists()
    trained = create_stats_store().retrieve_training_stats("long").iteration_stats
    assert [s.iteration for s in trained] == list(range(reached + 5))
