"""The elastic augment (and mirrors and transposes after it) applied on the
training device: the same samples as the data workers' CPU augments."""

from __future__ import annotations

import math

import gunpowder as gp
import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.trainers._device_augment_plan import draw_keys, draw_nodes, followers
from dacapo.experiments.trainers._device_augments import DeviceAugments
from dacapo.experiments.trainers.gp_augments import ElasticAugmentConfig, SimpleAugmentConfig
from dacapo.gp import DaCapoArraySource, ElasticAugment
from dacapo.gp.elastic_draw import elastic_growth

from ...gp.test_elastic_augment import RecordRequests

RAW, GT, MASK = gp.ArrayKey("RAW"), gp.ArrayKey("GT"), gp.ArrayKey("MASK")
NAMES = {RAW: "raw", GT: "gt", MASK: "mask"}


def _array(data, voxel_size, dims=3):
    voxel_size = Coordinate(voxel_size)
    roi = Roi((0,) * dims, Coordinate(data.shape[-dims:]) * voxel_size)
    axes = ["c"] * (data.ndim - dims) + list("zyx"[-dims:])
    return NumpyArray.from_np_array(data, roi, voxel_size, axes)


def _volumes(raw_dtype=np.float32, dims=3, raw_voxel=2):
    """Smooth raw (a byte or [0, 1] floats), blocky labels and a mask, 40 raw voxels a side."""
    rng = np.random.default_rng(3)
    size = 80 // raw_voxel
    grid = np.meshgrid(*[np.linspace(0, 6, size)] * dims, indexing="ij")
    raw = (np.sin(sum(grid)) * 0.4 + 0.5 + rng.normal(0, 0.05, grid[0].shape)).clip(0, 1)
    raw = (raw * 255).round().astype(np.uint8) if raw_dtype == np.uint8 else raw.astype(raw_dtype)
    labels = rng.integers(1, 50, size=(8,) * dims).repeat(5, axis=0)
    for axis in range(1, dims):
        labels = labels.repeat(5, axis=axis)
    mask = (labels % 7 != 0).astype(np.uint8)
    return raw, labels.astype(np.uint64), mask


def _pipeline(volumes, raw_voxel, dims=3):
    raw, labels, mask = volumes
    sources = []
    for key, data, voxel, interpolatable in (
        (RAW, raw, (raw_voxel,) * dims, True), (GT, labels, (2,) * dims, None),
        (MASK, mask, (2,) * dims, None),
    ):
        source = DaCapoArraySource(_array(data, voxel, dims), key, interpolatable=interpolatable)
        sources.append(source + gp.Pad(key, None, value=0))
    return tuple(sources) + gp.MergeProvider()


def _rois(dims=3):
    return {RAW: Roi((16,) * dims, (48,) * dims), GT: Roi((28,) * dims, (24,) * dims),
            MASK: Roi((28,) * dims, (24,) * dims)}


def _request(rois, seed, extra=()):
    request = gp.BatchRequest(random_seed=seed)
    for key, roi in rois.items():
        request[key] = gp.ArraySpec(roi=roi)
    for key in extra:
        request[key] = gp.ArraySpec(nonspatial=True)
    return request


def _config(**kwargs):
    settings = dict(control_point_spacing=[5, 5, 5], control_point_displacement_sigma=[1.5] * 3,
                    rotation_interval=(0.0, math.pi / 2))
    settings.update(kwargs)
    return ElasticAugmentConfig(**settings)


def _elastic_kwargs(config):
    return dict(
        control_point_spacing=config.control_point_spacing,
        control_point_displacement_sigma=config.control_point_displacement_sigma,
        rotation_interval=config.rotation_interval, subsample=config.subsample,
        uniform_3d_rotation=config.uniform_3d_rotation,
        augmentation_probability=config.augmentation_probability,
    )


def _voxel_sizes(raw_voxel, dims=3):
    return {RAW: Coordinate((raw_voxel,) * dims), GT: Coordinate((2,) * dims),
            MASK: Coordinate((2,) * dims)}


