"""Random smooth deformations (elastic + rotation) on world coordinates.

A ``Deformation`` maps each output position ``p`` to the source position the
output value is read from::

    source(p) = centre + R (p - centre) + d(p)

with a rotation ``R`` about the centre of the requested region and a smooth
displacement ``d`` interpolated (cubic B-spline) from Gaussian random
displacements on a regular grid of control points. Positions are world
units relative to ``origin``, so arrays of different voxel sizes see the
same deformation.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np
from funlib.geometry import Coordinate, Roi
from scipy import ndimage
from scipy.spatial.transform import Rotation


class Deformation:
    """One sampled deformation of a region starting at ``origin`` (world units)."""

    def __init__(self, origin, centre, rotation, control, spacing, subsample: int = 1):
        self.origin = np.asarray(origin, dtype=np.int64)
        self.centre = np.asarray(centre, dtype=np.float64)
        self.rotation = np.asarray(rotation, dtype=np.float64)
        self.control = control  # (dims, *num_control_points) displacements
        self.spacing = np.asarray(spacing, dtype=np.float64)
        self.subsample = subsample

    @property
    def dims(self) -> int:
        return len(self.origin)

    def axis_positions(self, roi: Roi, voxel_size: Coordinate) -> List[np.ndarray]:
        """Voxel-centre positions of ``roi`` along each axis, relative to ``origin``."""
        shape = roi.shape / voxel_size
        return [
            (roi.begin[d] - self.origin[d]) + (np.arange(shape[d]) + 0.5) * voxel_size[d]
            for d in range(self.dims)
        ]

    def source_coordinates(self, roi: Roi, voxel_size: Coordinate) -> np.ndarray:
        """``(dims, *shape)`` source positions (relative to ``origin``) of the
        voxel centres of ``roi``: per element, the float64 sum
        ``((R[i, 0] * c0 + R[i, 1] * c1 + ...) + centre[i]) + displacement``
        (``c = position - centre``), rounded once to float32."""
        positions = self.axis_positions(roi, voxel_size)
        grids = np.meshgrid(*positions, indexing="ij", sparse=True)
        centred = [grid - c for grid, c in zip(grids, self.centre)]
        weights = [self.axis_weights(p, axis) for axis, p in enumerate(positions)]
        shape = tuple(len(p) for p in positions)
        out = np.empty((self.dims,) + shape, dtype=np.float32)
        for i in range(self.dims):
            placed = _rotated_plus_centre(self.rotation[i], centred, self.centre[i])
            # the float64 sum is rounded to float32 as it is written: one pass
            np.add(placed, _separable(self.control[i], weights), out=out[i])
        return out

    def axis_weights(self, positions: np.ndarray, axis: int) -> np.ndarray:
        """Spline weights of the control points (columns) at ``positions`` (rows)."""
        grid = positions / self.spacing[axis]
        rows = np.arange(len(grid))
        coarse = np.unique(np.append(rows[:: self.subsample], rows[-1:]))
        exact = _spline_weights(grid[coarse], self.control.shape[1 + axis])
        if len(coarse) == len(rows):
            return exact
        return np.stack(
            [np.interp(rows, coarse, exact[:, k]) for k in range(exact.shape[1])], axis=1
        )


def _rotated_plus_centre(row: np.ndarray, centred: Sequence[np.ndarray], centre: float):
    """``(row[0] * centred[0] + row[1] * centred[1] + ...) + centre`` in float64,
    on the broadcast shape of the terms that are not zero.

    A zero coefficient contributes a (signed) zero, which only ever changes the
    sign of a zero partial sum; adding the non-zero ``centre`` (half the
    extent of a non-empty region) erases that, so such terms are left out and
    the sum keeps its small broadcast shape (the rotation of the last two
    axes leaves one axis out of each row). Other sums are left as they are.
    """
    terms = [r * c for r, c in zip(row, centred) if r != 0 or centre == 0]
    total = terms[0] if terms else np.float64(0.0)
    for term in terms[1:]:
        total = total + term
    return total + centre


def _spline_weights(grid: np.ndarray, num_points: int) -> np.ndarray:
    """Row i: weights of ``num_points`` control values interpolated at ``grid[i]``."""
    order = min(3, num_points - 1)
    columns = []
    for k in range(num_points):
        unit = np.zeros(num_points)
        unit[k] = 1.0
        columns.append(ndimage.map_coordinates(unit, grid[None], order=order, mode="nearest"))
    return np.stack(columns, axis=1)


def _separable(values: np.ndarray, weights: Sequence[np.ndarray]) -> np.ndarray:
    """Applies one weight matrix per axis to the control ``values``."""
    out = values
    for axis, matrix in enumerate(weights):
        out = np.moveaxis(np.tensordot(matrix, out, axes=([1], [axis])), 0, axis)
    return out


def rotation_matrix(
    dims: int, rotation_interval: Tuple[float, float], uniform_3d: bool
) -> np.ndarray:
    """A random rotation: uniform over all 3D rotations if ``uniform_3d`` (3D
    data), else by an angle from ``rotation_interval`` (radians) in the plane
    of the last two axes (about z in 3D). 1D data is never rotated."""
    matrix = np.eye(dims)
    if dims == 3 and uniform_3d:
        quaternion = np.random.normal(size=4)
        return Rotation.from_quat(quaternion / np.linalg.norm(quaternion)).as_matrix()
    if dims < 2:
        return matrix
    if uniform_3d:
        angle = np.random.uniform(0.0, 2 * np.pi)
    else:
        angle = np.random.uniform(*rotation_interval)
    cos, sin = np.cos(angle), np.sin(angle)
    matrix[-2:, -2:] = [[cos, -sin], [sin, cos]]
    return matrix


def control_shape(extent: np.ndarray, spacing: np.ndarray) -> Tuple[int, ...]:
    """Control points per axis covering ``extent`` at ``spacing`` (world units)."""
    return tuple(int(n) for n in np.ceil(np.asarray(extent) / np.asarray(spacing)) + 1)


def identity_deformation(
    roi: Roi, voxel_size: Coordinate, control_point_spacing: Sequence[int], subsample: int = 1
) -> Deformation:
    """The deformation of ``roi`` that moves nothing (no rotation, zero
    displacements), with the geometry and control grid ``sample_deformation``
    gives the same arguments."""
    extent = np.asarray(roi.shape, dtype=np.float64)
    spacing = np.asarray(control_point_spacing, dtype=np.float64) * np.asarray(voxel_size)
    control = np.zeros((roi.dims,) + control_shape(extent, spacing))
    return Deformation(roi.begin, extent / 2, np.eye(roi.dims), control, spacing, subsample)


def sample_deformation(
    roi: Roi,
    voxel_size: Coordinate,
    control_point_spacing: Sequence[int],
    displacement_sigma: Sequence[float],
    rotation_interval: Tuple[float, float],
    uniform_3d: bool = False,
    subsample: int = 1,
) -> Deformation:
    """A random deformation of ``roi``; spacing and sigma are in voxels of ``voxel_size``."""
    extent = np.asarray(roi.shape, dtype=np.float64)
    spacing = np.asarray(control_point_spacing, dtype=np.float64) * np.asarray(voxel_size)
    sigma = np.asarray(displacement_sigma, dtype=np.float64) * np.asarray(voxel_size)
    num_points = control_shape(extent, spacing)
    control = np.stack([np.random.normal(0.0, s, size=num_points) for s in sigma])
    rotation = rotation_matrix(roi.dims, rotation_interval, uniform_3d)
    return Deformation(roi.begin, extent / 2, rotation, control, spacing, subsample)
