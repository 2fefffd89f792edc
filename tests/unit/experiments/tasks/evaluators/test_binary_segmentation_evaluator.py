"""BinarySegmentationEvaluator: per-channel binary metrics named by channel."""

import math

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.evaluators import (
    BinarySegmentationEvaluator,
    MultiChannelBinarySegmentationEvaluationScores,
)


def _array(data, axes=("c", "y", "x"), voxel_size=(2, 1)):
    shape = tuple(s * v for s, v in zip(data.shape[-2:], voxel_size))
    return NumpyArray.from_np_array(data, Roi((0, 0), shape), voxel_size, list(axes))


# two channels on 3 x 3 voxels of size (2, 1):
#   "mito": prediction == truth (one voxel)
#   "er": truth is the centre voxel, the prediction the voxel above it, at
#         distance 2 (one voxel size along y)
MITO = np.zeros((3, 3), dtype=np.uint8)
MITO[0, 0] = 1
ER_TRUTH = np.zeros((3, 3), dtype=np.uint8)
ER_TRUTH[1, 1] = 1
ER_TEST = np.zeros((3, 3), dtype=np.uint8)
ER_TEST[0, 1] = 1


def _evaluate(**kwargs):
    evaluator = BinarySegmentationEvaluator(
        clip_distance=kwargs.get("clip", 1.5),
        tol_distance=kwargs.get("tol", 0),
        channels=["mito", "er"],
    )
    test = _array(np.stack([MITO, ER_TEST]) * 255)  # any non-zero value is foreground
    truth = _array(np.stack([MITO, ER_TRUTH]))
    return evaluator.evaluate(test, truth)


def test_scores_per_channel_named_by_channel():
    scores = _evaluate()
    assert isinstance(scores, MultiChannelBinarySegmentationEvaluationScores)
    assert [name for name, _ in scores.channel_scores] == ["mito", "er"]
    assert scores.mito__dice == 1.0 and scores.mito__hausdorff == 0.0
    assert scores.er__dice == 0.0
    # distances are in world units: one voxel along y is 2
    assert scores.er__hausdorff == pytest.approx(2.0)
    assert scores.er__mean_false_distance_clipped == pytest.approx(1.5)


def test_tolerance_in_world_units():
    assert _evaluate(tol=2.0).er__f1_score_with_tolerance == 1.0
    assert _evaluate(tol=1.9).er__f1_score_with_tolerance == 0.0


def test_criteria_of_template_and_result_agree():
    evaluator = BinarySegmentationEvaluator(1.5, 0, ["mito", "er"])
    assert evaluator.criteria == _evaluate().criteria
    assert evaluator.criteria[0] == "mito__dice" and evaluator.criteria[21] == "er__dice"
    assert math.isnan(evaluator.score.er__voi)


def test_one_channel_without_channel_axis():
    evaluator = BinarySegmentationEvaluator(1.5, 0, ["mito"])
    scores = evaluator.evaluate(_array(MITO, axes=("y", "x")), _array(MITO[None]))
    assert scores.criteria == evaluator.criteria
    assert scores.mito__f1_score == 1.0


def test_channel_count_must_match_the_channel_names():
    evaluator = BinarySegmentationEvaluator(1.5, 0, ["mito"])
    both = _array(np.stack([MITO, ER_TEST]))
    with pytest.raises(ConfigError, match=r"have 2 channel\(s\) but the evaluator was given 1"):
        evaluator.evaluate(both, both)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"clip_distance": 0}, "clip_distance must be a positive finite number"),
        ({"clip_distance": float("nan")}, "clip_distance must be a positive"),
        ({"tol_distance": -1}, "tol_distance must be a non-negative finite number"),
        ({"tol_distance": "1"}, "tol_distance must be a non-negative"),
        ({"channels": []}, "channels must be a non-empty list"),
        ({"channels": "mito"}, r"non-empty channel names \(e.g. \['mito'\]\), got 'mito'"),
        ({"channels": ["a", "a"]}, r"channel names \['a', 'a'\] repeat"),
    ],
)
def test_invalid_arguments(kwargs, message):
    arguments = {"clip_distance": 1.0, "tol_distance": 0.0, "channels": ["mito"], **kwargs}
    with pytest.raises(ConfigError, match=message):
        BinarySegmentationEvaluator(**arguments)
