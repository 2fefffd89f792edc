"""Label ids that each stand for a class."""

from __future__ import annotations

from typing import Dict

import attr

from .arraytype import ArrayType


@attr.s(frozen=True)
class AnnotationArray(ArrayType):
    """Integer labels, e.g. a semantic or instance ground truth (not interpolatable)."""

    classes: Dict[int, str] = attr.ib(
        metadata={"help_text": "Maps each label id to the name of its class."}
    )

    @property
    def interpolatable(self) -> bool:
        return False
