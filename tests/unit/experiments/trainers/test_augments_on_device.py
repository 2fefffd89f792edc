"""``augments_on_device``: the gunpowder trainer's data workers read grown crops
and draw the elastic augment (and the mirrors and transposes after it); the
training device applies them before making the targets."""

import logging
import math

import numpy as np
import pytest
import torch
import zarr

from dacapo.errors import ConfigError
from dacapo.experiments.trainers import GunpowderTrainerConfig
from dacapo.experiments.trainers._batch_feeder import batch_tensors
from dacapo.experiments.trainers.gp_augments import (
    ElasticAugmentConfig,
    GammaAugmentConfig,
    NoiseAugmentConfig,
    SimpleAugmentConfig,
)
from dacapo.store.array_identifiers import LocalContainerIdentifier

from . import test_targets_on_device as shared
from .test_gunpowder_trainer import make_trainer
from .test_targets_on_device import blobs_dataset

task, model = shared.task, shared.model  # the same fixtures


def elastic(angle=None, sigma=1.0, **kwargs):
    interval = (0.0, math.pi / 2) if angle is None else (angle, angle)
    return ElasticAugmentConfig(control_point_spacing=[4, 4],
                                control_point_displacement_sigma=[sigma, sigma],
                                rotation_interval=interval, **kwargs)


def on_device(model, task, augments, **kwargs):
    settings = dict(random_seed=5, batch_size=2, min_masked=0, targets_on_device=True,
                    augments_on_device=True)
    settings.update(kwargs)
    return make_trainer([blobs_dataset()], model, task, augments=augments, **settings)


def test_workers_hand_over_grown_crops_and_draws(model, task):
    trainer = on_device(model, task, [elastic(), SimpleAugmentConfig()])
    with trainer:
        batch = trainer.next_batch()
    assert set(batch) == {"raw", "gt", "mask", "elastic_draw", "augment_draw_1"}
    growth = trainer._device_augments.growth
    raw_growth = growth["raw"][0]  # world units = voxels here
    assert batch["raw"].shape == (2, 20 + 2 * raw_growth, 20 + 2 * raw_growth)
    assert raw_growth >= 5  # a quarter turn's reach (20 * (sqrt 2 - 1) / 2) and more
    assert batch["elastic_draw"].dtype == np.float64 and batch["elastic_draw"][:, 0].all()
    made = trainer.prepare_on_device(torch.device("cpu"))(batch_tensors(batch))
    assert made["raw"].shape == (2, 20, 20)
    assert made["target"].shape == made["weight"].shape == (2, 1, 16, 16)


def test_a_quarter_turn_on_the_device_rotates_the_crop(model, task):
    """No displacement, a fixed quarter turn: the device's raw is the centre of
    the grown crop turned by 90 degrees (the elastic's ``in(c + R (p - c))``)."""
    trainer = on_device(model, task, [elastic(angle=math.pi / 2, sigma=0.0)])
    with trainer:
        batch = trainer.next_batch()
    made = trainer.prepare_on_device(torch.device("cpu"))(batch_tensors(batch))
    g = trainer._device_augments.growth["raw"][0]
    centre = batch["raw"][:, g : g + 20, g : g + 20]
    np.testing.assert_allclose(made["raw"].numpy(), np.rot90(centre, k=3, axes=(1, 2)),
                               atol=1e-5)


def value_augments():
    from dacapo.experiments.trainers.gp_augments import (
        IntensityAugmentConfig,
        IntensityScaleShiftAugmentConfig,
    )

    return [IntensityAugmentConfig(scale=(0.8, 1.2), shift=(-0.1, 0.1)),
            GammaAugmentConfig((0.8, 1.25)), NoiseAugmentConfig(var=0.001),
            IntensityScaleShiftAugmentConfig(2.0, -1.0)]


