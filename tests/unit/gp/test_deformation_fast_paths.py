"""The faster deformation code gives, bit for bit, what the straightforward
formulas give: source coordinates (zero rotation terms left out, the float64
sum rounded to float32 as it is written), nearest-neighbour indices (clamped
as floats) and the rounding of interpolated integer data (in place)."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.gp import _deformation, elastic_augment


def _reference_source_coordinates(deformation, roi, voxel_size):
    """The formula as first written: every rotation term, float64 temporaries."""
    positions = deformation.axis_positions(roi, voxel_size)
    grids = np.meshgrid(*positions, indexing="ij", sparse=True)
    centred = [grid - c for grid, c in zip(grids, deformation.centre)]
    weights = [deformation.axis_weights(p, axis) for axis, p in enumerate(positions)]
    shape = tuple(len(p) for p in positions)
    out = np.empty((deformation.dims,) + shape, dtype=np.float32)
    for i in range(deformation.dims):
        rotated = sum(deformation.rotation[i, j] * centred[j] for j in range(deformation.dims))
        total = np.add(rotated, deformation.centre[i], out=np.empty(shape))
        np.add(total, _deformation._separable(deformation.control[i], weights), out=total)
        out[i] = total
    return out


CASES = [  # total ROI, voxel size, requested ROI, uniform 3D rotation, subsample
    (Roi((0, 0, 0), (96, 80, 88)), (8, 8, 8), Roi((8, 16, 0), (64, 48, 88)), False, 1),
    (Roi((0, 0, 0), (96, 80, 88)), (8, 8, 8), Roi((0, 0, 0), (96, 80, 88)), True, 1),
    (Roi((-40, 8, 0), (120, 60, 72)), (40, 4, 6), Roi((-40, 12, 6), (80, 40, 60)), False, 2),
    (Roi((0, 0), (90, 70)), (5, 7), Roi((10, 14), (50, 42)), False, 1),
    (Roi((0, 0), (90, 70)), (5, 7), Roi((0, 0), (90, 70)), True, 3),
]


@pytest.mark.parametrize(("total", "voxel_size", "roi", "uniform", "subsample"), CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_source_coordinates_equal_the_straightforward_formula(
    total, voxel_size, roi, uniform, subsample, seed
):
    np.random.seed(seed)
    voxel_size = Coordinate(voxel_size)
    dims = total.dims
    deformation = _deformation.sample_deformation(
        total, voxel_size, (3,) * dims, (1.5,) * dims, (0.0, np.pi), uniform, subsample
    )
    fast = deformation.source_coordinates(roi, voxel_size)
    reference = _reference_source_coordinates(deformation, roi, voxel_size)
    assert fast.dtype == np.float32
    # as bits: equal values with different signs of zero would show
    np.testing.assert_array_equal(fast.view(np.uint32), reference.view(np.uint32))


def test_a_zero_rotation_gives_the_same_bits_as_the_full_sum():
    np.random.seed(3)
    voxel_size = Coordinate((8, 8, 8))
    roi = Roi((0, 0, 0), (64, 64, 64))
    deformation = _deformation.sample_deformation(
        roi, voxel_size, (2, 2, 2), (0.0, 0.0, 0.0), (0.0, 0.0)
    )
    fast = deformation.source_coordinates(roi, voxel_size)
    reference = _reference_source_coordinates(deformation, roi, voxel_size)
    np.testing.assert_array_equal(fast.view(np.uint32), reference.view(np.uint32))
    # no displacement, no rotation: every voxel reads its own centre
    np.testing.assert_array_equal(fast[0, :, 0, 0], np.arange(8) * 8 + 4)


def _reference_nearest_index(coordinates, shift, voxel_size, spatial):
    flat = np.zeros(coordinates.shape[1:], dtype=np.intp)
    for d in range(coordinates.shape[0]):
        index = np.empty(coordinates.shape[1:], dtype=np.float32)
        elastic_augment._axis_index(coordinates[d], shift[d], voxel_size[d], out=index)
        along = np.floor(index + np.float32(0.5)).astype(np.intp)
        flat = flat * spatial[d] + np.clip(along, 0, spatial[d] - 1)
    return flat


def test_nearest_indices_equal_the_integer_clamp():
    rng = np.random.default_rng(0)
    spatial = (7, 9, 5)
    voxel_size = (4, 3, 8)
    # positions well beyond both ends of every axis, and exact half-way points
    coordinates = rng.uniform(-20, 60, size=(3, 6, 5, 4)).astype(np.float32)
    coordinates[:, 0, 0, :] = np.float32(6.0)
    shift = (2, -3, 5)
    fast = elastic_augment._nearest_index(coordinates, shift, voxel_size, spatial)
    reference = _reference_nearest_index(coordinates, shift, voxel_size, spatial)
    assert fast.dtype == np.intp
    np.testing.assert_array_equal(fast, reference)
    assert fast.min() == 0 and fast.max() == int(np.prod(spatial)) - 1  # clamped at both ends


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.bool_])
def test_interpolated_integer_data_is_rounded_and_clamped_as_before(dtype):
    rng = np.random.default_rng(1)
    if dtype == np.bool_:
        data = rng.integers(0, 2, size=(2, 6, 7)).astype(bool)
    else:
        info = np.iinfo(dtype)
        data = rng.integers(info.min, info.max, size=(2, 6, 7), endpoint=True).astype(dtype)
    # half-way points (ties of the rounding) and positions past the borders
    index = rng.uniform(-2, 8, size=(2, 5, 4)).astype(np.float32)
    index[:, 0] = np.float32(2.5)
    fast = elastic_augment._interpolated(data, index.shape[1:], lambda a, b: index[:, a:b])
    from scipy import ndimage

    expected = []
    for channel in data:
        values = ndimage.map_coordinates(channel, index, order=1, mode="nearest",
                                         output=np.float64)
        values = np.rint(values)
        if dtype != np.bool_:
            values = np.clip(values, np.iinfo(dtype).min, np.iinfo(dtype).max)
        expected.append(values.astype(dtype))
    assert fast.dtype == data.dtype
    np.testing.assert_array_equal(fast, np.stack(expected))
