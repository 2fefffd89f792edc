"""A task learning class masks and distances together."""

from __future__ import annotations

from typing import List

from ._channel_evaluators import TiledTruthEvaluator
from .losses.hot_distance_loss import HotDistanceLoss
from .post_processors.threshold_post_processor import ThresholdPostProcessor
from .predictors.hot_distance_predictor import HotDistancePredictor
from .task import Task


class HotDistanceTask(Task):
    """``HotDistancePredictor``, ``HotDistanceLoss``, ``ThresholdPostProcessor``
    over [-1, 1] (the model's eval output range) and binary segmentation
    metrics for every output channel, each compared with its class's mask."""

    predictor: HotDistancePredictor

    def __init__(self, task_config):
        self.predictor = HotDistancePredictor(
            task_config.channels,
            task_config.scale_factor,
            task_config.mask_distances,
            task_config.kernel_size,
        )
        self.loss = HotDistanceLoss()
        self.post_processor = ThresholdPostProcessor(value_range=(-1.0, 1.0))
        self.evaluator = TiledTruthEvaluator(
            task_config.clip_distance,
            task_config.tol_distance,
            self.predictor.output_channels,
            repeats=2,
        )

    @property
    def channels(self) -> List[str]:
        """The class names, then ``<class>_distance`` for each."""
        return self.predictor.output_channels
