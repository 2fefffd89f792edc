"""Scores classes: criteria, their direction, bounds and what is kept best."""

import math

import pytest

from dacapo.errors import UnknownTypeError
from dacapo.experiments.tasks.evaluators import (
    BinarySegmentationEvaluationScores,
    DummyEvaluationScores,
    EvaluationScores,
    InstanceEvaluationScores,
    MultiChannelBinarySegmentationEvaluationScores,
)
from dacapo.store.converter import converter


def test_dummy_scores_criteria():
    scores = DummyEvaluationScores()
    assert scores.criteria == ["frechet_inception_distance", "pixel_wise_accuracy"]
    assert math.isnan(scores.pixel_wise_accuracy)
    assert not DummyEvaluationScores.higher_is_better("frechet_inception_distance")
    assert DummyEvaluationScores.higher_is_better("pixel_wise_accuracy")
    assert DummyEvaluationScores.bounds("pixel_wise_accuracy") == (0.0, 1.0)
    assert DummyEvaluationScores.bounds("frechet_inception_distance") == (0.0, None)
    assert DummyEvaluationScores.store_best("pixel_wise_accuracy")


def test_instance_scores_voi_is_the_sum_of_split_and_merge():
    scores = InstanceEvaluationScores(voi_split=0.25, voi_merge=0.5)
    assert scores.voi == 0.75
    assert scores.criteria == [
        "voi_split",
        "voi_merge",
        "voi",
        "adapted_rand_error",
        "instance_f1",
    ]
    assert InstanceEvaluationScores.higher_is_better("instance_f1")
    assert not InstanceEvaluationScores.higher_is_better("voi")
    assert not InstanceEvaluationScores.higher_is_better("adapted_rand_error")
    # VOI is in bits and unbounded above (it grows with the number of segments)
    assert InstanceEvaluationScores.bounds("voi") == (0.0, None)
    assert InstanceEvaluationScores.bounds("adapted_rand_error") == (0.0, 1.0)
    assert all(InstanceEvaluationScores.store_best(c) for c in scores.criteria)


def test_binary_scores_directions_and_best():
    scores = BinarySegmentationEvaluationScores()
    assert len(scores.criteria) == 21
    assert BinarySegmentationEvaluationScores.higher_is_better("dice")
    assert not BinarySegmentationEvaluationScores.higher_is_better("hausdorff")
    assert BinarySegmentationEvaluationScores.bounds("hausdorff") == (0.0, None)
    assert BinarySegmentationEvaluationScores.bounds("recall") == (0.0, 1.0)
    kept = [c for c in scores.criteria if BinarySegmentationEvaluationScores.store_best(c)]
    assert kept == ["voi", "f1_score"]


def test_multi_channel_criteria_use_channel_names():
    scores = MultiChannelBinarySegmentationEvaluationScores(
        [
            ("mito", BinarySegmentationEvaluationScores(dice=0.5)),
            ("er", BinarySegmentationEvaluationScores(dice=0.25)),
        ]
    )
    assert scores.criteria[:2] == ["mito__dice", "mito__jaccard"]
    assert len(scores.criteria) == 42 and scores.criteria[21] == "er__dice"
    assert scores.mito__dice == 0.5
    assert scores.er__dice == 0.25
    assert MultiChannelBinarySegmentationEvaluationScores.higher_is_better("er__dice")
    assert not MultiChannelBinarySegmentationEvaluationScores.higher_is_better("er__voi")
    assert MultiChannelBinarySegmentationEvaluationScores.bounds("a__b__recall") == (0.0, 1.0)
    assert MultiChannelBinarySegmentationEvaluationScores.store_best("mito__f1_score")


def test_multi_channel_unknown_attribute():
    scores = MultiChannelBinarySegmentationEvaluationScores(
        [("mito", BinarySegmentationEvaluationScores())]
    )
    with pytest.raises(AttributeError, match=r"no criterion 'nucleus__dice'.*\['mito'\]"):
        scores.nucleus__dice


@pytest.mark.parametrize(
    "cls, criterion",
    [
        (DummyEvaluationScores, "blipp_score"),
        (InstanceEvaluationScores, "dice"),
        (BinarySegmentationEvaluationScores, "mito__dice"),
        (MultiChannelBinarySegmentationEvaluationScores, "dice"),
        (MultiChannelBinarySegmentationEvaluationScores, "mito__blipp"),
    ],
)
def test_unknown_criterion_is_an_error(cls, criterion):
    for ask in (cls.higher_is_better, cls.bounds, cls.store_best):
        with pytest.raises(UnknownTypeError, match=f"unknown criterion '{criterion}'"):
            ask(criterion)


def test_multi_channel_scores_round_trip_through_the_converter():
    scores = MultiChannelBinarySegmentationEvaluationScores(
        [("mito", BinarySegmentationEvaluationScores(dice=0.5, voi=0.125))]
    )
    data = converter.unstructure(scores)
    assert data["__type__"] == "MultiChannelBinarySegmentationEvaluationScores"
    assert data["channel_scores"][0][0] == "mito"
    back = converter.structure(data, EvaluationScores)
    assert back.mito__dice == 0.5 and back.mito__voi == 0.125
    assert math.isnan(back.mito__hausdorff)
    assert back.criteria == scores.criteria
