import numpy as np
import pytest
import torch
from funlib.geometry import Roi

from dacapo.errors import ConfigError
from dacapo.experiments.architectures import DummyArchitectureConfig
from dacapo.experiments.arraytypes import ProbabilityArray
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors import HotDistancePredictor
from dacapo.experiments.tasks.predictors.hot_distance_predictor import HotDistanceActivation


def _gt(labels):
    labels = np.asarray(labels)
    return NumpyArray.from_np_array(labels, Roi((0, 0), labels.shape), (1, 1), ["y", "x"])


def test_target_stacks_masks_on_distances():
    gt = _gt([[0, 3, 0, 0]])
    predictor = HotDistancePredictor(["blob"], 1.0, False)
    target = predictor.create_target(gt)
    assert target.data.shape == (2, 1, 4) and target.dtype == np.float32
    np.testing.assert_array_equal(target.data[0, 0], [0, 1, 0, 0])
    np.testing.assert_allclose(target.data[1, 0], np.tanh([-0.5, 0.5, -0.5, -1.5]), rtol=1e-6)
    assert predictor.output_channels == ["blob", "blob_distance"]
    assert predictor.output_array_type == ProbabilityArray(["blob", "blob_distance"])


def test_weights_balance_both_halves_and_mask_only_distances():
    labels = np.zeros((1, 7), dtype=np.uint8)
    labels[0, 3] = 1
    gt = _gt(labels)
    predictor = HotDistancePredictor(["blob"], 100.0, True)
    target = predictor.create_target(gt)
    weight, counts = predictor.create_weight(gt, target, None, None)
    # hot half: 1 of 7 inside, nothing distance-masked
    np.testing.assert_allclose(
        weight.data[0, 0, [0, 3]], [1 / (2 * 6 / 7), 1 / (2 * 1 / 7)], rtol=1e-6
    )
    # distance half: every voxel is 0.5 from the crop border (a single row), so
    # only |distance| <= 0.5 is kept: voxels 2, 3, 4, of which 1 is inside
    np.testing.assert_array_equal(weight.data[1, 0] > 0, [0, 0, 1, 1, 1, 0, 0])
    assert weight.data[1, 0, 3] == pytest.approx(1 / (2 * 1 / 3))
    assert len(counts) == 2


def test_head_and_eval_activation():
    config = DummyArchitectureConfig("dummy", num_in_channels=1, num_out_channels=2)
    model = HotDistancePredictor(["a", "b"], 1.0, False, kernel_size=3).create_model(
        config.architecture_type(config)
    )
    assert model.num_out_channels == 4
    assert model.prediction_head.kernel_size == (3, 3, 3)
    activation = HotDistanceActivation(1)
    out = activation(torch.tensor([[[0.0], [5.0]], [[1e3], [-5.0]]]).reshape(2, 2, 1))
    np.testing.assert_allclose(out[:, 0, 0].numpy(), [0.0, 1.0])
    np.testing.assert_allclose(out[:, 1, 0].numpy(), [1.0, -1.0])


def test_even_kernel_size_is_an_error():
    with pytest.raises(ConfigError, match="HotDistancePredictor: `kernel_size` must be odd, got 2"):
        HotDistancePredictor(["a"], 1.0, False, kernel_size=2)


@pytest.mark.parametrize("num_classes", [2, 3])
def test_mask_distances_with_a_mask_channel_per_class(num_classes):
    rng = np.random.default_rng(num_classes)
    labels = (rng.random((num_classes, 8, 8)) > 0.7).astype(np.uint8)
    masks = np.ones((num_classes, 8, 8), dtype=np.uint8)
    for c in range(num_classes):
        masks[c, :, 2 * c] = 0
    gt = NumpyArray.from_np_array(labels, Roi((0, 0), (8, 8)), (1, 1), ["c", "y", "x"])
    mask = NumpyArray.from_np_array(masks, Roi((0, 0), (8, 8)), (1, 1), ["c", "y", "x"])
    names = [f"class{c}" for c in range(num_classes)]
    predictor = HotDistancePredictor(names, 3.0, True)
    weight, counts = predictor.create_weight(gt, predictor.create_target(gt), mask, None)
    assert weight.data.shape == (2 * num_classes, 8, 8) and len(counts) == 2 * num_classes
    for c in range(num_classes):  # each class as if predicted alone with its own mask
        single = HotDistancePredictor([names[c]], 3.0, True)
        alone_gt, alone_mask = _gt(labels[c]), _gt(masks[c])
        alone, _ = single.create_weight(
            alone_gt, single.create_target(alone_gt), alone_mask, None
        )
        np.testing.assert_allclose(weight.data[c], alone.data[0], rtol=1e-6)
        np.testing.assert_allclose(weight.data[num_classes + c], alone.data[1], rtol=1e-6)
        assert not weight.data[[c, num_classes + c], :, 2 * c].any()


def test_mask_with_one_channel_per_output_channel_or_a_wrong_count():
    labels = np.zeros((2, 6, 6), dtype=np.uint8)
    labels[0, 1:3, 1:3] = labels[1, 3:5, 3:5] = 1
    gt = NumpyArray.from_np_array(labels, Roi((0, 0), (6, 6)), (1, 1), ["c", "y", "x"])
    predictor = HotDistancePredictor(["a", "b"], 2.0, True)
    target = predictor.create_target(gt)
    per_output = np.ones((4, 6, 6), dtype=np.uint8)
    per_output[0, :, 0] = 0  # hides column 0 from the hot channel of "a" only
    mask = NumpyArray.from_np_array(per_output, Roi((0, 0), (6, 6)), (1, 1), ["c", "y", "x"])
    weight, _ = predictor.create_weight(gt, target, mask, None)
    assert not weight.data[0, :, 0].any() and weight.data[1, :, 0].all()
    wrong = NumpyArray.from_np_array(
        np.ones((3, 6, 6), np.uint8), Roi((0, 0), (6, 6)), (1, 1), ["c", "y", "x"]
    )
    with pytest.raises(ConfigError, match="mask .* gives shape \\(3, 6, 6\\)"):
        predictor.create_weight(gt, target, wrong, None)
