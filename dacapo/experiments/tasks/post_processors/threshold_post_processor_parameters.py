"""Parameters of the threshold post-processor."""

from __future__ import annotations

import attr

from .post_processor_parameters import PostProcessorParameters


@attr.s(frozen=True)
class ThresholdPostProcessorParameters(PostProcessorParameters):
    """A threshold in the prediction's own units (e.g. 0.0 or 127.5)."""

    threshold: float = attr.ib(
        default=0.0,
        converter=float,
        metadata={"help_text": "Voxels with a prediction above this value are foreground."},
    )
