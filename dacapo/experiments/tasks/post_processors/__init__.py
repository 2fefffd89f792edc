"""Post-processors and their parameter sets."""

from .argmax_post_processor import ArgmaxPostProcessor
from .argmax_post_processor_parameters import ArgmaxPostProcessorParameters
from .dummy_post_processor import DummyPostProcessor
from .dummy_post_processor_parameters import DummyPostProcessorParameters
from .post_processor import PostProcessor
from .post_processor_parameters import PostProcessorParameters
from .threshold_post_processor import ThresholdPostProcessor
from .threshold_post_processor_parameters import ThresholdPostProcessorParameters
from .watershed_post_processor import WatershedPostProcessor
from .watershed_post_processor_parameters import WatershedPostProcessorParameters

__all__ = [
    "ArgmaxPostProcessor",
    "ArgmaxPostProcessorParameters",
    "DummyPostProcessor",
    "DummyPostProcessorParameters",
    "PostProcessor",
    "PostProcessorParameters",
    "ThresholdPostProcessor",
    "ThresholdPostProcessorParameters",
    "WatershedPostProcessor",
    "WatershedPostProcessorParameters",
]
