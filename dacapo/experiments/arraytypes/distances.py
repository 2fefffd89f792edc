"""Signed distances to object boundaries, one channel per class."""

from __future__ import annotations

from typing import Dict

import attr

from .arraytype import ArrayType


@attr.s(frozen=True)
class DistanceArray(ArrayType):
    """Signed distances (positive inside objects, negative outside); interpolatable."""

    classes: Dict[int, str] = attr.ib(
        metadata={"help_text": "Maps each channel index to the class whose distance it holds."}
    )

    @property
    def interpolatable(self) -> bool:
        return True
