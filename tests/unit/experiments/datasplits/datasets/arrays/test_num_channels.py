"""``num_channels`` without a channel axis: ``None`` (as upstream DaCapo),
except ``NumpyArray``, which raises ``ValueError``."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    DummyArrayConfig,
    IntensitiesArrayConfig,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray


def _open(config):
    return config.array_type(config)


def _zarr(tmp_path, make_zarr, name, data):
    make_zarr(tmp_path / "data.zarr", name, data, voxel_size=(1, 1))
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


def test_zarr_array_without_channels_has_none(tmp_path, make_zarr):
    array = _open(_zarr(tmp_path, make_zarr, "raw", np.zeros((4, 5), np.uint8)))
    assert array.axes == ["y", "x"]
    assert array.num_channels is None


def test_zarr_array_with_channels_counts_them(tmp_path, make_zarr):
    array = _open(_zarr(tmp_path, make_zarr, "multi", np.zeros((3, 4, 5), np.uint8)))
    assert array.num_channels == 3


def test_dummy_and_virtual_arrays_without_channels_have_none(tmp_path, make_zarr):
    raw = _zarr(tmp_path, make_zarr, "raw", np.zeros((4, 5), np.uint8))
    virtual = IntensitiesArrayConfig(name="norm", source_array_config=raw, min=0, max=255)
    assert _open(virtual).num_channels is None
    assert _open(DummyArrayConfig(name="dummy")).num_channels is None


def test_numpy_array_without_channels_raises():
    array = NumpyArray.from_np_array(np.zeros((2, 3)), Roi((0, 0), (2, 3)), (1, 1), ["y", "x"])
    with pytest.raises(ValueError, match=r"^Array does not have a channel dimension\.$"):
        _ = array.num_channels


def _upstream_style_output_shape(array):
    """How code written for upstream DaCapo sizes a prediction for ``array``."""
    spatial = tuple(array.roi.shape / array.voxel_size)
    if array.num_channels is not None:
        return (array.num_channels,) + spatial
    return spatial


def test_upstream_style_script_runs(tmp_path, make_zarr):
    plain = _open(_zarr(tmp_path, make_zarr, "raw", np.zeros((4, 5), np.uint8)))
    multi = _open(_zarr(tmp_path, make_zarr, "multi", np.zeros((2, 4, 5), np.uint8)))
    assert _upstream_style_output_shape(plain) == (4, 5)
    assert _upstream_style_output_shape(multi) == (2, 4, 5)
    assert plain.voxel_size == Coordinate(1, 1)
