"""The ``Evaluator`` interface: score post-processed predictions, keep track of the best."""

from __future__ import annotations

import itertools
import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, Hashable, Iterator, List, Optional, Tuple, Union

import numpy as np
from funlib.geometry import Coordinate, Roi
from tqdm import tqdm

from dacapo.errors import ConfigError, RoiError
from dacapo.experiments.datasplits.datasets.arrays._open_array import open_array
from dacapo.experiments.datasplits.datasets.arrays.array import Array

from .evaluation_scores import EvaluationScores

logger = logging.getLogger(__name__)

# (dataset name, post-processor parameters, criterion) -> (iteration, score) or None
BestScoreKey = Tuple[Hashable, Any, str]


class Evaluator(ABC):
    """Compares a post-processed prediction with ground truth.

    ``evaluate`` returns the scores (an ``EvaluationScores``, one value per
    criterion). The evaluator also remembers, per dataset, parameter set and
    criterion, the best score seen so far and the iteration it came from
    (``set_best``, ``is_best``, ``get_overall_best``), so validation can tell
    which checkpoints are worth keeping.
    """

    #: at most this many voxels are read at once by evaluators that work blockwise
    block_voxels: int = 2**22

    @abstractmethod
    def evaluate(
        self, output_array_identifier: Union[Array, Any], evaluation_array: Array
    ) -> EvaluationScores:
        """Scores the prediction (an ``Array`` or a ``LocalArrayIdentifier`` of a
        zarr dataset) against ``evaluation_array`` over the ROI they share."""

    @property
    @abstractmethod
    def score(self) -> EvaluationScores:
        """A scores instance of the right type and criteria with every value NaN."""

    @property
    def criteria(self) -> List[str]:
        """Names of the criteria ``evaluate`` reports."""
        return self.score.criteria

    def higher_is_better(self, criterion: str) -> bool:
        """Whether a larger value of ``criterion`` is better."""
        return self.score.higher_is_better(criterion)

    def bounds(self, criterion: str) -> Tuple[Optional[float], Optional[float]]:
        """The range of ``criterion`` (``None`` where unbounded)."""
        return self.score.bounds(criterion)

    def store_best(self, criterion: str) -> bool:
        """Whether the best checkpoint for ``criterion`` is kept."""
        return self.score.store_best(criterion)

    def compare(self, score_1: float, score_2: float, criterion: str) -> bool:
        """Whether ``score_1`` is strictly better than ``score_2`` for ``criterion``."""
        if self.higher_is_better(criterion):
            return score_1 > score_2
        return score_1 < score_2

    # ------------------------------------------------------- best scores ---

    @property
    def best_scores(self) -> Dict[BestScoreKey, Optional[Tuple[int, float]]]:
        """``(dataset, parameters, criterion) -> (iteration, score)``, ``None`` if never scored."""
        if "_best_scores" not in self.__dict__:
            self._best_scores: Dict[BestScoreKey, Optional[Tuple[int, float]]] = {}
        return self._best_scores

    @best_scores.setter
    def best_scores(self, value: Dict[BestScoreKey, Optional[Tuple[int, float]]]) -> None:
        self._best_scores = dict(value)

    def set_best(self, validation_scores: Any) -> None:
        """Finds, in stored ``ValidationScores``, the best iteration of every
        (dataset, parameters, criterion); NaN scores are skipped."""
        datasets = list(validation_scores.datasets)
        parameters = list(validation_scores.parameters)
        criteria = list(validation_scores.criteria)
        iterations, values = _score_table(
            validation_scores, len(datasets), len(parameters), len(criteria)
        )
        best: Dict[BestScoreKey, Optional[Tuple[int, float]]] = {}
        for c, criterion in enumerate(criteria):
            index, value = _best_over_iterations(values[..., c], self.higher_is_better(criterion))
            for (d, dataset), (p, params) in itertools.product(
                enumerate(datasets), enumerate(parameters)
            ):
                found = not np.isnan(value[d, p])
                best[(_dataset_key(dataset), params, criterion)] = (
                    (iterations[index[d, p]], float(value[d, p])) if found else None
                )
        self.best_scores = best

    def is_best(self, dataset: Any, parameters: Any, criterion: str, score: Any) -> bool:
        """Whether ``score`` (a float or an ``EvaluationScores``) beats the best
        known one for this dataset, parameter set and criterion. Criteria whose
        best checkpoint is not kept, and NaN scores, are never best."""
        value = getattr(score, criterion) if isinstance(score, EvaluationScores) else score
        if not self.store_best(criterion) or value is None or np.isnan(value):
            return False
        previous = self.best_scores.get((_dataset_key(dataset), parameters, criterion))
        return previous is None or self.compare(float(value), previous[1], criterion)

    def get_overall_best(self, dataset: Any, criterion: str) -> Optional[float]:
        """The best score of ``criterion`` on ``dataset`` over all parameter sets
        (``None`` before any)."""
        found = self._overall_best(dataset, criterion)
        return None if found is None else found[1]

    def get_overall_best_parameters(self, dataset: Any, criterion: str) -> Any:
        """The parameter set that scored ``get_overall_best`` (``None``: none yet)."""
        found = self._overall_best(dataset, criterion)
        return None if found is None else found[0]

    def _overall_best(self, dataset: Any, criterion: str) -> Optional[Tuple[Any, float]]:
        best: Optional[Tuple[Any, float]] = None
        for (dataset_key, parameters, key_criterion), entry in self.best_scores.items():
            if dataset_key != _dataset_key(dataset) or key_criterion != criterion or entry is None:
                continue
            if best is None or self.compare(entry[1], best[1], criterion):
                best = (parameters, entry[1])
        return best


