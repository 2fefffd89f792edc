"""An evaluator with cheap, deterministic scores, for tests and untuned tasks."""

from __future__ import annotations

from typing import Any, Tuple, Union

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays.array import Array

from .dummy_evaluation_scores import DummyEvaluationScores
from .evaluator import (
    Evaluator,
    channels_first,
    evaluation_roi,
    iter_blocks,
    match_channels,
    open_output_array,
)


class _Moments:
    """Running count, mean and sum of squared deviations (Chan et al. merge)."""

    def __init__(self):
        self.count, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values: np.ndarray) -> None:
        values = values.astype(np.float64, copy=False).ravel()
        if values.size == 0:
            return
        mean = float(values.mean())
        m2 = float(np.sum((values - mean) ** 2))
        total = self.count + values.size
        delta = mean - self.mean
        self.m2 += m2 + delta**2 * self.count * values.size / total
        self.mean += delta * values.size / total
        self.count = total

    @property
    def std(self) -> float:
        return float(np.sqrt(self.m2 / self.count)) if self.count else 0.0


class DummyEvaluator(Evaluator):
    """Scores a prediction by voxel-wise equality and by how alike its value
    distribution is to the ground truth's; read block by block."""

    def evaluate(
        self, output_array_identifier: Union[Array, Any], evaluation_array: Array
    ) -> DummyEvaluationScores:
        test_array = open_output_array(output_array_identifier)
        roi = evaluation_roi(test_array, evaluation_array)
        test_moments, truth_moments = _Moments(), _Moments()
        equal = 0
        for block in iter_blocks(roi, test_array.voxel_size, self.block_voxels):
            test, truth = self._read(test_array, evaluation_array, block)
            test_moments.add(test)
            truth_moments.add(truth)
            equal += int(np.count_nonzero(test == truth))
        return DummyEvaluationScores(
            frechet_inception_distance=(test_moments.mean - truth_moments.mean) ** 2
            + (test_moments.std - truth_moments.std) ** 2,
            pixel_wise_accuracy=equal / test_moments.count,
        )

    @staticmethod
    def _read(test_array: Array, truth_array: Array, roi) -> Tuple[np.ndarray, np.ndarray]:
        return match_channels(
            channels_first(test_array[roi], test_array),
            channels_first(truth_array[roi], truth_array),
            "DummyEvaluator",
            test_array,
            truth_array,
        )

    @property
    def score(self) -> DummyEvaluationScores:
        return DummyEvaluationScores()
