"""ZarrArray / ZarrArrayConfig: metadata variants, N5, OME-NGFF, creation."""

from __future__ import annotations

import json
import logging
import warnings

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ArrayNotFoundError, ConfigError, DacapoError, RoiError
from dacapo.experiments.datasplits.datasets.arrays import ZarrArray, ZarrArrayConfig
from dacapo.store.array_identifiers import LocalArrayIdentifier
from dacapo.store.converter import converter


def open_array(container, dataset, **kwargs) -> ZarrArray:
    config = ZarrArrayConfig(name="test", file_name=container, dataset=dataset, **kwargs)
    return config.array_type(config)


def write_raw(container, dataset, data, attrs, n5=False):
    """Writes ``data`` with exactly ``attrs`` (no metadata convention)."""
    if n5:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            store = zarr.N5FSStore(str(container))
    else:
        store = str(container)
    root = zarr.open_group(store, mode="a")
    array = root.create_dataset(dataset, data=data, overwrite=True)
    array.attrs.update(attrs)
    return container


# --- reading metadata -------------------------------------------------------

def test_resolution_offset_and_read(tmp_path, make_zarr):
    data = np.arange(20, dtype=np.uint8).reshape(4, 5)
    make_zarr(tmp_path / "c.zarr", "raw", data, voxel_size=(2, 3), offset=(4, 6))
    array = open_array(tmp_path / "c.zarr", "raw")
    assert array.voxel_size == Coordinate(2, 3)
    assert array.roi == Roi((4, 6), (8, 15))
    assert array.axes == ["y", "x"]
    assert array.dtype == np.uint8
    assert array.attrs["resolution"] == [2, 3]
    # rows 1..2, columns 2..3: world y in [6, 10), x in [12, 18)
    np.testing.assert_array_equal(array[Roi((6, 12), (4, 6))], [[7, 8], [12, 13]])


def test_voxel_size_attribute_and_units(tmp_path):
    # lengths in known units become nanometres (7 um = 7000 nm); unknown units stay
    write_raw(tmp_path / "c.zarr", "raw", np.zeros((2, 3, 4)),
              {"voxel_size": [5, 6, 7], "dimension_units": ["nm", "pixel", "um"]})
    array = open_array(tmp_path / "c.zarr", "raw")
    assert array.voxel_size == Coordinate(5, 6, 7000)
    assert array.roi == Roi((0, 0, 0), (10, 18, 28000))
    assert array.units == ["nanometer", "pixel", "nanometer"]


@pytest.mark.parametrize(
    "attrs, shape, axes",
    [
        ({"axes": ["c", "z", "y", "x"]}, (2, 3, 4, 5), ["c", "z", "y", "x"]),
        ({"axes": "czyx"}, (2, 3, 4, 5), ["c", "z", "y", "x"]),
        ({"axes": ["czyx"]}, (2, 3, 4, 5), ["c", "z", "y", "x"]),
        ({"axes": ["zyx"]}, (3, 4, 5), ["z", "y", "x"]),
        ({"axis_names": ["c^", "z", "y", "x"]}, (2, 3, 4, 5), ["c", "z", "y", "x"]),
        ({}, (2, 3, 4, 5), ["c", "z", "y", "x"]),  # one more dim than the voxel size
        ({}, (3, 4, 5), ["z", "y", "x"]),
    ],
)
def test_axes_variants(tmp_path, attrs, shape, axes):
    write_raw(tmp_path / "c.zarr", "raw", np.zeros(shape), {"resolution": [1, 1, 1], **attrs})
    array = open_array(tmp_path / "c.zarr", "raw")
    assert array.axes == axes
    assert array.dims == 3
    assert array.roi.shape == Coordinate(3, 4, 5)
    if "c" in axes:
        assert array.num_channels == 2


def test_config_axes_override_metadata(tmp_path, make_zarr):
    make_zarr(tmp_path / "c.zarr", "raw", np.zeros((2, 3, 4)), voxel_size=(1, 1))
    array = open_array(tmp_path / "c.zarr", "raw", axes=["c", "y", "x"])
    assert array.axes == ["c", "y", "x"]
    assert array.num_channels == 2


def test_missing_voxel_size_defaults_to_ones_with_warning(tmp_path, caplog):
    write_raw(tmp_path / "c.zarr", "raw", np.zeros((3, 4, 5)), {})
    with caplog.at_level(logging.WARNING):
        array = open_array(tmp_path / "c.zarr", "raw")
    assert array.voxel_size == Coordinate(1, 1, 1)
    assert array.roi == Roi((0, 0, 0), (3, 4, 5))
    assert "no voxel size" in caplog.text


