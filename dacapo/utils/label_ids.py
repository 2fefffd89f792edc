"""Distinct ids of a label array and where each voxel's id is among them,
in time linear in the voxels when the ids are small (no sort).

Segmentations of one block (mutex watershed labels, which are voxel
indices; ids renumbered per block) hold ids below a few times the block's
voxels; a table over ``0..max id`` then replaces ``np.unique``'s sort of all
voxels (which costs ``O(n log n)`` time and two extra copies of the labels).
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

__all__ = ["unique_ids", "unique_inverse"]

#: the table over ``0..max id`` is used while ``max id`` is at most this many
#: times the number of voxels (plus ``DENSE_SLACK``); else ``np.unique``
DENSE_FACTOR = 4
DENSE_SLACK = 1024


def unique_inverse(labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``np.unique(labels.ravel(), return_inverse=True)``: the sorted distinct
    ids (``labels``' dtype) and, per voxel of ``labels.ravel()``, the index
    of its id among them (``np.intp``).

    Non-negative integer ids up to ``DENSE_FACTOR`` times the voxels go
    through a table instead of a sort; the result is the same.
    """
    flat = labels.ravel()
    if flat.dtype.kind not in "iu" or flat.size == 0:
        return np.unique(flat, return_inverse=True)
    low, high = int(flat.min()), int(flat.max())
    if low < 0 or high > DENSE_FACTOR * flat.size + DENSE_SLACK:
        return np.unique(flat, return_inverse=True)
    if flat.dtype.itemsize == np.dtype(np.intp).itemsize:
        index = flat.view(np.intp)  # non-negative and small: the same values
    else:
        index = flat.astype(np.intp)
    present = np.zeros(high + 1, dtype=bool)
    present[index] = True
    position = np.cumsum(present, dtype=np.intp)
    position -= 1
    inverse = position[index]
    del position
    return np.flatnonzero(present).astype(flat.dtype), inverse


def unique_ids(labels: np.ndarray, offset: int) -> np.ndarray:
    """``labels`` renumbered 1..n (0 stays background) plus ``offset``, as
    uint64: ids of different blocks never collide when ``offset`` is
    ``block_id * voxels_per_block``."""
    ids, inverse = unique_inverse(labels)
    new = np.arange(len(ids), dtype=np.uint64) + np.uint64(offset)
    if ids[0] == 0:
        new[0] = 0
    else:
        new += np.uint64(1)
    return new[inverse].reshape(labels.shape)
