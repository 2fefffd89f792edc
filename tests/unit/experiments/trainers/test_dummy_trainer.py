"""The dummy trainer: random batches shaped for the model, real optimisation."""

import numpy as np
import pytest
import torch

from dacapo._build import build
from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.tasks.dummy_task_config import DummyTaskConfig
from dacapo.experiments.trainers import DummyTrainer, DummyTrainerConfig


@pytest.fixture
def task():
    config = DummyTaskConfig("dummy_task", embedding_dims=2)
    return config.task_type(config)


@pytest.fixture
def model(task):
    torch.manual_seed(0)
    config = DummyArchitectureConfig("dummy_arch", num_in_channels=1, num_out_channels=3)
    return task.create_model(config.architecture_type(config))


def make_trainer(model, task, **kwargs):
    settings = dict(name="dummy", batch_size=2, learning_rate=1e-2, mirror_augment=True)
    settings.update(kwargs)
    config = DummyTrainerConfig(**settings)
    trainer = config.trainer_type(config)
    trainer.build_batch_provider([], model, task)
    return trainer


def test_batches_have_the_model_shapes(model, task):
    batch = make_trainer(model, task, batch_size=3).next_batch()
    assert batch["raw"].shape == (3, 1, 40, 20, 20)  # DummyArchitecture input
    assert batch["target"].shape == (3, 2) + tuple(model.output_shape)
    assert batch["weight"].shape == batch["target"].shape
    assert batch["raw"].dtype == np.float32
    assert not (batch["target"] != 0).any() and (batch["weight"] == 1).all()


def test_batches_are_random(model, task):
    trainer = make_trainer(model, task)
    assert not np.array_equal(trainer.next_batch()["raw"], trainer.next_batch()["raw"])


def test_training_reduces_the_loss(model, task):
    trainer = make_trainer(model, task)
    optimizer = trainer.create_optimizer(model)
    with trainer:
        losses = [s.loss for s in trainer.iterate(40, model, optimizer, "cpu")]
    assert np.mean(losses[-5:]) < 0.9 * np.mean(losses[:5]), losses


def test_iterations_are_numbered_from_the_trainer_iteration(model, task):
    trainer = make_trainer(model, task)
    optimizer = trainer.create_optimizer(model)
    trainer.iteration = 7
    stats = list(trainer.iterate(3, model, optimizer, "cpu"))
    assert [s.iteration for s in stats] == [7, 8, 9]
    assert trainer.iteration == 10


def test_can_train_anything():
    trainer = DummyTrainer(DummyTrainerConfig("dummy", 1, 1e-3, False))
    assert trainer.can_train([])


def test_batches_before_build_are_an_error():
    trainer = DummyTrainer(DummyTrainerConfig("dummy", 1, 1e-3, False))
    with pytest.raises(RuntimeError, match="call build_batch_provider"):
        trainer.next_batch()


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("dummy", 0, 1e-3, False),
            "DummyTrainerConfig 'dummy': `batch_size` must be an integer >= 1, got 0",
        ),
        (
            ("dummy", 2, -1.0, False),
            "'dummy': `learning_rate` must be a finite number > 0, got -1.0",
        ),
    ],
)
def test_invalid_configs_are_refused_when_made(args, message):
    with pytest.raises(ConfigError, match=message):
        DummyTrainerConfig(*args)


def test_a_config_changed_after_it_was_made_is_refused_when_built():
    config = DummyTrainerConfig("dummy", 2, 1e-3, False)
    config.batch_size = 0
    assert not config.verify()[0]
    with pytest.raises(ConfigError, match="'dummy': `batch_size` must be an integer >= 1, got 0"):
        build(config)


def test_a_wrong_type_is_refused_when_made():
    with pytest.raises(ConfigError, match="'dummy': `mirror_augment` must be True or False, got "
                                          "'yes'; write True or False without quotes"):
        DummyTrainerConfig("dummy", 2, 1e-3, "yes")
