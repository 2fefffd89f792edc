"""Parameters of the argmax post-processor (it has none but the id)."""

from __future__ import annotations

import attr

from .post_processor_parameters import PostProcessorParameters


@attr.s(frozen=True)
class ArgmaxPostProcessorParameters(PostProcessorParameters):
    """The only parameter set of ``ArgmaxPostProcessor``."""
