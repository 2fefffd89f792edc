"""ResampledArray: voxel size, ROI snapping, nearest and interpolated reads."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ResampledArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.store.converter import converter


def zarr_config(make_zarr, tmp_path, name, data, voxel_size, offset=None):
    make_zarr(tmp_path / "data.zarr", name, np.asarray(data), voxel_size, offset)
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


def resample(source, up, down, order):
    config = ResampledArrayConfig(
        name="resampled", source_array_config=source, upsample=Coordinate(up),
        downsample=Coordinate(down), interp_order=order,
    )
    return config.array_type(config)


def test_upsample_labels_nearest(tmp_path, make_zarr):
    labels = zarr_config(make_zarr, tmp_path, "l", np.array([[1, 2], [3, 4]], np.uint64), (2, 2))
    array = resample(labels, (2, 2), (1, 1), 0)
    assert array.voxel_size == Coordinate(1, 1)
    assert array.roi == Roi((0, 0), (4, 4))
    assert array.dtype == np.uint64
    np.testing.assert_array_equal(
        array[array.roi], [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    )


def test_downsample_labels_takes_first_voxel_of_each_block(tmp_path, make_zarr):
    data = np.arange(16, dtype=np.uint8).reshape(4, 4)
    labels = zarr_config(make_zarr, tmp_path, "l", data, (1, 1), offset=(2, 2))
    array = resample(labels, (1, 1), (2, 2), 0)
    assert array.voxel_size == Coordinate(2, 2)
    assert array.roi == Roi((2, 2), (4, 4))
    np.testing.assert_array_equal(array[array.roi], [[0, 2], [8, 10]])
    np.testing.assert_array_equal(array[Roi((4, 4), (2, 2))], [[10]])


def test_rational_factor(tmp_path, make_zarr):
    # voxel size 3 * 2 / 3 = 2 along x. Output centres at x = 1, 3, ..., 17 fall in
    # source voxels 0, 0 (on the boundary: lower one), 1, 2, 2, 3, 4, 4, 5
    data = np.arange(6, dtype=np.uint8)[None] * 10
    source = zarr_config(make_zarr, tmp_path, "s", data, (3, 3))
    array = resample(source, (1, 3), (1, 2), 0)
    assert array.voxel_size == Coordinate(3, 2)
    assert array.roi == Roi((0, 0), (3, 18))
    np.testing.assert_array_equal(array[array.roi], [[0, 0, 10, 20, 20, 30, 40, 40, 50]])


def test_roi_snaps_to_both_grids(tmp_path, make_zarr):
    # 5 voxels of 2 from offset 2: [2, 12); voxel size 4 keeps [4, 12), whose
    # offset is on the new voxel grid (issue 13: offsets off the grid are refused)
    source = zarr_config(make_zarr, tmp_path, "s", np.zeros((1, 5)), (2, 2), offset=(0, 2))
    array = resample(source, (1, 1), (1, 2), 1)
    assert array.voxel_size == Coordinate(2, 4)
    assert array.roi == Roi((0, 4), (2, 8))
    assert array[array.roi].shape == (1, 2)


def test_linear_upsampling_of_a_ramp(tmp_path, make_zarr):
    ramp = np.array([[0, 10, 20, 30]], np.float32)
    source = zarr_config(make_zarr, tmp_path, "ramp", ramp, (2, 2))
    array = resample(source, (1, 2), (1, 1), 1)
    assert array.dtype == np.float32
    # centres at source positions -0.25, 0.25, ..., 3.25; edges repeat the border
    np.testing.assert_allclose(
        array[array.roi], [[0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30]], atol=1e-5
    )


def test_downsampling_is_anti_aliased(tmp_path, make_zarr):
    # one bright voxel in four: plain sampling at the block centres sees only
    # zeros; the anti-aliased result is close to the block mean 0.25
    pattern = np.tile(np.array([0, 0, 0, 1], np.float32), 8)[None]
    source = zarr_config(make_zarr, tmp_path, "p", pattern, (1, 1))
    smooth = resample(source, (1, 1), (1, 4), 1)
    interior = smooth[smooth.roi][0, 1:-1]
    np.testing.assert_allclose(interior, 0.234, atol=0.01)
    nearest = resample(source, (1, 1), (1, 4), 0)
    np.testing.assert_array_equal(nearest[nearest.roi], np.zeros((1, 8)))


def test_integer_source_keeps_its_dtype(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "raw", np.array([[0, 255]], np.uint8), (1, 2))
    array = resample(source, (1, 2), (1, 1), 1)
    values = array[array.roi]
    assert values.dtype == np.uint8
    np.testing.assert_array_equal(values, [[0, 64, 191, 255]])


def test_channels_are_resampled_separately(tmp_path, make_zarr):
    data = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 5.0)]).astype(np.float32)
    source = zarr_config(make_zarr, tmp_path, "c", data, (2, 2))
    array = resample(source, (2, 2), (1, 1), 1)
    assert array.axes == ["c", "y", "x"]
    values = array[array.roi]
    assert values.shape == (2, 4, 4)
    np.testing.assert_allclose(values[0], 1.0)
    np.testing.assert_allclose(values[1], 5.0)


def test_reads_only_the_needed_source_region(tmp_path, make_zarr, monkeypatch):
    data = np.random.default_rng(0).random((1, 200)).astype(np.float32)
    source = zarr_config(make_zarr, tmp_path, "raw", data, (1, 1))
    array = resample(source, (1, 1), (1, 2), 1)
    requested = []
    original = ZarrArray._read

    def recording_read(self, roi):
        requested.append(roi)
        return original(self, roi)

    monkeypatch.setattr(ZarrArray, "_read", recording_read)
    block = Roi((0, 100), (1, 8))  # 4 output voxels = source x in [100, 108)
    part = array[block]
    (read,) = requested
    assert read.contains(Roi((0, 100), (1, 8)))
    assert read.shape[1] <= 8 + 2 * 10  # a margin of a few voxels, not the volume
    # blockwise reads agree with one large read (linear, Gaussian fully inside the margin)
    whole = array[Roi((0, 80), (1, 48))]
    np.testing.assert_allclose(part, whole[:, 10:14], rtol=1e-6)


def test_interp_order_bool_from_older_configs(tmp_path):
    source = ZarrArrayConfig(name="raw", file_name=tmp_path / "c.zarr", dataset="raw")
    config = ResampledArrayConfig("r", source, Coordinate(1, 1), Coordinate(2, 2), True)
    assert config.interp_order == 1 and type(config.interp_order) is int
    stored = converter.unstructure(config)
    stored["interp_order"] = False
    loaded = converter.structure(yaml.safe_load(yaml.safe_dump(stored)), ArrayConfig)
    assert loaded.interp_order == 0


def test_zero_factor_means_one(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "s", np.zeros((2, 4)), (2, 2))
    array = resample(source, (0, 0), (1, 2), 0)
    assert array.voxel_size == Coordinate(2, 4)


def test_voxel_size_must_stay_integral(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "s", np.zeros((2, 2)), (3, 3))
    with pytest.raises(ConfigError, match=r"times `downsample` .* not divisible by `upsample`"):
        resample(source, (2, 1), (1, 1), 0)


def test_factors_per_spatial_axis(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "s", np.zeros((2, 2)), (1, 1))
    with pytest.raises(ConfigError, match=r"one factor per spatial axis of source 's' \(2 axes\)"):
        resample(source, (1, 1, 1), (2, 2, 2), 0)


def test_source_smaller_than_one_output_voxel(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "s", np.zeros((1, 1)), (2, 2))
    with pytest.raises(ConfigError, match="smaller than one voxel of the common grid"):
        resample(source, (1, 1), (2, 2), 0)


@pytest.mark.parametrize(
    "up, down, order, message",
    [
        ((1, -1), (1, 1), 0, "`upsample` must be non-negative integers"),
        ((1, 1), (1, 1, 1), 0, "have different numbers of axes"),
        ((1, 1), (1, 1), 6, "`interp_order` must be an int from 0 to 5"),
        ((1, 1), (1, 1), 1.5, "`interp_order` must be an int from 0 to 5"),
    ],
)
def test_bad_fields(tmp_path, up, down, order, message):
    source = ZarrArrayConfig(name="raw", file_name=tmp_path / "c.zarr", dataset="raw")
    with pytest.raises(ConfigError, match=message):
        ResampledArrayConfig("r", source, Coordinate(up), Coordinate(down), order)
