"""IntensitiesArray: linear normalisation to float32, no clipping."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, DacapoError
from dacapo.experiments.datasplits.datasets.arrays import (
    IntensitiesArrayConfig,
    ZarrArrayConfig,
)


def zarr_config(make_zarr, tmp_path, name, data, voxel_size=(1, 1), offset=None):
    make_zarr(tmp_path / "data.zarr", name, np.asarray(data), voxel_size, offset)
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


def test_normalises_without_clipping(tmp_path, make_zarr):
    raw = zarr_config(make_zarr, tmp_path, "raw", np.array([[-10, 0, 50, 100, 150]], np.int16),
                      voxel_size=(2, 2), offset=(4, 0))
    config = IntensitiesArrayConfig(name="norm", source_array_config=raw, min=0, max=100)
    array = config.array_type(config)
    assert array.dtype == np.float32
    assert array.roi == Roi((4, 0), (2, 10))
    assert array.voxel_size == Coordinate(2, 2)
    assert array.axes == ["y", "x"]
    values = array[array.roi]
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, [[-0.1, 0.0, 0.5, 1.0, 1.5]], rtol=1e-6)
    np.testing.assert_allclose(array[Roi((4, 4), (2, 4))], [[0.5, 1.0]])


def test_is_read_only(tmp_path, make_zarr):
    raw = zarr_config(make_zarr, tmp_path, "raw", np.zeros((2, 2), np.uint8))
    config = IntensitiesArrayConfig(name="norm", source_array_config=raw, min=0, max=255)
    array = config.array_type(config)
    assert not array.writable
    with pytest.raises(DacapoError, match="read-only"):
        array[array.roi] = np.zeros((2, 2), np.float32)
    with pytest.raises(DacapoError, match="no stored data"):
        array.data


@pytest.mark.parametrize("low, high", [(0, 0), (10, 5)])
def test_max_must_exceed_min(tmp_path, low, high):
    raw = ZarrArrayConfig(name="raw", file_name=tmp_path / "c.zarr", dataset="raw")
    with pytest.raises(ConfigError, match=r"norm.*`max` .* must be greater than `min`"):
        IntensitiesArrayConfig(name="norm", source_array_config=raw, min=low, max=high)


def test_verify_checks_the_source(tmp_path):
    raw = ZarrArrayConfig(name="raw", file_name=tmp_path / "missing.zarr", dataset="raw")
    config = IntensitiesArrayConfig(name="norm", source_array_config=raw, min=0, max=1)
    ok, reason = config.verify()
    assert not ok
    assert "missing.zarr" in reason
