"""Post-processors and their parameter sets."""

from .post_processor_parameters import PostProcessorParameters  # noqa: F401
from .post_processor import PostProcessor  # noqa: F401
from .argmax_post_processor import ArgmaxPostProcessor  # noqa: F401
from .argmax_post_processor_parameters import ArgmaxPostProcessorParameters  # noqa: F401
from .dummy_post_processor import DummyPostProcessor  # noqa: F401
from .dummy_post_processor_parameters import DummyPostProcessorParameters  # noqa: F401
from .threshold_post_processor import ThresholdPostProcessor  # noqa: F401
from .threshold_post_processor_parameters import ThresholdPostProcessorParameters  # noqa: F401
from .watershed_post_processor import WatershedPostProcessor  # noqa: F401
from .watershed_post_processor_parameters import WatershedPostProcessorParameters  # noqa: F401
