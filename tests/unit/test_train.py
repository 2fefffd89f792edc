"""``train_run`` and ``train``: checkpoints, stats, resuming, validation hook, interrupts
(with the dummy task, architecture, trainer and datasplit)."""

import logging
import os
import signal
import types

import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.experiments import (
    Run,
    RunConfig,
    TrainingIterationStats,
    TrainingStats,
    ValidationIterationScores,
    ValidationScores,
)
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits import DummyDataSplitConfig
from dacapo.experiments.tasks.dummy_task_config import DummyTaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig
from dacapo.store.create_store import (
    create_config_store,
    create_stats_store,
    create_weights_store,
)
from dacapo.train import train, train_run, validate_if_available


def run_config(num_iterations=25, validation_interval=10, name="run"):
    return RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 2),
        trainer_config=DummyTrainerConfig("trainer", 1, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name=name,
        repetition=0,
        num_iterations=num_iterations,
        validation_interval=validation_interval,
    )


class Recorder:
    """A validation hook that records the iterations it is called with."""

    def __init__(self):
        self.iterations = []

    def __call__(self, run, iteration):
        self.iterations.append(iteration)


def stored_iterations(name="run"):
    return [s.iteration for s in create_stats_store().retrieve_training_stats(name).iteration_stats]


def checkpoints(name="run"):
    folder = create_weights_store().basedir / name / "checkpoints" / "iterations"
    return sorted(int(p.name) for p in folder.iterdir())


def test_train_run_stores_stats_and_checkpoints_and_validates_at_each_interval(runs_base_dir):
    run = Run(run_config())
    hook = Recorder()
    train_run(run, validate_hook=hook)
    assert hook.iterations == [10, 20, 25]
    assert checkpoints() == [10, 20, 25]
    assert stored_iterations() == list(range(25))
    assert run.trainer.iteration == 25


def test_no_validation_when_not_asked(runs_base_dir):
    hook = Recorder()
    train_run(Run(run_config()), do_validate=False, validate_hook=hook)
    assert hook.iterations == []
    assert checkpoints() == [10, 20, 25]


def test_resume_truncates_stats_after_the_checkpoint(runs_base_dir):
    first = Run(run_config(num_iterations=20))
    train_run(first, validate_hook=Recorder())
    # stats went on to iteration 29 but the last checkpoint is of iteration 20
    planted = TrainingStats([TrainingIterationStats(i, -1.0, 0.0) for i in range(30)])
    create_stats_store().delete_training_stats("run")
    create_stats_store().store_training_stats("run", planted)
    create_weights_store().remove("run", 20)
    run = Run(run_config(num_iterations=25))
    hook = Recorder()
    train_run(run, validate_hook=hook)
    stats = create_stats_store().retrieve_training_stats("run").iteration_stats
    assert [s.iteration for s in stats] == list(range(25))  # one record per iteration
    assert [s.loss for s in stats[:10]] == [-1.0] * 10  # kept up to the checkpoint
    assert all(s.loss >= 0 for s in stats[10:])  # retrained from iteration 10
    assert hook.iterations == [20, 25]
    assert checkpoints() == [10, 20, 25]


def test_resume_loads_the_checkpoint_weights(runs_base_dir):
    first = Run(run_config(num_iterations=10))
    train_run(first, validate_hook=Recorder())
    trained = {k: v.clone() for k, v in first.model.state_dict().items()}
    run = Run(run_config(num_iterations=10))
    train_run(run, validate_hook=Recorder())  # nothing left to train
    assert run.trainer.iteration == 10
    for key, value in run.model.state_dict().items():
        assert (value == trained[key]).all()


def test_train_reads_the_run_config_from_the_store(runs_base_dir):
    create_config_store().store_run_config(run_config(num_iterations=12))
    hook = Recorder()
    train("run", validate_hook=hook)
    assert hook.iterations == [10, 12]
    assert stored_iterations() == list(range(12))