def test_n5_attributes_are_reversed(tmp_path):
    data = np.arange(24, dtype=np.uint16).reshape(2, 3, 4)  # z, y, x
    # N5 tools write x, y, z order
    write_raw(tmp_path / "c.n5", "raw", data,
              {"resolution": [1, 2, 3], "offset": [10, 20, 30], "axes": ["x", "y", "z"]},
              n5=True)
    array = open_array(tmp_path / "c.n5", "raw")
    assert array.voxel_size == Coordinate(3, 2, 1)
    assert array.roi == Roi((30, 20, 10), (6, 6, 4))
    assert array.axes == ["z", "y", "x"]
    # voxel (z=1, y=2, x=3)
    np.testing.assert_array_equal(array[Roi((33, 24, 13), (3, 2, 1))], [[[23]]])


def test_n5_pixel_resolution(tmp_path):
    write_raw(tmp_path / "c.n5", "raw", np.zeros((2, 3, 4)),
              {"pixelResolution": {"dimensions": [4, 5, 6], "unit": "nm"}}, n5=True)
    assert open_array(tmp_path / "c.n5", "raw").voxel_size == Coordinate(6, 5, 4)


def write_ome(container, axes, levels, data_shapes):
    root = zarr.open_group(str(container), mode="a")
    group = root.require_group("raw")
    datasets = []
    for (path, scale, translation), shape in zip(levels, data_shapes):
        group.create_dataset(path, data=np.arange(np.prod(shape)).reshape(shape))
        datasets.append({"path": path, "coordinateTransformations": [
            {"type": "scale", "scale": scale},
            {"type": "translation", "translation": translation}]})
    group.attrs["multiscales"] = [{"version": "0.4", "axes": axes, "datasets": datasets}]


SPACE = [{"name": n, "type": "space", "unit": "nanometer"} for n in "zyx"]


def test_ome_ngff_level_by_name(tmp_path):
    write_ome(tmp_path / "c.zarr", SPACE,
              [("s0", [4.0, 4.0, 4.0], [0.0, 0.0, 0.0]), ("s1", [8.0, 8.0, 8.0], [2.0, 2.0, 2.0])],
              [(4, 4, 4), (2, 2, 2)])
    level0 = open_array(tmp_path / "c.zarr", "raw/s0")
    # s1's translation (half an s0 voxel) is off its grid: refused, unless snap_to_grid
    # moves it to the nearest grid point (issue 13)
    with pytest.raises(ConfigError, match="offset \\(2, 2, 2\\) is not on the voxel grid"):
        open_array(tmp_path / "c.zarr", "raw/s1")
    level1 = open_array(tmp_path / "c.zarr", "raw/s1", snap_to_grid=(8, 8, 8))
    assert level0.voxel_size == Coordinate(4, 4, 4)
    assert level1.voxel_size == Coordinate(8, 8, 8)
    assert level1.roi == Roi((0, 0, 0), (16, 16, 16))
    assert level1.units == ["nanometer"] * 3
    assert level1[Roi((8, 8, 8), (8, 8, 8))].item() == 7  # last voxel of 2x2x2
    # the group itself opens its first (finest) level
    assert open_array(tmp_path / "c.zarr", "raw").voxel_size == Coordinate(4, 4, 4)
    assert ZarrArrayConfig("g", tmp_path / "c.zarr", "raw").verify()[0]


def test_ome_level_not_listed_uses_own_attributes(tmp_path, make_zarr, caplog):
    write_ome(tmp_path / "c.zarr", SPACE,
              [("s0", [4.0, 4.0, 4.0], [0.0, 0.0, 0.0]), ("s1", [8.0, 8.0, 8.0], [0.0, 0.0, 0.0])],
              [(4, 4, 4), (2, 2, 2)])
    make_zarr(tmp_path / "c.zarr", "raw/extra", np.zeros((2, 2, 2)), voxel_size=(3, 3, 3))
    with caplog.at_level(logging.WARNING):
        array = open_array(tmp_path / "c.zarr", "raw/extra")
    assert array.voxel_size == Coordinate(3, 3, 3)
    assert "not listed in the multiscales" in caplog.text


