"""Training survives being killed: training processes are SIGKILLed in turn
at a random moment shortly after a new checkpoint (which may fall while the
next one is being written), at a random moment of starting up (importing,
resuming or the first iterations), and after a checkpoint again; each new
``train`` resumes from the last stored checkpoint, and the last one ends at
``num_iterations`` with exactly one stats record per iteration.

The runs are small (tens to a couple of hundred iterations, a checkpoint
every ``INTERVAL``): most of the time goes into starting the four processes.
"""

import os
import random
import re
import signal
import subprocess
import sys
import time

import pytest

from dacapo.experiments import RunConfig
from dacapo.experiments.architectures import (
    CNNectomeUNetConfig,
    DummyArchitectureConfig,
)
from dacapo.experiments.datasplits import DummyDataSplitConfig, SimpleDataSplitConfig
from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
from dacapo.experiments.tasks.dummy_task_config import DummyTaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig, GunpowderTrainerConfig
from dacapo.store.create_store import (
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from dacapo.utils.synthetic import write_synthetic_container

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses SIGKILL and /proc"),
]

INTERVAL = 10
# after a new checkpoint, the kill comes within this many seconds: a few
# iterations at the speed of these runs, so training cannot finish first
KILL_JITTER = 0.05
# what is done to each training process in turn; the last one trains to the end
SCHEDULE = ("kill after a checkpoint", "kill while starting", "kill after a checkpoint", "finish")

TRAIN = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.INFO)\n"
    "from dacapo.train import train\n"
    "train(sys.argv[1], do_validate=False)\n"
)


def launch(run_name, log, tag):
    # the options file reaches the child through DACAPO_OPTIONS_FILE (runs_base_dir);
    # ``tag`` marks the command line of the process and of its data workers; one
    # torch thread is fastest for these tiny models, above all on a busy machine
    return subprocess.Popen(
        [sys.executable, "-c", TRAIN, run_name, tag], stdout=log, stderr=subprocess.STDOUT,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )


def processes_tagged(tag, timeout=5.0):
    """Pids of live processes with ``tag`` in their command line, after waiting up to
    ``timeout`` seconds for them to go."""
    deadline = time.time() + timeout
    while True:
        found = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if tag.encode() in cmdline.read():
                        found.append(int(entry))
            except (OSError, ValueError):
                continue
        if not found or time.time() > deadline:
            return found
        time.sleep(0.2)


def wait_for_new_checkpoint(store, run_name, after, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        if (store.latest_iteration(run_name) or 0) > after:
            return
        time.sleep(0.01)


def started_from(log_path):
    """The iteration a training process started from (None if killed before that)."""
    match = re.search(r"training from iteration (\d+)", log_path.read_text())
    return int(match.group(1)) if match else None


def dummy_run(tmp_path):
    """Dummy parts: a few hundred iterations per second, no data."""
    return RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 2),
        trainer_config=DummyTrainerConfig("trainer", 1, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name="killed",
        repetition=0,
        num_iterations=160,
        validation_interval=INTERVAL,
    )


def gunpowder_run(tmp_path):
    """A tiny 2D U-Net on synthetic data, with a data worker process."""
    container = write_synthetic_container(
        tmp_path / "data.zarr", train_crops=1, validate_crops=0, shape=(64, 64), voxel_size=(4, 4)
    )
    return RunConfig(
        task_config=DistanceTaskConfig(
            "cells", channels=["cell"], clip_distance=8.0, tol_distance=8.0, scale_factor=8.0,
            mask_distances=False,
        ),
        architecture_config=CNNectomeUNetConfig(
            "unet", input_shape=(20, 20), fmaps_out=2, fmaps_in=1, num_fmaps=2,
            fmap_inc_factor=2, downsample_factors=[],
        ),
        trainer_config=GunpowderTrainerConfig("gp", 1, 1e-3, num_data_fetchers=1),
        datasplit_config=SimpleDataSplitConfig("split", container),
        name="killed",
        repetition=0,
        num_iterations=60,
        validation_interval=INTERVAL,
    )


def kill(process, step, weights, before, rng, log_path):
    """Does ``step`` of SCHEDULE to a running training process."""
    if step == "kill while starting":  # importing dacapo and torch takes about 1.5 s
        time.sleep(rng.uniform(0.2, 2.0))
    elif step == "kill after a checkpoint":
        wait_for_new_checkpoint(weights, "killed", before, process)
        time.sleep(rng.uniform(0, KILL_JITTER))
    if process.poll() is not None:
        pytest.fail(
            f"the training process ended (exit code {process.returncode}) before the "
            f"'{step}' step could kill it (if it finished, raise num_iterations):\n"
            + log_path.read_text()[-2000:]
        )
    process.send_signal(signal.SIGKILL)


@pytest.mark.parametrize("make_run", [dummy_run, gunpowder_run], ids=["dummy", "gunpowder"])
def test_killed_training_resumes_from_its_last_checkpoint(runs_base_dir, tmp_path, make_run):
    rng = random.Random(os.getpid())
    run_config = make_run(tmp_path)
    create_config_store().store_run_config(run_config)
    weights = create_weights_store()
    starts = []
    for attempt, step in enumerate(SCHEDULE):
        before = weights.latest_iteration("killed") or 0
        log_path = tmp_path / f"train{attempt}.log"
        with log_path.open("w") as log:
            process = launch("killed", log, str(tmp_path))
            if step != "finish":
                kill(process, step, weights, before, rng, log_path)
            process.wait(timeout=300)
        started = started_from(log_path)
        starts.append(started)
        print(f"\nattempt {attempt} ({step}): started from {started} (last checkpoint "
              f"{before}), last checkpoint now {weights.latest_iteration('killed')}, "
              f"exit code {process.returncode}")
        if started is None:  # killed while starting up
            assert process.returncode == -signal.SIGKILL, log_path.read_text()[-2000:]
        else:
            assert started == before, log_path.read_text()[-2000:]
    assert process.returncode == 0 and started is not None, log_path.read_text()[-2000:]
    # the kills after a checkpoint came after new checkpoints: the process after
    # the second one resumed from a checkpoint of a process that had resumed too
    assert starts[0] == 0 and starts[2] is not None and starts[3] > starts[2] > 0, starts
    assert processes_tagged(str(tmp_path)) == []  # no data workers left behind
    assert weights.latest_iteration("killed") == run_config.num_iterations
    stats = create_stats_store().retrieve_training_stats("killed")
    assert [s.iteration for s in stats.iteration_stats] == list(range(run_config.num_iterations))
