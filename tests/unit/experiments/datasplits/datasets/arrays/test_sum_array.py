"""SumArray: voxelwise sum over the common ROI."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import SumArrayConfig, ZarrArrayConfig


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
    assert array.dtype == np.int16
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
