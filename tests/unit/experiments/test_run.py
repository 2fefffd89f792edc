"""``Run``: builds everything a ``RunConfig`` describes."""

import subprocess
import sys

import torch

from dacapo.experiments import Model, Run, RunConfig, TrainingStats, ValidationScores
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits import DummyDataSplitConfig
from dacapo.experiments.starts import StartConfig
from dacapo.experiments.tasks.dummy_task_config import DummyTaskConfig
from dacapo.experiments.trainers import DummyTrainer, DummyTrainerConfig


def run_config(name="run", start_config=None, num_iterations=30):
    return RunConfig(
        task_config=DummyTaskConfig("task", embedding_dims=2),
        architecture_config=DummyArchitectureConfig("arch", 1, 3),
        trainer_config=DummyTrainerConfig("trainer", 2, 1e-3, False),
        datasplit_config=DummyDataSplitConfig("split"),
        name=name,
        repetition=0,
        num_iterations=num_iterations,
        validation_interval=10,
        start_config=start_config,
    )


def test_run_builds_every_part():
    run = Run(run_config())
    assert run.name == "run"
    assert (run.train_until, run.validation_interval) == (30, 10)
    assert isinstance(run.trainer, DummyTrainer)
    assert isinstance(run.model, Model)
    assert run.model.num_out_channels == 2  # the task's head on the architecture
    assert isinstance(run.optimizer, torch.optim.RAdam)
    assert {id(p) for g in run.optimizer.param_groups for p in g["params"]} == {
        id(p) for p in run.model.parameters()
    }
    assert run.training_stats == TrainingStats()
    assert isinstance(run.validation_scores, ValidationScores)
    assert run.validation_scores.scores == []
    assert run.validation_scores.datasets == []  # the dummy split has no validation data
    assert run.validation_scores.parameters == run.task.parameters
    assert run.start is None


def test_run_does_not_change_its_config():
    config = run_config()
    before = repr(config)
    Run(config)
    assert repr(config) == before


def test_get_validation_scores_without_a_model():
    scores = Run.get_validation_scores(run_config())
    run = Run(run_config())
    assert scores.criteria == run.validation_scores.criteria
    assert scores.parameters == run.validation_scores.parameters


def test_start_config_loads_another_runs_weights(runs_base_dir):
    from dacapo.store.create_store import create_weights_store

    source = Run(run_config("source"))
    with torch.no_grad():
        for parameter in source.model.parameters():
            parameter.fill_(0.25)
    create_weights_store().store_weights(source, 5)
    run = Run(run_config("target", start_config=StartConfig("source", "5")))
    assert run.start is not None
    for parameter in run.model.parameters():
        assert torch.all(parameter == 0.25)


def test_move_optimizer_moves_the_state_but_not_the_step():
    run = Run(run_config())
    with run.trainer:
        run.trainer.build_batch_provider([], run.model, run.task)
        list(run.trainer.iterate(1, run.model, run.optimizer, "cpu"))
    run.move_optimizer("meta")
    state = next(iter(run.optimizer.state.values()))
    assert state["exp_avg"].device.type == "meta"
    assert state["step"].device.type == "cpu"


def test_importing_run_does_not_import_the_training_workflow():
    code = "import sys, dacapo.experiments.run; print('dacapo.train' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
