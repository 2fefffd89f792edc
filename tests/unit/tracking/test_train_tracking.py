"""``train_run`` tracks its run: loss, learning rate and validation scores in
TensorBoard event files under the run's directory, read back with
TensorBoard's EventAccumulator; resuming writes no step twice; a writer that
fails never fails training. (Dummy task, architecture, trainer and datasplit.)"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
import yaml

from dacapo.experiments import Run, RunConfig, ValidationIterationScores, ValidationScores
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits import DummyDataSplitConfig
from dacapo.experiments.tasks.dummy_task_config import DummyTaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig
from dacapo.store.create_store import create_stats_store
from dacapo.tracking import MetricsWriter, tensorboard_dir
from dacapo.tracking.tensorboard_writer import TensorBoardWriter
from dacapo.train import train_run
from tests.unit.tracking._events import read_scalars

FID, ACCURACY = "frechet_inception_distance", "pixel_wise_accuracy"


def run_config(num_iterations=20):
    return RunConfig(
        task_config=DummyTaskConfig("task"),
        architecture_config=DummyArchitectureConfig("arch", 1, 2),
        trainer_config=DummyTrainerConfig("trainer", 1, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name="run", repetition=0, num_iterations=num_iterations, validation_interval=10,
    )


def make_run(num_iterations=20) -> Run:
    """The dummy run, with one validation dataset ``crop0`` (its datasplit has none)."""
    run = Run(run_config(num_iterations))
    scores = run.validation_scores
    run.validation_scores = ValidationScores(scores.parameters, [SimpleNamespace(name="crop0")],
                                             scores.evaluation_scores)
    return run


def fake_validation(run, iteration):
    """Scores of parameter set p at iteration i: FID = i + p, accuracy = i / 100 - p / 1000."""
    parameters = range(len(run.validation_scores.parameters))
    row = [[iteration + p, iteration / 100 - p / 1000] for p in parameters]
    run.validation_scores.add_iteration_scores(ValidationIterationScores(iteration, [row]))


def events(runs_base_dir):
    return read_scalars(tensorboard_dir(runs_base_dir, "run"))


def test_loss_learning_rate_and_validation_scores_go_to_tensorboard(runs_base_dir):
    run = make_run()
    run.trainer.warmup_iterations = 10  # the dummy trainer has none
    train_run(run, validate_hook=fake_validation)
    scalars = events(runs_base_dir)
    stats = create_stats_store().retrieve_training_stats("run").iteration_stats
    assert scalars["train/loss"] == [(s.iteration, pytest.approx(s.loss)) for s in stats]
    rates = dict(scalars["train/learning_rate"])
    assert sorted(rates) == list(range(20))
    assert rates[0] == pytest.approx(1e-5) and rates[5] == pytest.approx(1e-3 * (0.01 + 0.495))
    assert rates[10] == rates[19] == pytest.approx(1e-3)
    assert scalars[f"validation/crop0/{FID}"] == [(10, 10.0), (20, 20.0)]  # the lowest
    assert scalars[f"validation/crop0/{ACCURACY}"] == [(10, pytest.approx(0.1)),
                                                       (20, pytest.approx(0.2))]  # the highest


def test_resuming_writes_no_step_twice(runs_base_dir):
    train_run(make_run(20), validate_hook=fake_validation)
    # a session that crashed after iteration 24, before its next checkpoint
    crashed = TensorBoardWriter(tensorboard_dir(runs_base_dir, "run"), purge_step=20)
    for iteration in range(20, 25):
        crashed.log_scalars({"train/loss": 99.0}, iteration)
    crashed.close()
    train_run(make_run(30), validate_hook=fake_validation)
    scalars = events(runs_base_dir)
    assert [step for step, _ in scalars["train/loss"]] == list(range(30))
    assert 99.0 not in [value for _, value in scalars["train/loss"]]
    assert [step for step, _ in scalars[f"validation/crop0/{FID}"]] == [10, 20, 30]


def test_no_event_files_when_the_options_say_so(runs_base_dir, tmp_path, monkeypatch):
    options = tmp_path / "no_tensorboard.yaml"
    options.write_text(yaml.safe_dump({"runs_base_dir": str(runs_base_dir), "tensorboard": False}))
    monkeypatch.setenv("DACAPO_OPTIONS_FILE", str(options))
    train_run(make_run(10), validate_hook=fake_validation)
    assert (runs_base_dir / "run" / "checkpoints").is_dir()
    assert not tensorboard_dir(runs_base_dir, "run").exists()


class Failing(MetricsWriter):
    def log_scalars(self, metrics, step):
        raise RuntimeError("tracking server gone")


def test_a_failing_writer_never_fails_training(runs_base_dir, monkeypatch, caplog):
    monkeypatch.setattr("dacapo.tracking._factory._tensorboard_writer",
                        lambda *args: Failing())
    with caplog.at_level(logging.WARNING, logger="dacapo"):
        train_run(make_run(20), validate_hook=fake_validation)
    assert create_stats_store().retrieve_training_stats("run").trained_until() == 20
    failures = [r for r in caplog.records if "tracking server gone" in r.getMessage()]
    assert len(failures) == 1  # once, not at every iteration
    stored = create_stats_store().retrieve_validation_iteration_scores("run")
    assert [s.iteration for s in stored] == [10, 20]
