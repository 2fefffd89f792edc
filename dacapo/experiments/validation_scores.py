"""The validation scores of a run: every iteration, dataset, parameter set and criterion."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple, Union

import attr

from dacapo._run_stats import ValidationIterationScores
from dacapo.errors import ConfigError
from dacapo.experiments.tasks.evaluators.evaluation_scores import EvaluationScores
from dacapo.experiments.tasks.post_processors.post_processor_parameters import (
    PostProcessorParameters,
)

DIMS = ("iterations", "datasets", "parameters", "criteria")


@attr.s
class ValidationScores:
    """Scores indexed ``[iteration][dataset][parameter set][criterion]``."""

    parameters: List[PostProcessorParameters] = attr.ib(
        metadata={"help_text": "The post-processing parameter sets that were evaluated."}
    )
    datasets: List[Any] = attr.ib(
        metadata={"help_text": "The validation datasets, in the order of the scores."}
    )
    evaluation_scores: EvaluationScores = attr.ib(
        metadata={
            "help_text": "The evaluation scores (class or instance): criteria and which "
            "direction is better."
        }
    )
    scores: List[ValidationIterationScores] = attr.ib(
        factory=list,
        metadata={"help_text": "One record per validated iteration, ordered by iteration."},
    )

    @property
    def criteria(self) -> List[str]:
        """Names of the criteria, in the order of the innermost score index."""
        if isinstance(self.evaluation_scores, type):
            return [a.name for a in attr.fields(self.evaluation_scores)]
        return list(self.evaluation_scores.criteria)

    @property
    def parameter_names(self) -> List[str]:
        """Names of the post-processing parameters (empty without parameter sets)."""
        return list(self.parameters[0].parameter_names) if self.parameters else []

    def add_iteration_scores(self, iteration_scores: ValidationIterationScores) -> None:
        """Appends a record; records of this or later iterations are replaced."""
        self._check_shape(iteration_scores)
        self.delete_after(iteration_scores.iteration)
        self.scores.append(iteration_scores)

    def delete_after(self, iteration: int) -> None:
        """Keeps only the records of iterations before ``iteration``."""
        self.scores = [s for s in self.scores if s.iteration < iteration]

    def validated_until(self) -> int:
        """Last validated iteration + 1 (0 if none)."""
        return self.scores[-1].iteration + 1 if self.scores else 0

    def to_records(self) -> List[Dict[str, Any]]:
        """One plain record ``{iteration, scores}`` per validated iteration (what a
        stats store keeps; it gives them back as ``ValidationIterationScores``)."""
        return [s.to_record() for s in self.scores]

    def compare(self, existing: List[ValidationIterationScores]) -> Tuple[bool, int]:
        """Compares these scores with ``existing`` ones (e.g. read from a store).

        Returns ``(True, i)`` when both hold iteration ``i`` with different
        scores (the first such ``i``: existing scores from ``i`` on are
        stale), otherwise ``(False, i)`` with ``i`` the iteration after the
        last existing one, from which these scores add new records.
        """
        mine = {s.iteration: s.scores for s in self.scores}
        ordered = sorted(existing, key=lambda s: s.iteration)
        for record in ordered:
            if record.iteration in mine and mine[record.iteration] != record.scores:
                return True, record.iteration
        return False, ordered[-1].iteration + 1 if ordered else 0

    def to_xarray(self):
        """The scores as an ``xarray.DataArray`` with dims ``DIMS``.

        Coordinates are the iteration numbers, the dataset and parameter
        objects, and the criterion names.
        """
        import numpy as np
        import xarray as xr

        for record in self.scores:
            self._check_shape(record)
        shape = (len(self.scores), len(self.datasets), len(self.parameters), len(self.criteria))
        data = np.array([s.scores for s in self.scores], dtype=float).reshape(shape)
        coords = {
            "iterations": np.array([s.iteration for s in self.scores], dtype=int),
            "datasets": _object_index(self.datasets),
            "parameters": _object_index(self.parameters),
            "criteria": self.criteria,
        }
        return xr.DataArray(data, dims=DIMS, coords=coords)

    def get_best(self, data, dim: str):
        """The best entries of ``data`` along ``dim``, for every criterion.

        ``data`` is ``to_xarray()`` or a selection of it that keeps the
        ``criteria`` dimension. For each criterion the maximum is taken when
        ``evaluation_scores.higher_is_better(criterion)``, else the minimum;
        NaN scores are skipped. Returns ``(best_indices, best_values)``:
        ``best_indices`` holds the coordinate labels along ``dim`` (e.g.
        the best iteration, or the best parameter set), NaN where every
        score is NaN; both are stacked along ``criteria``.
        """
        import xarray as xr

        if dim == "criteria" or dim not in data.dims or "criteria" not in data.dims:
            raise ConfigError(
                f"get_best: dim must be one of the dimensions {list(data.dims)} other "
                f"than 'criteria' (which must be kept), got {dim!r}"
            )
        if data.sizes[dim] == 0:
            raise ConfigError(
                f"get_best: dimension {dim!r} is empty; there is nothing to pick from"
            )
        indices, values = [], []
        for criterion in data.coords["criteria"].values:
            scores = data.sel(criteria=criterion)
            if self.evaluation_scores.higher_is_better(str(criterion)):
                indices.append(scores.idxmax(dim, skipna=True))
                values.append(scores.max(dim, skipna=True))
            else:
                indices.append(scores.idxmin(dim, skipna=True))
                values.append(scores.min(dim, skipna=True))
        return xr.concat(indices, dim="criteria"), xr.concat(values, dim="criteria")

    def _check_shape(self, record: ValidationIterationScores) -> None:
        """Raises ``ConfigError`` unless ``record`` matches datasets x parameters x criteria."""
        expected = (len(self.datasets), len(self.parameters), len(self.criteria))
        shape = _shape_of(record.scores)
        if shape != expected:
            raise ConfigError(
                f"validation scores of iteration {record.iteration}: expected a nested "
                f"list of shape (datasets={expected[0]}, parameters={expected[1]}, "
                f"criteria={expected[2]}), got {shape}"
            )


def _shape_of(scores: Any) -> Union[Tuple[int, ...], str]:
    """The shape of the nested list ``scores``, or ``"ragged"``."""
    import numpy as np

    try:
        return np.array(scores, dtype=float).shape
    except (ValueError, TypeError):
        return "ragged"


def _object_index(values: List[Any]):
    """``values`` as a 1-D object array (so that tuples stay single labels)."""
    import numpy as np

    index = np.empty(len(values), dtype=object)
    index[:] = list(values)
    return index