def test_ome_ngff_channel_axis(tmp_path):
    axes = [{"name": "c", "type": "channel"}] + SPACE
    write_ome(tmp_path / "c.zarr", axes, [("s0", [1.0, 8.0, 6.0, 4.0], [0.0, 16.0, 12.0, 8.0])],
              [(2, 3, 3, 3)])
    array = open_array(tmp_path / "c.zarr", "raw/s0")
    assert array.axes == ["c", "z", "y", "x"]
    assert array.voxel_size == Coordinate(8, 6, 4)
    assert array.roi == Roi((16, 12, 8), (24, 18, 12))
    assert array.num_channels == 2


def test_snap_to_grid_shrinks_roi(tmp_path, make_zarr):
    data = np.arange(100).reshape(10, 10)
    # data ROI: [4, 44) x [6, 66); lcm((6, 4), (4, 6)) = (12, 12) -> [12, 36) x [12, 60)
    make_zarr(tmp_path / "c.zarr", "raw", data, voxel_size=(4, 6), offset=(4, 6))
    array = open_array(tmp_path / "c.zarr", "raw", snap_to_grid=(6, 4))
    assert array.roi == Roi((12, 12), (24, 48))
    assert array.shape == (6, 8)
    # rows (12-4)/4 = 2 .. 8, columns (12-6)/6 = 1 .. 9
    np.testing.assert_array_equal(array[array.roi], data[2:8, 1:9])


def test_offset_off_the_voxel_grid_needs_snap_to_grid(tmp_path, make_zarr):
    # an offset off the voxel grid is refused when the array is opened (issue 13);
    # snap_to_grid moves the data to the nearest grid point, then shrinks the ROI
    make_zarr(tmp_path / "c.zarr", "raw", np.zeros((4, 4)), voxel_size=(4, 4), offset=(2, 0))
    with pytest.raises(ConfigError, match="offset \\(2, 0\\) is not on the voxel grid.*"
                       "or set snap_to_grid"):
        open_array(tmp_path / "c.zarr", "raw")
    assert open_array(tmp_path / "c.zarr", "raw", snap_to_grid=(8, 8)).roi == Roi((8, 0), (8, 16))
    with pytest.raises(ConfigError, match="snap_to_grid \\(8, 8, 8\\) has 3 entries"):
        open_array(tmp_path / "c.zarr", "raw", snap_to_grid=(8, 8, 8))


@pytest.mark.parametrize(
    "attrs, shape, config_axes, match",
    [
        ({"resolution": [1, 1]}, (2, 3, 4), ["z", "y"], "name 2 dimensions but the data has 3"),
        ({"resolution": [1.5, 1]}, (3, 4), None, "voxel size \\[1.5, 1\\] is not integral"),
        ({"resolution": [1, 1], "axes": ["y", "x", "c"]}, (3, 4, 2), None, "non-spatial"),
        ({"resolution": [1, 1, 1], "axes": ["c", "y", "x"]}, (2, 3, 4), None,
         "voxel size \\(1, 1, 1\\) has 3 entries"),
        ({"resolution": [1]}, (2, 3, 4), None, "cannot guess the axes"),
        ({"resolution": ["4nm", 4]}, (2, 3), None, "is not a list of numbers"),
    ],
)
def test_bad_metadata(tmp_path, attrs, shape, config_axes, match):
    write_raw(tmp_path / "c.zarr", "raw", np.zeros(shape), attrs)
    with pytest.raises(ConfigError, match=match):
        open_array(tmp_path / "c.zarr", "raw", axes=config_axes)


# --- reading and writing ----------------------------------------------------

def test_misaligned_and_outside_roi(tmp_path, make_zarr):
    make_zarr(tmp_path / "c.zarr", "raw", np.zeros((4, 4)), voxel_size=(2, 2))
    array = open_array(tmp_path / "c.zarr", "raw")
    with pytest.raises(RoiError, match="not aligned to the voxel size"):
        array[Roi((1, 0), (2, 2))]
    with pytest.raises(RoiError, match="not inside"):
        array[Roi((0, 0), (10, 2))]


def test_read_only_mode(tmp_path, make_zarr):
    make_zarr(tmp_path / "c.zarr", "raw", np.zeros((2, 2)), voxel_size=(1, 1))
    array = open_array(tmp_path / "c.zarr", "raw", mode="r")
    assert not array.writable
    with pytest.raises(DacapoError, match="read-only"):
        array[array.roi] = 1


