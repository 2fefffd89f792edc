"""OME-NGFF in and out: what new arrays carry, what other readers see, and
stores written in micrometres (or other length units)."""

from __future__ import annotations

import json
import logging
from fractions import Fraction

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays import ZarrArray, ZarrArrayConfig
from dacapo.experiments.datasplits.datasets.arrays._length_units import (
    nm_per_unit,
    to_nanometres,
)
from dacapo.experiments.datasplits.datasets.arrays._ome_ngff import merged_multiscales
from dacapo.store.array_identifiers import LocalArrayIdentifier

ROI = Roi((8, 4, 12), (16, 8, 24))  # 4 x 4 x 6 voxels of (4, 2, 4)


def create(container, dataset, num_channels=None, **kwargs):
    return ZarrArray.create_from_array_identifier(
        LocalArrayIdentifier(container, dataset), ["z", "y", "x"], ROI, num_channels,
        (4, 2, 4), np.float32, **kwargs,
    )


def group_attrs(container, group):
    return json.loads((container / group / ".zattrs").read_text())


def open_array(container, dataset):
    config = ZarrArrayConfig(name="t", file_name=container, dataset=dataset)
    return config.array_type(config)


# --- writing ----------------------------------------------------------------

def test_created_array_is_an_ome_ngff_image_in_its_group(tmp_path):
    create(tmp_path / "o.zarr", "pred/a", num_channels=2)
    (image,) = group_attrs(tmp_path / "o.zarr", "pred")["multiscales"]
    assert image["version"] == "0.4" and image["name"] == "a"
    assert image["axes"] == [
        {"name": "c", "type": "channel"},
        {"name": "z", "type": "space", "unit": "nanometer"},
        {"name": "y", "type": "space", "unit": "nanometer"},
        {"name": "x", "type": "space", "unit": "nanometer"},
    ]
    (level,) = image["datasets"]
    assert level == {"path": "a", "coordinateTransformations": [
        {"type": "scale", "scale": [1, 4, 2, 4]},
        {"type": "translation", "translation": [0, 8, 4, 12]},
    ]}
    # the level path really is the array, relative to the group
    assert zarr.open_group(str(tmp_path / "o.zarr"), mode="r")["pred"][level["path"]].shape == (
        2, 4, 4, 6)


def test_root_dataset_gets_multiscales_on_the_root(tmp_path):
    create(tmp_path / "o.zarr", "raw")
    (image,) = json.loads((tmp_path / "o.zarr" / ".zattrs").read_text())["multiscales"]
    assert image["datasets"][0]["path"] == "raw"
    assert [a["name"] for a in image["axes"]] == ["z", "y", "x"]


def test_siblings_get_one_image_each_and_overwrite_replaces_its_own(tmp_path):
    container = tmp_path / "o.zarr"
    create(container, "pred/a")
    create(container, "pred/b", num_channels=3)
    names = [m["name"] for m in group_attrs(container, "pred")["multiscales"]]
    assert names == ["a", "b"]
    # recreate a with another geometry: its image is replaced, b's is kept
    ZarrArray.create_from_array_identifier(
        LocalArrayIdentifier(container, "pred/a"), ["y", "x"], Roi((0, 0), (4, 4)), None,
        (2, 2), np.uint8, overwrite=True,
    )
    images = {m["name"]: m for m in group_attrs(container, "pred")["multiscales"]}
    assert sorted(images) == ["a", "b"]
    assert images["a"]["datasets"][0]["coordinateTransformations"][0]["scale"] == [2, 2]
    assert open_array(container, "pred/a").voxel_size == Coordinate(2, 2)
    assert open_array(container, "pred/b").voxel_size == Coordinate(4, 2, 4)
    assert open_array(container, "pred/b").num_channels == 3


