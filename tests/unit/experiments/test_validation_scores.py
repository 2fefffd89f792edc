"""ValidationScores: shape checks, xarray view and best-entry selection."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.experiments.tasks.post_processors.post_processor_parameters import (
    PostProcessorParameters,
)
from dacapo.experiments.validation_iteration_scores import ValidationIterationScores
from dacapo.experiments.validation_scores import ValidationScores

NAN = float("nan")


class _Scores:
    """Evaluation scores: higher f1 is better, lower voi is better."""

    criteria = ["f1", "voi"]

    @staticmethod
    def higher_is_better(criterion):
        return {"f1": True, "voi": False}[criterion]


PARAMETERS = [PostProcessorParameters(id=0), PostProcessorParameters(id=1)]


def _validation_scores(records=()):
    scores = ValidationScores(PARAMETERS, ["crop_a", "crop_b"], _Scores())
    for iteration, values in records:
        scores.add_iteration_scores(ValidationIterationScores(iteration, values))
    return scores


# scores[dataset][parameters][criterion] = [f1, voi]
IT_100 = [[[0.5, 2.0], [0.7, 1.5]], [[0.2, 3.0], [0.1, 0.5]]]
IT_200 = [[[0.9, 1.0], [0.6, 1.2]], [[NAN, NAN], [0.3, 0.9]]]


@pytest.fixture
def scores():
    return _validation_scores([(100, IT_100), (200, IT_200)])


def test_to_xarray_dims_and_coords(scores):
    data = scores.to_xarray()
    assert data.dims == ("iterations", "datasets", "parameters", "criteria")
    assert data.shape == (2, 2, 2, 2)
    assert data.coords["iterations"].values.tolist() == [100, 200]
    assert data.coords["datasets"].values.tolist() == ["crop_a", "crop_b"]
    assert data.coords["parameters"].values.tolist() == PARAMETERS
    assert data.coords["criteria"].values.tolist() == ["f1", "voi"]
    assert data.sel(iterations=200, datasets="crop_a", criteria="voi").values.tolist() == [1.0, 1.2]


def test_to_xarray_without_scores_has_an_empty_iterations_dim():
    assert _validation_scores().to_xarray().shape == (0, 2, 2, 2)


def test_best_iteration_per_dataset_and_parameters(scores):
    indices, values = scores.get_best(scores.to_xarray(), "iterations")
    assert indices.dims == ("criteria", "datasets", "parameters")
    # f1 (max): crop_a p0: 0.5@100 vs 0.9@200 -> 200; crop_b p0: 0.2@100 vs NaN -> 100
    f1 = indices.sel(criteria="f1")
    assert f1.values.tolist() == [[200, 100], [100, 200]]
    assert values.sel(criteria="f1").values.tolist() == [[0.9, 0.7], [0.2, 0.3]]
    # voi (min): crop_a p1: 1.5@100 vs 1.2@200 -> 200; crop_b p1: 0.5@100 vs 0.9@200 -> 100
    assert indices.sel(criteria="voi").values.tolist() == [[200, 200], [100, 100]]
    assert values.sel(criteria="voi").values.tolist() == [[1.0, 1.2], [3.0, 0.5]]


def test_best_parameters_of_one_iteration(scores):
    data = scores.to_xarray().sel(iterations=100)
    indices, values = scores.get_best(data, "parameters")
    # crop_a: f1 0.5 (p0) vs 0.7 (p1) -> p1; voi 2.0 vs 1.5 -> p1
    # crop_b: f1 0.2 vs 0.1 -> p0; voi 3.0 vs 0.5 -> p1
    assert indices.sel(criteria="f1").values.tolist() == [PARAMETERS[1], PARAMETERS[0]]
    assert indices.sel(criteria="voi").values.tolist() == [PARAMETERS[1], PARAMETERS[1]]
    assert values.sel(criteria="f1").values.tolist() == [0.7, 0.2]


def test_best_over_all_nan_is_nan():
    scores = ValidationScores(PARAMETERS[:1], ["a", "b"], _Scores())
    scores.add_iteration_scores(ValidationIterationScores(100, [[[NAN, 1.0]]] * 2))
    indices, values = scores.get_best(scores.to_xarray(), "iterations")
    assert np.isnan(values.sel(criteria="f1").values).all()
    assert math.isnan(indices.sel(criteria="f1", datasets="a").item())
    assert indices.sel(criteria="voi", datasets="a").item() == 100


def test_get_best_needs_a_dim_to_reduce_and_criteria(scores):
    data = scores.to_xarray()
    with pytest.raises(ConfigError, match=r"dim must be one of the dimensions .* got 'epochs'"):
        scores.get_best(data, "epochs")
    with pytest.raises(ConfigError, match=r"other than 'criteria'"):
        scores.get_best(data, "criteria")
    with pytest.raises(ConfigError, match=r"'criteria' \(which must be kept\)"):
        scores.get_best(data.sel(criteria="f1"), "iterations")


def test_get_best_of_nothing_raises():
    scores = _validation_scores()
    with pytest.raises(ConfigError, match=r"dimension 'iterations' is empty"):
        scores.get_best(scores.to_xarray(), "iterations")


def test_scores_of_the_wrong_shape_are_rejected(scores):
    with pytest.raises(
        ConfigError,
        match=r"iteration 300: .*\(datasets=2, parameters=2, criteria=2\), got \(1, 2, 2\)",
    ):
        scores.add_iteration_scores(ValidationIterationScores(300, IT_100[:1]))
    with pytest.raises(ConfigError, match=r"iteration 300: .*got ragged"):
        scores.add_iteration_scores(
            ValidationIterationScores(300, [[[1.0, 2.0], [1.0]], IT_100[1]])
        )
    scores.scores.append(ValidationIterationScores(400, [[[1.0]]]))
    with pytest.raises(ConfigError, match=r"iteration 400: .*got \(1, 1, 1\)"):
        scores.to_xarray()


def test_add_delete_and_validated_until(scores):
    assert scores.validated_until() == 201
    scores.add_iteration_scores(ValidationIterationScores(150, IT_100))
    assert [s.iteration for s in scores.scores] == [100, 150]
    scores.delete_after(150)
    assert scores.validated_until() == 101
    assert _validation_scores().validated_until() == 0


def test_criteria_and_parameter_names(scores):
    assert scores.criteria == ["f1", "voi"]
    assert scores.parameter_names == []  # the base parameters have only an id
    assert _validation_scores().parameter_names == []


def test_compare_with_stored_scores(scores):
    same = [ValidationIterationScores(100, IT_100)]
    assert scores.compare(same) == (False, 101)
    changed = [ValidationIterationScores(100, IT_100), ValidationIterationScores(200, IT_100)]
    assert scores.compare(changed) == (True, 200)
    assert scores.compare([]) == (False, 0)


def test_criteria_from_an_evaluation_scores_class():
    import attr

    @attr.s
    class ClassScores:
        f1 = attr.ib(default=0.0)
        voi = attr.ib(default=0.0)

    assert ValidationScores(PARAMETERS, ["a"], ClassScores).criteria == ["f1", "voi"]


def test_to_records_gives_one_plain_record_per_iteration(scores):
    records = scores.to_records()
    assert [r["iteration"] for r in records] == [100, 200]
    assert records[0]["scores"] == IT_100
    assert math.isnan(records[1]["scores"][1][0][0])
    assert [ValidationIterationScores.from_record(r) for r in records[:1]] == scores.scores[:1]
