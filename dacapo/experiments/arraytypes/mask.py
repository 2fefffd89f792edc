"""A mask marking which voxels count (1) and which do not (0)."""

from __future__ import annotations

import attr

from .arraytype import ArrayType


@attr.s(frozen=True)
class Mask(ArrayType):
    """A binary mask (not interpolatable)."""

    @property
    def interpolatable(self) -> bool:
        return False