def _both(config, seed, after=(), raw_dtype=np.float32, raw_voxel=2, batch=2,
          raw_range=None, device="cpu"):
    """The batch made on the CPU (the elastic augment, then the ``after``
    augments' own nodes), and the one made from draws on the device (with
    ``raw_range``, from byte raw normalised there; the CPU reads it
    normalised as ``IntensitiesArray`` gives it)."""
    volumes, rois = _volumes(raw_dtype, raw_voxel=raw_voxel), _rois()
    voxel_sizes = _voxel_sizes(raw_voxel)
    cpu_volumes = volumes
    if raw_range is not None:
        low, high = raw_range
        normalised = (volumes[0].astype(np.float32) - np.float32(low)) / np.float32(high - low)
        cpu_volumes = (normalised,) + volumes[1:]
    augments = [config, *after]
    cpu = _pipeline(cpu_volumes, raw_voxel)
    for augment in augments:
        cpu += augment.node(RAW, GT, MASK)
    cpu += gp.Stack(batch)
    with gp.build(cpu):
        expected = cpu.request_batch(_request(rois, seed))
    growth = elastic_growth(rois, voxel_sizes, config.control_point_displacement_sigma,
                            config.rotation_interval, config.uniform_3d_rotation)
    keys = draw_keys(augments)
    drawing = _pipeline(volumes, raw_voxel)
    for node in draw_nodes(augments, {"raw": RAW, "gt": GT, "mask": MASK},
                           {NAMES[k]: g for k, g in growth.items()}):
        drawing += node
    drawing += gp.Stack(batch)
    grown = {key: roi.grow(growth[key], growth[key]) for key, roi in rois.items()}
    with gp.build(drawing):
        drawn = drawing.request_batch(_request(grown, seed, keys.values()))
    device_augments = DeviceAugments(
        config, followers(augments), {NAMES[k]: r for k, r in rois.items()},
        {NAMES[k]: g for k, g in growth.items()}, {NAMES[k]: v for k, v in voxel_sizes.items()},
    )
    device_augments.raw_range = raw_range
    tensors = {NAMES[k]: torch.as_tensor(drawn[k].data.astype(np.int64) if k == GT
                                         else drawn[k].data).to(device) for k in NAMES}
    tensors.update((name, torch.as_tensor(drawn[key].data)) for name, key in keys.items())
    made = device_augments(tensors)
    _both.applied = drawn[keys["elastic_draw"]].data[:, 0]  # which samples were deformed
    assert all(made[name].device.type == device for name in NAMES.values())
    assert set(made) == set(NAMES.values())  # the draws are used up
    return expected, {key: made[name].cpu().numpy() for key, name in NAMES.items()}


def _assert_same_samples(expected, made, raw_atol=2e-5):
    for key in (GT, MASK):
        assert made[key].shape == expected[key].data.shape
        agree = np.mean(made[key] == expected[key].data.astype(made[key].dtype))
        assert agree >= 0.999, f"{key}: {agree:.5f} of the voxels agree"
    raw, cpu_raw = made[RAW], expected[RAW].data
    assert raw.shape == cpu_raw.shape and raw.dtype == cpu_raw.dtype
    if np.issubdtype(raw.dtype, np.floating):
        np.testing.assert_allclose(raw, cpu_raw, atol=raw_atol)
    else:  # rounded: a rare tie may round the other way
        difference = np.abs(raw.astype(int) - cpu_raw.astype(int))
        assert difference.max() <= 1 and np.mean(difference == 0) >= 0.999


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("settings", [
    {},
    {"uniform_3d_rotation": True},
    {"rotation_interval": (0.2, 0.4), "subsample": 4},
    {"control_point_displacement_sigma": [0.0] * 3, "rotation_interval": (0.0, 0.0)},
])
def test_device_resampling_matches_the_cpu_augment(settings, seed):
    expected, made = _both(_config(**settings), seed)
    _assert_same_samples(expected, made)


