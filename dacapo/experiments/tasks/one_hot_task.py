"""A task learning one class per voxel."""

from __future__ import annotations

from typing import List

from ._channel_evaluators import ClassMasksEvaluator
from .losses.cross_entropy_loss import CrossEntropyLoss
from .losses.dice_loss import DiceLoss
from .post_processors.argmax_post_processor import ArgmaxPostProcessor
from .predictors.one_hot_predictor import OneHotPredictor
from .task import Task


class OneHotTask(Task):
    """``OneHotPredictor``, ``CrossEntropyLoss`` (or ``DiceLoss("softmax")``),
    ``ArgmaxPostProcessor`` and per-class binary segmentation metrics
    (``ClassMasksEvaluator``)."""

    predictor: OneHotPredictor

    def __init__(self, task_config):
        self.predictor = OneHotPredictor(task_config.classes, task_config.kernel_size)
        self.loss = DiceLoss("softmax") if task_config.loss == "dice" else CrossEntropyLoss()
        self.post_processor = ArgmaxPostProcessor()
        self.evaluator = ClassMasksEvaluator(
            task_config.classes, task_config.clip_distance, task_config.tol_distance
        )

    @property
    def channels(self) -> List[str]:
        """The class names."""
        return list(self.predictor.classes)
