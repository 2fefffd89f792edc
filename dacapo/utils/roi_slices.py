"""Where a world-unit ROI lies in an array of voxels."""

from __future__ import annotations

from typing import Tuple

from funlib.geometry import Coordinate, Roi

__all__ = ["roi_slices"]


def roi_slices(roi: Roi, origin: Coordinate, voxel_size: Coordinate) -> Tuple[slice, ...]:
    """The spatial index of ``roi`` in voxel data whose first voxel begins at
    ``origin`` (world units; both aligned to ``voxel_size``)."""
    begin = (roi.begin - origin) / voxel_size
    end = begin + roi.shape / voxel_size
    return tuple(slice(int(b), int(e)) for b, e in zip(begin, end))
