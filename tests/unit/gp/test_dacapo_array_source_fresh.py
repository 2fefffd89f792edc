"""DaCapoArraySource hands on arrays that build a new array on every read
without a second copy, and still copies everything else."""

import gunpowder as gp
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    BinarizeArrayConfig,
    IntensitiesArrayConfig,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.gp import DaCapoArraySource

KEY = gp.ArrayKey("FRESH")
DATA = np.arange(24, dtype=np.uint8).reshape(4, 6) % 5


def _zarr(tmp_path, make_zarr):
    make_zarr(tmp_path / "data.zarr", "labels", DATA, (2, 2), None)
    config = ZarrArrayConfig(name="labels", file_name=tmp_path / "data.zarr", dataset="labels")
    return config.array_type(config), config


def _arrays(tmp_path, make_zarr):
    zarr_array, config = _zarr(tmp_path, make_zarr)
    scaled = IntensitiesArrayConfig(name="scaled", source_array_config=config, min=0, max=4)
    binary = BinarizeArrayConfig(name="binary", source_array_config=config,
                                 groupings=[("three", [3])])
    return [zarr_array, scaled.array_type(scaled), binary.array_type(binary)]


def _read_twice(array):
    source = DaCapoArraySource(array, KEY)
    roi = Roi((2, 2), (4, 6))
    request = gp.BatchRequest()
    request[KEY] = gp.ArraySpec(roi=roi)
    with gp.build(source):
        first = source.request_batch(request)[KEY].data
        expected = first.copy()
        first += 1  # a downstream node modifying its batch in place
        second = source.request_batch(request)[KEY].data
    return source, first, second, expected


def test_fresh_reads_are_not_copied_and_batches_stay_independent(tmp_path, make_zarr):
    for array in _arrays(tmp_path, make_zarr):
        source, first, second, expected = _read_twice(array)
        assert source._fresh, type(array).__name__
        assert second.flags.writeable and second.dtype == np.dtype(array.dtype)
        assert not np.shares_memory(first, second)
        np.testing.assert_array_equal(second, expected)  # the modification did not leak


def test_in_memory_arrays_and_subclasses_are_still_copied(tmp_path, make_zarr):
    class LoggingZarrArray(ZarrArray):
        pass

    zarr_array, _ = _zarr(tmp_path, make_zarr)
    subclassed = object.__new__(LoggingZarrArray)
    subclassed.__dict__.update(zarr_array.__dict__)
    in_memory = NumpyArray.from_np_array(DATA.copy(), Roi((0, 0), (8, 12)), Coordinate(2, 2),
                                         ["y", "x"])
    for array in (subclassed, in_memory):
        source, first, second, expected = _read_twice(array)
        assert not source._fresh
        np.testing.assert_array_equal(second, expected)
    np.testing.assert_array_equal(in_memory.data, DATA)  # the source array is untouched
