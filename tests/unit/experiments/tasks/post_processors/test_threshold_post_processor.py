import re

import numpy as np
import pytest
import zarr
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.post_processors import (
    ArgmaxPostProcessorParameters,
    ThresholdPostProcessor,
    ThresholdPostProcessorParameters,
)
from dacapo.store.array_identifiers import LocalArrayIdentifier


def prediction(data, voxel_size=(2, 2), offset=(0, 0), axes=("c", "y", "x")):
    shape = np.array(data.shape[-len(voxel_size):]) * voxel_size
    return NumpyArray.from_np_array(data, Roi(offset, tuple(shape)), voxel_size, axes)


def thresholds(post_processor):
    return [p.threshold for p in post_processor.enumerate_parameters()]


def test_threshold_of_a_tiny_float_prediction():
    data = np.array([[[-0.9, -0.2, 0.3], [0.7, 0.0, 1.0]]], dtype=np.float32)
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(prediction(data, offset=(4, 6)))
    output = post_processor.process(ThresholdPostProcessorParameters(id=0, threshold=0.0))
    assert isinstance(output, NumpyArray)
    assert output.dtype == np.uint8 and output.axes == ["c", "y", "x"]
    assert output.roi == Roi((4, 6), (4, 6))
    np.testing.assert_array_equal(output[output.roi], [[[0, 0, 1], [1, 0, 1]]])


def test_each_channel_is_thresholded():
    data = np.array([[[0.2, 0.8]], [[0.9, 0.1]]], dtype=np.float32)
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(prediction(data))
    output = post_processor.process(ThresholdPostProcessorParameters(id=2, threshold=0.5))
    np.testing.assert_array_equal(output[output.roi], [[[0, 1]], [[1, 0]]])


def grid(low, high):
    """The 19 thresholds at 5%, 10%, ... 95% of [low, high]."""
    return [round(low + k / 20 * (high - low), 4) for k in range(1, 20)]


def test_grid_fits_the_values_the_prediction_holds():
    post_processor = ThresholdPostProcessor(value_range=(-1, 1))
    post_processor.set_prediction(prediction(np.array([[[-0.08, 0.06]]], dtype=np.float32)))
    assert thresholds(post_processor) == grid(np.float32(-0.08), np.float32(0.06))
    assert all(-0.08 < t < 0.06 for t in thresholds(post_processor))


def test_grid_of_a_trained_tanh_distance_prediction_holds_zero():
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(prediction(np.array([[[-1.0, 0.2, 1.0]]], dtype=np.float32)))
    assert thresholds(post_processor) == grid(-1.0, 1.0)
    assert 0.0 in thresholds(post_processor) and thresholds(post_processor)[0] == -0.9


def test_grid_fits_uint8_encoded_predictions():
    post_processor = ThresholdPostProcessor(value_range=(-1, 1))
    post_processor.set_prediction(prediction(np.array([[[3, 203]]], dtype=np.uint8)))
    assert thresholds(post_processor) == grid(3, 203)


def test_grid_ignores_nan_and_widens_a_constant_prediction():
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(prediction(np.array([[[-3.0, 5.0, np.nan]]], dtype=np.float32)))
    assert thresholds(post_processor) == grid(-3.0, 5.0)
    post_processor.set_prediction(prediction(np.array([[[0.5, 0.5]]], dtype=np.float32)))
    assert thresholds(post_processor) == grid(-0.5, 1.5)


def test_grid_before_any_prediction_spans_the_value_range():
    parameters = list(ThresholdPostProcessor().enumerate_parameters())
    assert [p.id for p in parameters] == list(range(19))
    assert [p.threshold for p in parameters] == grid(-1.0, 1.0)
    assert [str(p) for p in parameters][:2] == ["threshold_-0.9", "threshold_-0.8"]
    assert all(re.fullmatch(r"[\w.\-]+", str(p)) for p in parameters)
    assert thresholds(ThresholdPostProcessor(value_range=(0, 1))) == grid(0.0, 1.0)


def test_blocks_and_threads_give_the_same_output():
    rng = np.random.default_rng(1)
    data = rng.uniform(-1, 1, size=(2, 5, 7)).astype(np.float32)
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(prediction(data))
    parameters = ThresholdPostProcessorParameters(id=0, threshold=0.25)
    output = post_processor.process(parameters, num_workers=3, block_size=(2, 3))
    np.testing.assert_array_equal(output[output.roi], data > 0.25)


def test_zarr_prediction_in_and_zarr_output_out(tmp_path, make_zarr):
    data = np.array([[[[0.1, 0.9], [0.6, 0.4]]]], dtype=np.float32)
    make_zarr(tmp_path / "pred.zarr", "prediction", data, voxel_size=(4, 2, 2), offset=(8, 0, 2))
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(LocalArrayIdentifier(tmp_path / "pred.zarr", "prediction"))
    parameters = list(post_processor.enumerate_parameters())[9]  # 50% of [0.1, 0.9]
    output_id = LocalArrayIdentifier(tmp_path / "out.zarr", f"output/{parameters}")
    output = post_processor.process(parameters, output_id)
    assert output.roi == Roi((8, 0, 2), (4, 4, 4))
    stored = zarr.open(str(tmp_path / "out.zarr"), mode="r")["output/threshold_0.5"]
    np.testing.assert_array_equal(stored[:], [[[[0, 1], [1, 0]]]])
    assert stored.attrs["resolution"] == [4, 2, 2] and stored.attrs["offset"] == [8, 0, 2]


@pytest.mark.parametrize("value_range", [(1, 1), (0, 1, 2)])
def test_value_range_must_be_low_and_high(value_range):
    with pytest.raises(ConfigError, match=r"value_range \(.*\) must be \(low, high\)"):
        ThresholdPostProcessor(value_range=value_range)


def test_process_needs_a_prediction():
    with pytest.raises(RuntimeError, match="call set_prediction"):
        ThresholdPostProcessor().process(ThresholdPostProcessorParameters(id=0))


def test_process_needs_its_own_parameters():
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(prediction(np.zeros((1, 2, 2), dtype=np.float32)))
    with pytest.raises(ConfigError, match="expected ThresholdPostProcessorParameters, got Argmax"):
        post_processor.process(ArgmaxPostProcessorParameters(id=0))


def test_a_prediction_without_finite_values_cannot_be_fitted():
    post_processor = ThresholdPostProcessor()
    with pytest.raises(ConfigError, match="holds no finite values"):
        post_processor.set_prediction(prediction(np.full((1, 2, 2), np.nan, np.float32)))