def _dataset_key(dataset: Any) -> Hashable:
    """Datasets are told apart by name (dataset objects need not be hashable)."""
    return getattr(dataset, "name", dataset)


def _score_table(validation_scores: Any, datasets: int, parameters: int, criteria: int):
    """Iterations and a float array ``[iteration, dataset, parameters, criterion]``."""
    records = list(validation_scores.scores)
    iterations = [int(record.iteration) for record in records]
    values = np.full((len(records), datasets, parameters, criteria), np.nan)
    for i, record in enumerate(records):
        scores = np.asarray(record.scores, dtype=np.float64)
        if scores.shape != values.shape[1:]:
            raise ConfigError(
                f"validation scores of iteration {record.iteration} have shape "
                f"{scores.shape}, expected [datasets, parameters, criteria] = "
                f"{values.shape[1:]}; the stored scores do not match the run's "
                "datasets, post-processing parameters and criteria"
            )
        values[i] = scores
    return iterations, values


def _best_over_iterations(values: np.ndarray, higher: bool) -> Tuple[np.ndarray, np.ndarray]:
    """Index and value of the best non-NaN entry along axis 0 (NaN where none)."""
    if values.shape[0] == 0:
        shape = values.shape[1:]
        return np.zeros(shape, dtype=int), np.full(shape, np.nan)
    filled = np.where(np.isnan(values), -np.inf if higher else np.inf, values)
    index = filled.argmax(axis=0) if higher else filled.argmin(axis=0)
    return index, np.take_along_axis(values, index[None], axis=0)[0]


# -------------------------------------------------------------- reading ---


def open_output_array(output: Union[Array, Any]) -> Array:
    """The prediction ``evaluate`` was given (an ``Array`` or a
    ``LocalArrayIdentifier``) as an ``Array``: ``open_array`` for evaluators."""
    return open_array(output, "evaluate")


def evaluation_roi(test: Array, truth: Array) -> Roi:
    """The ROI where prediction ``test`` and ground truth ``truth`` overlap."""
    if test.voxel_size != truth.voxel_size:
        raise RoiError(
            f"evaluate: prediction {test.name!r} has voxel size {test.voxel_size} but "
            f"ground truth {truth.name!r} has {truth.voxel_size}; resample one of them "
            "(e.g. with a ResampledArrayConfig)"
        )
    offset_difference = (test.roi.offset - truth.roi.offset) % test.voxel_size
    if any(offset_difference):
        raise RoiError(
            f"evaluate: the voxel grids of prediction {test.name!r} ({test.roi}) and "
            f"ground truth {truth.name!r} ({truth.roi}) are shifted against each other "
            f"by a fraction of the voxel size {test.voxel_size}; align their offsets"
        )
    roi = test.roi.intersect(truth.roi)
    if roi.empty:
        raise RoiError(
            f"evaluate: prediction {test.name!r} ({test.roi}) and ground truth "
            f"{truth.name!r} ({truth.roi}) do not overlap; predict over the ground "
            "truth ROI"
        )
    logger.debug("evaluating %s against %s over %s", test.name, truth.name, roi)
    return roi


def iter_blocks(roi: Roi, voxel_size, max_voxels: int) -> Iterator[Roi]:
    """Slabs of ``roi`` along its first axis, each at most ``max_voxels`` voxels
    (but at least one plane)."""
    voxel_size = Coordinate(voxel_size)
    shape = roi.shape / voxel_size
    plane = int(np.prod(shape[1:], dtype=np.int64))
    planes = max(1, max_voxels // max(plane, 1))
    step = planes * voxel_size[0]
    starts = range(roi.begin[0], roi.end[0], step)
    for start in tqdm(starts, desc="evaluate", leave=False, disable=len(starts) <= 1):
        end = min(start + step, roi.end[0])
        yield Roi(
            (start,) + tuple(roi.begin[1:]), (end - start,) + tuple(roi.shape[1:])
        )


def channels_first(data: np.ndarray, array: Array) -> np.ndarray:
    """``data`` read from ``array`` as ``(channels, *spatial)``; no channel axis -> one channel."""
    return data.reshape((-1,) + data.shape[data.ndim - array.dims :])


def match_channels(
    test: np.ndarray, truth: np.ndarray, what: str, test_array: Array, truth_array: Array
) -> Tuple[np.ndarray, np.ndarray]:
    """Broadcasts a single channel against many; other mismatches are an error."""
    if test.shape[0] == truth.shape[0]:
        return test, truth
    if truth.shape[0] == 1:
        return test, np.broadcast_to(truth, test.shape)
    if test.shape[0] == 1:
        return np.broadcast_to(test, truth.shape), truth
    raise ConfigError(
        f"{what}: prediction {test_array.name!r} has {test.shape[0]} channels but ground "
        f"truth {truth_array.name!r} has {truth.shape[0]}; they must be equal (or one of "
        "them a single channel)"
    )
