"""Scores of binary segmentations: one set of 21 metrics per channel."""

from __future__ import annotations

from typing import List, Optional, Tuple

import attr

from dacapo.errors import UnknownTypeError

from ._metrics import BINARY_METRICS
from .evaluation_scores import CriteriaTable, EvaluationScores

_RATES = (0.0, 1.0)
_DISTANCES = (0.0, None)
# metric -> (higher is better, bounds, keep best checkpoint)
_CRITERIA = {
    "dice": (True, _RATES, False),
    "jaccard": (True, _RATES, False),
    "hausdorff": (False, _DISTANCES, False),
    "false_negative_rate": (False, _RATES, False),
    "false_negative_rate_with_tolerance": (False, _RATES, False),
    "false_positive_rate": (False, _RATES, False),
    "false_discovery_rate": (False, _RATES, False),
    "false_positive_rate_with_tolerance": (False, _RATES, False),
    # split + merge of two two-segment labelings: each at most 1 bit
    "voi": (False, (0.0, 2.0), True),
    "mean_false_distance": (False, _DISTANCES, False),
    "mean_false_negative_distance": (False, _DISTANCES, False),
    "mean_false_positive_distance": (False, _DISTANCES, False),
    "mean_false_distance_clipped": (False, _DISTANCES, False),
    "mean_false_negative_distance_clipped": (False, _DISTANCES, False),
    "mean_false_positive_distance_clipped": (False, _DISTANCES, False),
    "precision_with_tolerance": (True, _RATES, False),
    "recall_with_tolerance": (True, _RATES, False),
    "f1_score_with_tolerance": (True, _RATES, False),
    "precision": (True, _RATES, False),
    "recall": (True, _RATES, False),
    "f1_score": (True, _RATES, True),
}

_NAN = float("nan")


@attr.s
class BinarySegmentationEvaluationScores(CriteriaTable, EvaluationScores):
    """The 21 metrics of one binary mask against its ground truth (NaN = not evaluated).

    Empty masks follow the conventions of the metrics module: ratios with an
    empty denominator score as a perfect prediction, distances to an empty mask
    are the diagonal of the evaluated volume.
    """

    _CRITERIA = _CRITERIA

    dice: float = attr.ib(default=_NAN, metadata={"help_text": "2|T∩P| / (|T| + |P|)."})
    jaccard: float = attr.ib(default=_NAN, metadata={"help_text": "|T∩P| / |T∪P|."})
    hausdorff: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "Largest distance (world units) from a voxel of one mask to the "
                "other."
            )
        },
    )
    false_negative_rate: float = attr.ib(
        default=_NAN,
        metadata={"help_text": "FN / (TP + FN)."},
    )
    false_negative_rate_with_tolerance: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "Fraction of truth voxels farther than tol_distance from the "
                "prediction."
            )
        },
    )
    false_positive_rate: float = attr.ib(
        default=_NAN,
        metadata={"help_text": "FP / (FP + TN)."},
    )
    false_discovery_rate: float = attr.ib(
        default=_NAN,
        metadata={"help_text": "FP / (TP + FP)."},
    )
    false_positive_rate_with_tolerance: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "Predicted voxels farther than tol_distance from the truth, over "
                "the truth background voxels."
            )
        },
    )
    voi: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "Variation of information (split + "
                "merge, bits) of the two masks."
            )
        },
    )
    mean_false_distance: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "Mean of the mean false "
                "negative and false positive distances."
            )
        },
    )
    mean_false_negative_distance: float = attr.ib(
        default=_NAN,
        metadata={"help_text": "Mean distance of truth voxels to the prediction."},
    )
    mean_false_positive_distance: float = attr.ib(
        default=_NAN,
        metadata={"help_text": "Mean distance of predicted voxels to the truth."},
    )
    mean_false_distance_clipped: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "mean_false_distance with distances "
                "clipped at clip_distance."
            )
        },
    )
    mean_false_negative_distance_clipped: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "mean_false_negative_distance with distances clipped at "
                "clip_distance."
            )
        },
    )
    mean_false_positive_distance_clipped: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "mean_false_positive_distance with distances clipped at "
                "clip_distance."
            )
        },
    )
    precision_with_tolerance: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "Fraction of predicted voxels "
                "within tol_distance of the truth."
            )
        },
    )
    recall_with_tolerance: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": (
                "Fraction of truth voxels "
                "within tol_distance of the prediction."
            )
        },
    )
    f1_score_with_tolerance: float = attr.ib(
        default=_NAN,
        metadata={"help_text": "Harmonic mean of the two tolerant rates above."},
    )
    precision: float = attr.ib(default=_NAN, metadata={"help_text": "TP / (TP + FP)."})
    recall: float = attr.ib(default=_NAN, metadata={"help_text": "TP / (TP + FN)."})
    f1_score: float = attr.ib(
        default=_NAN,
        metadata={"help_text": "Harmonic mean of precision and recall."},
    )


_SCORES = BinarySegmentationEvaluationScores


def _split_criterion(criterion: str) -> Tuple[str, str]:
    """``"<channel>__<metric>"`` -> ``(channel, metric)``."""
    channel, separator, metric = str(criterion).rpartition("__")
    if not separator or not channel or metric not in _CRITERIA:
        raise UnknownTypeError(
            f"MultiChannelBinarySegmentationEvaluationScores: unknown criterion "
            f"{criterion!r}; criteria are '<channel>__<metric>' with metric one of "
            f"{', '.join(BINARY_METRICS)}"
        )
    return channel, metric


@attr.s
class MultiChannelBinarySegmentationEvaluationScores(EvaluationScores):
    """Binary scores of several channels; criteria are named ``<channel>__<metric>``."""

    channel_scores: List[Tuple[str, BinarySegmentationEvaluationScores]] = attr.ib(
        factory=list,
        metadata={"help_text": "(channel name, scores of that channel) pairs, in order."},
    )

    @property
    def criteria(self) -> List[str]:
        return [
            f"{channel}__{metric}"
            for channel, _ in self.channel_scores
            for metric in BINARY_METRICS
        ]

    def __getattr__(self, name: str):
        # only reached for names that are not ordinary attributes
        if name.startswith("_") or "channel_scores" not in self.__dict__:
            raise AttributeError(name)
        channel, _, metric = name.rpartition("__")
        for channel_name, scores in self.__dict__["channel_scores"]:
            if channel_name == channel and metric in BINARY_METRICS:
                return getattr(scores, metric)
        raise AttributeError(
            f"{type(self).__name__} has no criterion {name!r}; criteria are "
            f"'<channel>__<metric>' for channels {[c for c, _ in self.channel_scores]}"
        )

    @staticmethod
    def higher_is_better(criterion: str) -> bool:
        return _SCORES.higher_is_better(_split_criterion(criterion)[1])

    @staticmethod
    def bounds(criterion: str) -> Tuple[float, Optional[float]]:
        return _SCORES.bounds(_split_criterion(criterion)[1])

    @staticmethod
    def store_best(criterion: str) -> bool:
        return _SCORES.store_best(_split_criterion(criterion)[1])
