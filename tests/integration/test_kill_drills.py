"""Kill drills: training processes of a tiny run are SIGKILLed in turn at 10
random moments of training (which fall on iterations and on the storing of
checkpoints, records and stats) and at 2 random moments of starting up, and
killed *during* a checkpoint write, a record write and a stats write (the
process kills itself half-way through writing the file). Then the newest
checkpoint is damaged on disk. Every new trainer resumes from the newest
checkpoint that loads, and the last one trains to its end: the stats then
hold exactly one record per iteration, every checkpoint loads, and no
temporary file, lock or half-written file is left.

Most of the time (about 25 s on an idle machine) goes into starting the 15
processes.
"""

from __future__ import annotations

import logging
import os
import random
import re
import signal
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
from dacapo.train import train_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses SIGKILL"),
]

RUN = "drilled"
INTERVAL = 5
RANDOM_KILLS = 10

# ``DRILL=<where>:<n>`` makes the child kill itself half-way through its n-th
# write of <where>: the real temporary file of ``atomic_write`` is left half
# written, as after a SIGKILL at that moment
CHILD = """
import io, logging, os, signal, sys
logging.basicConfig(level=logging.INFO)
drill = os.environ.get("DRILL")
if drill:
    import dacapo.store._checkpoint_records as records
    import dacapo.store.file_stats_store as stats
    import dacapo.store.local_weights_store as weights
    from dacapo.store._files import atomic_write
    where, nth = drill.split(":")
    module, name = {"checkpoint": (weights, "atomic_write"),
                    "record": (records, "atomic_write_text"),
                    "stats": (stats, "atomic_write_text")}[where]
    real, calls = getattr(module, name), []

    def dying(path, content, *args):
        calls.append(path)
        if len(calls) < int(nth):
            return real(path, content, *args)
        if callable(content):
            buffer = io.BytesIO()
            content(buffer)
            content = buffer.getvalue()
        data = content if isinstance(content, bytes) else content.encode()

        def half(stream):
            stream.write(data[: len(data) // 2])
            stream.flush()
            os.kill(os.getpid(), signal.SIGKILL)

        atomic_write(path, half)

    setattr(module, name, dying)
from dacapo.train import train
train(sys.argv[1], do_validate=False)
"""


def launch(log, drill=None):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("DRILL", None)
    if drill:
        env["DRILL"] = drill
    return subprocess.Popen([sys.executable, "-c", CHILD, RUN], stdout=log,
                            stderr=subprocess.STDOUT, env=env)


def started_from(text):
    match = re.search(r"training from iteration (\d+)", text)
    return int(match.group(1)) if match else None


def wait_for(pattern, log_path, process, timeout=60.0):
    """Waits until ``pattern`` is in the log (True) or the process ends (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if re.search(pattern, log_path.read_text(errors="replace")):
            return True
        time.sleep(0.01)
    return False


def random_kill(process, log_path, rng, step, first):
    """SIGKILL at a random moment within the first 0.3 s of training (after
    resuming; the first kill comes after the first checkpoint, so that there
    is one to resume from), or while starting up (importing, taking the lock,
    resuming)."""
    if step == "kill while starting":
        time.sleep(rng.uniform(0.1, 2.0))
    elif wait_for("training from iteration", log_path, process):
        if first:
            wait_for(rf"stored weights of run '{RUN}', iteration {INTERVAL}", log_path, process)
        time.sleep(rng.uniform(0.0, 0.3))
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)


def damage_newest(weights):
    """Truncates the newest checkpoint; returns its path."""
    path = weights.basedir / RUN / "checkpoints" / "iterations" / str(weights.latest_iteration(RUN))
    path.write_bytes(path.read_bytes()[:64])
    return path


def newest_that_loads(weights):
    """The iteration training should resume from."""
    for iteration in reversed(weights.iterations(RUN)):
        try:
            weights.retrieve_weights(RUN, iteration)
        except StoreError:
            continue
        return iteration
    return 0


def run_config(num_iterations=100_000):
    return RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 2),
        trainer_config=DummyTrainerConfig("trainer", 1, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name=RUN, repetition=0, num_iterations=num_iterations, validation_interval=INTERVAL,
    )


def plan(rng):
    """What happens to each training process in turn."""
    steps = ["random kill"] * RANDOM_KILLS
    for drill in ("checkpoint", "record", "stats", "kill while starting", "kill while starting"):
        steps.insert(rng.randrange(1, len(steps)), drill)
    return steps


def kill_in_turn(tmp_path, weights, rng):
    """Starts and kills the training processes of ``plan``; checks each resumed
    from the newest checkpoint that loads."""
    for attempt, step in enumerate(plan(rng)):
        expected = newest_that_loads(weights)
        log_path = tmp_path / f"attempt{attempt}.log"
        with log_path.open("w") as log:
            killed = step in ("random kill", "kill while starting")
            process = launch(log, None if killed else f"{step}:{rng.randint(2, 4)}")
            if killed:
                random_kill(process, log_path, rng, step, first=attempt == 0)
            process.wait(timeout=120)
        text = log_path.read_text(errors="replace")
        print(f"attempt {attempt} ({step}): started from {started_from(text)}, expected "
              f"{expected}, exit code {process.returncode}")
        assert process.returncode == -signal.SIGKILL, text[-3000:]  # killed before the end
        assert "Traceback" not in text, text[-3000:]
        if started_from(text) is not None:
            assert started_from(text) == expected, text[-3000:]


def test_kill_drills(runs_base_dir, tmp_path, caplog):
    rng = random.Random(os.getpid())
    create_config_store().store_run_config(run_config())
    weights = create_weights_store()
    kill_in_turn(tmp_path, weights, rng)
    # the newest checkpoint is damaged on disk; the last trainer (here) resumes
    # from the one before, with a warning naming it, and trains a little further
    latest = weights.latest_iteration(RUN)
    damaged = damage_newest(weights)
    expected = newest_that_loads(weights)
    target = latest + 2 * INTERVAL
    with caplog.at_level(logging.INFO):
        train_run(Run(run_config(target)), do_validate=False)
    assert f"training from iteration {expected} to {target}" in caplog.text
    assert re.search(rf"checkpoint {re.escape(str(damaged))} .*trying the checkpoint before it",
                     caplog.text)
    assert weights.latest_iteration(RUN) == target
    stats = create_stats_store().retrieve_training_stats(RUN)
    assert [s.iteration for s in stats.iteration_stats] == list(range(target))
    for iteration in weights.iterations(RUN):
        weights.retrieve_weights(RUN, iteration)  # every checkpoint loads
    files = [p for p in runs_base_dir.rglob("*") if p.is_file()]
    assert [p for p in files if p.name.endswith(".tmp")] == []
    assert not (runs_base_dir / RUN / LOCK_NAME).exists()
    assert not (runs_base_dir / RUN / (LOCK_NAME + ".break")).exists()
