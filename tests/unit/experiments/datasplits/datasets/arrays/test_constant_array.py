"""ConstantArray and the deprecated OnesArray: source geometry, one value."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import (
    ConstantArrayConfig,
    OnesArrayConfig,
    ZarrArrayConfig,
)


def zarr_config(make_zarr, tmp_path, name, data, voxel_size=(2, 2), offset=(2, 0)):
    make_zarr(tmp_path / "data.zarr", name, np.asarray(data), voxel_size, offset)
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


@pytest.mark.parametrize(
    "constant, dtype", [(1, np.uint8), (0, np.uint8), (300, np.uint16), (-3, np.int8)]
)
def test_constant_with_source_geometry(tmp_path, make_zarr, constant, dtype):
    source = zarr_config(make_zarr, tmp_path, "raw", np.random.rand(2, 2, 3).astype(np.float32))
    config = ConstantArrayConfig(name="mask", source_array_config=source, constant=constant)
    array = config.array_type(config)
    assert array.roi == Roi((2, 0), (4, 6))
    assert array.axes == ["c", "y", "x"]
    assert array.dtype == dtype
    values = array[Roi((4, 2), (2, 4))]
    assert values.dtype == dtype
    np.testing.assert_array_equal(values, np.full((2, 1, 2), constant))


def test_default_constant_is_one(tmp_path, make_zarr):
    source = zarr_config(make_zarr, tmp_path, "raw", np.zeros((2, 2), np.uint8))
    config = ConstantArrayConfig(name="mask", source_array_config=source)
    array = config.array_type(config)
    np.testing.assert_array_equal(array[array.roi], np.ones((2, 2)))


@pytest.mark.parametrize("constant", [1.5, True, "1"])
def test_constant_must_be_int(tmp_path, constant):
    source = ZarrArrayConfig(name="raw", file_name=tmp_path / "c.zarr", dataset="raw")
    with pytest.raises(ConfigError, match="'mask': `constant` must be an int"):
        ConstantArrayConfig(name="mask", source_array_config=source, constant=constant)


def test_ones_array_is_deprecated_constant_one(tmp_path, make_zarr, caplog):
    source = zarr_config(make_zarr, tmp_path, "raw", np.full((2, 3), 9, np.int64))
    config = OnesArrayConfig(name="ones", source_array_config=source)
    with caplog.at_level(logging.WARNING):
        array = config.array_type(config)
    assert "OnesArrayConfig 'ones' is deprecated" in caplog.text
    assert "ConstantArrayConfig" in caplog.text
    assert array.dtype == np.uint8
    assert array.roi == Roi((2, 0), (4, 6))
    np.testing.assert_array_equal(array[array.roi], np.ones((2, 3)))
