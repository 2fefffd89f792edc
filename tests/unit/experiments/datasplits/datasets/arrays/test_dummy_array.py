"""DummyArray: the (100, 50, 50) zeros test fixture."""

from __future__ import annotations

from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import DummyArrayConfig


def test_dummy_array():
    config = DummyArrayConfig(name="dummy")
    array = config.array_type(config)
    assert array.shape == (100, 50, 50)
    assert array.voxel_size == Coordinate(1, 1, 1)
    assert array.axes == ["z", "y", "x"]
    assert array.roi == Roi((0, 0, 0), (100, 50, 50))
    assert array[Roi((10, 10, 10), (2, 3, 4))].shape == (2, 3, 4)
    assert not array[array.roi].any()


def test_dummy_config_is_never_valid():
    assert DummyArrayConfig(name="dummy").verify() == (
        False,
        "This is a DummyArrayConfig and is never valid",
    )
