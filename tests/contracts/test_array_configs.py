"""Contract suite run over every concrete registered ``ArrayConfig``.

Each class gets its example from ``array_examples.EXAMPLES``. A registered
class without an example fails ``test_has_an_example`` (and every other test
of the suite for it).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import yaml
from funlib.geometry import Coordinate, Roi

from dacapo.errors import DacapoError, RoiError
from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig
from dacapo.store.converter import converter


def _load_examples():
    path = Path(__file__).with_name("array_examples.py")
    spec = importlib.util.spec_from_file_location("_dacapo_array_examples", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXAMPLES


EXAMPLES = _load_examples()
ALL = [cls.__name__ for cls in ArrayConfig.registry().concrete()]
# no DVID server here: opening must fail clearly instead
UNOPENABLE = {"DVIDArrayConfig"}
# verify() is False by design, yet the array opens
NEVER_VALID = {"DummyArrayConfig"}
OPENABLE = [name for name in ALL if name not in UNOPENABLE]
# fixed unit voxel size: no unaligned ROI exists
UNIT_VOXELS = {"DummyArrayConfig"}


@pytest.fixture
def example(request, tmp_path):
    name = request.param
    if name not in EXAMPLES:
        pytest.fail(
            f"{name} is a registered ArrayConfig without an example; add one to "
            "tests/contracts/array_examples.py"
        )
    config = EXAMPLES[name](tmp_path)
    assert type(config).__name__ == name
    return config


def _open(config):
    return config.array_type(config)


def test_registry_is_not_empty():
    assert "ZarrArrayConfig" in ALL and "ConcatArrayConfig" in ALL


@pytest.mark.parametrize("name", ALL)
def test_has_an_example(name):
    assert name in EXAMPLES, f"add an example for {name} to tests/contracts/array_examples.py"


def test_every_example_is_registered():
    assert sorted(set(EXAMPLES) - set(ALL)) == []


@pytest.mark.parametrize("example", ALL, indirect=True)
def test_store_round_trip(example):
    stored = yaml.safe_dump(converter.unstructure(example))
    loaded = converter.structure(yaml.safe_load(stored), ArrayConfig)
    assert type(loaded) is type(example)
    assert loaded == example


@pytest.mark.parametrize("example", sorted(UNOPENABLE & set(ALL)), indirect=True)
def test_unreachable_source_fails_clearly(example):
    ok, reason = example.verify()
    assert not ok and reason
    with pytest.raises(DacapoError, match="DVID"):
        _open(example)


@pytest.mark.parametrize("example", OPENABLE, indirect=True)
def test_verify(example):
    ok, reason = example.verify()
    assert ok is (type(example).__name__ not in NEVER_VALID), reason
    assert isinstance(reason, str) and reason


@pytest.mark.parametrize("example", OPENABLE, indirect=True)
def test_geometry_is_consistent(example):
    array = _open(example)
    spatial = [axis for axis in array.axes if axis not in ("c", "b")]
    non_spatial = [axis for axis in array.axes if axis in ("c", "b")]
    assert len(spatial) == array.dims
    assert len(array.axes) == array.dims + len(non_spatial)
    assert array.voxel_size.dims == array.roi.dims == array.dims
    assert not array.roi.empty
    assert array.roi.shape % array.voxel_size == Coordinate((0,) * array.dims)
    assert array.shape[array.channel_dims:] == tuple(array.roi.shape / array.voxel_size)
    if "c" in array.axes:
        assert array.num_channels == array.shape[array.axes.index("c")]
    else:  # as upstream DaCapo: callers test ``num_channels is not None``
        assert array.num_channels is None
    assert hasattr(array.attrs, "get")
    assert isinstance(repr(array), str)


@pytest.mark.parametrize("example", OPENABLE, indirect=True)
def test_read_whole_roi(example):
    array = _open(example)
    data = array[array.roi]
    assert isinstance(data, np.ndarray)
    assert data.shape == array.shape
    assert data.shape[data.ndim - array.dims:] == tuple(array.roi.shape / array.voxel_size)
    assert data.dtype == np.dtype(array.dtype)


@pytest.mark.parametrize("example", OPENABLE, indirect=True)
def test_read_one_voxel_matches_whole_read(example):
    array = _open(example)
    whole = array[array.roi]
    corner = Roi(array.roi.end - array.voxel_size, array.voxel_size)
    last = (Ellipsis,) + (slice(-1, None),) * array.dims
    np.testing.assert_array_equal(array[corner], whole[last])


@pytest.mark.parametrize("example", OPENABLE, indirect=True)
def test_writes(example):
    array = _open(example)
    roi = Roi(array.roi.offset, array.voxel_size * 2).intersect(array.roi)
    shape = array.shape[: array.channel_dims] + tuple(roi.shape / array.voxel_size)
    values = (np.arange(int(np.prod(shape))) % 7 + 1).reshape(shape).astype(array.dtype)
    if array.writable:
        array[roi] = values
        np.testing.assert_array_equal(array[roi], values)
    else:
        with pytest.raises(DacapoError, match="read-only"):
            array[roi] = values


@pytest.mark.parametrize("example", sorted(set(OPENABLE) - UNIT_VOXELS), indirect=True)
def test_unaligned_roi_raises(example):
    array = _open(example)
    step = Coordinate(1 if v > 1 else 0 for v in array.voxel_size)
    assert any(step), f"example voxel size {array.voxel_size} has no axis above 1"
    with pytest.raises(RoiError, match="not aligned"):
        array[Roi(array.roi.offset + step, array.voxel_size)]


@pytest.mark.parametrize("example", OPENABLE, indirect=True)
def test_roi_outside_raises(example):
    array = _open(example)
    with pytest.raises(RoiError, match="not inside"):
        array[array.roi.grow(array.voxel_size, array.voxel_size)]
