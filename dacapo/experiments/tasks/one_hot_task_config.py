"""Config of ``OneHotTask``: one class per voxel (semantic segmentation)."""

from __future__ import annotations

from typing import List, Optional

import attr

from dacapo._build import runtime_type
from dacapo._checks import check_choice, check_kernel_size, check_names, check_number

from .task_config import TaskConfig

#: values of ``OneHotTaskConfig.loss``
ONE_HOT_LOSSES = ("cross_entropy", "dice")


@attr.s
class OneHotTaskConfig(TaskConfig):
    """Learns the class of every voxel. Validation takes the most likely class
    (argmax) and scores each class's mask with the binary segmentation metrics
    (criteria ``<class>__<metric>``, e.g. ``mito__f1_score``).
    """

    task_type = runtime_type(".one_hot_task.OneHotTask")

    classes: List[str] = attr.ib(
        metadata={
            "help_text": "Class names; label id i of the ground truth is classes[i] "
            "(so classes[0] is usually the background)."
        }
    )
    kernel_size: Optional[int] = attr.ib(
        default=None,
        metadata={
            "help_text": "Odd kernel size of the prediction head's convolution (zero-"
            "padded, so the output keeps its shape); None means 1."
        },
    )
    loss: str = attr.ib(
        default="cross_entropy",
        kw_only=True,
        metadata={
            "help_text": "'cross_entropy': class-balanced, voxel-weighted cross-entropy; "
            "'dice': soft Dice loss of the softmax probabilities against the one-hot "
            "ground truth, averaged over classes."
        },
    )
    clip_distance: float = attr.ib(
        default=40.0,
        kw_only=True,
        metadata={
            "help_text": "Evaluation: distance clip (world units) of the '*_clipped' metrics."
        },
    )
    tol_distance: float = attr.ib(
        default=40.0,
        kw_only=True,
        metadata={
            "help_text": "Evaluation: tolerance (world units) of the '*_with_tolerance' metrics."
        },
    )

    def check_values(self) -> None:
        owner = f"OneHotTaskConfig {self.name!r}"
        check_names(owner, "classes", self.classes)
        check_kernel_size(owner, "kernel_size", self.kernel_size)
        check_choice(owner, "loss", self.loss, ONE_HOT_LOSSES)
        check_number(owner, "clip_distance", self.clip_distance, 0, strict=True)
        check_number(owner, "tol_distance", self.tol_distance, 0)
