"""CropArray: ROI = intersection of the configured ROI and the source ROI."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError, RoiError
from dacapo.experiments.datasplits.datasets.arrays import CropArrayConfig, ZarrArrayConfig

DATA = np.arange(16, dtype=np.uint8).reshape(4, 4)


def zarr_config(make_zarr, tmp_path):
    make_zarr(tmp_path / "data.zarr", "raw", DATA, (2, 2), (0, 0))
    return ZarrArrayConfig(name="raw", file_name=tmp_path / "data.zarr", dataset="raw")


def crop(source, roi):
    config = CropArrayConfig(name="crop", source_array_config=source, roi=roi)
    return config.array_type(config)


def test_roi_is_intersection_with_source(tmp_path, make_zarr):
    # source covers [0, 8) x [0, 8); the crop asks for [4, 12) x [2, 6).
    # upstream HEAD kept the requested offset; the classic result is the overlap
    array = crop(zarr_config(make_zarr, tmp_path), Roi((4, 2), (8, 4)))
    assert array.roi == Roi((4, 2), (4, 4))
    assert array.voxel_size == (2, 2)
    assert array.shape == (2, 2)
    np.testing.assert_array_equal(array[array.roi], [[9, 10], [13, 14]])
    with pytest.raises(RoiError, match="not inside the array's ROI"):
        array[Roi((0, 0), (2, 2))]


def test_unbounded_roi_keeps_the_source(tmp_path, make_zarr):
    array = crop(zarr_config(make_zarr, tmp_path), Roi((None, None), (None, None)))
    assert array.roi == Roi((0, 0), (8, 8))


def test_no_overlap(tmp_path, make_zarr):
    with pytest.raises(ConfigError, match=r"CropArray 'crop': `roi` .* does not overlap"):
        crop(zarr_config(make_zarr, tmp_path), Roi((10, 10), (4, 4)))


def test_off_grid_roi(tmp_path, make_zarr):
    with pytest.raises(ConfigError, match="is not on the voxel grid of source 'raw'"):
        crop(zarr_config(make_zarr, tmp_path), Roi((1, 0), (4, 4)))


def test_wrong_dimensions(tmp_path, make_zarr):
    with pytest.raises(ConfigError, match="has 3 dimensions, source 'raw' has 2"):
        crop(zarr_config(make_zarr, tmp_path), Roi((0, 0, 0), (2, 2, 2)))


def test_roi_must_be_a_roi(tmp_path):
    source = ZarrArrayConfig(name="raw", file_name=tmp_path / "c.zarr", dataset="raw")
    with pytest.raises(ConfigError, match="`roi` must be a funlib Roi"):
        CropArrayConfig(name="crop", source_array_config=source, roi=[[0, 0], [2, 2]])
