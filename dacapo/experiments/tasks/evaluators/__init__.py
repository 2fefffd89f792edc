"""Evaluators and their scores."""

from .binary_segmentation_evaluation_scores import (
    BinarySegmentationEvaluationScores,
    MultiChannelBinarySegmentationEvaluationScores,
)
from .binary_segmentation_evaluator import BinarySegmentationEvaluator
from .dummy_evaluation_scores import DummyEvaluationScores
from .dummy_evaluator import DummyEvaluator
from .evaluation_scores import EvaluationScores
from .evaluator import Evaluator
from .instance_evaluation_scores import InstanceEvaluationScores
from .instance_evaluator import InstanceEvaluator

__all__ = [
    "BinarySegmentationEvaluationScores",
    "BinarySegmentationEvaluator",
    "DummyEvaluationScores",
    "DummyEvaluator",
    "EvaluationScores",
    "Evaluator",
    "InstanceEvaluationScores",
    "InstanceEvaluator",
    "MultiChannelBinarySegmentationEvaluationScores",
]
