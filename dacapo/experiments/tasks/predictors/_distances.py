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
    voxels of different labels (float32, ``inf`` when there is no such face)."""
    ndim = labels.ndim
    grid = np.zeros(tuple(2 * n - 1 for n in labels.shape), dtype=bool)
    for axis in range(ndim):
        lower = tuple(slice(None, -1) if a == axis else slice(None) for a in range(ndim))
        upper = tuple(slice(1, None) if a == axis else slice(None) for a in range(ndim))
        faces = tuple(slice(1, None, 2) if a == axis else slice(None, None, 2) for a in range(ndim))
        grid[faces] = labels[lower] != labels[upper]
    centres = (slice(None, None, 2),) * ndim
    if not grid.any():
        return np.full(labels.shape, np.inf, dtype=np.float32)
    half_voxel = tuple(float(v) / 2 for v in voxel_size)
    # edt takes a scalar anisotropy in 1D
    anisotropy = half_voxel[0] if ndim == 1 else half_voxel
    distances = edt.edt(np.ascontiguousarray(~grid), anisotropy=anisotropy, black_border=False)
    return np.ascontiguousarray(distances[centres], dtype=np.float32)


def signed_distances(labels: np.ndarray, voxel_size: Sequence[float]) -> np.ndarray:
    """``boundary_distances``, positive inside objects (label != 0), negative outside."""
    distances = boundary_distances(labels, voxel_size)
    return np.where(labels != 0, distances, -distances).astype(np.float32)


def normalised(distances: np.ndarray, scale_factor: float) -> np.ndarray:
    """``tanh(distance / scale_factor)`` as float32 (``inf`` maps to 1)."""
    return np.tanh(distances / np.float32(scale_factor)).astype(np.float32)


def unseen_distances(known: np.ndarray, voxel_size: Sequence[float]) -> np.ndarray:
    """World-unit distance from each voxel centre to the nearest face of an
    unknown voxel (``known == 0``) or of the array's border; 0 on unknown voxels.

    Any boundary hidden in the unknown region is at least this far away.
    """
    padded = np.pad(np.asarray(known) != 0, 1, constant_values=False)
    distances = signed_distances(padded, voxel_size)
    inner = (slice(1, -1),) * known.ndim
    return np.maximum(distances[inner], 0).astype(np.float32)


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
