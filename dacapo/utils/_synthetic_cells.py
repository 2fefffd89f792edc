"""Cells and organelles of the synthetic volumes, as a function of position.

One seed sits in each cube of ``cell_size`` voxels (the "grid cell"), jittered
by up to 0.35 of the cube. A voxel belongs to the cell of the nearest
seed after a smooth random warp of its position; the membrane is the band of
voxels closer than half its width to the bisector of the two nearest seeds.
Because every per-cell value is a hash of the grid cell's index, any box of
the volume can be rendered on its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._synthetic_noise import stream_key, uniform_grid, value_noise
from ._synthetic_params import SyntheticParams

JITTER = 0.35  # of cell_size, largest seed displacement from the cube centre
WARP = 0.15  # of cell_size, amplitude of the smooth position warp
ORGANELLE_MARGIN = 1.5  # voxels of cytoplasm kept between organelle and membrane

# named random streams (stream ids of ``stream_key``)
(
    S_SEED,
    S_EXTRA,
    S_ANNOTATED,
    S_BRIGHT,
    S_HAS_MITO,
    S_HAS_VESICLE,
    S_DIRECTION,
    S_AXIS,
    S_SIZE,
    S_WARP,
) = (10 * i for i in range(1, 11))


class CellTable(NamedTuple):
    """Per-grid-cell values for a box of grid cells (flattened, C order)."""

    lo: tuple[int, ...]  # grid index of the box's first cell
    shape: tuple[int, ...]  # box shape in grid cells
    global_index: np.ndarray  # int64, index used in instance ids
    seeds: np.ndarray  # (n, ndim) float32 seed positions in voxels
    real: np.ndarray  # bool, False for extracellular space
    annotated: np.ndarray  # bool
    brightness: np.ndarray  # float32 in [-1, 1]
    mito: np.ndarray  # bool
    mito_centre: np.ndarray  # (n, ndim)
    mito_axis: np.ndarray  # (n, ndim) unit vectors
    mito_inv_a2: np.ndarray  # 1 / long semi-axis ** 2
    mito_inv_b2: np.ndarray  # 1 / short semi-axis ** 2
    vesicle: np.ndarray  # bool
    vesicle_centre: np.ndarray  # (n, ndim)
    vesicle_r2: np.ndarray  # radius ** 2


def id_grid_shape(
    params: SyntheticParams, volume_shape: Sequence[int]
) -> tuple[int, ...]:
    """Grid cells counted in instance ids (the volume's plus every halo's)."""
    margin = 2 + int(np.ceil(params.halo / params.cell_size))
    return tuple(int(np.ceil(s / params.cell_size)) + 2 * margin for s in volume_shape)


def cell_table(params, seed, volume_shape, start, stop) -> CellTable:
    """Values of every grid cell whose seed can matter for the box [start, stop)."""
    size = params.cell_size
    lo = tuple(int(np.floor(a / size)) - 1 for a in start)
    hi = tuple(int(np.floor((b - 1) / size)) + 2 for b in stop)
    shape = tuple(b - a for a, b in zip(lo, hi))
    ndim = len(shape)
    grid = [
        g.ravel()
        for g in np.meshgrid(*[np.arange(a, b) for a, b in zip(lo, hi)], indexing="ij")
    ]

    def uniform(stream, count=1):
        values = [
            uniform_grid(stream_key(seed, stream + k), grid) for k in range(count)
        ]
        return np.stack(values, axis=-1) if count > 1 else values[0]

    seeds = (
        np.stack(grid, axis=-1) + 0.5 + JITTER * (2 * uniform(S_SEED, ndim) - 1)
    ) * size
    direction = _unit(2 * uniform(S_DIRECTION, ndim) - 1)
    sizes = uniform(S_SIZE, 3)
    real = uniform(S_EXTRA) >= params.extracellular_fraction
    margin = 2 + int(np.ceil(params.halo / size))
    id_shape = id_grid_shape(params, volume_shape)
    global_index = np.ravel_multi_index(
        [g + margin for g in grid], id_shape, mode="clip"
    )
    long_axis = size * (0.22 + 0.12 * sizes[:, 0])
    short_axis = size * (0.11 + 0.05 * sizes[:, 1])
    return CellTable(
        lo=lo,
        shape=shape,
        global_index=global_index.astype(np.int64),
        seeds=seeds.astype(np.float32),
        real=real,
        annotated=uniform(S_ANNOTATED) < params.annotated_fraction,
        brightness=(2 * uniform(S_BRIGHT) - 1).astype(np.float32),
        mito=real & (uniform(S_HAS_MITO) < params.mitochondria_probability),
        mito_centre=(seeds + direction * 0.12 * size).astype(np.float32),
        mito_axis=_unit(2 * uniform(S_AXIS, ndim) - 1).astype(np.float32),
        mito_inv_a2=(1.0 / long_axis**2).astype(np.float32),
        mito_inv_b2=(1.0 / short_axis**2).astype(np.float32),
        vesicle=real & (uniform(S_HAS_VESICLE) < params.vesicle_probability),
        vesicle_centre=(seeds - direction * 0.2 * size).astype(np.float32),
        vesicle_r2=((size * (0.1 + 0.07 * sizes[:, 2])) ** 2).astype(np.float32),
    )


def _unit(vectors: np.ndarray) -> np.ndarray:
    norm = np.sqrt((vectors**2).sum(axis=-1, keepdims=True))
    return vectors / np.maximum(norm, 1e-6)


def warped_positions(params, seed, start, stop) -> tuple[np.ndarray, ...]:
    """Voxel positions of the box plus a smooth random displacement (float32)."""
    ndim = len(start)
    positions = []
    for axis in range(ndim):
        noise = value_noise(
            stream_key(seed, S_WARP + axis), start, stop, params.cell_size
        )
        noise *= np.float32(WARP * params.cell_size)
        shape = [-1 if i == axis else 1 for i in range(ndim)]
        noise += np.arange(start[axis], stop[axis], dtype=np.float32).reshape(shape)
        positions.append(noise)
    return tuple(positions)


def nearest_two(params, table: CellTable, warped, start, stop):
    """Squared distances and table indices of the nearest and second-nearest seed."""
    ndim = len(start)
    cells = [
        np.floor(np.arange(a, b) / params.cell_size).astype(np.int64) - lo
        for a, b, lo in zip(start, stop, table.lo)
    ]
    shape = tuple(b - a for a, b in zip(start, stop))
    best = [
        np.full(shape, np.inf, np.float32),
        np.zeros(shape, np.int32),
        np.full(shape, np.inf, np.float32),
        np.zeros(shape, np.int32),
    ]
    seeds = table.seeds.reshape(table.shape + (ndim,))
    flat = np.arange(seeds[..., 0].size, dtype=np.int32).reshape(table.shape)
    for row in np.unique(cells[0]):
        # the voxels of one layer of grid cells along axis 0 share their candidates
        inside = np.flatnonzero(cells[0] == row)
        rows = slice(inside[0], inside[-1] + 1)
        part = [b[rows] for b in best]
        coords = [w[rows] for w in warped]
        for offset in itertools.product((-1, 0, 1), repeat=ndim):
            index = (row + offset[0],) + np.ix_(
                *[c + o for c, o in zip(cells[1:], offset[1:])]
            )
            _update(part, _distance2(coords, seeds[index]), flat[index])
    return best


def _distance2(coords, seed_positions):
    total = coords[0] - seed_positions[..., 0]
    total *= total
    for axis in range(1, len(coords)):
        diff = coords[axis] - seed_positions[..., axis]
        diff *= diff
        total += diff
    return total


def _update(best, d2, index):
    b1, i1, b2, i2 = best
    closer1 = d2 < b1
    closer2 = d2 < b2
    np.copyto(b2, d2, where=closer2)
    np.copyto(i2, np.broadcast_to(index, i2.shape), where=closer2)
    np.copyto(b2, b1, where=closer1)
    np.copyto(i2, i1, where=closer1)
    np.copyto(b1, d2, where=closer1)
    np.copyto(i1, np.broadcast_to(index, i1.shape), where=closer1)
