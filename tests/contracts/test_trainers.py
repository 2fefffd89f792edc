"""Contract every trainer meets, run over every registered concrete
``TrainerConfig``: ``build(config)`` gives a ``Trainer`` with the configured
optimisation settings, that creates an optimizer over a model's parameters,
accepts a small datasplit, yields batches shaped for the model and the task,
and runs optimisation steps.

The setting is small: a 2D distance task, a one-level U-Net (20x20 input,
16x16 output) and one 40x40 dataset in a zarr container. Each registered
class needs an entry in ``EXAMPLES``.
"""

import numpy as np
import pytest
import torch

from dacapo._build import build
from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.datasplits import TrainValidateDataSplitConfig
from dacapo.experiments.datasplits.datasets import RawGTDatasetConfig
from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
from dacapo.experiments.tasks import DistanceTaskConfig
from dacapo.experiments.trainers import DummyTrainerConfig, GunpowderTrainerConfig, Trainer
from dacapo.experiments.trainers.gp_augments import SimpleAugmentConfig
from dacapo.experiments.trainers.trainer_config import TrainerConfig

BATCH_SIZE = 2
INPUT_SHAPE = (20, 20)
OUTPUT_SHAPE = (16, 16)

# config class name -> config (batch size BATCH_SIZE, no data worker processes)
EXAMPLES = {
    "DummyTrainerConfig": lambda: DummyTrainerConfig("dummy", BATCH_SIZE, 1e-2, True),
    "GunpowderTrainerConfig": lambda: GunpowderTrainerConfig(
        "gp", BATCH_SIZE, 1e-2, num_data_fetchers=0, augments=[SimpleAugmentConfig()],
        warmup_iterations=10,
    ),
}

REGISTERED = [cls.__name__ for cls in TrainerConfig.registry().concrete()]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def task():
    config = DistanceTaskConfig(
        "fg", channels=["fg"], clip_distance=10.0, tol_distance=10.0, scale_factor=4.0,
        mask_distances=False,
    )
    return build(config)


@pytest.fixture
def model(task):
    config = CNNectomeUNetConfig(
        "net", input_shape=INPUT_SHAPE, fmaps_out=2, fmaps_in=1, num_fmaps=2,
        fmap_inc_factor=2, downsample_factors=[],
    )
    torch.manual_seed(0)
    return task.create_model(build(config))


@pytest.fixture
def datasets(tmp_path, make_zarr):
    """The training datasets of a datasplit of one 40x40 crop: noise and a square."""
    container = tmp_path / "data.zarr"
    raw = np.random.default_rng(0).random((40, 40), dtype=np.float32)
    labels = np.zeros((40, 40), np.uint64)
    labels[8:30, 10:32] = 1
    make_zarr(container, "raw", raw, voxel_size=(4, 4))
    make_zarr(container, "labels", labels, voxel_size=(4, 4))
    dataset = RawGTDatasetConfig(
        "crop",
        raw_config=ZarrArrayConfig("crop_raw", container, "raw"),
        gt_config=ZarrArrayConfig("crop_labels", container, "labels"),
    )
    split = TrainValidateDataSplitConfig("split", train_configs=[dataset], validate_configs=[])
    return build(split).train


@pytest.fixture(params=REGISTERED)
def config(request):
    name = request.param
    if name not in EXAMPLES:
        pytest.fail(
            f"{name} is a registered TrainerConfig without an example; add one to "
            "EXAMPLES in tests/contracts/test_trainers.py"
        )
    config = EXAMPLES[name]()
    assert type(config).__name__ == name
    return config


def test_every_registered_trainer_has_an_example():
    assert "GunpowderTrainerConfig" in REGISTERED
    missing = set(REGISTERED) - set(EXAMPLES)
    assert not missing, f"trainers without an example in {__file__}: {missing}"


def test_builds_with_the_configured_settings(config):
    trainer = build(config)
    assert isinstance(trainer, Trainer)
    assert (trainer.batch_size, trainer.learning_rate) == (BATCH_SIZE, config.learning_rate)
    assert trainer.iteration == 0


def test_creates_an_optimizer_over_the_model_parameters(config, model):
    trainer = build(config)
    optimizer = trainer.create_optimizer(model)
    assert isinstance(optimizer, torch.optim.Optimizer)
    optimised = [id(p) for group in optimizer.param_groups for p in group["params"]]
    assert sorted(optimised) == sorted(id(p) for p in model.parameters())
    # the first step uses the (warm-up) learning rate of iteration 0
    expected = config.learning_rate * trainer.lr_factor(0)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(expected)


def test_yields_batches_shaped_for_the_model_and_task(config, model, task, datasets):
    trainer = build(config)
    assert trainer.can_train(datasets)
    trainer.build_batch_provider(datasets, model, task)
    with trainer:
        batch = trainer.next_batch()
    assert {"raw", "target", "weight"} <= set(batch)
    raw, target, weight = batch["raw"], batch["target"], batch["weight"]
    # raw: (batch, [channels,] *input shape), a channel axis optional for one channel
    assert raw.shape in ((BATCH_SIZE,) + INPUT_SHAPE, (BATCH_SIZE, 1) + INPUT_SHAPE)
    assert raw.dtype == np.float32
    assert target.shape == (BATCH_SIZE, model.num_out_channels) + OUTPUT_SHAPE
    assert weight.shape == target.shape
    assert np.all(np.isfinite(target)) and np.all(weight >= 0)


def test_iterate_runs_optimisation_steps(config, model, task, datasets):
    trainer = build(config)
    optimizer = trainer.create_optimizer(model)
    trainer.build_batch_provider(datasets, model, task)
    before = [p.detach().clone() for p in model.parameters()]
    with trainer:
        stats = list(trainer.iterate(2, model, optimizer, "cpu"))
    assert [s.iteration for s in stats] == [0, 1] and trainer.iteration == 2
    assert all(np.isfinite(s.loss) for s in stats)
    assert any(not torch.equal(a, p) for a, p in zip(before, model.parameters()))
