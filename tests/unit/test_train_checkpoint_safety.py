"""``train_run`` with damaged checkpoints, checkpoints of a changed config, a
run's lock and the leftovers of killed writes (dummy task, architecture,
trainer and datasplit; a few hundred iterations a second)."""

from __future__ import annotations

import json
import logging
import os
import re
import socket

import pytest

from dacapo.errors import ConfigError, StoreError
from dacapo.experiments import Run, RunConfig
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits import DummyDataSplitConfig
from dacapo.experiments.tasks.dummy_task_config import DummyTaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig
from dacapo.store._run_lock import LOCK_NAME
from dacapo.store.create_store import create_stats_store, create_weights_store
from dacapo.train import train_run


def run_config(num_iterations=25, in_channels=1, name="run"):
    return RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", in_channels, 2),
        trainer_config=DummyTrainerConfig("trainer", 1, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name=name,
        repetition=0,
        num_iterations=num_iterations,
        validation_interval=10,
    )


def no_validation(run, iteration):
    pass


def stored_iterations(name="run"):
    return [s.iteration for s in create_stats_store().retrieve_training_stats(name).iteration_stats]


def checkpoint(runs_base_dir, iteration, name="run"):
    return runs_base_dir / name / "checkpoints" / "iterations" / str(iteration)


def truncate(path):
    path.write_bytes(path.read_bytes()[:40])


@pytest.mark.parametrize("keep_record", [True, False], ids=["record", "no record"])
def test_resume_falls_back_past_a_damaged_checkpoint_with_a_warning(
    runs_base_dir, caplog, keep_record
):
    train_run(Run(run_config(num_iterations=20)), validate_hook=no_validation)
    damaged = checkpoint(runs_base_dir, 20)
    truncate(damaged)
    if not keep_record:
        (runs_base_dir / "run" / "checkpoints" / "records" / "20.json").unlink()
    run = Run(run_config(num_iterations=25))
    with caplog.at_level(logging.INFO, logger="dacapo.train"):
        train_run(run, validate_hook=no_validation)
    warnings = [r.getMessage() for r in caplog.records
                if r.levelno == logging.WARNING and r.name == "dacapo.train"]
    assert len(warnings) == 1 and f"checkpoint {damaged}" in warnings[0]
    assert "trying the checkpoint before it" in warnings[0]
    assert "training from iteration 10 to 25" in caplog.text
    assert stored_iterations() == list(range(25))  # one record per iteration
    assert create_weights_store().retrieve_weights("run", 20)  # written again, whole


def test_when_no_checkpoint_loads_training_starts_afresh(runs_base_dir, caplog):
    train_run(Run(run_config(num_iterations=20)), validate_hook=no_validation)
    for iteration in (10, 20):
        truncate(checkpoint(runs_base_dir, iteration))
    with caplog.at_level(logging.WARNING, logger="dacapo.train"):
        train_run(Run(run_config(num_iterations=20)), validate_hook=no_validation)
    assert "none of its 2 checkpoints can be read; training starts afresh" in caplog.text
    assert stored_iterations() == list(range(20))
    for iteration in (10, 20):
        create_weights_store().retrieve_weights("run", iteration)


def test_a_checkpoint_of_a_changed_architecture_is_an_error_not_a_fallback(runs_base_dir):
    train_run(Run(run_config(num_iterations=20)), validate_hook=no_validation)
    changed = Run(run_config(num_iterations=30, in_channels=3))  # same name, other model
    with pytest.raises(ConfigError) as raised:
        train_run(changed, validate_hook=no_validation)
    message = str(raised.value)
    assert message.startswith(f"run 'run': checkpoint {checkpoint(runs_base_dir, 20)} does not "
                              "fit the model and optimizer built from the run's config")
    assert "shapes differ:" in message and "Store the changed config under a new run name" in message
    assert f"delete the checkpoints under {runs_base_dir / 'run' / 'checkpoints'}" in message
    assert stored_iterations() == list(range(20))  # nothing trained over them
    assert not (runs_base_dir / "run" / LOCK_NAME).exists()


def test_predicting_with_a_checkpoint_of_a_changed_architecture_names_the_choices(runs_base_dir):
    from dacapo._inference_setup import load_model

    train_run(Run(run_config(num_iterations=10)), validate_hook=no_validation)
    with pytest.raises(ConfigError, match=r"run 'run': checkpoint .*iterations/10 does not fit"
                       r".*new run name, or delete the checkpoints under"):
        load_model(run_config(in_channels=3), 10)


def test_a_run_locked_by_another_process_is_refused_and_left_alone(runs_base_dir):
    train_run(Run(run_config(num_iterations=20)), validate_hook=no_validation)
    lock = runs_base_dir / "run" / LOCK_NAME
    lock.write_text(json.dumps({"run": "run", "host": socket.gethostname(),
                                "pid": os.getppid(), "started": "today", "token": "t"}))
    create_weights_store().remove("run", 20)  # resuming would truncate the stats to 10
    with pytest.raises(StoreError, match=rf"run 'run' is being trained by another process: its "
                       rf"lock {re.escape(str(lock))} is held by pid {os.getppid()}"):
        train_run(Run(run_config(num_iterations=30)), validate_hook=no_validation)
    assert stored_iterations() == list(range(20))  # untouched
    assert lock.exists()


def test_the_lock_is_released_after_an_interrupt(runs_base_dir):
    run = Run(run_config())

    def interrupt(iteration, batch, prediction):
        raise KeyboardInterrupt

    run.trainer.after_step = interrupt
    with pytest.raises(KeyboardInterrupt):
        train_run(run, validate_hook=no_validation)
    assert not (runs_base_dir / "run" / LOCK_NAME).exists()
    train_run(Run(run_config()), validate_hook=no_validation)  # not refused
    assert stored_iterations() == list(range(25))


def test_training_removes_what_killed_writes_left(runs_base_dir):
    train_run(Run(run_config(num_iterations=10)), validate_hook=no_validation)
    stats_folder = runs_base_dir / "stats" / "training_stats"
    leftovers = [stats_folder / ".run.json.abcdefgh.tmp",
                 runs_base_dir / "run" / "checkpoints" / "iterations" / ".20.k1ll3d_x.tmp"]
    kept = [stats_folder / ".other.json.abcdefgh.tmp", stats_folder / ".run.json.tmp"]
    for path in leftovers + kept:
        path.write_text("half")
    train_run(Run(run_config(num_iterations=20)), validate_hook=no_validation)
    assert [p.exists() for p in leftovers] == [False, False]
    assert [p.exists() for p in kept] == [True, True]  # another run's, not a temporary
