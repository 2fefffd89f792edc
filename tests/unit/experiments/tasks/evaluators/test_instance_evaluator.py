"""InstanceEvaluator: VOI, adapted Rand error and instance F1, read blockwise."""

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.evaluators import (
    InstanceEvaluationScores,
    InstanceEvaluator,
    _metrics,
)
from dacapo.utils.voi import voi


def _array(data, axes=("z", "y", "x"), offset=(0, 0, 0)):
    shape = data.shape[-3:]
    return NumpyArray.from_np_array(data, Roi(offset, shape), (1, 1, 1), list(axes))


def test_identical_segmentations():
    labels = np.zeros((2, 3, 3), dtype=np.uint64)
    labels[:, :2, :2] = 1
    labels[:, 2, :] = 2
    scores = InstanceEvaluator().evaluate(_array(labels + 3), _array(labels))
    assert isinstance(scores, InstanceEvaluationScores)
    # ids 0, 1, 2 map to 3, 4, 5: the same partition
    assert (scores.voi_split, scores.voi_merge, scores.voi) == (0.0, 0.0, 0.0)
    assert scores.adapted_rand_error == 0.0
    # truth objects 1 and 2; prediction 3 (the truth background), 4, 5
    assert scores.instance_f1 == pytest.approx(2 * 2 / (2 + 3))


def test_fully_merged_prediction():
    truth = np.array([1, 1, 2, 2, 3, 3, 3, 3], dtype=np.uint32).reshape(2, 2, 2)
    test = np.ones_like(truth)
    scores = InstanceEvaluator().evaluate(_array(test), _array(truth))
    # merge = H(truth) = 1.5 bits (fractions 1/4, 1/4, 1/2), nothing split
    assert scores.voi_split == 0.0
    assert scores.voi_merge == pytest.approx(1.5)
    # no object has IoU >= 0.5 with the single prediction but object 3 (4/8)
    assert scores.instance_f1 == pytest.approx(2 * 1 / (3 + 1))


def test_blockwise_reading_gives_the_same_scores():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 5, (7, 4, 4)).astype(np.uint16)
    test = rng.integers(0, 6, (7, 4, 4)).astype(np.int64)
    evaluator = InstanceEvaluator()
    evaluator.block_voxels = 32  # two z-planes per block: four blocks
    scores = evaluator.evaluate(_array(test), _array(truth))
    split, merge = voi(test, truth)
    assert scores.voi_split == pytest.approx(split)
    assert scores.voi_merge == pytest.approx(merge)
    assert scores.adapted_rand_error == pytest.approx(_metrics.adapted_rand_error(test, truth))
    assert scores.instance_f1 == pytest.approx(_metrics.instance_f1(test, truth))


def test_only_the_overlap_is_evaluated():
    truth = np.ones((2, 2, 2), dtype=np.uint8)
    test = np.zeros((4, 2, 2), dtype=np.uint8)
    test[2:] = 1  # the half outside the truth ROI would disagree
    scores = InstanceEvaluator().evaluate(_array(test, offset=(-2, 0, 0)), _array(truth))
    assert scores.voi == 0.0 and scores.instance_f1 == 1.0


def test_single_channel_axis_is_accepted():
    labels = np.arange(8, dtype=np.uint8).reshape(1, 2, 2, 2)
    test = _array(labels, axes=("c", "z", "y", "x"))
    assert InstanceEvaluator().evaluate(test, _array(labels[0])).voi == 0.0


def test_multi_channel_labels_are_an_error():
    labels = np.zeros((2, 2, 2, 2), dtype=np.uint8)
    with pytest.raises(ConfigError, match="prediction .* has 2 channels; instance labels"):
        InstanceEvaluator().evaluate(_array(labels, axes=("c", "z", "y", "x")), _array(labels[0]))


def test_float_labels_are_an_error():
    labels = np.zeros((2, 2, 2), dtype=np.uint8)
    with pytest.raises(ConfigError, match="ground truth .* has dtype float32; instance labels"):
        InstanceEvaluator().evaluate(_array(labels), _array(labels.astype(np.float32)))