def test_other_arrays_beside_ours_read_their_own_attributes(tmp_path, make_zarr, caplog):
    create(tmp_path / "o.zarr", "pred/a")
    make_zarr(tmp_path / "o.zarr", "pred/extra", np.zeros((2, 2, 2)), voxel_size=(3, 3, 3))
    with caplog.at_level(logging.WARNING):
        assert open_array(tmp_path / "o.zarr", "pred/extra").voxel_size == Coordinate(3, 3, 3)
    assert caplog.text == ""  # a sibling of single-level images is not a missing level
    # as for any OME-NGFF group, opening the group opens its first image
    assert open_array(tmp_path / "o.zarr", "pred").dataset == "pred/a"


def test_merge_keeps_a_pyramid_minus_the_replaced_level():
    pyramid = {"name": "raw", "datasets": [{"path": "s0"}, {"path": "s1"}]}
    image = {"name": "s1", "datasets": [{"path": "s1"}]}
    assert merged_multiscales([pyramid], image) == [
        {"name": "raw", "datasets": [{"path": "s0"}]}, image]
    assert merged_multiscales(None, image) == [image]


def test_merge_replaces_malformed_multiscales(caplog):
    image = {"name": "a", "datasets": [{"path": "a"}]}
    with caplog.at_level(logging.WARNING):
        assert merged_multiscales({"not": "a list"}, image) == [image]
    assert "malformed multiscales" in caplog.text


def test_n5_and_one_dimensional_arrays_get_no_multiscales(tmp_path):
    create(tmp_path / "o.n5", "pred/a")
    assert "multiscales" not in json.loads((tmp_path / "o.n5" / "pred" / "attributes.json")
                                           .read_text())
    ZarrArray.create_from_array_identifier(
        LocalArrayIdentifier(tmp_path / "o.zarr", "line/a"), ["x"], Roi((0,), (4,)), None,
        (1,), np.uint8)
    assert not (tmp_path / "o.zarr" / "line" / ".zattrs").exists()


def test_funlib_persistence_reads_our_geometry(tmp_path):
    from funlib.persistence import open_ds

    create(tmp_path / "o.zarr", "pred/a", num_channels=2)
    create(tmp_path / "o.zarr", "pred/b")
    with_channels = open_ds(str(tmp_path / "o.zarr" / "pred" / "a"))
    assert with_channels.voxel_size == Coordinate(4, 2, 4)
    assert with_channels.offset == Coordinate(8, 4, 12)
    assert with_channels.roi == ROI
    assert with_channels.types == ["channel", "space", "space", "space"]
    assert with_channels.units == ["nanometer"] * 3
    plain = open_ds(str(tmp_path / "o.zarr" / "pred" / "b"))
    assert (plain.voxel_size, plain.offset) == (Coordinate(4, 2, 4), Coordinate(8, 4, 12))


# --- channel names ----------------------------------------------------------

def test_channel_names_are_stored_and_read(tmp_path):
    array = create(tmp_path / "o.zarr", "pred", num_channels=2, channel_names=["fg", "bg"])
    assert array.channel_names == ["fg", "bg"]
    assert create(tmp_path / "o.zarr", "other").channel_names is None
    # reopening with the same geometry updates the names
    again = create(tmp_path / "o.zarr", "pred", num_channels=2, channel_names=["a", "b"])
    assert again.channel_names == ["a", "b"]


@pytest.mark.parametrize(
    "num_channels, names, match",
    [
        (2, ["only one"], "1 channel_names \\['only one'\\] for num_channels=2"),
        (None, ["x"], "for num_channels=None"),
        (1, "x", "must be a list of strings, got 'x'"),
        (2, ["a", 2], "must be a list of strings"),
    ],
)
def test_bad_channel_names(tmp_path, num_channels, names, match):
    with pytest.raises(ConfigError, match=match):
        create(tmp_path / "o.zarr", "pred", num_channels=num_channels, channel_names=names)


# --- reading length units ---------------------------------------------------

def write_ome_image(container, unit, scale, translation, shape=(2, 3, 4)):
    root = zarr.open_group(str(container), mode="a")
    root.create_dataset("img/s0", data=np.zeros(shape, dtype=np.uint8))
    root["img"].attrs["multiscales"] = [{
        "version": "0.4",
        "axes": [{"name": n, "type": "space", "unit": unit} for n in "zyx"],
        "datasets": [{"path": "s0", "coordinateTransformations": [
            {"type": "scale", "scale": scale},
            {"type": "translation", "translation": translation}]}],
    }]