@pytest.mark.parametrize("after", [[SimpleAugmentConfig()], value_augments()])
def test_training_with_augments_on_the_device_trains_and_snapshots(tmp_path, model, task,
                                                                   after):
    container = LocalContainerIdentifier(tmp_path / "snapshot.zarr")
    trainer = on_device(model, task, [SimpleAugmentConfig(), elastic(), *after],
                        snapshot_container=container, snapshot_interval=2)
    optimizer = trainer.create_optimizer(model)
    with trainer:
        stats = list(trainer.iterate(3, model, optimizer, "cpu"))
    assert all(np.isfinite(s.loss) for s in stats)
    volumes = zarr.open_group(str(tmp_path / "snapshot.zarr"), mode="r")["2/volumes"]
    # the deformed arrays, at the places of the network's input and output
    pad = task.predictor.padding(trainer._device_targets.voxel_size)[0]
    assert volumes["raw/0"].shape == (20, 20)
    assert volumes["gt/1"].shape == volumes["mask/1"].shape == (16 + 2 * pad, 16 + 2 * pad)
    raw_offset = volumes["raw/0"].attrs["offset"]
    assert volumes["gt/0"].attrs["offset"] == [raw_offset[0] + 2 - pad, raw_offset[1] + 2 - pad]
    assert volumes["target/0"].attrs["offset"] == [raw_offset[0] + 2, raw_offset[1] + 2]
    if len(after) > 1:  # mapped to [-1, 1] last
        assert np.min(volumes["raw/0"][:]) < -0.5 and np.max(volumes["raw/0"][:]) <= 1


def test_by_default_augments_go_to_the_device_only_on_a_gpu_with_targets_there(model, task):
    def built(device, augments, **kwargs):
        config = GunpowderTrainerConfig("gp", 2, 1e-3, num_data_fetchers=0, min_masked=0,
                                        augments=augments, **kwargs)
        trainer = config.trainer_type(config)
        trainer.device = device
        trainer.build_batch_provider([blobs_dataset()], model, task)
        return trainer._device_augments

    assert built(torch.device("cpu"), [elastic()], targets_on_device=True) is None
    assert built(torch.device("cuda"), [elastic(), SimpleAugmentConfig()]) is not None
    assert built(torch.device("cuda"), [elastic()], targets_on_device=False) is None
    assert built(torch.device("cuda"), [GammaAugmentConfig((0.8, 1.2))]) is None
    assert built(torch.device("cuda"), [elastic(), NoiseAugmentConfig()]) is not None
    assert built(torch.device("cuda"), [elastic(), elastic()]) is None


def test_an_augment_that_cannot_follow_on_the_device_keeps_it_in_the_workers(
    model, task, caplog
):
    config = GunpowderTrainerConfig("gp", 2, 1e-3, num_data_fetchers=0, min_masked=0,
                                    augments=[elastic(), elastic(sigma=2.0)])
    trainer = config.trainer_type(config)
    trainer.device = torch.device("cuda")
    with caplog.at_level(logging.INFO):
        trainer.build_batch_provider([blobs_dataset()], model, task)
    assert trainer._device_augments is None
    assert "augments[1] (ElasticAugmentConfig) comes after the ElasticAugmentConfig" in caplog.text


@pytest.mark.parametrize("augments, kwargs, message", [
    ([SimpleAugmentConfig()], {}, "augments_on_device is True but its augments have no "
     "ElasticAugmentConfig"),
    ([elastic()], {"targets_on_device": False}, "augments_on_device is True but its targets "
     "are made in the data workers"),
    ([elastic(), elastic()], {}, r"augments\[1\] \(ElasticAugmentConfig\) comes "
     "after the ElasticAugmentConfig .* only SimpleAugmentConfig, IntensityAugmentConfig, "
     "GammaAugmentConfig, IntensityScaleShiftAugmentConfig, NoiseAugmentConfig can follow "
     "it on the device; move it before the elastic augment"),
])
def test_asking_for_augments_on_the_device_where_they_cannot_be_is_an_error(
    model, task, augments, kwargs, message
):
    with pytest.raises(ConfigError, match=message):
        on_device(model, task, augments, **kwargs)


def test_transposing_axes_of_different_sizes_on_the_device_is_an_error(task):
    from dacapo.experiments.architectures import CNNectomeUNetConfig

    config = CNNectomeUNetConfig("net", input_shape=(20, 24), fmaps_out=2, fmaps_in=1,
                                 num_fmaps=2, fmap_inc_factor=2, downsample_factors=[])
    flat = task.create_model(config.architecture_type(config))
    with pytest.raises(ConfigError, match=r"may transpose the axes \[0, 1\] of raw, whose "
                       r"sizes differ \(\(20, 24\) voxels\).*set transpose_only"):
        on_device(flat, task, [elastic(), SimpleAugmentConfig()])
    on_device(flat, task, [elastic(), SimpleAugmentConfig(transpose_only=[])])  # mirrors only


