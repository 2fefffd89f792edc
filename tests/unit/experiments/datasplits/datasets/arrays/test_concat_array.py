"""ConcatArray: channels ordered by `channels`, defaults, ROI intersection."""

from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import ConcatArrayConfig, ZarrArrayConfig


def zarr_config(make_zarr, tmp_path, name, data, voxel_size=(1, 1), offset=None, axes=None):
    make_zarr(tmp_path / "data.zarr", name, np.asarray(data), voxel_size, offset, axes)
    return ZarrArrayConfig(name=name, file_name=tmp_path / "data.zarr", dataset=name)


def concat(channels, sources, default=None):
    config = ConcatArrayConfig(
        name="stack", channels=channels, source_array_configs=sources, default_config=default
    )
    return config.array_type(config)


def test_channels_follow_channels_not_dict_order(tmp_path, make_zarr):
    # upstream HEAD stacked the dict values in insertion order (a, b) and
    # dropped the missing channel; the classic order is `channels`
    a = zarr_config(make_zarr, tmp_path, "a", np.full((2, 3), 1, np.uint8))
    b = zarr_config(make_zarr, tmp_path, "b", np.full((2, 3), 2, np.uint8))
    array = concat(["b", "missing", "a"], {"a": a, "b": b})
    assert array.axes == ["c", "y", "x"]
    assert array.num_channels == 3
    assert array.channels == ["b", "missing", "a"]
    assert array.dtype == np.uint8
    values = array[array.roi]
    assert values.shape == (3, 2, 3)
    np.testing.assert_array_equal(values[:, 0, 0], [2, 0, 1])


def test_missing_channels_read_default(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.full((2, 2), 1, np.uint8))
    fill = zarr_config(make_zarr, tmp_path, "fill", np.full((2, 2), 7, np.uint8))
    array = concat(["x", "a", "y"], {"a": a}, default=fill)
    np.testing.assert_array_equal(array[array.roi][:, 1, 1], [7, 1, 7])


def test_roi_is_the_intersection(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.arange(4).reshape(4, 1), offset=(0, 0))
    b = zarr_config(make_zarr, tmp_path, "b", np.arange(10, 14).reshape(4, 1), offset=(2, 0))
    array = concat(["a", "b"], {"a": a, "b": b})
    assert array.roi == Roi((2, 0), (2, 1))
    np.testing.assert_array_equal(array[array.roi][:, :, 0], [[2, 3], [10, 11]])


def test_single_channel_source_with_channel_axis(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.full((1, 2, 2), 5, np.int32))
    array = concat(["a"], {"a": a})
    assert array.axes == ["c", "y", "x"]
    np.testing.assert_array_equal(array[array.roi], np.full((1, 2, 2), 5))


def test_voxel_size_mismatch_names_both(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.zeros((2, 2)), voxel_size=(1, 1))
    b = zarr_config(make_zarr, tmp_path, "b", np.zeros((2, 2)), voxel_size=(2, 2))
    expected = r"'a' \(voxel size \(1, 1\)\) and 'b' \(voxel size \(2, 2\)\)"
    with pytest.raises(ConfigError, match=expected):
        concat(["a", "b"], {"a": a, "b": b})


def test_disjoint_sources(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.zeros((2, 2)), offset=(0, 0))
    b = zarr_config(make_zarr, tmp_path, "b", np.zeros((2, 2)), offset=(5, 5))
    with pytest.raises(ConfigError, match="ROIs of the sources do not overlap"):
        concat(["a", "b"], {"a": a, "b": b})


def test_sources_off_each_others_grid(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.zeros((4, 4)), voxel_size=(2, 2), offset=(0, 0))
    b = zarr_config(make_zarr, tmp_path, "b", np.zeros((4, 4)), voxel_size=(2, 2), offset=(1, 0))
    # refused when source 'b' is opened: its offset is off its own grid (issue 13)
    with pytest.raises(ConfigError, match=r"'b'.*offset \(1, 0\) is not on the voxel grid"):
        concat(["a", "b"], {"a": a, "b": b})


def test_different_spatial_axes(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.zeros((2, 2)), axes=["y", "x"])
    b = zarr_config(make_zarr, tmp_path, "b", np.zeros((2, 2)), axes=["z", "y"])
    with pytest.raises(ConfigError, match="have different spatial axes"):
        concat(["a", "b"], {"a": a, "b": b})


def test_multi_channel_source_is_refused(tmp_path, make_zarr):
    a = zarr_config(make_zarr, tmp_path, "a", np.zeros((2, 2, 2)))
    with pytest.raises(ConfigError, match="each source must be a single channel"):
        concat(["a"], {"a": a})


def _source(tmp_path):
    return ZarrArrayConfig(name="a", file_name=tmp_path / "c.zarr", dataset="a")


@pytest.mark.parametrize(
    "channels, keys, default, message",
    [
        ([], [], True, "`channels` must be a non-empty list"),
        (["a", "a"], ["a"], False, r"channel names \['a'\] appear more than once"),
        (["a"], ["a", "b"], False, r"has channels \['b'\] that are not in `channels`"),
        (["a"], [], False, "no `source_array_configs` and no `default_config`"),
    ],
)
def test_bad_fields(tmp_path, channels, keys, default, message):
    sources = {key: _source(tmp_path) for key in keys}
    with pytest.raises(ConfigError, match=message):
        ConcatArrayConfig(
            name="stack", channels=channels, source_array_configs=sources,
            default_config=_source(tmp_path) if default else None,
        )


def test_verify_checks_every_source(tmp_path, make_zarr):
    good = zarr_config(make_zarr, tmp_path, "a", np.zeros((2, 2)))
    config = ConcatArrayConfig("stack", ["a", "b"], {"a": good}, default_config=_source(tmp_path))
    ok, reason = config.verify()
    assert not ok and "c.zarr" in reason
