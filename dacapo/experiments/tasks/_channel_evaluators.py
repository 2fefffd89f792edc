"""Binary segmentation evaluators for outputs whose channels do not map one
to one onto the ground truth's: per-class masks of a label volume, and
several output channels judged against the same class mask."""

from __future__ import annotations

from typing import Any, List, Sequence

import numpy as np

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray

from .evaluators.binary_segmentation_evaluation_scores import (
    MultiChannelBinarySegmentationEvaluationScores,
)
from .evaluators.binary_segmentation_evaluator import BinarySegmentationEvaluator
from .evaluators.evaluator import Evaluator, channels_first, evaluation_roi, open_output_array


def _as_array(data: np.ndarray, like: Array, roi) -> NumpyArray:
    spatial = [axis for axis in like.axes if axis not in ("b", "c")]
    return NumpyArray.from_np_array(data, roi, like.voxel_size, ["c"] + spatial)


class _DelegatingEvaluator(Evaluator):
    """Scores with a ``BinarySegmentationEvaluator`` after rewriting the arrays."""

    binary: BinarySegmentationEvaluator

    @property
    def score(self) -> MultiChannelBinarySegmentationEvaluationScores:
        return self.binary.score


class TiledTruthEvaluator(_DelegatingEvaluator):
    """Binary segmentation metrics for an output with ``repeats`` channels per
    ground-truth channel (e.g. a class mask and a class distance): the ground
    truth is repeated along the channels to match, so output channel ``i`` is
    judged against truth channel ``i % truth_channels``."""

    def __init__(
        self, clip_distance: float, tol_distance: float, channels: Sequence[str], repeats: int
    ):
        self.binary = BinarySegmentationEvaluator(clip_distance, tol_distance, channels)
        self.repeats = repeats

    def evaluate(self, output_array_identifier: Any, evaluation_array: Array):
        test_array = open_output_array(output_array_identifier)
        roi = evaluation_roi(test_array, evaluation_array)
        truth = channels_first(evaluation_array[roi], evaluation_array)
        if truth.shape[0] * self.repeats == len(self.binary.channels):
            truth = np.concatenate([truth] * self.repeats)
        return self.binary.evaluate(test_array, _as_array(truth, evaluation_array, roi))


class ClassMasksEvaluator(_DelegatingEvaluator):
    """Binary segmentation metrics per class of a semantic segmentation.

    Prediction and ground truth hold class ids (label ``i`` is ``classes[i]``);
    class ``i`` is scored on the masks ``ids == i``, giving criteria
    ``<class>__<metric>``. Ground truth may instead hold one binary channel
    per class. The shared ROI is read at once.
    """

    def __init__(self, classes: Sequence[str], clip_distance: float, tol_distance: float):
        self.binary = BinarySegmentationEvaluator(clip_distance, tol_distance, classes)
        self.classes: List[str] = list(classes)

    def evaluate(self, output_array_identifier: Any, evaluation_array: Array):
        test_array = open_output_array(output_array_identifier)
        roi = evaluation_roi(test_array, evaluation_array)
        test = self._masks(test_array, roi, "prediction")
        truth = self._masks(evaluation_array, roi, "ground truth")
        return self.binary.evaluate(
            _as_array(test, test_array, roi), _as_array(truth, evaluation_array, roi)
        )

    def _masks(self, array: Array, roi, role: str) -> np.ndarray:
        data = channels_first(array[roi], array)
        if data.shape[0] == len(self.classes) and len(self.classes) > 1:
            return (data != 0).astype(np.uint8)
        if data.shape[0] != 1:
            raise ConfigError(
                f"ClassMasksEvaluator: {role} {array.name!r} has {data.shape[0]} channels; "
                f"expected class ids (one channel) or one mask per class {self.classes}"
            )
        ids = np.arange(len(self.classes)).reshape((-1,) + (1,) * (data.ndim - 1))
        return (data == ids).astype(np.uint8)
