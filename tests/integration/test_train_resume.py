"""Training survives being killed: a training process is SIGKILLed five times at
random moments (before or after its first new checkpoint); each new ``train``
resumes from the last stored checkpoint, and the last one ends at
``num_iterations`` with exactly one stats record per iteration."""

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

INTERVAL = 50
TRAIN = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.INFO)\n"
    "from dacapo.train import train\n"
    "train(sys.argv[1], do_validate=False)\n"
)


def launch(run_name, log, tag):
    # the options file reaches the child through DACAPO_OPTIONS_FILE (runs_base_dir);
    # ``tag`` marks the command line of the process and of its data workers
    return subprocess.Popen(
        [sys.executable, "-c", TRAIN, run_name, tag], stdout=log, stderr=subprocess.STDOUT,
        env=dict(os.environ),
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
        time.sleep(0.05)


def started_from(log_path):
    """The iteration a training process started from (None if killed before that)."""
    match = re.search(r"training from iteration (\d+)", log_path.read_text())
    return int(match.group(1)) if match else None


def dummy_run(tmp_path):
    """Dummy parts: about 300 iterations per second, no data."""
    return RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 2),
        trainer_config=DummyTrainerConfig("trainer", 1, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name="killed",
        repetition=0,
        num_iterations=3000,
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
        num_iterations=500,
        validation_interval=INTERVAL,
    )


@pytest.mark.parametrize("make_run", [dummy_run, gunpowder_run], ids=["dummy", "gunpowder"])
def test_killed_training_resumes_from_its_last_checkpoint(runs_base_dir, tmp_path, make_run):
    rng = random.Random(os.getpid())
    run_config = make_run(tmp_path)
    create_config_store().store_run_config(run_config)
    weights = create_weights_store()
    for attempt in range(6):
        before = weights.latest_iteration("killed") or 0
        log_path = tmp_path / f"train{attempt}.log"
        with log_path.open("w") as log:
            process = launch("killed", log, str(tmp_path))
            if attempt < 5:
                if rng.random() < 0.5:  # once a new checkpoint exists, a bit later
                    wait_for_new_checkpoint(weights, "killed", before, process)
                    time.sleep(rng.uniform(0, 0.5))
                else:  # at any moment, maybe before training starts
                    time.sleep(rng.uniform(0.5, 4.0))
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=300)
        started = started_from(log_path)
        print(f"\nattempt {attempt}: started from {started} (last checkpoint {before}), "
              f"last checkpoint now {weights.latest_iteration('killed')}, "
              f"exit code {process.returncode}")
        if started is None:  # killed while starting up
            assert process.returncode == -signal.SIGKILL, log_path.read_text()[-2000:]
        else:
            assert started == before, log_path.read_text()[-2000:]
    assert process.returncode == 0 and started is not None, log_path.read_text()[-2000:]
    assert processes_tagged(str(tmp_path)) == []  # no data workers left behind
    assert weights.latest_iteration("killed") == run_config.num_iterations
    stats = create_stats_store().retrieve_training_stats("killed")
    assert [s.iteration for s in stats.iteration_stats] == list(range(run_config.num_iterations))
