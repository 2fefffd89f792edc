"""Affinity graphs of label volumes and the context they need.

An affinity for offset ``o`` at voxel ``p`` describes the edge between ``p``
and ``p + o``: it is 1 when both voxels carry the same non-zero label. This is
the convention ``mwatershed.agglom`` reads::

    labels   1 1 2 2 0        offset (1,)
    affs     1 0 1 0 0        last voxel: p + o is outside -> 0
"""

from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np
from funlib.geometry import Coordinate

from dacapo.errors import ConfigError


def _check_neighborhood(neighborhood, dims: int) -> np.ndarray:
    offsets = [tuple(int(v) for v in o) for o in neighborhood]
    if not offsets or any(len(o) != dims for o in offsets):
        raise ConfigError(
            f"affinity neighborhood {offsets} does not fit a "
            f"{dims}D volume: expected a non-empty list of offsets with {dims} "
            "entries each, e.g. [(1, 0, 0), (0, 1, 0), (0, 0, 1)] in 3D"
        )
    return np.asarray(offsets, dtype=np.int64)


def _shifted_slices(offset: Sequence[int]) -> Tuple[Tuple[slice, ...], Tuple[slice, ...]]:
    """Slices selecting ``p`` and ``p + offset`` where both are inside."""
    here, there = [], []
    for o in offset:
        o = int(o)
        here.append(slice(0, -o if o > 0 else None) if o >= 0 else slice(-o, None))
        there.append(slice(o, None) if o >= 0 else slice(0, o))
    return tuple(here), tuple(there)


def seg_to_affgraph(
    seg: np.ndarray,
    neighborhood: Sequence[Sequence[int]],
    background_as_object: bool = False,
) -> np.ndarray:
    """Affinities of a label volume, one channel per offset of ``neighborhood``.

    Args:
        seg: Labels, 1D to 3D (any spatial dimensionality); 0 is background.
        neighborhood: Offsets in voxels, each with one entry per axis of ``seg``.
        background_as_object: Treat label 0 as one more object, so that two
            background voxels are connected as well.

    Returns:
        uint8 array of shape ``(len(neighborhood),) + seg.shape``; voxels whose
        neighbour lies outside the volume get 0.
    """
    seg = np.asarray(seg)
    offsets = _check_neighborhood(neighborhood, seg.ndim)
    affs = np.zeros((len(offsets),) + seg.shape, dtype=np.uint8)
    for channel, offset in enumerate(offsets):
        if np.any(np.abs(offset) >= np.asarray(seg.shape)):
            continue
        here, there = _shifted_slices(offset)
        same = seg[here] == seg[there]
        if not background_as_object:
            same &= seg[here] != 0
        affs[(channel,) + here] = same
    return affs


def padding(
    neighborhood: Sequence[Sequence[int]], voxel_size: Sequence[int]
) -> Tuple[Coordinate, Coordinate]:
    """World-unit context needed on the negative and positive side of a ROI.

    Affinities at the lower and upper faces of a ROI look at voxels outside
    it: ``(-1, 0)`` needs one voxel below, ``(3, 0)`` three voxels above::

        offsets (-1,) and (3,), voxel size 4
        context  |-4 |  roi  | +12       |
    """
    voxel_size = Coordinate(voxel_size)
    offsets = _check_neighborhood(neighborhood, voxel_size.dims)
    negative = np.maximum(-offsets, 0).max(axis=0)
    positive = np.maximum(offsets, 0).max(axis=0)
    return (
        Coordinate(int(v) for v in negative) * voxel_size,
        Coordinate(int(v) for v in positive) * voxel_size,
    )