@pytest.mark.parametrize("seed", [4, 5])
def test_mirrors_and_transposes_after_the_deformation_match(seed):
    expected, made = _both(_config(), seed, after=[SimpleAugmentConfig()])
    _assert_same_samples(expected, made)


def test_byte_raw_and_a_finer_raw_grid_match():
    expected, made = _both(_config(), 6, raw_dtype=np.uint8, raw_voxel=1)
    _assert_same_samples(expected, made)


@pytest.mark.parametrize("probability", [1.0, 0.5])
def test_raw_as_stored_is_normalised_on_the_device_as_intensities_array_does(probability):
    config = _config(augmentation_probability=probability)
    expected, made = _both(config, 8, raw_dtype=np.uint8, raw_range=(10.0, 250.0), batch=4)
    _assert_same_samples(expected, made, raw_atol=5e-6)  # grid_sample rounds positions
    assert made[RAW].min() < 0 < 1 < made[RAW].max()  # not clipped
    assert len(set(_both.applied)) == (1 if probability == 1 else 2)


def test_skipped_deformations_give_the_crops_as_read():
    expected, made = _both(_config(augmentation_probability=0.5), 3, batch=4)
    assert sorted(set(_both.applied)) == [0, 1]  # some skipped, some not
    skipped = _both.applied == 0
    np.testing.assert_array_equal(made[RAW][skipped], expected[RAW].data[skipped])
    _assert_same_samples(expected, made)


@pytest.mark.parametrize("settings", [
    {"uniform_3d_rotation": True, "control_point_displacement_sigma": [3.0] * 3},
    {"rotation_interval": (0.1, 0.3), "control_point_displacement_sigma": [2.0, 0.5, 1.0]},
])
def test_the_grown_crop_holds_every_position_the_cpu_augment_reads(settings):
    config = _config(**settings)
    rois, voxel_sizes = _rois(), _voxel_sizes(2)
    growth = elastic_growth(rois, voxel_sizes, config.control_point_displacement_sigma,
                            config.rotation_interval, config.uniform_3d_rotation)
    recorder = RecordRequests()
    pipeline = _pipeline(_volumes(), 2) + recorder + ElasticAugment(**_elastic_kwargs(config))
    with gp.build(pipeline):
        for seed in range(20):
            pipeline.request_batch(_request(rois, seed))
    for asked in recorder.rois:
        for key, roi in rois.items():
            assert roi.grow(growth[key], growth[key]).contains(asked[key])
    # and not much more: the rotation's reach (uniform: 16 of raw's 24 a side)
    # plus 6 sigma of displacement (36) and a voxel or two
    if config.uniform_3d_rotation:
        assert growth[RAW] == (54, 54, 54)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("raw_range", [None, (10.0, 250.0)])
def test_on_a_gpu_the_samples_are_the_cpu_augments(raw_range):
    config = _config(augmentation_probability=0.7)
    expected, made = _both(config, 3, after=[SimpleAugmentConfig()], raw_dtype=np.uint8, batch=4,
                           raw_range=raw_range, device="cuda")
    _assert_same_samples(expected, made, raw_atol=5e-6)


