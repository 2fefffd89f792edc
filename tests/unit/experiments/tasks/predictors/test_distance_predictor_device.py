"""``DistancePredictor.device_targets``: the target and weights of one sample
computed with torch are those of ``create_target`` and ``create_weight``."""

import numpy as np
import pytest
import torch
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors import DistancePredictor
from dacapo.experiments.tasks.predictors.hot_distance_predictor import HotDistancePredictor
from dacapo.experiments.trainers._batch_feeder import compact_tensor

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def blobs(shape, seed, objects=6):
    """Instance ids of a nearest-seed partition, background where ids are odd."""
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, shape, (objects, len(shape)))
    grid = np.stack(np.meshgrid(*[np.arange(n) for n in shape], indexing="ij"), -1)
    nearest = np.argmin(((grid[..., None, :] - seeds) ** 2).sum(-1), -1)
    return np.where(nearest % 2 == 0, nearest + 1, 0).astype(np.uint64)


def wrap(data, voxel_size, channels=False):
    spatial = data.shape[-len(voxel_size):]
    roi = Roi((0,) * len(voxel_size), Coordinate(spatial) * Coordinate(voxel_size))
    axes = (["c"] if channels else []) + ["z", "y", "x"][-len(voxel_size):]
    return NumpyArray.from_np_array(data, roi, Coordinate(voxel_size), axes)


def on_cpu(predictor, gt, mask, voxel_size, counts):
    """``create_target`` and ``create_weight`` cropped to the output, as the
    trainer's target filter crops them."""
    gt_array = wrap(gt, voxel_size, channels=gt.ndim > len(voxel_size))
    mask_array = None if mask is None else wrap(mask, voxel_size)
    target = predictor.create_target(gt_array)
    weight, counts = predictor.create_weight(gt_array, target, mask_array, counts)
    output = gt_array.roi.grow(-predictor.padding(gt_array.voxel_size),
                               -predictor.padding(gt_array.voxel_size))
    return target[output], weight[output], counts


def on_device(predictor, gt, mask, voxel_size, counts, device="cpu"):
    """``device_targets`` of the ground truth as the data workers hand it over
    (``device_gt``, then ``compact_tensor``)."""
    gt_t = compact_tensor(predictor.device_gt(gt)[None]).to(device)  # a batch of one
    mask_t = None if mask is None else compact_tensor(mask[None]).to(device)
    target, weight, counts = predictor.device_targets(gt_t, mask_t, Coordinate(voxel_size), counts)
    return target[0].cpu().numpy(), weight[0].cpu().numpy(), counts


def same(cpu, device):
    """Equal values; tanh of numpy and torch may differ in the last bit."""
    np.testing.assert_allclose(device[0], cpu[0], rtol=0, atol=2e-7)
    np.testing.assert_array_equal(device[1], cpu[1])


