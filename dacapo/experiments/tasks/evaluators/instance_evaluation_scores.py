"""Scores of instance segmentations."""

from __future__ import annotations

from typing import List

import attr

from .evaluation_scores import CriteriaTable, EvaluationScores

# criterion -> (higher is better, bounds, keep best checkpoint)
_CRITERIA = {
    "voi_split": (False, (0.0, None), True),
    "voi_merge": (False, (0.0, None), True),
    "voi": (False, (0.0, None), True),
    "adapted_rand_error": (False, (0.0, 1.0), True),
    "instance_f1": (True, (0.0, 1.0), True),
}
_NAN = float("nan")


@attr.s
class InstanceEvaluationScores(CriteriaTable, EvaluationScores):
    """Agreement of predicted instances with ground-truth instances (NaN = not evaluated).

    ``voi`` is not stored: it is the sum of ``voi_split`` and ``voi_merge``.
    """

    _CRITERIA = _CRITERIA

    voi_split: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": "H(prediction | truth) in bits over all voxels (id 0 is a "
            "segment too): how much truth objects are split."
        },
    )
    voi_merge: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": "H(truth | prediction) in bits: how much predicted objects "
            "merge truth objects."
        },
    )
    adapted_rand_error: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": "1 - F-score of Rand precision and recall over voxel pairs "
            "inside truth objects (truth id 0 ignored)."
        },
    )
    instance_f1: float = attr.ib(
        default=_NAN,
        metadata={
            "help_text": "F1 of one-to-one matches of predicted and truth objects "
            "with IoU >= 0.5."
        },
    )

    @property
    def voi(self) -> float:
        """Variation of information: ``voi_split + voi_merge``."""
        return self.voi_split + self.voi_merge

    @property
    def criteria(self) -> List[str]:
        return list(_CRITERIA)
