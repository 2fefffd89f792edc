import numpy as np
import pytest
import torch
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors import InnerDistancePredictor


def _gt(labels):
    labels = np.asarray(labels)
    return NumpyArray.from_np_array(labels, Roi((0, 0), labels.shape), (1, 1), ["y", "x"])


def test_touching_instances_are_measured_to_their_own_boundary():
    gt = _gt([[1, 1, 2, 2, 0]])
    target = InnerDistancePredictor(["cell"], 1.0).create_target(gt)
    # voxel 1 and 2 touch another object, voxel 0 touches the border of the crop
    # only (no boundary there), voxel 4 is background
    expected = np.tanh([[1.5, 0.5, 0.5, 0.5, 0.0]])
    np.testing.assert_allclose(target.data[0], expected, rtol=1e-6)
    assert target.dtype == np.float32 and target.axes == ["c", "y", "x"]


def test_background_and_empty_patches_are_zero():
    target = InnerDistancePredictor(["cell"], 1.0).create_target(_gt(np.zeros((3, 3), int)))
    np.testing.assert_array_equal(target.data, np.zeros((1, 3, 3)))


def test_weights_balance_objects_and_background_with_the_mask():
    gt = _gt([[1, 0, 0, 0]])
    predictor = InnerDistancePredictor(["cell"], 1.0)
    target = predictor.create_target(gt)
    mask = _gt(np.array([[1, 1, 1, 0]]))
    weight, counts = predictor.create_weight(gt, target, mask, None)
    np.testing.assert_allclose(weight.data[0, 0], [1.5, 0.75, 0.75, 0.0])
    assert counts == [{0: (2.0, 3.0), 1: (1.0, 3.0)}]


def test_gt_region_is_the_target_region():
    roi = Roi((0, 0), (10, 10))
    assert InnerDistancePredictor(["cell"], 1.0).gt_region_for_roi(roi) is roi


def test_model_clamps_to_the_target_range_in_eval_mode():
    config = DummyArchitectureConfig("dummy", num_in_channels=1, num_out_channels=2)
    model = InnerDistancePredictor(["a"], 1.0).create_model(config.architecture_type(config))
    model.eval()
    with torch.no_grad():
        out = model(100 * torch.randn(1, 1, 40, 20, 20))
    assert out.min() >= 0 and out.max() <= 1


def test_bad_scale_factor_is_an_error():
    with pytest.raises(
        ConfigError,
        match="InnerDistancePredictor: `scale_factor` must be .* > 0, got -1.0",
    ):
        InnerDistancePredictor(["a"], -1.0)
