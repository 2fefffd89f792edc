"""Parameters of the dummy post-processor."""

from __future__ import annotations

import attr

from .post_processor_parameters import PostProcessorParameters


@attr.s(frozen=True)
class DummyPostProcessorParameters(PostProcessorParameters):
    """Smallest object (in voxels) the dummy post-processor keeps."""

    min_size: int = attr.ib(metadata={"help_text": "Objects with fewer voxels are removed."})
