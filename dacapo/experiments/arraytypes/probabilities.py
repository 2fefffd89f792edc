"""Per-class probabilities, one channel per class."""

from __future__ import annotations

from typing import List

import attr

from .arraytype import ArrayType


@attr.s(frozen=True)
class ProbabilityArray(ArrayType):
    """Class probabilities in [0, 1], channel i for ``classes[i]``; interpolatable."""

    classes: List[str] = attr.ib(
        metadata={"help_text": "The class of each channel, in channel order."}
    )

    @property
    def interpolatable(self) -> bool:
        return True
