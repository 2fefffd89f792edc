"""Ctrl-C during `dacapo train` (a real process, a real SIGINT): the run is
saved at the iteration it reached and the command exits with 130."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time

import pytest

from dacapo.store.create_store import (
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from tests._validation_runs import distance_run_config, synthetic_container

pytestmark = pytest.mark.slow

#: tqdm's bar in the process's stderr: "<done>/<total>"
PROGRESS = re.compile(r"(\d+)/100000 ")


def _wait_for_iterations(process, log, at_least: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dacapo train ended early ({process.returncode}):\n{log.read_text()}")
        done = [int(n) for n in PROGRESS.findall(log.read_text(errors="replace"))]
        if done and max(done) >= at_least:
            return
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"no {at_least} iterations within {timeout} s:\n{log.read_text()}")


def test_sigint_saves_the_run_and_exits_130(runs_base_dir, tmp_path):
    container = synthetic_container(tmp_path)
    create_config_store().store_run_config(distance_run_config(
        container, name="long", num_iterations=100000, validation_interval=100000))
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr:  # the options file: DACAPO_OPTIONS_FILE, inherited
        process = subprocess.Popen([sys.executable, "-m", "dacapo.cli", "train", "-r", "long"],
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            _wait_for_iterations(process, log, at_least=3)
            process.send_signal(signal.SIGINT)
            process.wait(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
    text = log.read_text()
    assert process.returncode == 130, text
    saved = re.search(r"Interrupted: run 'long' is saved at iteration (\d+) \(checkpoint in "
                      r"LocalWeightsStore\('(.*)'\), training stats in FileStatsStore\('.*'\)\); "
                      r"run 'dacapo train -r long' again to resume\n$", text)
    assert saved, text
    iteration = int(saved.group(1))
    assert iteration >= 3 and saved.group(2) == str(runs_base_dir)
    assert create_weights_store().latest_iteration("long") == iteration
    assert create_stats_store().retrieve_training_stats("long").trained_until() == iteration
    assert "Traceback" not in text
