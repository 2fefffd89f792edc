"""Config of ``HotDistanceTask``: class masks and distances from one model."""

from __future__ import annotations

from typing import List, Optional

import attr

from dacapo._build import runtime_type
from dacapo._checks import check_kernel_size

from ._distance_fields import (
    channels_field,
    clip_distance_field,
    scale_factor_field,
    tol_distance_field,
    validate_distance_fields,
)
from .task_config import TaskConfig


@attr.s
class HotDistanceTaskConfig(TaskConfig):
    """Learns, per class, a binary mask (binary cross-entropy) and the
    normalised signed distance to the class boundary (squared error) as two
    output channels. Validation thresholds both and scores them against the
    class masks (criteria ``<class>__<metric>`` and ``<class>_distance__<metric>``).
    """

    task_type = runtime_type(".hot_distance_task.HotDistanceTask")

    channels: List[str] = channels_field()
    clip_distance: float = clip_distance_field()
    tol_distance: float = tol_distance_field()
    scale_factor: float = scale_factor_field()
    mask_distances: bool = attr.ib(
        default=False,
        metadata={
            "help_text": "Give the distance channels weight 0 where a boundary might hide "
            "outside the ground truth (or under the mask); extra context is then requested."
        },
    )
    kernel_size: Optional[int] = attr.ib(
        default=None,
        metadata={
            "help_text": "Odd kernel size of the prediction head's convolution (zero-"
            "padded, so the output keeps its shape); None means 1."
        },
    )

    def check_values(self) -> None:
        owner = f"HotDistanceTaskConfig {self.name!r}"
        validate_distance_fields(owner, self)
        check_kernel_size(owner, "kernel_size", self.kernel_size)
