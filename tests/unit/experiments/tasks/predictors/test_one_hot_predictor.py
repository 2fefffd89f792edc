import numpy as np
import pytest
import torch
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.arraytypes import ProbabilityArray
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors import OneHotPredictor


def _array(data, axes=("y", "x")):
    data = np.asarray(data)
    return NumpyArray.from_np_array(data, Roi((0, 0), data.shape[-2:]), (1, 1), list(axes))


def test_target_is_the_class_id_of_each_voxel():
    gt = _array(np.array([[0, 1], [2, 0]], dtype=np.uint8))
    target = OneHotPredictor(["bg", "a", "b"]).create_target(gt)
    assert target.dtype == np.int64 and target.axes == ["y", "x"]
    np.testing.assert_array_equal(target.data, [[0, 1], [2, 0]])


def test_weights_balance_the_classes_under_the_mask():
    gt = _array(np.array([[0, 0, 0, 1, 1]], dtype=np.uint8))
    predictor = OneHotPredictor(["bg", "a"])
    target = predictor.create_target(gt)
    mask = _array(np.array([[1, 1, 0, 1, 1]]))
    weight, counts = predictor.create_weight(gt, target, mask, None)
    assert weight.axes == ["y", "x"] and weight.dtype == np.float32
    np.testing.assert_allclose(weight.data, [[1.0, 1.0, 0.0, 1.0, 1.0]])
    assert counts == [{0: (2.0, 4.0), 1: (2.0, 4.0)}]


def test_model_predicts_probabilities_in_eval_mode():
    config = DummyArchitectureConfig("dummy", num_in_channels=1, num_out_channels=2)
    model = OneHotPredictor(["bg", "a", "b"], kernel_size=3).create_model(
        config.architecture_type(config)
    )
    assert model.num_out_channels == 3
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(1, 1, 40, 20, 20))
    torch.testing.assert_close(out.sum(dim=1), torch.ones_like(out[:, 0]))
    assert OneHotPredictor(["bg", "a"]).output_array_type == ProbabilityArray(["bg", "a"])


def test_ids_without_a_class_are_an_error():
    with pytest.raises(ConfigError, match=r"holds ids \[2, 7\] outside \[0, 2\)"):
        OneHotPredictor(["bg", "a"]).create_target(_array(np.array([[0, 2], [7, 1]])))


def test_float_labels_are_an_error():
    with pytest.raises(ConfigError, match="expected integer class ids"):
        OneHotPredictor(["bg", "a"]).create_target(_array(np.zeros((2, 2), dtype=np.float32)))


def test_multichannel_gt_is_an_error():
    gt = _array(np.zeros((2, 2, 2), dtype=np.uint8), axes=("c", "y", "x"))
    with pytest.raises(ConfigError, match="has 2 channel"):
        OneHotPredictor(["bg", "a"]).create_target(gt)


def test_empty_classes_are_an_error():
    with pytest.raises(
        ConfigError,
        match=r"OneHotPredictor: `classes` must be a non-empty list .*, got \[\]",
    ):
        OneHotPredictor([])
