"""A task learning signed distances to class boundaries."""

from __future__ import annotations

from typing import List

from .evaluators.binary_segmentation_evaluator import BinarySegmentationEvaluator
from .losses.dice_loss import DiceLoss
from .losses.mse_loss import MSELoss
from .post_processors.threshold_post_processor import ThresholdPostProcessor
from .predictors.distance_predictor import DistancePredictor
from .task import Task


class DistanceTask(Task):
    """``DistancePredictor``, ``MSELoss`` (or ``DiceLoss("tanh")``),
    ``ThresholdPostProcessor`` over [-1, 1] and ``BinarySegmentationEvaluator``."""

    predictor: DistancePredictor

    def __init__(self, task_config):
        dice = task_config.loss == "dice"
        self.predictor = DistancePredictor(
            task_config.channels,
            task_config.scale_factor,
            task_config.mask_distances,
            task_config.clipmin,
            task_config.clipmax,
            eval_activation="tanh" if dice else "clamp",
        )
        self.loss = DiceLoss("tanh") if dice else MSELoss()
        self.post_processor = ThresholdPostProcessor(value_range=(-1.0, 1.0))
        self.evaluator = BinarySegmentationEvaluator(
            task_config.clip_distance, task_config.tol_distance, task_config.channels
        )

    @property
    def channels(self) -> List[str]:
        """The class names."""
        return list(self.predictor.channels)
