"""SumArray: voxelwise sum over the common ROI."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import SumArrayConfig, ZarrArrayConfig
from dacapo.experiments.datasplits.datasets.arrays.sum_array import sum_dtype


def zarr_config(make_zarr, tmp_path, name, data, voxel_size=(1, 1), offset=None):
    make_zarr(tmp_path / "data.zarr", name, np.asarray(data), voxel_size, offset)
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


def add(sources):
    config = SumArrayConfig(name="sum", source_array_configs=sources)
    return config.array_type(config)


def test_sum_over_common_roi(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.array([[1, 2, 3]], np.uint8), offset=(0, 0))
    b = zarr_config(make_zarr, tmp_path, "b", np.array([[10, 20, -30]], np.int16), offset=(0, 1))
    array = add([a, b])
    assert array.roi == Roi((0, 1), (1, 2))
    assert array.dtype == np.int32  # 255 + 32767 does not fit int16
    np.testing.assert_array_equal(array[array.roi], [[12, 23]])


def test_channels_must_match(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.zeros((2, 2, 2)))
    b = zarr_config(make_zarr, tmp_path, "b", np.zeros((3, 2, 2)))
    with pytest.raises(ConfigError, match="cannot be added voxel by voxel"):
        add([a, b])


def test_voxel_sizes_must_match(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.zeros((2, 2)), voxel_size=(1, 1))
    b = zarr_config(make_zarr, tmp_path, "b", np.zeros((2, 2)), voxel_size=(1, 2))
    with pytest.raises(ConfigError, match="'a' .* and 'b' .* differ in voxel size"):
        add([a, b])


@pytest.mark.parametrize(
    "sources, message",
    [([], "must be a non-empty list"), (["a"], "holds str 'a'; expected array configs")],
)
def test_bad_source_lists(sources, message):
    with pytest.raises(ConfigError, match=message):
        SumArrayConfig(name="sum", source_array_configs=sources)


def test_uint8_sum_does_not_wrap_around(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.array([[200, 255, 0]], np.uint8))
    b = zarr_config(make_zarr, tmp_path, "b", np.array([[100, 255, 7]], np.uint8))
    array = add([a, b])
    assert array.dtype == np.uint16
    data = array[array.roi]
    assert data.dtype == np.uint16
    np.testing.assert_array_equal(data, [[300, 510, 7]])


@pytest.mark.parametrize(
    "dtypes, expected",
    [
        (["u1", "u1"], np.uint16),
        (["u1"] * 3, np.uint16),
        (["u1"] * 300, np.uint32),
        (["u2", "u2"], np.uint32),
        (["u4", "u4"], np.uint64),
        (["u8", "u8"], np.uint64),  # widest integer: documented to wrap past it
        (["i1", "u1"], np.int16),
        (["i2", "i2"], np.int32),
        (["?", "?"], np.uint8),
        (["u1"], np.uint8),
        (["f4", "u1"], np.float32),
        (["f4", "f8"], np.float64),
    ],
)
def test_sum_dtype_holds_every_sum(dtypes, expected):
    assert sum_dtype(dtypes) == np.dtype(expected)