def test_missing_container_and_dataset(tmp_path, make_zarr):
    with pytest.raises(ArrayNotFoundError, match="container .*nope.zarr does not exist"):
        open_array(tmp_path / "nope.zarr", "raw")
    make_zarr(tmp_path / "c.zarr", "group/raw", np.zeros((2, 2)), voxel_size=(1, 1))
    with pytest.raises(ArrayNotFoundError, match="'gt' not found .*present: group/raw"):
        open_array(tmp_path / "c.zarr", "gt")


def test_verify(tmp_path, make_zarr):
    make_zarr(tmp_path / "c.zarr", "raw", np.zeros((2, 2)), voxel_size=(1, 1))
    (tmp_path / "c.h5").mkdir()

    def verify(container, dataset):
        return ZarrArrayConfig("v", tmp_path / container, dataset).verify()

    assert verify("c.zarr", "raw") == (True, "No validation for this config")
    ok, reason = verify("missing.zarr", "raw")
    assert not ok and "missing.zarr does not exist" in reason
    ok, reason = verify("c.h5", "raw")
    assert not ok and "c.h5 does not end in .zarr or .n5" in reason
    ok, reason = verify("c.zarr", "gt")
    assert not ok and "'gt' not found in container" in reason and "c.zarr" in reason


def test_bad_mode():
    with pytest.raises(ConfigError, match="mode 'rw' is not one of"):
        ZarrArrayConfig("m", "c.zarr", "raw", mode="rw")


def test_config_round_trips_through_converter(tmp_path):
    config = ZarrArrayConfig("z", tmp_path / "c.zarr", "raw", snap_to_grid=(2, 2),
                             axes=["y", "x"], mode="r")
    data = converter.unstructure(config)
    assert data["axes"] == ["y", "x"] and data["snap_to_grid"] == [2, 2]
    assert data["file_name"] == str(tmp_path / "c.zarr")
    from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig

    assert converter.structure(data, ArrayConfig) == config


# --- creating ---------------------------------------------------------------

@pytest.mark.parametrize("container", ["out.zarr", "out.n5"])
def test_create_write_and_reopen(tmp_path, container):
    identifier = LocalArrayIdentifier(tmp_path / container, "pred/a")
    roi = Roi((4, 8, 12), (8, 16, 24))
    array = ZarrArray.create_from_array_identifier(
        identifier, ["z", "y", "x"], roi, 2, (2, 4, 4), np.float32, write_size=(4, 8, 8)
    )
    assert array.axes == ["c", "z", "y", "x"]
    assert array.data.chunks == (2, 2, 2, 2)
    assert array.shape == (2, 4, 4, 6)
    array[Roi((6, 8, 12), (2, 4, 8))] = np.array([1.0, 2.0]).reshape(2, 1, 1, 1)

    reopened = ZarrArray.open_from_array_identifier(identifier, name="again")
    assert reopened.name == "again"
    assert reopened.roi == roi and reopened.voxel_size == Coordinate(2, 4, 4)
    values = reopened[roi]
    assert values[:, 1, 0, :2].tolist() == [[1.0, 1.0], [2.0, 2.0]]
    assert values.sum() == 6.0


def test_create_writes_metadata(tmp_path):
    roi = Roi((0, 0), (4, 6))
    ZarrArray.create_from_array_identifier(
        LocalArrayIdentifier(tmp_path / "o.n5", "a"), ["y", "x"], roi, None, (2, 3), np.uint8
    )
    attrs = json.loads((tmp_path / "o.n5" / "a" / "attributes.json").read_text())
    assert attrs["resolution"] == [3, 2] and attrs["axes"] == ["x", "y"]
    ZarrArray.create_from_array_identifier(
        LocalArrayIdentifier(tmp_path / "o.zarr", "a"), ["y", "x"], roi, None, (2, 3), np.uint8
    )
    attrs = json.loads((tmp_path / "o.zarr" / "a" / ".zattrs").read_text())
    assert attrs == {"resolution": [2, 3], "voxel_size": [2, 3], "offset": [0, 0],
                     "axes": ["y", "x"], "axis_names": ["y", "x"], "types": ["space", "space"],
                     "units": ["nanometer", "nanometer"], "_ARRAY_DIMENSIONS": ["y", "x"]}


@pytest.mark.parametrize("dtype, edge", [(np.uint8, 128), (np.float32, 64)])
def test_default_chunks_are_a_few_megabytes(tmp_path, dtype, edge):
    array = ZarrArray.create_from_array_identifier(
        LocalArrayIdentifier(tmp_path / "o.zarr", "big"), ["z", "y", "x"],
        Roi((0, 0, 0), (1000, 1000, 6)), None, (1, 1, 1), dtype,
    )
    assert array.data.chunks == (edge, edge, 6)  # clipped to the shape


