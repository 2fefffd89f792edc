"""open_array: one way from an Array or a LocalArrayIdentifier to an Array."""

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays._open_array import open_array
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray
from dacapo.store.local_array_store import LocalArrayIdentifier


def test_an_array_is_returned_as_is():
    array = NumpyArray.from_np_array(np.zeros((2, 2)), Roi((0, 0), (2, 2)), (1, 1), ["y", "x"])
    assert open_array(array, "test") is array


def test_an_identifier_opens_its_zarr_dataset(tmp_path, make_zarr):
    data = np.arange(16, dtype=np.uint8).reshape(4, 4)
    make_zarr(tmp_path / "out.zarr", "pred", data, voxel_size=(2, 2))
    array = open_array(LocalArrayIdentifier(tmp_path / "out.zarr", "pred"), "test")
    assert isinstance(array, ZarrArray)
    assert np.array_equal(array[array.roi], data)


def test_anything_else_names_the_caller_and_the_fix():
    with pytest.raises(
        ConfigError,
        match=r"set_prediction: expected an Array or a LocalArrayIdentifier, got str "
        r"'p\.zarr/pred'; to name a zarr dataset, pass LocalArrayIdentifier\(container, dataset\)",
    ):
        open_array("p.zarr/pred", "set_prediction")
