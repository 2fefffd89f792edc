"""Shared base and geometry checks for arrays that combine several sources."""

from __future__ import annotations

from typing import Any, Dict, Sequence

from funlib.geometry import Roi

from dacapo.errors import ConfigError

from ._wrapped import WrappedArray
from .array import Array


class CombinedArray(WrappedArray):
    """A virtual array over ``sources`` covering the intersection of their ROIs
    (see ``common_roi``); other properties forward to the first source, and it
    has no attributes."""

    def __init__(self, array_config, sources: Sequence[Array], owner: str):
        super().__init__(array_config, sources[0])
        self._sources = list(sources)
        self._roi = common_roi(self._sources, owner)

    @property
    def attrs(self) -> Dict[str, Any]:
        return {}

    @property
    def roi(self) -> Roi:
        return self._roi


def spatial_axes(array: Array) -> list:
    """The axes of ``array`` other than channel and batch axes."""
    return [axis for axis in array.axes if axis not in ("c", "b")]


def common_roi(arrays: Sequence[Array], owner: str) -> Roi:
    """The intersection of the ROIs of ``arrays``, which must share voxel size and
    spatial axes; raises ``ConfigError`` naming the two that differ."""
    first = arrays[0]
    roi = first.roi
    for other in arrays[1:]:
        if other.voxel_size != first.voxel_size:
            raise ConfigError(
                f"{owner}: sources {first.name!r} (voxel size {first.voxel_size}) and "
                f"{other.name!r} (voxel size {other.voxel_size}) differ in voxel size; "
                "resample one of them with a ResampledArrayConfig"
            )
        if spatial_axes(other) != spatial_axes(first):
            raise ConfigError(
                f"{owner}: sources {first.name!r} (axes {first.axes}) and {other.name!r} "
                f"(axes {other.axes}) have different spatial axes"
            )
        roi = roi.intersect(other.roi)
    if roi.empty:
        names = ", ".join(f"{a.name!r} {a.roi}" for a in arrays)
        raise ConfigError(
            f"{owner}: the ROIs of the sources do not overlap ({names}); combine "
            "arrays that cover a common region"
        )
    for array in arrays:
        if (roi.offset - array.roi.offset) % array.voxel_size != roi.offset * 0:
            raise ConfigError(
                f"{owner}: source {array.name!r} (ROI {array.roi}) is not on the voxel "
                f"grid of source {first.name!r} (ROI {first.roi}, voxel size "
                f"{first.voxel_size}); their offsets must differ by whole voxels"
            )
    return roi
