"""Scores of the ``DummyEvaluator``."""

from __future__ import annotations

import attr

from .evaluation_scores import CriteriaTable, EvaluationScores

# criterion -> (higher is better, bounds, keep best checkpoint)
_CRITERIA = {
    "frechet_inception_distance": (False, (0.0, None), True),
    "pixel_wise_accuracy": (True, (0.0, 1.0), True),
}


@attr.s
class DummyEvaluationScores(CriteriaTable, EvaluationScores):
    """Cheap, deterministic comparison scores of a prediction and its ground truth."""

    _CRITERIA = _CRITERIA

    frechet_inception_distance: float = attr.ib(
        default=float("nan"),
        metadata={
            "help_text": "Fréchet distance between Gaussians fitted to the voxel values "
            "of prediction and ground truth, (mean difference)^2 + (std difference)^2 "
            "(no Inception features are involved). Lower is better."
        },
    )
    pixel_wise_accuracy: float = attr.ib(
        default=float("nan"),
        metadata={
            "help_text": "Fraction of voxels where prediction and ground truth are equal."
        },
    )