@pytest.mark.parametrize("value", ["yes", 1, 0.0])
def test_augments_on_device_must_be_none_or_a_bool(value):
    with pytest.raises(ConfigError, match="augments_on_device"):
        GunpowderTrainerConfig("gp", 2, 1e-3, augments_on_device=value)


def normalised_raw_dataset(tmp_path, make_zarr, low=0.0, high=255.0):
    """``blobs_dataset`` with byte raw in a zarr, normalised by an IntensitiesArray."""
    from dacapo.experiments.datasplits.datasets.arrays import (
        IntensitiesArrayConfig,
        ZarrArrayConfig,
    )

    stored = (np.random.default_rng(1).random((60, 60)) * 255).astype(np.uint8)
    make_zarr(tmp_path / "raw.zarr", "raw", stored, (1, 1), None)
    source = ZarrArrayConfig(name="raw", file_name=tmp_path / "raw.zarr", dataset="raw")
    config = IntensitiesArrayConfig(name="norm", source_array_config=source, min=low, max=high)
    data = blobs_dataset()
    data.raw = config.array_type(config)
    return data


def test_raw_goes_to_the_device_as_stored_and_is_normalised_there(
    tmp_path, make_zarr, model, task
):
    data = normalised_raw_dataset(tmp_path, make_zarr)
    trainer = make_trainer([data], model, task, random_seed=5, batch_size=2, min_masked=0,
                           targets_on_device=True, augments_on_device=True,
                           augments=[elastic(angle=math.pi / 2, sigma=0.0)])
    with trainer:
        batch = trainer.next_batch()
    assert batch["raw"].dtype == np.uint8  # a quarter of the bytes to hand over and copy
    made = trainer.prepare_on_device(torch.device("cpu"))(batch_tensors(batch))
    g = trainer._device_augments.growth["raw"][0]
    centre = batch["raw"][:, g : g + 20, g : g + 20].astype(np.float32) / np.float32(255)
    assert made["raw"].dtype == torch.float32
    np.testing.assert_allclose(made["raw"].numpy(), np.rot90(centre, k=3, axes=(1, 2)),
                               atol=1e-6)


@pytest.mark.parametrize("augments", [
    [GammaAugmentConfig((0.8, 1.2)), elastic()],  # reads raw's values before the elastic
    [elastic()],  # with two ranges, below
])
def test_raw_comes_normalised_where_the_device_cannot_normalise_it(
    tmp_path, make_zarr, model, task, augments
):
    datasets = [normalised_raw_dataset(tmp_path / "a", make_zarr)]
    if len(augments) == 1:
        datasets.append(normalised_raw_dataset(tmp_path / "b", make_zarr, high=200.0))
    trainer = make_trainer(datasets, model, task, batch_size=2, min_masked=0,
                           targets_on_device=True, augments_on_device=True, augments=augments)
    assert trainer._device_augments.raw_range is None
    with trainer:
        assert trainer.next_batch()["raw"].dtype == np.float32


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("fetchers", [0, 2])
def test_training_on_a_gpu_applies_the_augments_there(tmp_path, make_zarr, model, task,
                                                       fetchers):
    config = GunpowderTrainerConfig("gp", 2, 1e-3, num_data_fetchers=fetchers, min_masked=0,
                                    augments=[elastic(), SimpleAugmentConfig()])
    trainer = config.trainer_type(config)
    trainer.device = torch.device("cuda")
    trainer.build_batch_provider([normalised_raw_dataset(tmp_path, make_zarr)], model, task)
    assert trainer._device_augments is not None and trainer._device_augments.raw_range
    model.to("cuda")
    optimizer = trainer.create_optimizer(model)
    with trainer:
        stats = list(trainer.iterate(4, model, optimizer, "cuda"))
    assert all(np.isfinite(s.loss) for s in stats)
    raw = trainer.step_tensors["raw"]
    assert raw.device.type == "cuda" and raw.shape == (2, 20, 20) and raw.dtype == torch.float32
