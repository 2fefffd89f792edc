"""The distance predictor's weights and target are exactly what they were
before its fast paths: no mask behaves as an all-ones mask, bit for bit, and
a single-channel target is laid out like a stacked one."""

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors import DistancePredictor, HotDistancePredictor


def _array(data, axes):
    data = np.asarray(data)
    voxel_size = Coordinate(4, 2, 2)
    return NumpyArray.from_np_array(data, Roi((0, 0, 0), Coordinate(data.shape[-3:]) * voxel_size),
                                    voxel_size, list(axes))


def _labels(channels):
    rng = np.random.default_rng(channels)
    data = (rng.random((channels, 9, 10, 11)) < 0.2).astype(np.uint8)
    return _array(data, ["c", "z", "y", "x"]) if channels > 1 else _array(data[0], ["z", "y", "x"])


def _weights(predictor, gt, mask, calls=2):
    counts, all_weights = None, []
    for _ in range(calls):
        target = predictor.create_target(gt)
        weights, counts = predictor.create_weight(gt, target, mask, counts)
        all_weights.append(weights.data)
    return all_weights, counts


@pytest.mark.parametrize("cls", [DistancePredictor, HotDistancePredictor])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("mask_distances", [False, True])
def test_no_mask_weighs_like_an_all_ones_mask_bit_for_bit(cls, channels, mask_distances):
    predictor = cls([f"class{i}" for i in range(channels)], 6.0, mask_distances)
    gt = _labels(channels)
    ones = _array(np.ones((9, 10, 11), dtype=np.uint8), ["z", "y", "x"])
    unmasked, unmasked_counts = _weights(predictor, gt, None)
    masked, masked_counts = _weights(predictor, gt, ones)
    for a, b in zip(unmasked, masked):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))
    assert repr(unmasked_counts) == repr(masked_counts)


def test_a_partial_mask_zeroes_weights_and_is_not_counted():
    predictor = DistancePredictor(["cell"], 6.0, mask_distances=False)
    gt = _labels(1)
    half = np.ones((9, 10, 11), dtype=np.uint8)
    half[:4] = 0
    (weights,), counts = _weights(predictor, gt, _array(half, ["z", "y", "x"]), calls=1)
    assert np.all(weights[0, :4] == 0) and np.all(weights[0, 4:] > 0)
    inside = int(np.count_nonzero(gt.data[4:]))
    assert counts == [{0: (float(5 * 110 - inside), 550.0), 1: (float(inside), 550.0)}]


@pytest.mark.parametrize("channels", [1, 3])
def test_target_is_a_contiguous_float32_channel_stack(channels):
    predictor = DistancePredictor([f"class{i}" for i in range(channels)], 6.0, False)
    target = predictor.create_target(_labels(channels)).data
    assert target.shape == (channels, 9, 10, 11) and target.dtype == np.float32
    assert target.flags.c_contiguous and target.flags.writeable
