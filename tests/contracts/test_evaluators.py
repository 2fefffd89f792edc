"""Contract every evaluation-scores class and every evaluator meets.

Each registered ``EvaluationScores`` class needs an example in ``SCORES`` if
it cannot be built without arguments; each ``Evaluator`` subclass needs a
case in ``EVALUATORS``.
"""

import importlib
import math
import pkgutil

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks._channel_evaluators import ClassMasksEvaluator, TiledTruthEvaluator
from dacapo.experiments.tasks.evaluators import (
    BinarySegmentationEvaluationScores,
    BinarySegmentationEvaluator,
    DummyEvaluator,
    EvaluationScores,
    Evaluator,
    InstanceEvaluator,
    MultiChannelBinarySegmentationEvaluationScores,
)
from dacapo.store.converter import converter

REGISTERED = sorted(EvaluationScores.registry().concrete(), key=lambda cls: cls.__name__)

# class name -> example instance, for classes whose default instance has no criteria
SCORES = {
    "MultiChannelBinarySegmentationEvaluationScores": lambda: (
        MultiChannelBinarySegmentationEvaluationScores(
            [
                ("mito", BinarySegmentationEvaluationScores(dice=0.5, hausdorff=3.0)),
                ("er", BinarySegmentationEvaluationScores()),
            ]
        )
    ),
}


def _example(cls):
    return SCORES[cls.__name__]() if cls.__name__ in SCORES else cls()


@pytest.fixture(params=REGISTERED, ids=lambda cls: cls.__name__)
def scores(request):
    return _example(request.param)


def test_every_scores_class_is_checked():
    assert {c.__name__ for c in REGISTERED} >= {
        "DummyEvaluationScores",
        "BinarySegmentationEvaluationScores",
        "MultiChannelBinarySegmentationEvaluationScores",
        "InstanceEvaluationScores",
    }


def test_every_criterion_has_direction_bounds_and_store_best(scores):
    assert scores.criteria, "an example with no criteria checks nothing"
    for criterion in scores.criteria:
        assert isinstance(type(scores).higher_is_better(criterion), bool)
        assert isinstance(type(scores).store_best(criterion), bool)
        low, high = type(scores).bounds(criterion)
        assert low is None or high is None or low < high
        value = getattr(scores, criterion)
        assert isinstance(value, float)


def test_scores_round_trip_through_the_converter(scores):
    data = converter.unstructure(scores)
    assert data["__type__"] == type(scores).__name__
    back = converter.structure(data, EvaluationScores)
    assert type(back) is type(scores)
    assert back.criteria == scores.criteria
    for criterion in scores.criteria:
        before, after = getattr(scores, criterion), getattr(back, criterion)
        assert (math.isnan(before) and math.isnan(after)) or before == after


# ------------------------------------------------------------- evaluators ---

ROI = Roi((0, 0, 0), (4, 8, 8))
VOXEL_SIZE = (1, 2, 2)  # 4 x 4 x 4 voxels


def _pair(channels: int, instance: bool):
    """A synthetic prediction/ground-truth pair: two boxes, prediction shifted by one voxel."""
    truth = np.zeros((4, 4, 4), dtype=np.uint8)
    truth[:, :2, :2] = 1
    truth[:, 2:, 2:] = 2
    test = np.roll(truth, 1, axis=2)
    if not instance:
        truth, test = (truth > 0).astype(np.uint8), (test > 0).astype(np.uint8)
        truth, test = np.stack([truth] * channels), np.stack([test] * channels)
    axes = (["c"] if not instance else []) + ["z", "y", "x"]
    return (
        NumpyArray.from_np_array(test, ROI, VOXEL_SIZE, axes),
        NumpyArray.from_np_array(truth, ROI, VOXEL_SIZE, axes),
    )


# evaluator class name -> (factory, pair)
EVALUATORS = {
    "DummyEvaluator": (DummyEvaluator, lambda: _pair(1, instance=False)),
    "BinarySegmentationEvaluator": (
        lambda: BinarySegmentationEvaluator(3.0, 1.0, ["mito", "er"]),
        lambda: _pair(2, instance=False),
    ),
    "InstanceEvaluator": (InstanceEvaluator, lambda: _pair(1, instance=True)),
    "TiledTruthEvaluator": (
        lambda: TiledTruthEvaluator(3.0, 1.0, ["mito", "mito_distance"], repeats=2),
        lambda: (_pair(2, instance=False)[0], _pair(1, instance=False)[1]),
    ),
    "ClassMasksEvaluator": (
        lambda: ClassMasksEvaluator(["background", "mito"], 3.0, 1.0),
        lambda: _pair(1, instance=False),
    ),
}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_evaluator_has_a_case():
    import dacapo.experiments.tasks as tasks

    for module in pkgutil.walk_packages(tasks.__path__, f"{tasks.__name__}."):
        importlib.import_module(module.name)  # every evaluator defined, whatever ran before
    defined = {
        cls.__name__
        for cls in _subclasses(Evaluator)
        if cls.__module__.startswith("dacapo.") and not cls.__name__.startswith("_")
    }
    assert defined <= set(EVALUATORS)


@pytest.mark.parametrize("name", sorted(EVALUATORS))
def test_evaluate_returns_finite_scores_within_bounds(name):
    factory, pair = EVALUATORS[name]
    evaluator = factory()
    test, truth = pair()
    scores = evaluator.evaluate(test, truth)
    assert type(scores) is type(evaluator.score)
    assert scores.criteria == evaluator.criteria
    for criterion in scores.criteria:
        value = getattr(scores, criterion)
        low, high = evaluator.bounds(criterion)
        assert math.isfinite(value), criterion
        assert (low is None or value >= low) and (high is None or value <= high), criterion


@pytest.mark.parametrize("name", sorted(EVALUATORS))
def test_template_score_is_all_nan(name):
    evaluator = EVALUATORS[name][0]()
    template = evaluator.score
    assert template.criteria
    assert all(math.isnan(getattr(template, c)) for c in template.criteria)