@pytest.mark.parametrize("mask_distances", [True, False])
@pytest.mark.parametrize("mask_kind", [None, "binary", "fractional"])
@pytest.mark.parametrize("voxel_size", [(4, 4, 4), (8, 2, 3)])
def test_device_targets_are_the_cpu_targets_sample_after_sample(mask_distances, mask_kind,
                                                                voxel_size):
    predictor = DistancePredictor(["fg"], scale_factor=12.0, mask_distances=mask_distances)
    cpu_counts = device_counts = None
    for seed in range(3):  # running class counts carried from sample to sample
        shape = tuple(np.array((14, 15, 16)) + 2 * np.array(predictor.padding(
            Coordinate(voxel_size))) // np.array(voxel_size))
        gt = blobs(shape, seed)
        rng = np.random.default_rng(seed + 10)
        mask = {None: None, "binary": (rng.random(shape) > 0.2).astype(np.float32),
                "fractional": rng.random(shape).astype(np.float32)}[mask_kind]
        cpu = on_cpu(predictor, gt, mask, voxel_size, cpu_counts)
        device = on_device(predictor, gt, mask, voxel_size, device_counts)
        same(cpu, device)
        assert device[0].shape == (1, 14, 15, 16)
        cpu_counts, device_counts = cpu[2], device[2]


@pytest.mark.parametrize("mask_distances", [True, False])
def test_a_batch_is_its_samples_one_after_the_other(mask_distances):
    predictor = DistancePredictor(["fg"], scale_factor=8.0, mask_distances=mask_distances)
    pad = np.array(predictor.padding(Coordinate(4, 4, 4))) // 4
    shape = tuple(np.array((10, 12, 11)) + 2 * pad)
    gts = [blobs(shape, seed) for seed in (3, 4, 5)]
    masks = [(np.random.default_rng(seed).random(shape) > 0.2).astype(np.uint8)
             for seed in (3, 4, 5)]
    counts = None
    expected = []
    for gt, mask in zip(gts, masks):
        target, weight, counts = on_cpu(predictor, gt, mask, (4, 4, 4), counts)
        expected.append((target, weight))
    batch = compact_tensor(np.stack([predictor.device_gt(gt) for gt in gts]))
    target, weight, _ = predictor.device_targets(
        batch, compact_tensor(np.stack(masks)), Coordinate(4, 4, 4))
    for sample, (want_target, want_weight) in enumerate(expected):
        same((want_target, want_weight), (target[sample].numpy(), weight[sample].numpy()))


def test_several_classes_with_their_own_ground_truth_channels():
    predictor = DistancePredictor(["a", "b"], scale_factor=3.0, mask_distances=True)
    pad = predictor.padding(Coordinate(1, 1)) * 2
    shape = (12 + pad[0], 13 + pad[1])
    gt = np.stack([blobs(shape, 1) != 0, blobs(shape, 2) != 0]).astype(np.uint8)
    same(on_cpu(predictor, gt, None, (1, 1), None), on_device(predictor, gt, None, (1, 1), None))


def test_subclasses_with_their_own_targets_compute_them_on_the_cpu():
    assert DistancePredictor(["fg"], 1.0, True).supports_device_targets
    hot = HotDistancePredictor(["fg"], 1.0, True)
    assert not hot.supports_device_targets


def test_ground_truth_with_the_wrong_channels_is_a_clear_error():
    predictor = DistancePredictor(["a", "b", "c"], scale_factor=3.0, mask_distances=False)
    gt = torch.zeros((1, 2, 8, 8), dtype=torch.int64)
    with pytest.raises(ConfigError, match=r"2 channel\(s\) but 3 are predicted"):
        predictor.device_targets(gt, None, Coordinate(1, 1))


def test_a_mask_with_the_wrong_channels_is_a_clear_error():
    predictor = DistancePredictor(["a", "b", "c"], scale_factor=3.0, mask_distances=False)
    gt = torch.zeros((1, 3, 8, 8), dtype=torch.int64)
    with pytest.raises(ConfigError, match="mask of a training batch .* has 2 channels"):
        predictor.device_targets(gt, torch.ones((1, 2, 8, 8)), Coordinate(1, 1))


@needs_cuda
def test_device_targets_on_a_gpu_are_the_cpu_targets():
    predictor = DistancePredictor(["fg"], scale_factor=12.0, mask_distances=True)
    pad = np.array(predictor.padding(Coordinate(4, 4, 4))) // 4
    gt = blobs(tuple(16 + 2 * pad), 5)
    same(on_cpu(predictor, gt, None, (4, 4, 4), None),
         on_device(predictor, gt, None, (4, 4, 4), None, device="cuda"))


@pytest.mark.parametrize(("ids", "dtype"), [(200, np.uint8), (300, np.uint16)])
def test_device_ground_truth_is_renumbered_into_the_smallest_type(ids, dtype):
    predictor = DistancePredictor(["fg"], scale_factor=3.0, mask_distances=False)
    rng = np.random.default_rng(ids)
    gt = rng.choice(np.arange(ids, dtype=np.uint64) * 2**40, size=(20, 20, 20))
    gt[0] = 0
    compact = predictor.device_gt(gt)
    assert compact.dtype == dtype
    # the same voxels share an id, and 0 stays 0
    assert np.array_equal(compact == 0, gt == 0)
    _, first = np.unique(gt, return_index=True)
    assert len(np.unique(compact)) == len(first)
    assert np.array_equal(compact.ravel()[np.argsort(gt.ravel(), kind="stable")] != 0,
                          np.sort(gt.ravel()) != 0)
