"""Evaluates instance segmentations (label arrays) against ground truth."""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.utils.voi import contingency_table, merge_contingency_tables

from ._metrics import instance_metrics_from_table
from .evaluator import Evaluator, channels_first, evaluation_roi, iter_blocks, open_output_array
from .instance_evaluation_scores import InstanceEvaluationScores


class InstanceEvaluator(Evaluator):
    """Scores predicted instance ids against ground-truth ids: VOI split and
    merge, adapted Rand error and instance F1 (0 is background).

    The volume is read block by block; only the sparse table of overlapping
    (prediction id, truth id) pairs is kept, so memory is bounded by a block
    plus that table.
    """

    def evaluate(
        self, output_array_identifier: Union[Array, Any], evaluation_array: Array
    ) -> InstanceEvaluationScores:
        test_array = open_output_array(output_array_identifier)
        roi = evaluation_roi(test_array, evaluation_array)
        table = merge_contingency_tables([])
        for block in iter_blocks(roi, test_array.voxel_size, self.block_voxels):
            block_table = contingency_table(
                _labels(test_array[block], test_array, "prediction"),
                _labels(evaluation_array[block], evaluation_array, "ground truth"),
            )
            table = merge_contingency_tables([table, block_table])
        return InstanceEvaluationScores(**instance_metrics_from_table(table))

    @property
    def score(self) -> InstanceEvaluationScores:
        return InstanceEvaluationScores()


def _labels(data: np.ndarray, array: Array, role: str) -> np.ndarray:
    """The single label channel of ``data``; integer (or boolean) ids only."""
    data = channels_first(data, array)
    if data.shape[0] != 1:
        raise ConfigError(
            f"InstanceEvaluator: {role} {array.name!r} has {data.shape[0]} channels; "
            "instance labels must be a single label volume (no channel axis, or one channel)"
        )
    if not (np.issubdtype(data.dtype, np.integer) or data.dtype == bool):
        raise ConfigError(
            f"InstanceEvaluator: {role} {array.name!r} has dtype {data.dtype}; instance "
            "labels must be integer ids (post-process the prediction into a segmentation)"
        )
    return data[0]