def test_keyboard_interrupt_writes_a_final_checkpoint(runs_base_dir):
    run = Run(run_config())

    def interrupt_at_13(iteration, batch, prediction):
        if iteration == 13:
            raise KeyboardInterrupt

    run.trainer.after_step = interrupt_at_13
    with pytest.raises(KeyboardInterrupt):
        train_run(run, validate_hook=Recorder())
    # iteration 13's step ran, its record was never yielded: saved at 13
    assert checkpoints() == [10, 13]
    assert stored_iterations() == list(range(13))
    train_run(Run(run_config()), validate_hook=Recorder())
    assert stored_iterations() == list(range(25))


@pytest.mark.parametrize("lag", [0, 1], ids=["loss_read_at_once", "loss_read_one_step_late"])
def test_ctrl_c_finishes_the_iteration_then_saves(runs_base_dir, monkeypatch, lag):
    # with lag 1 (as on a GPU) step 13's loss is still unread when the loop
    # stops after handing out 12's record: it is saved too
    import dacapo.experiments.trainers.trainer as trainer_module

    monkeypatch.setattr(trainer_module, "_report_lag", lambda device: lag)
    run = Run(run_config())

    def ctrl_c_at_13(iteration, batch, prediction):
        if iteration == 13:
            os.kill(os.getpid(), signal.SIGINT)

    run.trainer.after_step = ctrl_c_at_13
    with pytest.raises(KeyboardInterrupt):
        train_run(run, validate_hook=Recorder())
    assert checkpoints() == [10, 14]  # iteration 13 completed
    assert stored_iterations() == list(range(14))
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    train_run(Run(run_config()), validate_hook=Recorder())
    assert stored_iterations() == list(range(25))


def test_interrupt_in_validation_keeps_the_checkpoint(runs_base_dir):
    def interrupting_hook(run, iteration):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_run(Run(run_config()), validate_hook=interrupting_hook)
    assert checkpoints() == [10]
    assert stored_iterations() == list(range(10))


def test_default_hook_without_validation_data_says_so_once(runs_base_dir, caplog):
    run = Run(run_config(name="no_validation_data"))  # the dummy split has no validation data
    with caplog.at_level(logging.WARNING, logger="dacapo.train"):
        train_run(run)  # validates at 10, 20 and 25
    assert caplog.text.count("no validation dataset with ground truth") == 1
    assert "run 'no_validation_data'" in caplog.text


def test_default_hook_calls_validate_run(monkeypatch):
    import dacapo.validate

    calls = []
    monkeypatch.setattr(dacapo.validate, "validate_run",
                        lambda run, iteration: calls.append((run, iteration)))
    run = types.SimpleNamespace(name="run", validation_datasets=[types.SimpleNamespace(gt=1)])
    validate_if_available(run, 10)
    assert calls == [(run, 10)]


def with_one_validation_dataset(run):
    """``run`` with scores for one (fake) validation dataset."""
    task = run.task
    run.validation_scores = ValidationScores(task.parameters, ["val"], task.evaluation_scores)
    return run


def scores_of(run, iteration):
    shape = (1, len(run.validation_scores.parameters), len(run.validation_scores.criteria))
    return ValidationIterationScores(iteration, np.full(shape, 0.5).tolist())


def test_resume_drops_validation_scores_after_the_checkpoint(runs_base_dir):
    first = with_one_validation_dataset(Run(run_config(num_iterations=20)))
    train_run(first, validate_hook=Recorder())
    for iteration in (10, 20):
        first.validation_scores.add_iteration_scores(scores_of(first, iteration))
    create_stats_store().store_validation_iteration_scores("run", first.validation_scores)
    create_weights_store().remove("run", 20)
    run = with_one_validation_dataset(Run(run_config(num_iterations=15)))
    train_run(run, validate_hook=Recorder())
    assert [s.iteration for s in run.validation_scores.scores] == [10]
    stored = create_stats_store().retrieve_validation_iteration_scores("run")
    assert [s.iteration for s in stored] == [10]


