"""Array types: what the values of a predictor's output (or its inputs) mean."""

from .annotations import AnnotationArray  # noqa: F401
from .arraytype import ArrayType  # noqa: F401
from .binary import BinaryArray  # noqa: F401
from .distances import DistanceArray  # noqa: F401
from .embedding import EmbeddingArray  # noqa: F401
from .intensities import IntensitiesArray  # noqa: F401
from .mask import Mask  # noqa: F401
from .probabilities import ProbabilityArray  # noqa: F401

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
