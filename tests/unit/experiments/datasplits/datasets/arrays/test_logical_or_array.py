"""LogicalOrArray: union over the channel axis."""

from __future__ import annotations

import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import (
    BinarizeArrayConfig,
    LogicalOrArrayConfig,
    ZarrArrayConfig,
)


def zarr_config(make_zarr, tmp_path, name, data):
    make_zarr(tmp_path / "data.zarr", name, np.asarray(data), (1, 1), None)
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


def union(source):
    config = LogicalOrArrayConfig(name="union", source_array_config=source)
    return config.array_type(config)


def test_union_of_binarized_groups(tmp_path, make_zarr):
    labels = zarr_config(make_zarr, tmp_path, "l", np.array([[0, 1, 2], [3, 0, 1]], np.uint8))
    groups = BinarizeArrayConfig("groups", labels, [("a", [1]), ("b", [2])])
    array = union(groups)
    assert array.axes == ["y", "x"]
    assert array.dtype == np.uint8
    assert array.shape == (2, 3)
    np.testing.assert_array_equal(array[array.roi], [[0, 1, 1], [0, 0, 1]])


def test_union_of_stored_channels(tmp_path, make_zarr):
    data = np.array([[[1, 0], [0, 0]], [[0, 0], [0, 1]]], np.uint8)
    array = union(zarr_config(make_zarr, tmp_path, "c", data))
    np.testing.assert_array_equal(array[array.roi], [[1, 0], [0, 1]])


def test_source_without_channels(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "l", np.zeros((2, 2), np.uint8))
    expected = r"LogicalOrArray 'union': source 'l' has no channel axis"
    with pytest.raises(ConfigError, match=expected):
        union(source)
