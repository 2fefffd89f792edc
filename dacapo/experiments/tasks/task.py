"""The ``Task`` interface: what a run learns to predict and how it is judged."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, List

if TYPE_CHECKING:
    from dacapo.experiments.model import Model

    from .evaluators.evaluation_scores import EvaluationScores
    from .evaluators.evaluator import Evaluator
    from .losses.loss import Loss
    from .post_processors.post_processor import PostProcessor
    from .post_processors.post_processor_parameters import PostProcessorParameters
    from .predictors.predictor import Predictor


class Task(ABC):
    """Bundles a predictor (model head, target, weights), a loss, a
    post-processor and an evaluator.

    A task's ``__init__`` reads its config once and builds the four components
    from explicit arguments.
    """

    predictor: "Predictor"
    loss: "Loss"
    post_processor: "PostProcessor"
    evaluator: "Evaluator"

    @property
    def parameters(self) -> List["PostProcessorParameters"]:
        """Every post-processing parameter set to try during validation."""
        return list(self.post_processor.enumerate_parameters())

    @property
    def evaluation_scores(self) -> "EvaluationScores":
        """The evaluator's score template (every criterion NaN)."""
        return self.evaluator.score

    @property
    @abstractmethod
    def channels(self) -> List[str]:
        """Names of the model's output channels, in order."""

    def create_model(self, architecture) -> "Model":
        """The architecture followed by this task's prediction head."""
        return self.predictor.create_model(architecture)
