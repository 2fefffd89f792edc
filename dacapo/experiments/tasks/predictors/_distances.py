"""Signed distances to label boundaries, and where they can be trusted.

Boundaries lie between voxels. Distances are measured on a grid of twice the
resolution, on which the face between two voxels of different labels is a
boundary point; voxel centres are the even grid points::

    labels      0     1     1     0        (voxel size 1)
    grid        .  |  .  .  .  |  .        | = boundary point
    distance  -0.5   0.5   0.5  -0.5
"""

from __future__ import annotations

import math
from typing import Sequence

import edt
import numpy as np

#: tanh value above which a normalised distance counts as saturated: a voxel
#: this far (or farther) from any unseen region always keeps its weight
SATURATION = 0.95


def boundary_distances(labels: np.ndarray, voxel_size: Sequence[float]) -> np.ndarray:
    """World-unit distance from each voxel centre to the nearest face between
    voxels of different labels (float32, ``inf`` when there is no such face).

    The faces normal to one axis lie on a grid of twice the resolution along
    that axis only, so each axis's faces get their own distance transform on
    a grid of twice the voxels, instead of one on a grid of ``2 ** ndim``
    times the voxels; the nearest face is the nearest of the per-axis ones.
    The minimum is taken over squared distances and one square root follows:
    float32 square roots are correctly rounded, hence monotonic, so this
    equals the minimum of the per-axis distances bit for bit.
    """
    nearest = None
    for axis in range(labels.ndim):
        squared = _squared_face_distances(labels, voxel_size, axis)
        if squared is None:
            continue
        if nearest is None:
            nearest = np.array(squared, dtype=np.float32, order="C")
        else:
            np.minimum(nearest, squared, out=nearest)
    if nearest is None:
        return np.full(labels.shape, np.inf, dtype=np.float32)
    return np.sqrt(nearest, out=nearest)


def _squared_face_distances(labels: np.ndarray, voxel_size: Sequence[float], axis: int):
    """Squared distances from each voxel centre to the nearest face normal to
    ``axis`` between voxels of different labels (a view in the axis order of
    ``labels``), or ``None`` when there is none.

    Two choices make ``edt`` faster without changing a value: the grid of
    twice the resolution has ``axis`` first (about 10% faster than in place),
    and it is handed over as 0/1 bytes rather than booleans (``edt``'s
    label path, about 20% faster here; with a single label it is the binary
    transform, each voxel's distance to the nearest 0). The tests compare
    every voxel with a transform of the full grid.
    """
    moved = np.moveaxis(labels, axis, 0)
    changes = moved[:-1] != moved[1:]
    if not changes.any():
        return None
    grid = np.ones((2 * moved.shape[0] - 1,) + moved.shape[1:], dtype=bool)
    np.logical_not(changes, out=grid[1::2])  # False on a boundary point
    spacing = [float(v) for v in voxel_size]
    spacing.insert(0, spacing.pop(axis) / 2)
    # edt takes a scalar anisotropy in 1D
    anisotropy = spacing[0] if labels.ndim == 1 else tuple(spacing)
    squared = edt.edtsq(grid.view(np.uint8), anisotropy=anisotropy, black_border=False)
    return np.moveaxis(squared[::2], 0, axis)


def signed_distances(labels: np.ndarray, voxel_size: Sequence[float]) -> np.ndarray:
    """``boundary_distances``, positive inside objects (label != 0), negative outside."""
    distances = boundary_distances(labels, voxel_size)
    return np.negative(distances, out=distances, where=labels == 0)


def normalised(distances: np.ndarray, scale_factor: float) -> np.ndarray:
    """``tanh(distance / scale_factor)`` as float32 (``inf`` maps to 1)."""
    scaled = np.asarray(distances) / np.float32(scale_factor)
    if isinstance(scaled, np.ndarray) and scaled.dtype == np.float32:
        return np.tanh(scaled, out=scaled)  # a fresh array: no copy needed
    return np.tanh(scaled).astype(np.float32)


def unseen_distances(known: np.ndarray, voxel_size: Sequence[float]) -> np.ndarray:
    """World-unit distance from each voxel centre to the nearest face of an
    unknown voxel (``known == 0``) or of the array's border; 0 on unknown voxels.

    Any boundary hidden in the unknown region is at least this far away.
    """
    known = np.asarray(known)
    if known.size and _whole_voxels(voxel_size) and np.all(known != 0):
        return _border_distances(known.shape, voxel_size)
    padded = np.pad(known != 0, 1, constant_values=False)
    distances = signed_distances(padded, voxel_size)
    inner = (slice(1, -1),) * known.ndim
    return np.maximum(distances[inner], 0).astype(np.float32)


def _whole_voxels(voxel_size: Sequence[float]) -> bool:
    return all(float(v).is_integer() and v > 0 for v in voxel_size)


def _border_distances(shape: Sequence[int], voxel_size: Sequence[float]) -> np.ndarray:
    """``unseen_distances`` of a mask known everywhere: the distance to the
    nearest face of the array's border, ``(k + 1/2) * voxel`` along the axis
    of the nearest one, ``k`` voxels from it.

    For whole-number voxel sizes these are multiples of 1/2, exact in float32,
    and ``edt`` gives the same (its square roots of exact squares are exact);
    the tests check it bit for bit.
    """
    nearest = np.full(tuple(shape), np.inf, dtype=np.float32)
    for axis, (n, v) in enumerate(zip(shape, voxel_size)):
        steps = np.minimum(np.arange(n), np.arange(n)[::-1])
        along = ((steps + 0.5) * float(v)).astype(np.float32)
        np.minimum(
            nearest, along.reshape([n if a == axis else 1 for a in range(len(shape))]), out=nearest
        )
    return nearest


def distance_mask(
    normalised_target: np.ndarray, unseen: np.ndarray, scale_factor: float
) -> np.ndarray:
    """1 where a normalised distance can be trusted, 0 where an unseen region
    might hold a closer boundary.

    A distance ``d`` computed inside the known region is exact when ``|d|`` is
    at most the distance to the unseen region; otherwise the true value lies
    between the two. Voxels whose unseen region is so far away that the
    normalised target is saturated (``tanh >= SATURATION``) are kept anyway,
    since the error is then below ``1 - SATURATION``.
    """
    bound = normalised(unseen, scale_factor)
    trusted = (np.abs(normalised_target) <= bound + 1e-6) | (bound >= SATURATION)
    return trusted.astype(np.float32)


def saturation_distance(scale_factor: float) -> float:
    """World-unit distance at which ``tanh(d / scale_factor)`` reaches ``SATURATION``."""
    return math.atanh(SATURATION) * scale_factor
