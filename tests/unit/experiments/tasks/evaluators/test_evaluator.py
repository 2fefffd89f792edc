"""The Evaluator base: best-score bookkeeping and the shared reading helpers."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError, RoiError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.evaluators import (
    DummyEvaluationScores,
    DummyEvaluator,
    InstanceEvaluationScores,
    InstanceEvaluator,
)
from dacapo.experiments.tasks.evaluators.evaluator import (
    channels_first,
    evaluation_roi,
    iter_blocks,
    open_output_array,
)
from dacapo.experiments.validation_iteration_scores import ValidationIterationScores
from dacapo.experiments.validation_scores import ValidationScores

NAN = float("nan")
A, B = SimpleNamespace(name="crop_a"), SimpleNamespace(name="crop_b")


def _validation_scores():
    # criteria: frechet (lower better), accuracy (higher better)
    # one dataset (crop_a) x two parameter sets ("p1", "p2")
    return ValidationScores(
        parameters=["p1", "p2"],
        datasets=[A],
        evaluation_scores=DummyEvaluationScores(),
        scores=[
            ValidationIterationScores(100, [[[4.0, 0.5], [3.0, NAN]]]),
            ValidationIterationScores(200, [[[2.0, 0.7], [5.0, NAN]]]),
            ValidationIterationScores(300, [[[NAN, 0.6], [1.0, NAN]]]),
        ],
    )


def test_set_best_finds_the_best_iteration_per_key_skipping_nan():
    evaluator = DummyEvaluator()
    evaluator.set_best(_validation_scores())
    best = evaluator.best_scores
    assert best[("crop_a", "p1", "frechet_inception_distance")] == (200, 2.0)
    assert best[("crop_a", "p2", "frechet_inception_distance")] == (300, 1.0)
    assert best[("crop_a", "p1", "pixel_wise_accuracy")] == (200, 0.7)
    assert best[("crop_a", "p2", "pixel_wise_accuracy")] is None  # only NaN


def test_is_best_compares_with_the_stored_best():
    evaluator = DummyEvaluator()
    evaluator.set_best(_validation_scores())
    fid = "frechet_inception_distance"
    assert evaluator.is_best(A, "p1", fid, 1.5)  # lower is better
    assert not evaluator.is_best(A, "p1", fid, 2.0)  # a tie is not better
    assert evaluator.is_best(A, "p2", "pixel_wise_accuracy", 0.1)  # nothing before
    assert not evaluator.is_best(A, "p1", fid, NAN)
    scores = DummyEvaluationScores(frechet_inception_distance=0.5, pixel_wise_accuracy=0.9)
    assert evaluator.is_best(A, "p1", "pixel_wise_accuracy", scores)
    assert evaluator.is_best(B, "p1", fid, 9.0)  # unseen dataset


def test_is_best_is_false_for_criteria_whose_best_is_not_kept():
    from dacapo.experiments.tasks.evaluators import BinarySegmentationEvaluator

    evaluator = BinarySegmentationEvaluator(1, 0, ["mito"])
    assert not evaluator.is_best(A, "p1", "mito__dice", 1.0)
    assert evaluator.is_best(A, "p1", "mito__f1_score", 1.0)


def test_overall_best_over_parameter_sets():
    evaluator = DummyEvaluator()
    assert evaluator.get_overall_best(A, "pixel_wise_accuracy") is None
    evaluator.set_best(_validation_scores())
    assert evaluator.get_overall_best(A, "frechet_inception_distance") == 1.0
    assert evaluator.get_overall_best_parameters(A, "frechet_inception_distance") == "p2"
    assert evaluator.get_overall_best(A, "pixel_wise_accuracy") == 0.7
    assert evaluator.get_overall_best_parameters(A, "pixel_wise_accuracy") == "p1"
    assert evaluator.get_overall_best(B, "pixel_wise_accuracy") is None


def test_set_best_without_scores_knows_no_best():
    evaluator = InstanceEvaluator()
    scores = ValidationScores(["p1"], [A], InstanceEvaluationScores())
    evaluator.set_best(scores)
    assert set(evaluator.best_scores.values()) == {None}
    assert len(evaluator.best_scores) == 5  # one per criterion, voi included


def test_set_best_rejects_scores_of_the_wrong_shape():
    scores = SimpleNamespace(
        datasets=[A],
        parameters=["p1"],
        criteria=["frechet_inception_distance", "pixel_wise_accuracy"],
        scores=[SimpleNamespace(iteration=5, scores=[[[1.0]]])],
    )
    with pytest.raises(ConfigError, match=r"iteration 5 have shape \(1, 1, 1\), expected"):
        DummyEvaluator().set_best(scores)


def test_evaluator_delegates_criteria_to_its_scores():
    evaluator = InstanceEvaluator()
    assert evaluator.criteria == InstanceEvaluationScores().criteria
    assert evaluator.higher_is_better("instance_f1")
    assert evaluator.bounds("adapted_rand_error") == (0.0, 1.0)
    assert evaluator.compare(0.1, 0.2, "voi")
    assert not evaluator.compare(0.1, 0.2, "instance_f1")
    assert all(math.isnan(getattr(evaluator.score, c)) for c in evaluator.criteria)


# ---------------------------------------------------------------- reading ---


def _array(data, offset=(0, 0), voxel_size=(2, 2), axes=("y", "x")):
    shape = tuple(s * v for s, v in zip(data.shape[-2:], voxel_size))
    return NumpyArray.from_np_array(data, Roi(offset, shape), voxel_size, list(axes))


def test_evaluation_roi_is_the_overlap():
    test = _array(np.zeros((4, 4)), offset=(0, 0))
    truth = _array(np.zeros((4, 4)), offset=(4, 2))
    assert evaluation_roi(test, truth) == Roi((4, 2), (4, 6))


def test_evaluation_roi_errors():
    test = _array(np.zeros((4, 4)))
    with pytest.raises(RoiError, match=r"voxel size \(2, 2\) but ground truth .* has \(1, 1\)"):
        evaluation_roi(test, _array(np.zeros((4, 4)), voxel_size=(1, 1)))
    with pytest.raises(RoiError, match="shifted against each other"):
        evaluation_roi(test, _array(np.zeros((4, 4)), offset=(1, 0)))
    with pytest.raises(RoiError, match="do not overlap"):
        evaluation_roi(test, _array(np.zeros((4, 4)), offset=(8, 0)))


def test_open_output_array_rejects_other_objects():
    with pytest.raises(
        ConfigError, match="evaluate: expected an Array or a LocalArrayIdentifier, got str"
    ):
        open_output_array("predictions.zarr/labels")


def test_open_output_array_opens_an_identifier(tmp_path, make_zarr):
    from dacapo.store.array_identifiers import LocalArrayIdentifier

    data = np.arange(16, dtype=np.uint8).reshape(4, 4)
    make_zarr(tmp_path / "out.zarr", "pred", data, voxel_size=(2, 2))
    array = open_output_array(LocalArrayIdentifier(tmp_path / "out.zarr", "pred"))
    assert np.array_equal(array[array.roi], data)


def test_iter_blocks_cover_the_roi_in_slabs():
    roi = Roi((0, 4), (10, 6))  # 5 x 3 voxels of size 2
    blocks = list(iter_blocks(roi, (2, 2), max_voxels=6))  # 2 planes of 3 voxels
    assert blocks == [Roi((0, 4), (4, 6)), Roi((4, 4), (4, 6)), Roi((8, 4), (2, 6))]
    # a plane larger than the budget is still read whole
    assert list(iter_blocks(roi, (2, 2), max_voxels=1))[0] == Roi((0, 4), (2, 6))


def test_channels_first_adds_or_keeps_the_channel_axis():
    plain = _array(np.zeros((4, 3)))
    assert channels_first(np.zeros((4, 3)), plain).shape == (1, 4, 3)
    channels = _array(np.zeros((2, 4, 3)), axes=("c", "y", "x"))
    assert channels_first(np.zeros((2, 4, 3)), channels).shape == (2, 4, 3)
