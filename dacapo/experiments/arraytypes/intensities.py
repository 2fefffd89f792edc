"""Intensities (e.g. raw EM data) within a known value range."""

from __future__ import annotations

from typing import Dict

import attr

from .arraytype import ArrayType


@attr.s(frozen=True)
class IntensitiesArray(ArrayType):
    """Intensity channels with values between ``min`` and ``max``; interpolatable."""

    channels: Dict[int, str] = attr.ib(
        metadata={"help_text": "Maps each channel index to a name (e.g. the stain)."}
    )
    min: float = attr.ib(metadata={"help_text": "The smallest possible intensity."})
    max: float = attr.ib(metadata={"help_text": "The largest possible intensity."})

    @property
    def interpolatable(self) -> bool:
        return True
