"""Evaluators and their scores."""

from .evaluation_scores import EvaluationScores  # noqa: F401
from .evaluator import Evaluator  # noqa: F401
from .dummy_evaluation_scores import DummyEvaluationScores  # noqa: F401
from .dummy_evaluator import DummyEvaluator  # noqa: F401
from .binary_segmentation_evaluation_scores import (  # noqa: F401
    BinarySegmentationEvaluationScores,
    MultiChannelBinarySegmentationEvaluationScores,
)
from .binary_segmentation_evaluator import BinarySegmentationEvaluator  # noqa: F401
from .instance_evaluation_scores import InstanceEvaluationScores  # noqa: F401
from .instance_evaluator import InstanceEvaluator  # noqa: F401
