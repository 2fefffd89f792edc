"""Labels, classes and mask of a box of a synthetic volume."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _synthetic_cells as cells

BACKGROUND, MEMBRANE, CYTOPLASM, MITOCHONDRION, VESICLE = range(5)

#: class id -> name of the classes in ``semantic``
CLASS_NAMES: dict[int, str] = {
    BACKGROUND: "background",  # extracellular space
    MEMBRANE: "membrane",  # cell membrane
    CYTOPLASM: "cytoplasm",
    MITOCHONDRION: "mitochondrion",  # mitochondria-like spheroid, dark rim and dark matrix
    VESICLE: "vesicle",  # vesicle-like sphere, dark rim and bright lumen
}


class Structure(NamedTuple):
    """Everything known about a rendered box before intensities."""

    table: cells.CellTable
    cell: np.ndarray  # int32 table index of each voxel's cell
    semantic: np.ndarray  # uint8 class ids
    labels: np.ndarray  # uint64 instance ids
    mask: np.ndarray  # uint8, 1 = annotated
    membrane_distance: np.ndarray  # float32 voxels to the nearest cell boundary
    organelle_distance: np.ndarray  # float32 voxels to the organelle surface, 0 outside
    centrality: np.ndarray  # float32, largest at each object's centre


def render_structure(params, seed, volume_shape, start, stop) -> Structure:
    """Labels and classes of the box [start, stop) of a volume of ``volume_shape``."""
    table = cells.cell_table(params, seed, volume_shape, start, stop)
    warped = cells.warped_positions(params, seed, start, stop)
    b1, i1, b2, i2 = cells.nearest_two(params, table, warped, start, stop)
    distance = _bisector_distance(table, b1, i1, b2, i2)
    membrane = (distance < params.membrane_width / 2) & (
        table.real[i1] | table.real[i2]
    )
    membrane |= _cell_changes(i1, table.real)
    semantic = np.where(
        membrane, MEMBRANE, np.where(table.real[i1], CYTOPLASM, BACKGROUND)
    )
    semantic = semantic.astype(np.uint8)
    inner = (distance > params.membrane_width / 2 + cells.ORGANELLE_MARGIN) & ~_grow(
        membrane
    )
    mito = _mitochondrion_radius2(table, warped, i1)
    semantic[inner & (mito <= 1.0) & table.mito[i1]] = MITOCHONDRION
    vesicle = _vesicle_radius2(table, warped, i1)
    semantic[inner & (vesicle <= 1.0) & table.vesicle[i1]] = VESICLE
    centrality = np.where(semantic == MITOCHONDRION, 1 - mito, 1 - vesicle)
    centrality = np.where(semantic == CYTOPLASM, distance, centrality)
    ids = table.global_index[i1].astype(np.uint64) * np.uint64(3)
    labels = np.where(semantic >= CYTOPLASM, ids + (semantic - 1).astype(np.uint64), 0)
    return Structure(
        table=table,
        cell=i1,
        semantic=semantic,
        labels=labels.astype(np.uint64),
        mask=table.annotated[i1].astype(np.uint8),
        membrane_distance=distance,
        organelle_distance=_organelle_distance(semantic, i1),
        centrality=centrality,
    )


def _bisector_distance(table, b1, i1, b2, i2) -> np.ndarray:
    """Distance to the bisector of the two nearest seeds: (d2² - d1²) / 2|s2 - s1|."""
    separation = np.zeros(b1.shape, np.float32)
    for axis in range(table.seeds.shape[1]):
        seeds = table.seeds[:, axis]
        diff = seeds[i2] - seeds[i1]
        diff *= diff
        separation += diff
    np.sqrt(separation, out=separation)
    np.maximum(separation, 1e-3, out=separation)
    distance = b2 - b1
    distance /= 2 * separation
    return distance


def _cell_changes(cell: np.ndarray, real: np.ndarray) -> np.ndarray:
    """Voxels whose next neighbour along an axis lies in another cell (one of them real).

    A safety net: the seed search is exact in practice, and this keeps every
    real cell closed by membrane even where it is not.
    """
    changes = np.zeros(cell.shape, bool)
    for axis in range(cell.ndim):
        here = [slice(None)] * cell.ndim
        there = [slice(None)] * cell.ndim
        here[axis], there[axis] = slice(0, -1), slice(1, None)
        a, b = cell[tuple(here)], cell[tuple(there)]
        changes[tuple(here)] |= (a != b) & (real[a] | real[b])
    return changes


def _grow(mask: np.ndarray) -> np.ndarray:
    """``mask`` plus its face neighbours."""
    grown = mask.copy()
    for axis in range(mask.ndim):
        low = [slice(None)] * mask.ndim
        high = [slice(None)] * mask.ndim
        low[axis], high[axis] = slice(0, -1), slice(1, None)
        grown[tuple(low)] |= mask[tuple(high)]
        grown[tuple(high)] |= mask[tuple(low)]
    return grown


def _mitochondrion_radius2(table, warped, cell) -> np.ndarray:
    """Spheroid radius² of the cell's mitochondrion, (d·u)²/a² + (|d|² - (d·u)²)/b²."""
    along = np.zeros(cell.shape, np.float32)
    length2 = np.zeros(cell.shape, np.float32)
    for axis, position in enumerate(warped):
        diff = position - table.mito_centre[:, axis][cell]
        length2 += diff * diff
        diff *= table.mito_axis[:, axis][cell]
        along += diff
    along *= along
    length2 -= along
    length2 *= table.mito_inv_b2[cell]
    along *= table.mito_inv_a2[cell]
    along += length2
    return along


def _vesicle_radius2(table, warped, cell) -> np.ndarray:
    """Squared distance to the cell's vesicle centre, in vesicle radii."""
    length2 = np.zeros(cell.shape, np.float32)
    for axis, position in enumerate(warped):
        diff = position - table.vesicle_centre[:, axis][cell]
        diff *= diff
        length2 += diff
    length2 /= table.vesicle_r2[cell]
    return length2


def _organelle_distance(semantic: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Euclidean distance of organelle voxels to their organelle's surface."""
    import edt

    organelle = np.where(
        semantic >= MITOCHONDRION, cell.astype(np.uint32) * 2 + (semantic - 2), 0
    )
    return edt.edt(organelle.astype(np.uint32), black_border=False, parallel=1)
