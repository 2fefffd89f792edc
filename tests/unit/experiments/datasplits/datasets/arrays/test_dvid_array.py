"""DVIDArray: needs the optional neuclease package and a DVID server."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, DacapoError
from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, DVIDArrayConfig
from dacapo.store.converter import converter

SOURCE = ("http://dvid.example:8000", "a1b2", "grayscale")


@pytest.fixture
def no_neuclease(monkeypatch):
    monkeypatch.setitem(sys.modules, "neuclease", None)  # import fails


@pytest.fixture
def fake_neuclease(monkeypatch):
    """A stand-in ``neuclease.dvid`` with one uint8 instance, x, y, z order."""
    dvid = types.SimpleNamespace(calls=[])
    info = {"Base": {"TypeName": "uint8blk"},
            "Extended": {"VoxelSize": [4.0, 4.0, 8.0], "MinPoint": [0, 0, 0],
                         "MaxPoint": [9, 7, 3]}}

    def fetch_instance_info(server, uuid, instance):
        if server != SOURCE[0]:
            raise ConnectionError(f"cannot connect to {server}")
        return info

    def fetch_raw(server, uuid, instance, box_zyx):
        dvid.calls.append(box_zyx)
        shape = np.subtract(box_zyx[1], box_zyx[0])
        return np.full(shape, 5, dtype=np.uint8)

    dvid.fetch_instance_info, dvid.fetch_raw = fetch_instance_info, fetch_raw
    package = types.ModuleType("neuclease")
    package.dvid = dvid
    monkeypatch.setitem(sys.modules, "neuclease", package)
    monkeypatch.setitem(sys.modules, "neuclease.dvid", dvid)
    return dvid


def test_config_round_trips_through_converter():
    config = DVIDArrayConfig(name="em", source=list(SOURCE))
    assert config.source == SOURCE
    data = converter.unstructure(config)
    assert data == {"__type__": "DVIDArrayConfig", "name": "em", "source": list(SOURCE)}
    assert converter.structure(data, ArrayConfig) == config


def test_opening_without_neuclease_says_what_is_needed(no_neuclease):
    config = DVIDArrayConfig(name="em", source=SOURCE)
    with pytest.raises(DacapoError, match="DVIDArray(Config)? 'em'.*needs the optional package "
                                          "'neuclease'.*DVID server"):
        config.array_type(config)
    ok, reason = config.verify()
    assert not ok and "'neuclease', which is not installed" in reason


def test_bad_source():
    with pytest.raises(ConfigError, match=r"DVIDArrayConfig 'em': source \('server', '', 'x'\) "
                                          "should be three non-empty strings"):
        DVIDArrayConfig(name="em", source=("server", "", "x"))
    config = DVIDArrayConfig(name="em", source=("server", "uuid", "x"))
    config.source = ("server", "", "x")  # changed after it was made: verify() checks again
    ok, reason = config.verify()
    assert not ok and "three non-empty strings" in reason


def test_unreachable_server(fake_neuclease):
    config = DVIDArrayConfig(name="em", source=("http://elsewhere", "a1b2", "grayscale"))
    with pytest.raises(DacapoError, match="fetch_instance_info failed .*cannot connect.*"
                                          "check that the DVID server is reachable"):
        config.array_type(config)


def test_geometry_and_read_with_neuclease(fake_neuclease):
    config = DVIDArrayConfig(name="em", source=SOURCE)
    array = config.array_type(config)
    assert array.voxel_size == Coordinate(8, 4, 4)
    # MaxPoint (9, 7, 3) is inclusive: 4 x 8 x 10 voxels (z, y, x)
    assert array.roi == Roi((0, 0, 0), (32, 32, 40))
    values = array[Roi((8, 4, 8), (16, 8, 4))]
    assert values.shape == (2, 2, 1) and (values == 5).all()
    assert fake_neuclease.calls == [[[1, 1, 2], [3, 3, 3]]]


def test_unsupported_instance_type(fake_neuclease, monkeypatch):
    info = fake_neuclease.fetch_instance_info(*SOURCE)
    monkeypatch.setitem(info["Base"], "TypeName", "keyvalue")
    config = DVIDArrayConfig(name="em", source=SOURCE)
    with pytest.raises(ConfigError, match="instance type 'keyvalue' is not supported"):
        config.array_type(config)