def test_create_existing_same_geometry_keeps_data(tmp_path):
    identifier = LocalArrayIdentifier(tmp_path / "o.zarr", "a")
    args = (["y", "x"], Roi((0, 0), (2, 2)), None, (1, 1), np.uint8)
    ZarrArray.create_from_array_identifier(identifier, *args)[Roi((0, 0), (2, 2))] = 7
    again = ZarrArray.create_from_array_identifier(identifier, *args)
    assert again[again.roi].tolist() == [[7, 7], [7, 7]]
    replaced = ZarrArray.create_from_array_identifier(identifier, *args, overwrite=True)
    assert replaced[replaced.roi].tolist() == [[0, 0], [0, 0]]


def test_create_existing_other_geometry(tmp_path):
    identifier = LocalArrayIdentifier(tmp_path / "o.zarr", "a")
    ZarrArray.create_from_array_identifier(identifier, ["y", "x"], Roi((0, 0), (2, 2)), None,
                                           (1, 1), np.uint8)
    with pytest.raises(ConfigError, match="exists with a different geometry.*existing.*"
                                          "\\[0:2, 0:2\\].*requested.*\\[0:4, 0:4\\]"):
        ZarrArray.create_from_array_identifier(identifier, ["y", "x"], Roi((0, 0), (4, 4)),
                                               None, (1, 1), np.uint8)
    with pytest.raises(ConfigError, match="mode is 'w-'"):
        ZarrArray.create_from_array_identifier(identifier, ["y", "x"], Roi((0, 0), (2, 2)),
                                               None, (1, 1), np.uint8, mode="w-")
    bigger = ZarrArray.create_from_array_identifier(
        identifier, ["y", "x"], Roi((0, 0), (4, 4)), None, (1, 1), np.uint8, mode="w")
    assert bigger.shape == (4, 4)


def test_create_where_a_group_exists(tmp_path, make_zarr):
    make_zarr(tmp_path / "o.zarr", "pred/a", np.zeros((2, 2)), voxel_size=(1, 1))
    with pytest.raises(ConfigError, match="a group exists at 'pred'"):
        ZarrArray.create_from_array_identifier(LocalArrayIdentifier(tmp_path / "o.zarr", "pred"),
                                               ["y", "x"], Roi((0, 0), (2, 2)), None, (1, 1),
                                               np.uint8)
    assert open_array(tmp_path / "o.zarr", "pred/a").shape == (2, 2)  # untouched


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"mode": "r"}, ConfigError, "read-only mode"),
        ({"roi": Roi((0, 0), (3, 4))}, RoiError, "not a whole number of voxels"),
        ({"write_size": (3, 2)}, ConfigError, "write_size \\(3, 2\\) is not a multiple"),
        ({"axes": ["c", "y", "x"]}, ConfigError, "channel axis but num_channels is None"),
        ({"axes": ["y", "x", "c"], "num_channels": 2}, ConfigError, "are not supported"),
        ({"axes": ["z", "y", "x"]}, ConfigError, "do not have 2 spatial axes"),
    ],
)
def test_create_errors(tmp_path, kwargs, error, match):
    arguments = {"axes": ["y", "x"], "roi": Roi((0, 0), (4, 4)), "num_channels": None,
                 "voxel_size": (2, 2), "dtype": np.uint8, **kwargs}
    with pytest.raises(error, match=match):
        ZarrArray.create_from_array_identifier(
            LocalArrayIdentifier(tmp_path / "o.zarr", "a"), **arguments
        )


def test_fsspec_url_container(tmp_path):
    url = f"memory://dacapo-test/{tmp_path.name}/c.zarr"  # in-memory file system
    from upath import UPath

    identifier = LocalArrayIdentifier(UPath(url), "raw")
    array = ZarrArray.create_from_array_identifier(
        identifier, ["y", "x"], Roi((0, 0), (4, 4)), None, (2, 2), np.uint8
    )
    array[Roi((2, 2), (2, 2))] = 5
    config = ZarrArrayConfig("remote", url, "raw")
    assert str(config.file_name) == url
    assert config.verify()[0]
    assert config.array_type(config)[Roi((0, 0), (4, 4))].tolist() == [[0, 0], [0, 5]]
