"""Rotations that grow a training sample beyond its crop read zero-padded,
masked-out ground truth instead of failing (2D, voxel size 1, 20x20 input,
16x16 output)."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.architectures import CNNectomeUNetConfig
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.distance_task_config import DistanceTaskConfig
from dacapo.experiments.trainers import GunpowderTrainerConfig
from dacapo.experiments.trainers._gp_sampling import SampleLocation
from dacapo.experiments.trainers.gp_augments import ElasticAugmentConfig

ROTATE = ElasticAugmentConfig([10, 10], [0.0, 0.0], (0.0, math.pi / 2))


def array(data):
    return NumpyArray.from_np_array(data, Roi((0, 0), data.shape), (1, 1), ["y", "x"])


def crop(size, gt=None, mask=None, sample_points=None):
    """A ``size``² crop: noise raw, ground truth 1 everywhere (or ``gt``), a mask."""
    raw = np.random.default_rng(0).random((size, size), dtype=np.float32)
    gt = np.ones((size, size), np.uint64) if gt is None else gt
    return SimpleNamespace(
        name="crop", raw=array(raw), gt=array(gt),
        mask=None if mask is None else array(mask), weight=1, sample_points=sample_points,
    )


def distance_task(mask_distances):
    config = DistanceTaskConfig(
        "fg", channels=["fg"], clip_distance=4.0, tol_distance=4.0, scale_factor=4.0,
        mask_distances=mask_distances,
    )
    return config.task_type(config)


@pytest.fixture(scope="module")
def task():
    """Ground truth over the output only: 16x16 fits a 22x22 crop unless rotated."""
    return distance_task(False)


@pytest.fixture(scope="module")
def masked_task():
    """Ground truth with the distances' context (8 voxels per side)."""
    return distance_task(True)


@pytest.fixture(scope="module")
def model(task):
    config = CNNectomeUNetConfig(
        "net", input_shape=(20, 20), fmaps_out=2, fmaps_in=1, num_fmaps=2,
        fmap_inc_factor=2, downsample_factors=[],
    )
    return task.create_model(config.architecture_type(config))


def draw(data, model, task, count, **kwargs):
    """``count`` batches of 2 samples from a trainer over ``data``."""
    options = dict(
        name="gp", batch_size=2, learning_rate=1e-3, num_data_fetchers=0, augments=[ROTATE],
        min_masked=0, random_seed=3,
    )
    options.update(kwargs)
    config = GunpowderTrainerConfig(**options)
    trainer = config.trainer_type(config)
    trainer.build_batch_provider([data], model, task)
    found = []
    with trainer:
        for iteration in range(count):
            trainer.iteration = iteration  # seeds each batch differently
            found.append(trainer.next_batch())
    return found


def check_padding_is_masked(batches):
    """Padding (gt 0 on a crop whose gt is 1 everywhere) is masked and weighs 0."""
    padded = np.stack([b["gt"] == 0 for b in batches])
    masks = np.stack([b["mask"] for b in batches])
    weights = np.stack([b["weight"][:, 0] for b in batches])
    assert padded.any(), "no rotation reached beyond the crop: the test tests nothing"
    assert (masks[padded] == 0).all() and (masks[~padded] == 1).all()
    assert (weights[padded] == 0).all() and (weights[~padded] > 0).any()


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"sample_strategy": "integral_mask", "min_masked": 0.5},
        {"sample_strategy": "sample_points"},
    ],
    ids=["random", "integral_mask", "sample_points"],
)
def test_rotations_beyond_a_crop_read_masked_padding(model, task, options):
    # the 16x16 output fits the 22x22 crop; rotated by 31 to 59 degrees (about
    # a third of the draws) it needs up to 23x23 voxels
    mask = np.ones((22, 22), np.uint8)
    data = crop(22, mask=mask, sample_points=[Coordinate(11, 11), Coordinate(10, 12)])
    found = draw(data, model, task, 15, **options)  # 30 samples, none fails
    check_padding_is_masked(found)


@pytest.mark.timeout(60)
def test_samples_beyond_a_crop_still_centre_on_sample_points(model, task, caplog):
    # rotated by 45 degrees every sample overflows the 22x22 crop; a point off
    # the crop's centre still centres it (its output stays inside the crop)
    gt = np.arange(1, 22 * 22 + 1, dtype=np.uint64).reshape(22, 22)
    point = Coordinate(8, 13)
    data = crop(22, gt=gt, sample_points=[point])
    rotate = ElasticAugmentConfig([10, 10], [0.0, 0.0], (0.785, 0.786))
    found = draw(data, model, task, 5, augments=[rotate], sample_strategy="sample_points")
    assert "sampling random locations instead" not in caplog.text
    for sample in (s for b in found for s in b["gt"]):
        centre = np.unravel_index(int(sample[8, 8]) - 1, (22, 22))
        assert all(abs(c - p) <= 2 for c, p in zip(centre, point)), centre


