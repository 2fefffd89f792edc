"""A task predicting zero embeddings, for tests and demos."""

from __future__ import annotations

from typing import List

from .evaluators.dummy_evaluator import DummyEvaluator
from .losses.dummy_loss import DummyLoss
from .post_processors.dummy_post_processor import DummyPostProcessor
from .predictors.dummy_predictor import DummyPredictor
from .task import Task


class DummyTask(Task):
    """``DummyPredictor``, ``DummyLoss``, ``DummyPostProcessor`` and ``DummyEvaluator``."""

    predictor: DummyPredictor

    def __init__(self, task_config):
        self.predictor = DummyPredictor(task_config.embedding_dims)
        self.loss = DummyLoss()
        self.post_processor = DummyPostProcessor(task_config.detection_threshold)
        self.evaluator = DummyEvaluator()

    @property
    def channels(self) -> List[str]:
        """``e0``, ``e1``, ... one per embedding dimension."""
        return [f"e{i}" for i in range(self.predictor.embedding_dims)]
