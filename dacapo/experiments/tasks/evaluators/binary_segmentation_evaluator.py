"""Evaluates binary segmentations (one mask per channel) against ground truth."""

from __future__ import annotations

import numbers
from typing import Any, Sequence, Union

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.array import Array

from ._metrics import binary_metrics
from .binary_segmentation_evaluation_scores import (
    BinarySegmentationEvaluationScores,
    MultiChannelBinarySegmentationEvaluationScores,
)
from .evaluator import (
    Evaluator,
    channels_first,
    evaluation_roi,
    match_channels,
    open_output_array,
)


class BinarySegmentationEvaluator(Evaluator):
    """Scores each channel of a thresholded prediction with the 21 binary metrics.

    Any non-zero voxel is foreground. Criteria are named ``<channel>__<metric>``
    (for example ``mito__f1_score``), with the channel names given here, for
    one channel as for many. Distance metrics need the whole mask, so the
    shared ROI of prediction and ground truth is read at once.

    Args:
        clip_distance: distances are clipped at this value (world units) for
            the ``*_clipped`` metrics.
        tol_distance: a voxel counts as an error in the ``*_with_tolerance``
            metrics only when it is farther than this (world units) from the
            other mask.
        channels: names of the channels of prediction and ground truth, in order.
    """

    def __init__(self, clip_distance: float, tol_distance: float, channels: Sequence[str]):
        self.clip_distance = _distance("clip_distance", clip_distance, allow_zero=False)
        self.tol_distance = _distance("tol_distance", tol_distance, allow_zero=True)
        self.channels = _channel_names(channels)

    def evaluate(
        self, output_array_identifier: Union[Array, Any], evaluation_array: Array
    ) -> MultiChannelBinarySegmentationEvaluationScores:
        test_array = open_output_array(output_array_identifier)
        roi = evaluation_roi(test_array, evaluation_array)
        test, truth = match_channels(
            channels_first(test_array[roi], test_array),
            channels_first(evaluation_array[roi], evaluation_array),
            "BinarySegmentationEvaluator",
            test_array,
            evaluation_array,
        )
        if test.shape[0] != len(self.channels):
            raise ConfigError(
                f"BinarySegmentationEvaluator: prediction {test_array.name!r} and ground "
                f"truth {evaluation_array.name!r} have {test.shape[0]} channel(s) but the "
                f"evaluator was given {len(self.channels)} channel names {self.channels}"
            )
        voxel_size = tuple(test_array.voxel_size)
        return MultiChannelBinarySegmentationEvaluationScores(
            [
                (
                    name,
                    BinarySegmentationEvaluationScores(
                        **binary_metrics(
                            test[c], truth[c], voxel_size, self.clip_distance, self.tol_distance
                        )
                    ),
                )
                for c, name in enumerate(self.channels)
            ]
        )

    @property
    def score(self) -> MultiChannelBinarySegmentationEvaluationScores:
        return MultiChannelBinarySegmentationEvaluationScores(
            [(name, BinarySegmentationEvaluationScores()) for name in self.channels]
        )


def _distance(name: str, value: Any, allow_zero: bool) -> float:
    # a non-number becomes NaN, which (like a NaN given) fails every test below
    number = (
        float(value)
        if isinstance(value, numbers.Real) and not isinstance(value, bool)
        else float("nan")
    )
    if not (number > 0 or (allow_zero and number == 0)) or number == float("inf"):
        expected = "a non-negative" if allow_zero else "a positive"
        raise ConfigError(
            f"BinarySegmentationEvaluator: {name} must be {expected} finite number of "
            f"world units, got {value!r}"
        )
    return number


def _channel_names(channels: Sequence[str]) -> list:
    names = [] if isinstance(channels, str) else list(channels or [])
    if not names or not all(isinstance(name, str) and name for name in names):
        raise ConfigError(
            "BinarySegmentationEvaluator: channels must be a non-empty list of "
            f"non-empty channel names (e.g. ['mito']), got {channels!r}"
        )
    if len(set(names)) != len(names):
        raise ConfigError(
            f"BinarySegmentationEvaluator: channel names {names} repeat; criteria are "
            "named '<channel>__<metric>', so each name must be unique"
        )
    return names
