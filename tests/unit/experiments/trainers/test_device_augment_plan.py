"""When the elastic augment (and those after it) can go to the training device,
and the batch entries of their draws."""

import math

import pytest
from funlib.geometry import Coordinate

from dacapo.experiments.trainers._device_augment_plan import (
    device_augments_refusal,
    draw_keys,
    followers,
)
from dacapo.experiments.trainers.gp_augments import (
    ElasticAugmentConfig,
    GammaAugmentConfig,
    NoiseAugmentConfig,
    SimpleAugmentConfig,
)

CUBE = {"raw": Coordinate((40, 40, 40)), "gt": Coordinate((20, 20, 20))}


def elastic(dims=3):
    return ElasticAugmentConfig([4] * dims, [1.0] * dims, (0.0, math.pi / 2))


def test_a_plain_list_can_go_to_the_device():
    augments = [SimpleAugmentConfig(), elastic(), SimpleAugmentConfig(), GammaAugmentConfig((0.8, 1.2))]
    assert device_augments_refusal(augments, True, CUBE) is None
    assert [entry for _, entry in followers(augments)] == ["augment_draw_2", "augment_draw_3"]
    assert list(draw_keys(augments)) == ["elastic_draw", "augment_draw_2", "augment_draw_3"]


@pytest.mark.parametrize("shape", [(40,), (4, 40, 40, 40)])
def test_only_2d_and_3d_data_are_resampled_on_the_device(shape):
    dims = len(shape)
    refusal = device_augments_refusal([elastic(dims)], True, {"raw": Coordinate(shape)})
    assert refusal == f"its data has {dims} spatial dimensions, and the device resamples 2 or 3"


def test_a_second_elastic_augment_keeps_them_in_the_workers():
    refusal = device_augments_refusal([elastic(), NoiseAugmentConfig(), elastic()], True, CUBE)
    assert refusal.startswith("augments[2] (ElasticAugmentConfig) comes after the "
                              "ElasticAugmentConfig (augments[0]), and only "
                              "SimpleAugmentConfig, IntensityAugmentConfig, GammaAugmentConfig, "
                              "IntensityScaleShiftAugmentConfig, NoiseAugmentConfig can follow")
    # before it, any augment runs in the workers on the grown crop
    assert device_augments_refusal([elastic(), elastic(), NoiseAugmentConfig()], True,
                                   CUBE) is not None
    assert device_augments_refusal([NoiseAugmentConfig(), elastic()], True, CUBE) is None


@pytest.mark.parametrize("simple, refused", [
    (SimpleAugmentConfig(), True),
    (SimpleAugmentConfig(transpose_only=[1, 2]), False),
    (SimpleAugmentConfig(transpose_probs=[0.0, 0.5, 0.5]), False),
    (SimpleAugmentConfig(transpose_probs=[0.5, 0.0, 0.5]), True),
])
def test_transposes_on_the_device_keep_to_axes_of_equal_size(simple, refused):
    flat = {"raw": Coordinate((20, 40, 40)), "gt": Coordinate((10, 20, 20))}
    refusal = device_augments_refusal([elastic(), simple], True, flat)
    assert (refusal is not None) == refused
    if refused:
        assert "of raw, whose sizes differ ((20, 40, 40) voxels)" in refusal
