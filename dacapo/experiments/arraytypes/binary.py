"""Binary (0/1) values, one channel per named class."""

from __future__ import annotations

from typing import Dict

import attr

from .arraytype import ArrayType


@attr.s(frozen=True)
class BinaryArray(ArrayType):
    """Binary channels, e.g. a thresholded prediction (not interpolatable)."""

    channels: Dict[int, str] = attr.ib(
        metadata={"help_text": "Maps each channel index to the class it marks."}
    )

    @property
    def interpolatable(self) -> bool:
        return False
