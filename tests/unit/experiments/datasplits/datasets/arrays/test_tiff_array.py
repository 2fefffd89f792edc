"""TiffArray / TiffArrayConfig: a TIFF stack with user-given geometry."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ArrayNotFoundError, ConfigError, DacapoError
from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, TiffArrayConfig
from dacapo.store.converter import converter

STACK = np.arange(3 * 4 * 5, dtype=np.uint16).reshape(3, 4, 5)


def tiff_config(path, axis_names=("z", "y", "x"), **kwargs):
    geometry = {"offset": (10, 20, 30), "voxel_size": (2, 4, 6), **kwargs}
    return TiffArrayConfig(name="stack", file_name=path, axis_names=list(axis_names), **geometry)


@pytest.mark.parametrize("compression", [None, "zlib"])
def test_round_trip(tmp_path, compression):
    path = tmp_path / "stack.tif"
    tifffile.imwrite(path, STACK, compression=compression, photometric="minisblack")
    config = tiff_config(path, units=["nm", "nm", "nm"])
    array = config.array_type(config)
    assert config.verify() == (True, "No validation for this config")
    assert array.roi == Roi((10, 20, 30), (6, 16, 30))
    assert array.voxel_size == Coordinate(2, 4, 6)
    assert array.axes == ["z", "y", "x"] and array.dtype == np.uint16
    assert array.units == ["nm", "nm", "nm"]
    assert not array.writable
    # pages are read on demand (memory map or per-page zarr), never imread whole
    assert type(array.data) is not np.ndarray
    np.testing.assert_array_equal(array[array.roi], STACK)
    # z = 1, y = 2..3, x = 4: world (12, 28, 54)
    np.testing.assert_array_equal(array[Roi((12, 28, 54), (2, 8, 6))], [[[34], [39]]])
    with pytest.raises(DacapoError, match="read-only"):
        array[array.roi] = 0


def test_channel_axis_last_in_file_reads_channel_first(tmp_path):
    path = tmp_path / "rgb.tif"
    data = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)  # y, x, c
    tifffile.imwrite(path, data)
    config = TiffArrayConfig("rgb", path, (0, 0), (1, 1), ["y", "x", "c^"])
    array = config.array_type(config)
    assert array.axes == ["c", "y", "x"]
    assert array.shape == (3, 4, 5) and array.num_channels == 3
    np.testing.assert_array_equal(array[Roi((1, 2), (1, 1))][:, 0, 0], data[1, 2])


def test_axis_names_that_do_not_fit_the_data(tmp_path):
    path = tmp_path / "stack.tif"
    tifffile.imwrite(path, STACK, photometric="minisblack")
    config = tiff_config(path, axis_names=["y", "x"], offset=(0, 0), voxel_size=(1, 1))
    with pytest.raises(ConfigError, match="name 2 axes but .* shape \\(3, 4, 5\\)"):
        config.array_type(config)
    ok, reason = config.verify()
    assert not ok and "TiffArrayConfig 'stack'" in reason


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"axis_names": ["y", "x"]}, "offset \\(10, 20, 30\\) has 3 entries but axis_names "
                                     "\\['y', 'x'\\] have 2 spatial axes"),
        ({"voxel_size": (1, 1)}, "voxel_size \\(1, 1\\) has 2 entries"),
        ({"offset": (0, 0, 0, 0)}, "offset \\(0, 0, 0, 0\\) has 4 entries"),
        ({"units": ["nm"]}, "units \\['nm'\\] should have one entry per spatial axis"),
        ({"voxel_size": (2, 0, 6)}, "voxel size \\(2, 0, 6\\) must be positive integers"),
        ({"offset": (10, 21, 30)}, "offset \\(10, 21, 30\\) is not on the voxel grid"),
    ],
)
def test_bad_geometry_is_refused_when_made(tmp_path, kwargs, match):
    # no file is read: the geometry fields must agree among themselves
    with pytest.raises(ConfigError, match="^TiffArrayConfig 'stack': " + match):
        tiff_config(tmp_path / "later.tif", **kwargs)


def test_missing_and_unreadable_file(tmp_path):
    config = tiff_config(tmp_path / "missing.tif")
    # building validates the config first; the array itself checks again
    with pytest.raises(ArrayNotFoundError, match="missing.tif does not exist; check file_name"):
        config.array_type(config)
    with pytest.raises(ArrayNotFoundError, match="missing.tif does not exist"):
        TiffArrayConfig.array_type(config)
    assert config.verify()[0] is False
    (tmp_path / "text.tif").write_text("not a tiff")
    ok, reason = tiff_config(tmp_path / "text.tif").verify()
    assert not ok and "is not a readable TIFF" in reason


def test_config_round_trips_through_converter(tmp_path):
    config = tiff_config(tmp_path / "s.tif")
    data = converter.unstructure(config)
    assert data["offset"] == [10, 20, 30] and data["axis_names"] == ["z", "y", "x"]
    assert converter.structure(data, ArrayConfig) == config


def write_slices(folder, stack, names, **kwargs):
    folder.mkdir()
    for plane, name in zip(stack, names, strict=True):
        tifffile.imwrite(folder / name, plane, photometric="minisblack", **kwargs)
    return folder


@pytest.mark.parametrize("compression", [None, "zlib"])
def test_folder_of_2d_files_reads_as_a_stack_in_name_order(tmp_path, compression):
    # written out of order; digit runs sort as numbers (2 before 10)
    folder = write_slices(
        tmp_path / "slices", STACK[[2, 0, 1]], ["img10.tif", "img1.TIF", "img2.tiff"],
        compression=compression,
    )
    (folder / "notes.txt").write_text("not a slice")
    (folder / ".hidden.tif").write_text("not a slice either")
    config = tiff_config(folder)
    assert config.verify() == (True, "No validation for this config")
    array = config.array_type(config)
    assert array.roi == Roi((10, 20, 30), (6, 16, 30)) and array.shape == (3, 4, 5)
    assert array.axes == ["z", "y", "x"] and array.dtype == np.uint16
    np.testing.assert_array_equal(array[array.roi], STACK)
    np.testing.assert_array_equal(array[Roi((12, 28, 54), (2, 8, 6))], [[[34], [39]]])
    np.testing.assert_array_equal(np.asarray(array.data), STACK)


def test_folder_reads_open_only_the_files_a_roi_needs(tmp_path):
    folder = write_slices(tmp_path / "slices", STACK, ["a0.tif", "a1.tif", "a2.tif"])
    config = tiff_config(folder)
    array = config.array_type(config)
    (folder / "a2.tif").write_text("damaged")  # the last slice is unreadable now
    np.testing.assert_array_equal(array[Roi((10, 20, 30), (4, 16, 30))], STACK[:2])
    with pytest.raises(ConfigError, match="a2.tif is not a readable TIFF"):
        array[array.roi]


def test_folder_of_rgb_slices_with_a_channel_axis(tmp_path):
    data = np.arange(2 * 4 * 5 * 3, dtype=np.uint8).reshape(2, 4, 5, 3)  # z, y, x, c
    folder = tmp_path / "rgb"
    folder.mkdir()
    for z in range(2):
        tifffile.imwrite(folder / f"s{z}.tif", data[z])
    config = tiff_config(folder, axis_names=["z", "y", "x", "c^"])
    array = config.array_type(config)
    assert array.axes == ["c", "z", "y", "x"] and array.shape == (3, 2, 4, 5)
    np.testing.assert_array_equal(array[array.roi], np.moveaxis(data, -1, 0))


def test_folder_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match="folder .*empty holds no .tif / .tiff files"):
        tiff_config(empty).validate()
    folder = write_slices(tmp_path / "slices", STACK, ["a0.tif", "a1.tif", "a2.tif"])
    with pytest.raises(ConfigError, match="name 2 axes but .* shape \\(3, 4, 5\\)"):
        tiff_config(folder, axis_names=["y", "x"], offset=(0, 0), voxel_size=(1, 1)).validate()
    tifffile.imwrite(folder / "a1.tif", STACK[1, :2], photometric="minisblack")
    config = tiff_config(folder)
    array = config.array_type(config)
    with pytest.raises(ConfigError, match="a1.tif holds uint16 data of shape \\(2, 5\\) but "
                       ".*a0.tif holds uint16 data of shape \\(4, 5\\)"):
        array[array.roi]
