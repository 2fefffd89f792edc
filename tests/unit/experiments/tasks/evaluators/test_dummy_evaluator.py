"""DummyEvaluator: deterministic scores derived from the data."""

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.evaluators import DummyEvaluationScores, DummyEvaluator


def _array(data, axes=("y", "x")):
    shape = data.shape[-2:]
    return NumpyArray.from_np_array(data, Roi((0, 0), shape), (1, 1), list(axes))


def test_scores_by_hand():
    test = _array(np.array([[0, 1], [2, 3]], dtype=np.float32))
    truth = _array(np.array([[0, 1], [2, 2]], dtype=np.float32))
    scores = DummyEvaluator().evaluate(test, truth)
    assert isinstance(scores, DummyEvaluationScores)
    # 3 of 4 voxels equal
    assert scores.pixel_wise_accuracy == 0.75
    # means 1.5 and 1.25; population stds sqrt(1.25) and sqrt(0.6875):
    # (0.25)^2 + (sqrt(1.25) - sqrt(0.6875))^2
    expected = 0.25**2 + (np.sqrt(1.25) - np.sqrt(0.6875)) ** 2
    assert scores.frechet_inception_distance == pytest.approx(expected)


def test_identical_arrays_score_perfectly_and_repeatably():
    data = np.random.default_rng(0).integers(0, 4, (6, 5)).astype(np.uint8)
    evaluator = DummyEvaluator()
    first = evaluator.evaluate(_array(data), _array(data.copy()))
    second = evaluator.evaluate(_array(data), _array(data.copy()))
    assert first.pixel_wise_accuracy == 1.0
    assert first.frechet_inception_distance == pytest.approx(0.0, abs=1e-12)
    assert first == second


def test_blockwise_reading_gives_the_same_scores():
    rng = np.random.default_rng(1)
    test, truth = _array(rng.normal(size=(9, 4))), _array(rng.normal(size=(9, 4)))
    whole = DummyEvaluator().evaluate(test, truth)
    evaluator = DummyEvaluator()
    evaluator.block_voxels = 8  # two rows per block: five blocks
    blockwise = evaluator.evaluate(test, truth)
    assert blockwise.frechet_inception_distance == pytest.approx(whole.frechet_inception_distance)
    assert blockwise.pixel_wise_accuracy == whole.pixel_wise_accuracy


def test_single_channel_truth_is_compared_with_each_channel():
    test = _array(np.stack([np.ones((2, 2)), np.zeros((2, 2))]), axes=("c", "y", "x"))
    truth = _array(np.ones((2, 2)))
    assert DummyEvaluator().evaluate(test, truth).pixel_wise_accuracy == 0.5


def test_channel_mismatch_is_an_error():
    test = _array(np.zeros((2, 2, 2)), axes=("c", "y", "x"))
    truth = _array(np.zeros((3, 2, 2)), axes=("c", "y", "x"))
    with pytest.raises(ConfigError, match="DummyEvaluator: prediction .* has 2 channels but"):
        DummyEvaluator().evaluate(test, truth)
