"""A task learning distances inside objects to their own boundary."""

from __future__ import annotations

from typing import List

from .evaluators.binary_segmentation_evaluator import BinarySegmentationEvaluator
from .losses.mse_loss import MSELoss
from .post_processors.threshold_post_processor import ThresholdPostProcessor
from .predictors.inner_distance_predictor import InnerDistancePredictor
from .task import Task


class InnerDistanceTask(Task):
    """``InnerDistancePredictor``, ``MSELoss``, ``ThresholdPostProcessor`` over
    [0, 1] and ``BinarySegmentationEvaluator``."""

    predictor: InnerDistancePredictor

    def __init__(self, task_config):
        self.predictor = InnerDistancePredictor(task_config.channels, task_config.scale_factor)
        self.loss = MSELoss()
        self.post_processor = ThresholdPostProcessor(value_range=(0.0, 1.0))
        self.evaluator = BinarySegmentationEvaluator(
            task_config.clip_distance, task_config.tol_distance, task_config.channels
        )

    @property
    def channels(self) -> List[str]:
        """The class names."""
        return list(self.predictor.channels)