@pytest.mark.timeout(60)
def test_the_distance_mask_treats_padding_as_unseen(model, masked_task):
    # rotated, the 32x32 ground truth (output and context) reaches beyond the
    # crop: the distances there are unknown, never learnt
    found = draw(crop(22), model, masked_task, 15)
    check_padding_is_masked(found)


@pytest.mark.timeout(60)
def test_padded_samples_are_reproducible_with_a_seed(model, task):
    first, second = (draw(crop(22), model, task, 6) for _ in range(2))
    assert any((batch["mask"] == 0).any() for batch in first)  # some were padded
    for one, other in zip(first, second):
        assert all(np.array_equal(one[name], other[name]) for name in one)


@pytest.mark.timeout(60)
def test_samples_that_fit_never_read_padding(model, masked_task):
    # on a 60x60 crop a rotated sample always fits: nothing is padded, and
    # samples still reach the crop's borders as they did without padding
    gt = np.arange(1, 60 * 60 + 1, dtype=np.uint64).reshape(60, 60)
    found = draw(crop(60, gt=gt), model, masked_task, 15)
    assert all((b["mask"] == 1).all() and (b["gt"] > 0).all() for b in found)
    rows = [np.unravel_index(int(s.min()) - 1, (60, 60))[0] for b in found for s in b["gt"]]
    assert min(rows) < 15 and max(rows) > 20


@pytest.mark.timeout(60)
def test_network_output_stays_inside_the_crop(model, masked_task):
    # the distances' context (4 per side) grows the 16x16 ground truth asked
    # for to 24x24, beyond the 22x22 crop; the output itself is still placed
    # inside the crop: its centre lies where it fits (8..14 per axis)
    gt = np.arange(1, 22 * 22 + 1, dtype=np.uint64).reshape(22, 22)
    found = draw(crop(22, gt=gt), model, masked_task, 10, augments=[])
    centres = [np.unravel_index(int(s[8, 8]) - 1, (22, 22)) for b in found for s in b["gt"]]
    assert all(8 <= c <= 14 for centre in centres for c in centre)


@pytest.mark.timeout(120)
def test_3d_rotations_beyond_a_crop_do_not_fail(task):
    # the 3D analogue of the report (132³ input on 192³ crops): 16³ output on 22³
    config = CNNectomeUNetConfig(
        "net3d", input_shape=(20, 20, 20), fmaps_out=2, fmaps_in=1, num_fmaps=2,
        fmap_inc_factor=2, downsample_factors=[],
    )
    model = task.create_model(config.architecture_type(config))
    shape = (22, 22, 22)
    roi = Roi((0, 0, 0), shape)
    raw = np.random.default_rng(0).random(shape, dtype=np.float32)
    data = SimpleNamespace(
        name="crop3d", weight=1, sample_points=None, mask=None,
        raw=NumpyArray.from_np_array(raw, roi, (1, 1, 1), ["z", "y", "x"]),
        gt=NumpyArray.from_np_array(np.ones(shape, np.uint64), roi, (1, 1, 1), ["z", "y", "x"]),
    )
    rotate = ElasticAugmentConfig([10] * 3, [1.0] * 3, (0.0, math.pi / 2))
    check_padding_is_masked(draw(data, model, task, 5, augments=[rotate]))


def test_the_integral_mask_counts_padding_as_not_annotated():
    node = SampleLocation("crop", Coordinate(4, 4))
    node._mask_roi = Roi((0, 0), (6, 6))
    annotated = np.ones((6, 6), np.uint32).cumsum(0).cumsum(1)
    counts = np.zeros((7, 7), np.uint32)
    counts[1:, 1:] = annotated
    # a 4x4 output one voxel beyond the mask's corner: 9 of its 16 voxels are data
    fraction = node._integral_fraction(counts, Roi((3, 3), (4, 4)), Coordinate(1, 1))
    assert fraction == 9 / 16
    assert node._integral_fraction(counts, Roi((10, 10), (4, 4)), Coordinate(1, 1)) == 0.0