def test_micrometre_ome_store_opens_in_exact_nanometres(tmp_path):
    # in floats 1.001 um * 1000 is 1000.9999999999999 nm; the conversion is exact
    assert 1.001 * 1000 != 1001
    # (offsets on the voxel grid: issue 13 refuses others)
    write_ome_image(tmp_path / "c.zarr", "micrometer", [0.008, 0.004, 1.003],
                    [0.104, 0.012, 2.006])
    array = open_array(tmp_path / "c.zarr", "img/s0")
    assert array.voxel_size == Coordinate(8, 4, 1003)
    assert array.roi == Roi((104, 12, 2006), (16, 12, 4012))
    assert array.units == ["nanometer"] * 3


@pytest.mark.parametrize(
    "unit, resolution, nm",
    [
        ("um", [0.008, 0.008, 0.008], (8, 8, 8)),
        ("µm", [0.016, 0.004, 0.004], (16, 4, 4)),
        ("microns", [1, 1, 0.5], (1000, 1000, 500)),
        ("angstrom", [40, 40, 80], (4, 4, 8)),
        ("nm", [4, 4, 4], (4, 4, 4)),
        ("Nanometer", [4.0, 4.0, 4.0], (4, 4, 4)),
        ("mm", [0.000004, 0.000004, 0.000008], (4, 4, 8)),
    ],
)
def test_length_units_in_attributes(tmp_path, unit, resolution, nm):
    root = zarr.open_group(str(tmp_path / "c.zarr"), mode="a")
    array = root.create_dataset("raw", data=np.zeros((2, 2, 2)))
    array.attrs.update({"resolution": resolution, "units": [unit] * 3,
                        "offset": [r * 2 for r in resolution]})
    opened = open_array(tmp_path / "c.zarr", "raw")
    assert opened.voxel_size == Coordinate(nm)
    assert opened.roi.offset == Coordinate(nm) * 2


def test_non_integral_nanometres_are_refused(tmp_path):
    write_ome_image(tmp_path / "c.zarr", "micrometer", [0.0085, 0.004, 0.004], [0, 0, 0])
    with pytest.raises(ConfigError, match="voxel size \\[0.0085, 0.004, 0.004\\] in "
                       "\\['micrometer'.*is \\[8.5, 4, 4\\] nanometres, which is not integral"):
        open_array(tmp_path / "c.zarr", "img/s0")


def test_non_integral_offset_in_angstrom(tmp_path):
    write_ome_image(tmp_path / "c.zarr", "angstrom", [40, 40, 40], [5, 0, 0])
    with pytest.raises(ConfigError, match="offset \\[5, 0, 0\\] .* is \\[0.5, 0, 0\\] nanometres"):
        open_array(tmp_path / "c.zarr", "img/s0")


def test_nm_per_unit():
    assert nm_per_unit("micrometer") == 1000
    assert nm_per_unit(" UM ") == 1000
    assert nm_per_unit("μm") == 1000  # greek mu as well as the micro sign
    assert nm_per_unit("angstrom") == Fraction(1, 10)
    assert nm_per_unit("meters") == 10**9
    for unknown in ("", "pixel", "second", None, 3):
        assert nm_per_unit(unknown) is None


def test_to_nanometres_units_of_other_length_are_ignored():
    # units that do not match the values' length are ignored: taken as world units
    assert to_nanometres([4, 4], ["um"], "voxel size", "here") == (Coordinate(4, 4), None)
    with pytest.raises(ConfigError, match="here: voxel size \\['a'\\] is not a list of numbers"):
        to_nanometres(["a"], None, "voxel size", "here")
    with pytest.raises(ConfigError, match="voxel size \\[True\\] is not a list of numbers"):
        to_nanometres([True], None, "voxel size", "here")
