"""Config of ``DistanceTask``: signed distances to the boundaries of classes."""

from __future__ import annotations

from typing import List

import attr

from dacapo._build import runtime_type
from dacapo._checks import check_choice, check_clip

from ._distance_fields import (
    channels_field,
    clip_distance_field,
    scale_factor_field,
    tol_distance_field,
    validate_distance_fields,
)
from .task_config import TaskConfig

#: values of ``DistanceTaskConfig.loss``
DISTANCE_LOSSES = ("mse", "dice")


@attr.s
class DistanceTaskConfig(TaskConfig):
    """Learns, per class, the normalised signed distance to the class boundary
    (positive inside). Validation thresholds the distances and scores each
    channel with the binary segmentation metrics.
    """

    task_type = runtime_type(".distance_task.DistanceTask")

    channels: List[str] = channels_field()
    clip_distance: float = clip_distance_field()
    tol_distance: float = tol_distance_field()
    scale_factor: float = scale_factor_field()
    mask_distances: bool = attr.ib(
        default=True,
        metadata={
            "help_text": "Give weight 0 to voxels whose distance could be shorter than "
            "computed because a boundary might hide outside the ground truth (or under "
            "the mask); extra ground-truth context is then requested."
        },
    )
    clipmin: float = attr.ib(
        default=0.05,
        metadata={
            "help_text": "Class fractions below this are raised to it when balancing weights."
        },
    )
    clipmax: float = attr.ib(
        default=0.95,
        metadata={
            "help_text": "Class fractions above this are lowered to it when balancing weights."
        },
    )
    loss: str = attr.ib(
        default="mse",
        kw_only=True,
        metadata={
            "help_text": "'mse': weighted squared error of the distances (the model "
            "output is clamped to [-1, 1] when predicting); 'dice': soft Dice loss of "
            "(tanh(output) + 1) / 2 against (target + 1) / 2 (the model applies tanh "
            "when predicting)."
        },
    )

    def check_values(self) -> None:
        owner = f"DistanceTaskConfig {self.name!r}"
        validate_distance_fields(owner, self)
        check_clip(owner, ("clipmin", "clipmax"), (self.clipmin, self.clipmax))
        check_choice(owner, "loss", self.loss, DISTANCE_LOSSES)
