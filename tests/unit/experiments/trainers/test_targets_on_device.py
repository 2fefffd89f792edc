"""``targets_on_device``: the gunpowder trainer leaves target and weights to
the training device, which computes the values the data workers would."""

import numpy as np
import pytest
import torch
import zarr

from dacapo.errors import ConfigError
from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
from dacapo.experiments.tasks.one_hot_task_config import OneHotTaskConfig
from dacapo.experiments.trainers import GunpowderTrainerConfig
from dacapo.experiments.trainers._batch_feeder import batch_tensors
from dacapo.experiments.trainers.gp_augments import SimpleAugmentConfig
from dacapo.store.array_identifiers import LocalContainerIdentifier

from .test_gunpowder_trainer import dataset, make_trainer

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.fixture(scope="module")
def task():
    config = DistanceTaskConfig("fg", channels=["fg"], clip_distance=10.0, tol_distance=10.0,
                                scale_factor=2.0, mask_distances=True)
    return config.task_type(config)


@pytest.fixture
def model(task):
    from dacapo.experiments.architectures import CNNectomeUNetConfig

    config = CNNectomeUNetConfig("net", input_shape=(20, 20), fmaps_out=2, fmaps_in=1,
                                 num_fmaps=2, fmap_inc_factor=2, downsample_factors=[])
    return task.create_model(config.architecture_type(config))


def blobs_dataset():
    rng = np.random.default_rng(3)
    gt = (rng.random((60, 60)) > 0.97).cumsum(axis=1).astype(np.uint64) % 5
    mask = (rng.random((60, 60)) > 0.1).astype(np.uint8)
    return dataset(gt=gt, mask=mask)


def seeded(model, task, on_device, **kwargs):
    return make_trainer([blobs_dataset()], model, task, random_seed=11, batch_size=2,
                        augments=[SimpleAugmentConfig()], min_masked=0,
                        targets_on_device=on_device, **kwargs)


def test_the_device_computes_the_targets_and_weights_the_workers_would(model, task):
    """The same seed draws the same samples either way, and the device makes
    the target and weights the data workers make, batch after batch (the
    running class counts carried on)."""
    on_cpu, on_device = seeded(model, task, False), seeded(model, task, True)
    assert on_cpu.prepare_on_device(torch.device("cpu")) is None
    prepare = on_device.prepare_on_device(torch.device("cpu"))
    with on_cpu, on_device:
        for iteration in range(3):
            on_cpu.iteration = on_device.iteration = iteration
            expected, batch = on_cpu.next_batch(), on_device.next_batch()
            assert set(batch) == {"raw", "gt", "mask"}
            np.testing.assert_array_equal(batch["raw"], expected["raw"])
            made = prepare(batch_tensors(batch))
            assert made["target"].shape == expected["target"].shape == (2, 1, 16, 16)
            # tanh of torch and numpy may differ in the last bit
            np.testing.assert_allclose(made["target"].numpy(), expected["target"], atol=2e-7)
            np.testing.assert_array_equal(made["weight"].numpy(), expected["weight"])
            assert 0 < (expected["weight"] == 0).mean() < 1  # the masks did mask


def test_ground_truth_comes_with_the_predictors_context(model, task):
    trainer = seeded(model, task, True)
    with trainer:
        batch = trainer.next_batch()
    pad = task.predictor.padding(trainer._device_targets.voxel_size)[0]
    assert batch["gt"].shape == batch["mask"].shape == (2, 16 + 2 * pad, 16 + 2 * pad)
    # ids renumbered into a byte each in the data workers (fewer bytes to hand over)
    assert batch["gt"].dtype == np.uint8 and batch["gt"].max() <= 4


def test_training_with_targets_on_the_device_trains_and_snapshots(tmp_path, model, task):
    container = LocalContainerIdentifier(tmp_path / "snapshot.zarr")
    trainer = seeded(model, task, True, snapshot_container=container, snapshot_interval=2)
    optimizer = trainer.create_optimizer(model)
    with trainer:
        stats = list(trainer.iterate(3, model, optimizer, "cpu"))
    assert [s.iteration for s in stats] == [0, 1, 2] and all(np.isfinite(s.loss) for s in stats)
    volumes = zarr.open_group(str(tmp_path / "snapshot.zarr"), mode="r")["2/volumes"]
    assert volumes["target/0"].shape == volumes["weight/1"].shape == (1, 16, 16)
    raw_offset = volumes["raw/0"].attrs["offset"]
    assert volumes["target/0"].attrs["offset"] == [raw_offset[0] + 2, raw_offset[1] + 2]
    assert volumes["prediction/0"].attrs["offset"] == volumes["target/0"].attrs["offset"]


def test_by_default_targets_go_to_the_device_only_on_a_gpu(model, task):
    def built(device):
        config = GunpowderTrainerConfig("gp", 2, 1e-3, num_data_fetchers=0, min_masked=0)
        trainer = config.trainer_type(config)
        trainer.device = device
        trainer.build_batch_provider([blobs_dataset()], model, task)
        return trainer

    assert built(None).prepare_on_device(torch.device("cpu")) is None
    assert built(torch.device("cpu")).prepare_on_device(torch.device("cpu")) is None
    on_gpu = built(torch.device("cuda"))  # decided when built; no GPU is touched here
    assert on_gpu.prepare_on_device(torch.device("cuda")) is not None
    with on_gpu:
        assert "target" not in on_gpu.next_batch()


def test_asking_for_device_targets_a_predictor_cannot_make_is_an_error(model):
    config = OneHotTaskConfig("one_hot", classes=["a", "b"])
    with pytest.raises(ConfigError, match="targets_on_device is True but .*OneHotPredictor"):
        make_trainer([dataset()], model, config.task_type(config), targets_on_device=True)


@pytest.mark.parametrize("value", ["yes", 1, 0.0])
def test_targets_on_device_must_be_none_or_a_bool(value):
    with pytest.raises(ConfigError, match="targets_on_device"):
        GunpowderTrainerConfig("gp", 2, 1e-3, targets_on_device=value)


@needs_cuda
def test_training_on_a_gpu_computes_targets_there(model, task):
    config = GunpowderTrainerConfig("gp", 2, 1e-3, num_data_fetchers=0, min_masked=0)
    trainer = config.trainer_type(config)
    trainer.device = torch.device("cuda")
    trainer.build_batch_provider([blobs_dataset()], model, task)
    model.to("cuda")
    optimizer = trainer.create_optimizer(model)
    with trainer:
        stats = list(trainer.iterate(3, model, optimizer, "cuda"))
    assert all(np.isfinite(s.loss) for s in stats)
    assert trainer.step_tensors["target"].device.type == "cuda"
