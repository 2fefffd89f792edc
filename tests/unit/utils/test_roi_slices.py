"""``roi_slices``: a world-unit ROI as the index of its voxels."""

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.utils.roi_slices import roi_slices


def test_a_roi_indexes_its_voxels_from_the_data_origin():
    voxel_size = Coordinate(4, 2)
    data = np.arange(10 * 6).reshape(10, 6)  # voxels of a ROI beginning at (40, 8)
    roi = Roi((48, 12), (12, 4))
    index = roi_slices(roi, Coordinate(40, 8), voxel_size)
    assert index == (slice(2, 5), slice(2, 4))
    assert all(type(s.start) is int and type(s.stop) is int for s in index)
    np.testing.assert_array_equal(data[index], data[2:5, 2:4])


def test_the_whole_roi_is_everything_and_an_empty_one_nothing():
    origin, voxel_size = Coordinate(-8, 0, 8), Coordinate(8, 8, 8)
    whole = Roi(origin, (32, 16, 8))
    assert roi_slices(whole, origin, voxel_size) == (slice(0, 4), slice(0, 2), slice(0, 1))
    empty = Roi((0, 8, 8), (0, 0, 0))
    assert roi_slices(empty, origin, voxel_size) == (slice(1, 1), slice(1, 1), slice(0, 0))