def _value_augments():
    from dacapo.experiments.trainers.gp_augments import (
        GammaAugmentConfig,
        IntensityAugmentConfig,
        IntensityScaleShiftAugmentConfig,
    )

    return [
        SimpleAugmentConfig(),
        IntensityAugmentConfig(scale=(0.6, 1.4), shift=(-0.2, 0.2), augmentation_probability=0.6),
        GammaAugmentConfig(gamma_range=(0.6, 1.6)),
        IntensityAugmentConfig(scale=(0.9, 1.1), shift=(-0.1, 0.1), clip=False),
        IntensityScaleShiftAugmentConfig(scale=2.0, shift=-1.0),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("raw_range", [None, (0.0, 255.0)])
def test_intensity_augments_after_the_deformation_match(seed, raw_range):
    """Mirrors, random intensity scale and shift (clipped or not, sometimes
    skipped), gamma and a fixed scale and shift after the elastic augment, in
    that order: on the device as the nodes make them on the CPU."""
    dtype = np.uint8 if raw_range else np.float32
    expected, made = _both(_config(), seed, after=_value_augments(), raw_dtype=dtype, batch=4,
                           raw_range=raw_range)
    _assert_same_samples(expected, made, raw_atol=2e-5)
    assert made[RAW].min() < -0.5 < 0.5 < made[RAW].max()  # the last scale and shift


@pytest.mark.parametrize("augment, message", [
    (lambda: _value_augments()[2], r"GammaAugmentConfig: raw of a training batch has values "
     r"in \[-0.1.*, 1.1.*\]; expected \[0, 1\]; normalise it into \[0, 1\] first"),
    (lambda: _value_augments()[1], r"IntensityAugmentConfig \(clip=True\): raw .* expected "
     r"\[0, 1\].* or set clip=False"),
])
def test_intensity_augments_on_the_device_refuse_raw_outside_zero_to_one(augment, message):
    from dacapo.experiments.trainers._device_followers import apply_follower

    raw = torch.linspace(-0.1, 1.1, 16).reshape(2, 8)
    draws = torch.tensor([[1.0, 1.2, 0.1], [1.0, 0.9, 0.0]])
    with pytest.raises(ConfigError, match=message):
        apply_follower(augment(), {"raw": raw}, draws, 1)


def test_intensity_augments_on_the_device_need_float_raw():
    from dacapo.experiments.trainers._device_followers import apply_follower

    raw = torch.zeros((2, 8), dtype=torch.uint8)
    with pytest.raises(ConfigError, match="GammaAugmentConfig: raw of a training batch has type "
                       "torch.uint8; expected float values in \\[0, 1\\]; normalise it first"):
        apply_follower(_value_augments()[2], {"raw": raw}, torch.tensor([[1.0, 2.0]] * 2), 1)


def _noise_pair(config, image, seed=11):
    """``config``'s noise added to ``image`` (a batch of 2) on the device, and by
    ``skimage.util.random_noise`` as ``gp.NoiseAugment`` calls it, per sample."""
    from skimage.util import random_noise

    from dacapo.experiments.trainers._device_followers import apply_follower

    tensors = {"raw": torch.as_tensor(image)}
    draws = torch.tensor([[1.0, seed], [1.0, seed + 1]], dtype=torch.float64)
    apply_follower(config, tensors, draws, 3)
    expected = np.stack([
        random_noise(sample, mode=config.mode, rng=seed + i, clip=config.clip,
                     **config.options()).astype(np.float32)
        for i, sample in enumerate(image)])
    return tensors["raw"].numpy(), expected


@pytest.mark.parametrize("mode, options, low", [
    ("gaussian", {"var": 0.02}, 0.0),
    ("gaussian", {"mean": 0.1}, -0.5),
    ("speckle", {"var": 0.04}, 0.0),
    ("poisson", {}, 0.0),
    ("poisson", {}, -0.5),
])
def test_device_noise_has_skimages_statistics(mode, options, low):
    """Not skimage's numbers (torch draws them), but their distribution: mean
    and spread of the change, and the clipping range (-1 where raw has
    negative values)."""
    from dacapo.experiments.trainers.gp_augments import NoiseAugmentConfig

    config = NoiseAugmentConfig(mode=mode, **options)
    image = np.linspace(low, 0.8, 2 * 32**3, dtype=np.float32).reshape(2, 32, 32, 32)
    made, expected = _noise_pair(config, image)
    assert made.dtype == np.float32 and made.shape == image.shape
    change, reference = made - image, expected - image
    assert abs(change.mean() - reference.mean()) < 0.004
    assert abs(change.std() - reference.std()) < 0.03 * reference.std() + 1e-3
    assert made.min() >= min(0.0, low) * 2 and made.max() <= 1.0  # clipped as skimage clips
    assert (made.min() < 0) == (expected.min() < 0)
    assert not np.array_equal(made[0], made[1])  # a seed of its own a sample


@pytest.mark.parametrize("mode, salt", [("salt", 1.0), ("pepper", 0.0), ("s&p", 0.3)])
def test_device_salt_and_pepper_replace_the_share_skimage_replaces(mode, salt):
    from dacapo.experiments.trainers.gp_augments import NoiseAugmentConfig

    options = {"amount": 0.2} if mode != "s&p" else {"amount": 0.2, "salt_vs_pepper": salt}
    config = NoiseAugmentConfig(mode=mode, **options)
    image = np.full((2, 32, 32, 32), 0.5, dtype=np.float32)
    image[1, 0, 0, 0] = -0.5  # pepper is -1 where raw has negative values
    made, expected = _noise_pair(config, image)
    for low, sample, reference in ((0.0, made[0], expected[0]), (-1.0, made[1], expected[1])):
        assert abs(np.mean(sample == 1.0) - np.mean(reference == 1.0)) < 0.01
        assert abs(np.mean(sample == low) - np.mean(reference == low)) < 0.01
        assert abs(np.mean(sample == 1.0) - 0.2 * salt) < 0.01


def test_device_noise_follows_its_draws():
    from dacapo.experiments.trainers._device_followers import apply_follower
    from dacapo.experiments.trainers.gp_augments import NoiseAugmentConfig

    image = torch.full((3, 16, 16), 0.5)
    draws = torch.tensor([[1.0, 5.0], [0.0, 6.0], [1.0, 5.0]], dtype=torch.float64)
    tensors = {"raw": image.clone()}
    apply_follower(NoiseAugmentConfig(), tensors, draws, 2)
    made = tensors["raw"]
    assert torch.equal(made[1], image[1])  # not applied
    assert torch.equal(made[0], made[2]) and not torch.equal(made[0], image[0])  # one seed


def test_device_noise_refuses_raw_outside_minus_one_to_one():
    from dacapo.experiments.trainers._device_followers import apply_follower
    from dacapo.experiments.trainers.gp_augments import NoiseAugmentConfig

    raw = torch.linspace(-1.5, 1.0, 16).reshape(2, 8)
    with pytest.raises(ConfigError, match=r"NoiseAugmentConfig \(clip=True\): raw of a training "
                       r"batch has values in \[-1.5, 1.0\]; expected \[-1, 1\] or \[0, 1\]; "
                       r".*or set clip=False"):
        apply_follower(NoiseAugmentConfig(), {"raw": raw}, torch.tensor([[1.0, 1.0]] * 2), 1)


def test_noise_after_the_deformation_leaves_the_deformation_as_on_the_cpu():
    """The noise draw node consumes the random state as gp.NoiseAugment does:
    the deformation (and labels) stay the CPU's; raw gets noise."""
    from dacapo.experiments.trainers.gp_augments import NoiseAugmentConfig

    expected, made = _both(_config(), 2, after=[NoiseAugmentConfig(var=0.01),
                                                SimpleAugmentConfig()], batch=2)
    for key in (GT, MASK):
        np.testing.assert_array_equal(made[key], expected[key].data.astype(made[key].dtype))
    assert 0.05 < np.std(made[RAW] - expected[RAW].data) < 0.15  # both noisy, independently


def test_a_batch_whose_intensity_augments_were_all_skipped_is_left_as_it_is():
    from dacapo.experiments.trainers._device_followers import apply_follower
    from dacapo.experiments.trainers.gp_augments import NoiseAugmentConfig

    raw = torch.linspace(-1.5, 1.5, 16).reshape(2, 8)  # outside what the nodes accept
    for augment, skipped in ((_value_augments()[1], [[0.0, 0.0, 0.0]] * 2),
                             (NoiseAugmentConfig(), [[0.0, 3.0]] * 2)):
        tensors = {"raw": raw.clone()}
        apply_follower(augment, tensors, torch.tensor(skipped), 1)
        assert torch.equal(tensors["raw"], raw)
