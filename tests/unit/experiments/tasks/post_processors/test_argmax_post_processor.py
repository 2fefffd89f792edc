import numpy as np
import pytest
import zarr
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.post_processors import (
    ArgmaxPostProcessor,
    ArgmaxPostProcessorParameters,
)
from dacapo.store.array_identifiers import LocalArrayIdentifier


def prediction(data, voxel_size=(1, 1), axes=("c", "y", "x")):
    shape = np.array(data.shape[-len(voxel_size):]) * voxel_size
    return NumpyArray.from_np_array(data, Roi((0,) * len(voxel_size), tuple(shape)), voxel_size, axes)


def test_one_parameter_set():
    assert list(ArgmaxPostProcessor().enumerate_parameters()) == [ArgmaxPostProcessorParameters(id=0)]


def test_argmax_over_channels_of_a_tiny_prediction():
    data = np.array(
        [
            [[0.9, 0.1], [0.2, 0.3]],
            [[0.05, 0.7], [0.1, 0.3]],
            [[0.05, 0.2], [0.7, 0.4]],
        ],
        dtype=np.float32,
    )
    post_processor = ArgmaxPostProcessor()
    post_processor.set_prediction(prediction(data))
    output = post_processor.process(ArgmaxPostProcessorParameters(id=0), block_size=(1, 1))
    assert output.dtype == np.uint8 and output.axes == ["y", "x"]
    np.testing.assert_array_equal(output[output.roi], [[0, 1], [2, 2]])


def test_more_than_256_classes_give_uint64_labels():
    data = np.zeros((300, 1, 2), dtype=np.float32)
    data[299, 0, 0] = data[7, 0, 1] = 1
    post_processor = ArgmaxPostProcessor()
    post_processor.set_prediction(prediction(data))
    output = post_processor.process(ArgmaxPostProcessorParameters(id=0))
    assert output.dtype == np.uint64
    np.testing.assert_array_equal(output[output.roi], [[299, 7]])


def test_zarr_output(tmp_path):
    data = np.array([[[0.1, 0.8]], [[0.9, 0.2]]], dtype=np.float32)
    post_processor = ArgmaxPostProcessor()
    post_processor.set_prediction(prediction(data, voxel_size=(3, 3)))
    post_processor.process(
        ArgmaxPostProcessorParameters(id=0), LocalArrayIdentifier(tmp_path / "o.zarr", "argmax")
    )
    stored = zarr.open(str(tmp_path / "o.zarr"), mode="r")["argmax"]
    np.testing.assert_array_equal(stored[:], [[1, 0]])
    assert stored.attrs["axes"] == ["y", "x"]


def test_prediction_needs_a_channel_axis():
    with pytest.raises(ConfigError, match=r"axes \['y', 'x'\] without a channel axis"):
        ArgmaxPostProcessor().set_prediction(prediction(np.zeros((2, 2)), axes=("y", "x")))
