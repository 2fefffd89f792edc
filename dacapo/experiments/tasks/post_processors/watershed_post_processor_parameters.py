"""Parameters of the mutex-watershed post-processor."""

from __future__ import annotations

import attr
from funlib.geometry import Coordinate

from .post_processor_parameters import PostProcessorParameters


@attr.s(frozen=True)
class WatershedPostProcessorParameters(PostProcessorParameters):
    """Merge bias and block context of ``WatershedPostProcessor``."""

    bias: float = attr.ib(
        default=0.5,
        converter=float,
        metadata={
            "help_text": "Affinities above the bias merge voxels, those below split "
            "them; higher values give more, smaller objects."
        },
    )
    context: Coordinate = attr.ib(
        default=Coordinate((32, 32, 32)),
        converter=Coordinate,
        metadata={
            "help_text": "Voxels read around each block so that objects at its faces "
            "are segmented with their surroundings (trailing entries in 2D)."
        },
    )

    def __str__(self) -> str:
        context = "-".join(str(c) for c in self.context)
        return f"bias_{self.bias}_context_{context}"