def test_validation_scores_found_by_the_hook_are_stored(runs_base_dir):
    def hook(run, iteration):
        run.validation_scores.add_iteration_scores(scores_of(run, iteration))

    train_run(with_one_validation_dataset(Run(run_config())), validate_hook=hook)
    stored = create_stats_store().retrieve_validation_iteration_scores("run")
    assert [s.iteration for s in stored] == [10, 20, 25]


def test_stored_scores_that_do_not_fit_are_not_loaded(runs_base_dir, caplog):
    first = with_one_validation_dataset(Run(run_config(num_iterations=10)))
    train_run(first, validate_hook=Recorder())
    first.validation_scores.add_iteration_scores(scores_of(first, 10))
    create_stats_store().store_validation_iteration_scores("run", first.validation_scores)
    run = Run(run_config(num_iterations=10))  # no validation datasets
    with caplog.at_level(logging.WARNING, logger="dacapo.train"):
        train_run(run, validate_hook=Recorder())
    assert "stored validation scores do not fit" in caplog.text
    assert run.validation_scores.scores == []


def test_a_trainer_that_cannot_train_on_the_datasets_is_an_error(runs_base_dir):
    run = Run(run_config())
    run.trainer.can_train = lambda datasets: False
    with pytest.raises(ConfigError, match=r"run 'run': trainer 'trainer' \(DummyTrainer\) "
                                          r"cannot train on the datasets \['dummy_dataset'\]"):
        train_run(run, validate_hook=Recorder())


def test_snapshots_are_written_when_training_by_name(runs_base_dir, tmp_path):
    import zarr

    from dacapo.experiments.architectures import CNNectomeUNetConfig
    from dacapo.experiments.datasplits import SimpleDataSplitConfig
    from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
    from dacapo.experiments.trainers import GunpowderTrainerConfig
    from dacapo.utils.synthetic import write_synthetic_container

    container = write_synthetic_container(
        tmp_path / "data.zarr", train_crops=1, validate_crops=0, shape=(48, 48), voxel_size=(4, 4)
    )
    config = RunConfig(
        task_config=DistanceTaskConfig(
            "cells", channels=["cell"], clip_distance=8.0, tol_distance=8.0, scale_factor=8.0,
            mask_distances=False,
        ),
        architecture_config=CNNectomeUNetConfig(
            "unet", input_shape=(20, 20), fmaps_out=2, fmaps_in=1, num_fmaps=2,
            fmap_inc_factor=2, downsample_factors=[],
        ),
        trainer_config=GunpowderTrainerConfig("gp", 1, 1e-3, num_data_fetchers=0,
                                              snapshot_interval=2),
        datasplit_config=SimpleDataSplitConfig("split", container),
        name="snapshots",
        repetition=0,
        num_iterations=3,
        validation_interval=10,
    )
    create_config_store().store_run_config(config)
    train("snapshots", do_validate=False)
    snapshots = zarr.open_group(str(runs_base_dir / "snapshots" / "snapshot.zarr"), mode="r")
    assert sorted(snapshots.group_keys()) == ["0", "2"]
    assert "prediction" in snapshots["2/volumes"]


def test_ctrl_c_during_validation_stops_after_it(runs_base_dir):
    calls = []

    def hook(run, iteration):
        os.kill(os.getpid(), signal.SIGINT)
        calls.append(iteration)  # validation is not cut short

    with pytest.raises(KeyboardInterrupt):
        train_run(Run(run_config()), validate_hook=hook)
    assert calls == [10]
    assert checkpoints() == [10]
    assert stored_iterations() == list(range(10))


@pytest.fixture
def loss_read_one_step_behind(monkeypatch):
    """Reads each loss one step late on the CPU too, as ``iterate`` does on a GPU."""
    import dacapo.experiments.trainers.trainer as trainer_module

    monkeypatch.setattr(trainer_module, "_report_lag", lambda device: 1)


def test_losses_read_one_step_late_still_give_every_record_and_checkpoint(
    runs_base_dir, loss_read_one_step_behind
):
    hook = Recorder()
    train_run(Run(run_config()), validate_hook=hook)
    assert hook.iterations == [10, 20, 25]
    assert checkpoints() == [10, 20, 25]
    assert stored_iterations() == list(range(25))

