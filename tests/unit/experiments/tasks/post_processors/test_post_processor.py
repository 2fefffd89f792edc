import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.post_processors import (
    ThresholdPostProcessor,
    ThresholdPostProcessorParameters,
)
from dacapo.experiments.tasks.post_processors.post_processor import iterate_blocks


def test_blocks_tile_the_roi_and_the_last_one_is_cropped():
    # roi [0, 10), blocks of 4: [0, 4) [4, 8) [8, 10)
    blocks = list(iterate_blocks(Roi((0,), (10,)), Coordinate(4)))
    assert blocks == [Roi((0,), (4,)), Roi((4,), (4,)), Roi((8,), (2,))]


def test_blocks_in_2d_start_at_the_roi_offset():
    blocks = list(iterate_blocks(Roi((2, 4), (4, 6)), Coordinate(4, 4)))
    assert blocks == [Roi((2, 4), (4, 4)), Roi((2, 8), (4, 2))]


@pytest.mark.parametrize("block_size", [(4,), (0, 4), (2, -1)])
def test_block_size_must_fit_the_prediction(block_size):
    array = NumpyArray.from_np_array(
        np.zeros((1, 4, 4), np.float32), Roi((0, 0), (4, 4)), (1, 1), ["c", "y", "x"]
    )
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(array)
    with pytest.raises(ConfigError, match="does not fit the 2D prediction"):
        post_processor.process(ThresholdPostProcessorParameters(id=0), block_size=block_size)


def test_set_prediction_needs_an_array_or_identifier():
    with pytest.raises(ConfigError, match="expected an Array or a LocalArrayIdentifier, got str"):
        ThresholdPostProcessor().set_prediction("prediction.zarr/prediction")


def test_a_3d_block_size_applies_its_trailing_entries_to_2d_predictions():
    data = np.arange(16, dtype=np.float32).reshape(1, 4, 4)
    array = NumpyArray.from_np_array(data, Roi((0, 0), (4, 4)), (1, 1), ["c", "y", "x"])
    post_processor = ThresholdPostProcessor()
    post_processor.set_prediction(array)
    output = post_processor.process(
        ThresholdPostProcessorParameters(id=0, threshold=7.5), block_size=(99, 3, 3)
    )
    np.testing.assert_array_equal(output[output.roi], data > 7.5)
