"""Config of ``InnerDistanceTask``: distances inside objects to their own boundary."""

from __future__ import annotations

from typing import List

import attr

from dacapo._build import runtime_type

from ._distance_fields import (
    channels_field,
    clip_distance_field,
    scale_factor_field,
    tol_distance_field,
    validate_distance_fields,
)
from .task_config import TaskConfig


@attr.s
class InnerDistanceTaskConfig(TaskConfig):
    """Learns, inside each object of an instance segmentation, the normalised
    distance to the object's boundary (0 outside objects), which keeps touching
    instances apart. Validation thresholds it and scores each channel with the
    binary segmentation metrics.
    """

    task_type = runtime_type(".inner_distance_task.InnerDistanceTask")

    channels: List[str] = channels_field()
    clip_distance: float = clip_distance_field()
    tol_distance: float = tol_distance_field()
    scale_factor: float = scale_factor_field()

    def check_values(self) -> None:
        validate_distance_fields(f"InnerDistanceTaskConfig {self.name!r}", self)
