import numpy as np
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.post_processors import (
    DummyPostProcessor,
    DummyPostProcessorParameters,
)


def test_grid_is_min_size_one_to_ten():
    parameters = list(DummyPostProcessor(detection_threshold=0.5).enumerate_parameters())
    assert [p.id for p in parameters] == list(range(10))
    assert [p.min_size for p in parameters] == list(range(1, 11))
    assert str(parameters[2]) == "min_size_3"


def test_thresholds_and_removes_small_objects():
    data = np.array([[[0.9, 0.0, 0.8, 0.7, 0.0, 0.6]]], dtype=np.float32)
    array = NumpyArray.from_np_array(data, Roi((0, 0), (1, 6)), (1, 1), ["c", "y", "x"])
    post_processor = DummyPostProcessor(detection_threshold=0.5)
    post_processor.set_prediction(array)
    keep_all = post_processor.process(DummyPostProcessorParameters(id=0, min_size=1))
    np.testing.assert_array_equal(keep_all[keep_all.roi], [[1, 0, 1, 1, 0, 1]])
    keep_pairs = post_processor.process(DummyPostProcessorParameters(id=1, min_size=2))
    np.testing.assert_array_equal(keep_pairs[keep_pairs.roi], [[0, 0, 1, 1, 0, 0]])
