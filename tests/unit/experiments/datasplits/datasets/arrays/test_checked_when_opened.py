"""Data is checked when it is opened (issue 13): bad voxel sizes, offsets off
the voxel grid, container paths that are files, damaged metadata and
``NumpyArray.from_np_array`` arguments that disagree each raise a
``DacapoError`` naming the array, the value and what to fix."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ArrayNotFoundError, ConfigError, RoiError
from dacapo.experiments.datasplits.datasets.arrays import (
    NumpyArray,
    TiffArray,
    TiffArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.store.array_identifiers import LocalArrayIdentifier


def open_array(container, dataset="raw", **kwargs) -> ZarrArray:
    config = ZarrArrayConfig(name="arr", file_name=container, dataset=dataset, **kwargs)
    return config.array_type(config)


def write(container, attrs, shape=(4, 6), dataset="raw", group_attrs=None):
    root = zarr.open_group(str(container), mode="a")
    array = root.create_dataset(dataset, data=np.zeros(shape, np.uint8), overwrite=True)
    array.attrs.update(attrs)
    if group_attrs is not None:
        root.attrs.update(group_attrs)
    return container


# --- zarr / N5 / OME-NGFF metadata --------------------------------------------

BAD_ATTRS = [
    # (attributes, what the message says)
    ({"resolution": [0, 4]}, r"voxel size \(0, 4\) must be positive integers.*fix the `resolution`"),
    ({"resolution": [4, -4]}, r"voxel size \(4, -4\) must be positive integers"),
    ({"voxel_size": [0, 0]}, r"voxel size \(0, 0\) must be positive.*fix the `voxel_size` attribute"),
    ({"resolution": [4, 4, 4], "axes": ["y", "x"]},
     r"voxel size \(4, 4, 4\) has 3 entries but the axes \['y', 'x'\] have 2 spatial axes; "
     r"fix the `resolution` attribute of the dataset, or set axes in the config"),
    ({"resolution": [4, 4, 4]}, r"cannot guess the axes"),
    ({"resolution": [4, 4], "axes": ["z", "y", "x"]}, r"name 3 dimensions but the data has 2"),
    ({"resolution": 4}, r"voxel size 4 is not a list of numbers.*fix the `resolution`"),
    ({"resolution": "4,4"}, r"voxel size '4,4' is not a list of numbers"),
    ({"resolution": [4.5, 4]}, r"voxel size \[4\.5, 4\] is not integral"),
    ({"resolution": [None, 4]}, r"is not a list of numbers"),
    ({"resolution": [4, 4], "offset": [2, 0]},
     r"offset \(2, 0\) is not on the voxel grid: it must be a multiple of the voxel size "
     r"\(4, 4\) \(the nearest is \(4, 0\)\); fix the `offset` attribute of the dataset, or "
     r"set snap_to_grid in the ZarrArrayConfig"),
    ({"resolution": [4, 4], "offset": [0, 0, 0]}, r"offset \(0, 0, 0\) has 3 entries"),
    ({"resolution": [4, 4], "offset": 8}, r"offset 8 is not a list of numbers.*`offset`"),
    ({"resolution": [4, 4], "axes": 3}, r"axes 3 are neither a list of names"),
]


@pytest.mark.parametrize("attrs, match", BAD_ATTRS)
def test_bad_zarr_metadata_is_refused_naming_array_and_attribute(tmp_path, attrs, match):
    write(tmp_path / "c.zarr", attrs)
    with pytest.raises(ConfigError, match=match) as raised:
        open_array(tmp_path / "c.zarr")
    assert str(raised.value).startswith(f"ZarrArray 'arr' ({tmp_path / 'c.zarr'}, dataset 'raw')")


def test_bad_n5_voxel_size_is_refused(tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        store = zarr.N5FSStore(str(tmp_path / "c.n5"))
    array = zarr.open_group(store, mode="a").create_dataset("raw", data=np.zeros((4, 6)))
    array.attrs.update({"pixelResolution": {"dimensions": [4, 0], "unit": "nm"}})
    with pytest.raises(ConfigError, match=r"voxel size \(0, 4\) must be positive.*`pixelResolution`"):
        open_array(tmp_path / "c.n5")


def ome_group(scale, translation, axes=None):
    axes = axes or [{"name": "y", "type": "space"}, {"name": "x", "type": "space"}]
    transforms = [{"type": "scale", "scale": scale}, {"type": "translation", "translation": translation}]
    return {"multiscales": [{"version": "0.4", "axes": axes,
                             "datasets": [{"path": "raw", "coordinateTransformations": transforms}]}]}


@pytest.mark.parametrize(
    "group_attrs, match",
    [
        (ome_group([0, 4], [0, 0]), r"voxel size \(0, 4\).*fix the `scale` transformation in "
                                    r"the OME-NGFF multiscales of group ''"),
        (ome_group([4, 4], [0, 6]), r"offset \(0, 6\) is not on the voxel grid.*`translation`"),
        (ome_group([4, 4, 4], [0, 0]), r"voxel size \[4, 4, 4\] has 3 entries but the OME-NGFF "
                                       r"axes \['y', 'x'\] list 2; fix the `scale`"),
        ({"multiscales": [{"datasets": [{"path": "raw", "coordinateTransformations": [5]}]}]},
         r"the OME-NGFF `multiscales` of group '' are malformed"),
        ({"multiscales": [{"datasets": [{"path": "raw", "coordinateTransformations": [
            {"type": "scale", "scale": ["a", 4]}]}],
          "coordinateTransformations": [{"type": "scale", "scale": [2, 2]}]}]},
         r"malformed \(TypeError: 'a' is not a number\)"),
    ],
)
def test_bad_ome_ngff_metadata_is_refused(tmp_path, group_attrs, match):
    write(tmp_path / "c.zarr", {}, group_attrs=group_attrs)
    with pytest.raises(ConfigError, match=match):
        open_array(tmp_path / "c.zarr")


def test_snap_to_grid_must_be_positive(tmp_path):
    write(tmp_path / "c.zarr", {"resolution": [4, 4]})
    # refused when the config is made
    with pytest.raises(ConfigError, match=r"`snap_to_grid` must be positive integers .*got \(0, 8\)"):
        open_array(tmp_path / "c.zarr", snap_to_grid=(0, 8))


def test_good_metadata_still_opens(tmp_path):
    write(tmp_path / "c.zarr", {"resolution": [4, 2], "offset": [8, 6]})
    array = open_array(tmp_path / "c.zarr")
    assert array.roi == Roi((8, 6), (16, 12))


def test_a_container_path_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "data.zarr"
    path.write_text("not a container")
    with pytest.raises(ConfigError, match=r"^zarr/N5 container .*data.zarr is a file, not a "
                       r"directory: a container is a folder"):
        open_array(path)  # the config's validation finds it
    config = ZarrArrayConfig(name="arr", file_name=path, dataset="raw")
    with pytest.raises(ConfigError, match=r"^ZarrArray 'arr': zarr/N5 container .*data.zarr is "
                       "a file"):
        ZarrArray(config)  # and so does the array
    # creating a dataset inside it (or below it) is refused too
    for container in (path, path / "inner.zarr"):
        with pytest.raises(ConfigError, match=r"container .*data.zarr.* (is|lies inside) "):
            ZarrArray.create_from_array_identifier(
                LocalArrayIdentifier(container, "out"), ["y", "x"], Roi((0, 0), (4, 4)), None,
                (1, 1), np.uint8,
            )


def test_a_multiscale_group_without_usable_levels_is_not_found(tmp_path):
    write(tmp_path / "c.zarr", {"resolution": [1, 1]})
    zarr.open_group(str(tmp_path / "c.zarr"), mode="a").create_group("img").attrs.update(
        {"multiscales": [{"datasets": [5]}]}
    )
    with pytest.raises(ArrayNotFoundError, match=r"dataset 'img' not found in container .*"
                       r"datasets present: raw"):
        open_array(tmp_path / "c.zarr", "img")


def test_damaged_attributes_are_refused_naming_the_dataset(tmp_path):
    write(tmp_path / "c.zarr", {"resolution": [1, 1]})
    (tmp_path / "c.zarr" / "raw" / ".zattrs").write_text("{not json")
    with pytest.raises(ConfigError, match=r"metadata of dataset 'raw' in container .*c.zarr "
                       r"cannot be read \(JSONDecodeError"):
        open_array(tmp_path / "c.zarr")


@pytest.mark.parametrize("text", ["[1, 2, 3]", "null", '"zyx"'])
def test_attributes_that_are_not_a_json_object_are_refused(tmp_path, text):
    write(tmp_path / "c.zarr", {"resolution": [1, 1]})
    (tmp_path / "c.zarr" / "raw" / ".zattrs").write_text(text)
    with pytest.raises(ConfigError, match=r"attributes of dataset 'raw' in container "
                       r".*c.zarr are .*expected a JSON object.*rewrite the dataset's .zattrs"):
        open_array(tmp_path / "c.zarr")


@pytest.mark.parametrize("text", ["[1, 2, 3]", "null", "{not json"])
def test_damaged_attributes_of_the_parent_group_are_refused(tmp_path, text):
    write(tmp_path / "c.zarr", {"resolution": [1, 1]})
    (tmp_path / "c.zarr" / ".zattrs").write_text(text)
    with pytest.raises(ConfigError, match=r"ZarrArray 'arr' .*dataset 'raw'.*: the attributes "
                       r"of group '/' cannot be read .*must be a JSON object: repair or "
                       r"rewrite the group's .zattrs"):
        open_array(tmp_path / "c.zarr")


@pytest.mark.parametrize("folder", ["raw", ""])
@pytest.mark.parametrize("text", ["{not json", "null", "[1, 2, 3]", '"x"'])
def test_damaged_n5_attributes_json_is_refused(tmp_path, folder, text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        root = zarr.open_group(zarr.N5FSStore(str(tmp_path / "c.n5")), mode="a")
    root.create_dataset("raw", data=np.zeros((4, 4), np.uint8))
    (tmp_path / "c.n5" / folder / "attributes.json").write_text(text)
    with pytest.raises(ConfigError, match=r"c.n5.*: the (metadata|attributes) of .* cannot "
                       r"be read .*(rewrite its attributes.json|must be a JSON object)"):
        open_array(tmp_path / "c.n5")


def test_created_arrays_need_a_voxel_grid(tmp_path):
    identifier = LocalArrayIdentifier(tmp_path / "c.zarr", "out")
    create = ZarrArray.create_from_array_identifier
    with pytest.raises(ConfigError, match=r"voxel size \(0, 4\) must be positive integers"):
        create(identifier, ["y", "x"], Roi((0, 0), (8, 8)), None, (0, 4), np.uint8)
    with pytest.raises(RoiError, match=r"ROI \[2:10, 0:8\] .* starting on their grid"):
        create(identifier, ["y", "x"], Roi((2, 0), (8, 8)), None, (4, 4), np.uint8)
    array = create(identifier, ["y", "x"], Roi((4, 0), (8, 8)), None, (4, 4), np.uint8)
    assert open_array(tmp_path / "c.zarr", "out").roi == array.roi == Roi((4, 0), (8, 8))


# --- TIFF ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "voxel_size, offset, match",
    [
        ((0, 4), (0, 0), r"voxel size \(0, 4\) must be positive.*fix voxel_size in the TiffArrayConfig"),
        ((4, 4), (0, 3), r"offset \(0, 3\) is not on the voxel grid.*fix offset in the TiffArrayConfig"),
    ],
)
def test_tiff_geometry_is_checked_when_opened(tmp_path, voxel_size, offset, match):
    tifffile = pytest.importorskip("tifffile")
    tifffile.imwrite(tmp_path / "a.tif", np.zeros((4, 6), np.uint8))
    with pytest.raises(ConfigError, match=r"^TiffArrayConfig 't': " + match):
        TiffArrayConfig("t", tmp_path / "a.tif", offset, voxel_size, ["y", "x"])  # when made
    config = TiffArrayConfig("t", tmp_path / "a.tif", (0, 0), (4, 4), ["y", "x"])
    config.offset, config.voxel_size = Coordinate(offset), Coordinate(voxel_size)  # changed
    with pytest.raises(ConfigError, match=r"^TiffArrayConfig 't': " + match):
        config.array_type(config)  # the config's validation finds it
    with pytest.raises(ConfigError, match=r"^TiffArray 't': " + match):
        TiffArray(config)  # and so does the array


# --- NumpyArray.from_np_array -------------------------------------------------------


@pytest.mark.parametrize(
    "shape, roi, voxel_size, axes, match",
    [
        ((4, 6), Roi((0, 0), (4, 5)), (1, 1), ["y", "x"],
         r"data of shape \(4, 6\) .*covers \(4, 6\) world units.*roi \[0:4, 0:5\]"),
        ((4, 6), Roi((0, 0), (4, 6)), (2, 1), ["y", "x"], r"covers \(8, 6\) world units"),
        ((4, 6), Roi((0, 0), (4, 6)), (1, 1), ["z", "y", "x"],
         r"axes \['z', 'y', 'x'\] name 3 axes but the data has 2"),
        ((4, 6), Roi((0, 0), (4, 6)), (1, 1), ["x"], r"axes \['x'\] name 1 axes but the data has 2"),
        ((2, 4, 6), Roi((0, 0), (4, 6)), (1, 1), ["y", "x", "c"], r"the non-spatial axes .* first"),
        ((2, 4, 6), Roi((0, 0), (4, 6)), (1, 1), ["c", "c", "x"], r"must name each axis once"),
        ((4, 6), Roi((0, 0), (4, 6)), (1, 1), [1, 2], r"axes must be a list of axis names"),
        ((4, 6), Roi((0, 0), (4, 6)), (0, 1), ["y", "x"], r"voxel size \(0, 1\) must be positive"),
        ((4, 6), Roi((0, 0), (4, 6)), (1.5, 1), ["y", "x"], r"voxel size \(1\.5, 1\) must be positive"),
        ((4, 6), Roi((0, 0), (4, 6)), (1, 1, 1), ["y", "x"], r"voxel size \(1, 1, 1\) has 3 entries"),
        ((4, 6), Roi((0, 0, 0), (1, 4, 6)), (1, 1), ["y", "x"], r"roi .* has 3 dimensions"),
        ((4, 6), "everywhere", (1, 1), ["y", "x"], r"roi must be a funlib Roi"),
        ((4, 6), Roi((0, 0), (4, 6)), 1, ["y", "x"], r"voxel size 1 is not a list of numbers"),
        ((4, 6), Roi((None, None), (None, None)), (1, 1), ["y", "x"],
         r"covers \(4, 6\) world units .* has shape \(None, None\)"),
    ],
)
def test_from_np_array_refuses_arguments_that_disagree(shape, roi, voxel_size, axes, match):
    with pytest.raises(ConfigError, match=r"^NumpyArray.from_np_array: .*" + match):
        NumpyArray.from_np_array(np.zeros(shape), roi, voxel_size, axes)


def test_from_np_array_accepts_agreeing_arguments_and_upstreams_loose_form(caplog):
    array = NumpyArray.from_np_array(np.zeros((2, 4, 6)), Roi((8, 0), (16, 6)), (4, 1), "cyx")
    assert (array.axes, array.num_channels, array.roi) == (["c", "y", "x"], 2, Roi((8, 0), (16, 6)))
    # upstream's documented num_channels example: an absent leading batch axis
    with caplog.at_level(logging.WARNING):
        loose = NumpyArray.from_np_array(
            np.zeros((1, 2, 3, 4)), Roi((0, 0, 0), (1, 2, 3)), Coordinate(1, 1, 1),
            ["b", "c", "z", "y", "x"],
        )
    assert loose.num_channels == 1
    assert "the leading ['b'] count as size 1" in caplog.text
    assert "covers (2, 3, 4) world units" in caplog.text


# --- DVID ---------------------------------------------------------------------------


@pytest.mark.parametrize("voxel_size", [[4.0, 0.0, 8.0], [4.5, 4.0, 8.0], [4.0, 8.0]])
def test_dvid_voxel_size_is_checked_when_opened(monkeypatch, voxel_size):
    import sys
    import types

    from dacapo.experiments.datasplits.datasets.arrays import DVIDArrayConfig

    info = {"Base": {"TypeName": "uint8blk"},
            "Extended": {"VoxelSize": voxel_size, "MinPoint": [0, 0, 0], "MaxPoint": [9, 7, 3]}}
    dvid = types.SimpleNamespace(fetch_instance_info=lambda *args: info)
    package = types.ModuleType("neuclease")
    package.dvid = dvid  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "neuclease", package)
    monkeypatch.setitem(sys.modules, "neuclease.dvid", dvid)
    config = DVIDArrayConfig(name="em", source=("http://dvid:8000", "a1", "grayscale"))
    with pytest.raises(ConfigError, match=r"^DVIDArray 'em' \(http://dvid:8000, a1, grayscale\): "
                       r"voxel size .* fix the VoxelSize of the instance on the DVID server"):
        config.array_type(config)


def test_offsets_must_be_integers_one_per_axis():
    from dacapo.experiments.datasplits.datasets.arrays._voxel_grid import valid_offset

    for offset in [(0.5, 0), (0,), "00"]:
        with pytest.raises(ConfigError, match=r"^here: offset .* (must be 2 integers|is not a list)"):
            valid_offset(offset, (1, 1), "here", "fix it")
    assert valid_offset((-4, 8), (4, 2), "here", "fix it") == Coordinate(-4, 8)
