"""Rendering a synthetic volume block by block, and picking its sample points.

A block is rendered with ``params.halo`` voxels of context on every side
(also beyond the volume's border, where the pattern simply continues), so
blocks agree exactly with a volume rendered in one piece.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np

from . import _synthetic_raw as raw
from ._synthetic_structure import CYTOPLASM, render_structure

#: upper bound on the voxels of one block (without its halo)
MAX_BLOCK_VOXELS = 2**22


class Centres(NamedTuple):
    """The most central voxel found for each object (label id) of a block."""

    ids: np.ndarray  # uint64 label ids
    values: np.ndarray  # float32 centrality there (larger = more central)
    positions: np.ndarray  # (n, ndim) int64 voxel positions in the volume


class Block(NamedTuple):
    """The rendered arrays of one block ``[start, stop)`` of a volume."""

    raw: np.ndarray
    labels: np.ndarray
    semantic: np.ndarray
    mask: np.ndarray
    centres: Centres


def slabs(shape: Sequence[int], step: int) -> Iterator[tuple[int, int]]:
    """``[z0, z1)`` ranges along the first axis: multiples of ``step`` under the bound."""
    plane = int(np.prod(shape[1:]))
    thickness = max(step, (MAX_BLOCK_VOXELS // plane) // step * step)
    for z0 in range(0, shape[0], thickness):
        yield z0, min(shape[0], z0 + thickness)


def render_block(params, seed, volume_shape, start, stop) -> Block:
    """All arrays of the block [start, stop) of a volume of ``volume_shape``."""
    halo = params.halo
    outer_start = tuple(a - halo for a in start)
    outer_stop = tuple(b + halo for b in stop)
    structure = render_structure(params, seed, volume_shape, outer_start, outer_stop)
    image = raw.blur(
        params, raw.clean_image(params, seed, structure, outer_start, outer_stop)
    )
    crop = tuple(slice(halo, halo + b - a) for a, b in zip(start, stop))
    return Block(
        raw=raw.add_noise(params, seed, image[crop], start, stop),
        labels=structure.labels[crop],
        semantic=structure.semantic[crop],
        mask=structure.mask[crop],
        centres=_centres(structure, crop, start),
    )


def _centres(structure, crop, start) -> Centres:
    """Per object, the first (C order) voxel of highest centrality in the block."""
    semantic = structure.semantic[crop]
    inside = np.flatnonzero(semantic >= CYTOPLASM)
    key = structure.cell[crop].ravel()[inside].astype(np.int64) * 3
    key += semantic.ravel()[inside] - CYTOPLASM
    values = structure.centrality[crop].ravel()[inside]
    best = np.full(3 * len(structure.table.real), -np.inf, np.float32)
    np.maximum.at(best, key, values)
    hits = np.flatnonzero(values == best[key])
    _, first = np.unique(key[hits], return_index=True)
    chosen = inside[hits[first]]
    positions = np.stack(np.unravel_index(chosen, semantic.shape), axis=-1) + np.array(
        start
    )
    return Centres(
        ids=structure.labels[crop].ravel()[chosen],
        values=structure.centrality[crop].ravel()[chosen],
        positions=positions.astype(np.int64),
    )


def sample_positions(
    centres: Sequence[Centres], shape: Sequence[int], count: int
) -> np.ndarray:
    """``count`` object centres (voxel positions), evenly spread over the object ids.

    Organelles come first, then cells; objects whose most central voxel lies on
    the volume's border (cut off by it) only when there are too few others.
    """
    ids = np.concatenate([c.ids for c in centres])
    values = np.concatenate([c.values for c in centres])
    positions = np.concatenate([c.positions for c in centres])
    # per id keep the most central voxel, ties to the first position in C order
    order = np.lexsort(tuple(positions.T[::-1]) + (-values, ids))
    ids, positions = ids[order], positions[order]
    _, first = np.unique(ids, return_index=True)
    ids, positions = ids[first], positions[first]
    is_cell = ids % np.uint64(3) == np.uint64(1)
    inner = np.all((positions > 0) & (positions < np.array(shape) - 1), axis=1)
    picked = []
    remaining = count
    for pool in (
        inner & ~is_cell,
        inner & is_cell,
        ~inner & ~is_cell,
        ~inner & is_cell,
    ):
        chosen = _evenly(positions[pool], remaining)
        picked.append(chosen)
        remaining -= len(chosen)
    return np.concatenate(picked)


def _evenly(positions: np.ndarray, count: int) -> np.ndarray:
    if count <= 0 or len(positions) == 0:
        return positions[:0]
    if len(positions) <= count:
        return positions
    return positions[np.linspace(0, len(positions) - 1, count).round().astype(int)]
