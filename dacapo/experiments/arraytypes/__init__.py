"""Array types: what the values of a predictor's output (or its inputs) mean."""

from .annotations import AnnotationArray
from .arraytype import ArrayType
from .binary import BinaryArray
from .distances import DistanceArray
from .embedding import EmbeddingArray
from .intensities import IntensitiesArray
from .mask import Mask
from .probabilities import ProbabilityArray

__all__ = [
    "AnnotationArray",
    "ArrayType",
    "BinaryArray",
    "DistanceArray",
    "EmbeddingArray",
    "IntensitiesArray",
    "Mask",
    "ProbabilityArray",
]
