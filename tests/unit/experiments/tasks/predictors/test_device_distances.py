"""The torch distance targets equal the numpy ones of ``_distances`` value for value."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import ndimage

from dacapo.errors import ConfigError
from dacapo.experiments.tasks.predictors import _device_distances, _distances
from dacapo.experiments.tasks.predictors._device_distances import (
    boundary_distances_torch,
    distance_mask_torch,
    normalised_torch,
    signed_distances_torch,
    unseen_distances_torch,
)

WHOLE = [
    ((17,), (3,)),
    ((1,), (2,)),
    ((9, 14), (1, 1)),
    ((13, 6), (7, 2)),
    ((1, 8), (4, 4)),
    ((8, 9, 10), (1, 1, 1)),
    ((12, 10, 11), (4, 4, 4)),
    ((7, 11, 9), (8, 2, 3)),
    ((24, 24, 24), (8, 2, 3)),
]
FRACTIONAL = [
    ((9, 7, 8), (0.5, 1.5, 1)),
    ((10, 9, 8), (0.1, 0.37, 1.3)),  # not exact in float32: equal to rounding
    ((12, 10), (0.3, 1.1)),
    ((11,), (0.7,)),
]


def _labels(shape, kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "binary":
        return rng.integers(0, 2, size=shape).astype(bool)
    if kind == "instances":  # ids side by side: touching objects
        return rng.integers(0, 6, size=shape).astype(np.int64)
    smooth = ndimage.gaussian_filter(rng.normal(size=shape), 1.5)
    return (smooth > 0.05).astype(np.int64) * (1 + (smooth > 0.5))  # nested blobs


def _torch(array):
    return torch.from_numpy(np.ascontiguousarray(array))


@pytest.mark.parametrize(("shape", "voxel_size"), WHOLE)
@pytest.mark.parametrize("kind", ["binary", "instances", "blobs"])
@pytest.mark.parametrize("seed", [0, 1])
def test_boundary_distances_equal_numpy_bit_for_bit(shape, voxel_size, kind, seed):
    labels = _labels(shape, kind, seed)
    distances = boundary_distances_torch(_torch(labels), voxel_size)
    assert distances.dtype == torch.float32 and distances.shape == labels.shape
    np.testing.assert_array_equal(
        distances.numpy(), _distances.boundary_distances(labels, voxel_size)
    )


@pytest.mark.parametrize("window", [1, 3, 16])
def test_the_gpu_passes_equal_numpy_bit_for_bit_on_any_device(monkeypatch, window):
    """The unfolded passes (a GPU's) with their kept offset tables, run twice."""
    monkeypatch.setattr(_device_distances, "_shifted_minima", _device_distances._unfolded_minima)
    monkeypatch.setattr(_device_distances, "WINDOW", window)
    for seed in (3, 4):
        labels = _labels((12, 40, 17), "blobs", seed)
        expected = _distances.boundary_distances(labels, (4, 2, 3))
        distances = boundary_distances_torch(_torch(labels), (4, 2, 3))
        np.testing.assert_array_equal(distances.numpy(), expected)


@pytest.mark.parametrize(("shape", "voxel_size"), FRACTIONAL)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_boundary_distances_with_fractional_voxels_equal_numpy(shape, voxel_size, seed):
    labels = _labels(shape, "instances", seed)
    expected = _distances.boundary_distances(labels, voxel_size)
    distances = boundary_distances_torch(_torch(labels), voxel_size).numpy()
    assert np.array_equal(np.isinf(distances), np.isinf(expected))
    np.testing.assert_allclose(distances, expected, rtol=1e-6)


def test_touching_instances_have_a_boundary_between_them():
    labels = torch.tensor([1, 1, 2, 2, 2])
    distances = boundary_distances_torch(labels, (4,))
    np.testing.assert_array_equal(distances.numpy(), [6, 2, 2, 6, 10])


@pytest.mark.parametrize("shape", [(1,), (1, 1, 1), (5,), (4, 6), (3, 5, 4)])
@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_no_face_gives_inf_and_signs_follow_the_labels(shape, dtype):
    voxel_size = (2,) * len(shape)
    ones = torch.ones(shape, dtype=dtype)
    assert torch.all(boundary_distances_torch(ones, voxel_size) == torch.inf)
    assert torch.all(signed_distances_torch(ones, voxel_size) == torch.inf)
    signed = signed_distances_torch(torch.zeros(shape, dtype=dtype), voxel_size)
    assert signed.dtype == torch.float32 and torch.all(signed == -torch.inf)


@pytest.mark.parametrize("shape", [(0,), (0, 5), (4, 0, 3)])
def test_empty_volumes_equal_numpy(shape):
    labels = np.zeros(shape, dtype=np.int64)
    distances = boundary_distances_torch(_torch(labels), (2,) * len(shape))
    assert distances.shape == shape and distances.dtype == torch.float32
    unseen = unseen_distances_torch(_torch(labels), (2,) * len(shape))
    assert unseen.shape == _distances.unseen_distances(labels, (2,) * len(shape)).shape


def test_bool_and_int64_labels_give_the_same_distances():
    labels = _labels((10, 9, 8), "binary", 3)
    as_bool = boundary_distances_torch(_torch(labels), (8, 2, 3))
    as_int = boundary_distances_torch(_torch(labels.astype(np.int64)), (8, 2, 3))
    assert torch.equal(as_bool, as_int)


def test_chunked_min_plus_passes_give_the_same_distances(monkeypatch):
    labels = _torch(_labels((9, 10, 11), "blobs", 4))
    whole = boundary_distances_torch(labels, (4, 4, 4))
    monkeypatch.setattr(_device_distances, "_MAX_TEMPORARY", 300)  # 2 or 3 lines a chunk
    assert torch.equal(boundary_distances_torch(labels, (4, 4, 4)), whole)


@pytest.mark.parametrize(("shape", "voxel_size"), WHOLE[:8] + FRACTIONAL)
def test_signed_distances_equal_numpy(shape, voxel_size):
    labels = _labels(shape, "blobs", 5)
    expected = _distances.signed_distances(labels, voxel_size)
    signed = signed_distances_torch(_torch(labels), voxel_size).numpy()
    np.testing.assert_allclose(signed, expected, rtol=1e-6)
    if all(float(v).is_integer() for v in voxel_size):
        np.testing.assert_array_equal(signed, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalised_distances_equal_numpy_within_two_ulp(dtype):
    rng = np.random.default_rng(6)
    distances = (rng.normal(size=500) * 30).astype(dtype)
    distances[:2] = [np.inf, -np.inf]
    expected = _distances.normalised(distances, 7.5)
    result = normalised_torch(_torch(distances), 7.5)
    assert result.dtype == torch.float32
    np.testing.assert_array_max_ulp(result.numpy(), expected, maxulp=2)
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    assert result[0] == 1 and result[1] == -1


@pytest.mark.parametrize(("shape", "voxel_size"), WHOLE[:8] + FRACTIONAL)
def test_unseen_distances_of_a_partial_mask_equal_numpy(shape, voxel_size):
    known = (np.random.default_rng(7).random(shape) > 0.2).astype(np.float32)
    known.flat[0] = 0
    expected = _distances.unseen_distances(known, voxel_size)
    unseen = unseen_distances_torch(_torch(known), voxel_size)
    assert unseen.dtype == torch.float32
    np.testing.assert_allclose(unseen.numpy(), expected, rtol=1e-6)
    if all(float(v).is_integer() for v in voxel_size):
        np.testing.assert_array_equal(unseen.numpy(), expected)


@pytest.mark.parametrize(("shape", "voxel_size"), WHOLE + FRACTIONAL)
def test_unseen_distances_of_a_known_mask_equal_numpy_and_the_transform(
    monkeypatch, shape, voxel_size
):
    known = torch.ones(shape, dtype=torch.uint8)
    expected = _distances.unseen_distances(known.numpy(), voxel_size)
    fast = unseen_distances_torch(known, voxel_size).numpy()
    np.testing.assert_allclose(fast, expected, rtol=1e-6)
    monkeypatch.setattr(_device_distances, "_whole_voxels", lambda voxel_size: False)
    general = unseen_distances_torch(known, voxel_size).numpy()
    np.testing.assert_allclose(general, fast, rtol=1e-6)
    if all(float(v).is_integer() for v in voxel_size):
        np.testing.assert_array_equal(fast, expected)
        np.testing.assert_array_equal(general, fast)


def test_the_known_mask_shortcut_measures_to_the_border():
    unseen = unseen_distances_torch(torch.ones((5, 5, 6)), (8, 8, 8))
    assert unseen[0, 0, 0] == 4.0 and unseen[2, 2, 2] == 20.0


def test_border_distances_are_made_once_per_shape_and_not_shared_out():
    _device_distances._BORDER_CACHE.clear()
    first = unseen_distances_torch(torch.ones((5, 5, 6)), (8, 8, 8))
    first.zero_()  # a caller changing its result changes no later one
    again = unseen_distances_torch(torch.ones((5, 5, 6)), (8, 8, 8))
    assert again[0, 0, 0] == 4.0 and again[2, 2, 2] == 20.0
    assert len(_device_distances._BORDER_CACHE) == 1
    for n in range(6, 12):  # a few shapes at most are kept
        unseen_distances_torch(torch.ones((n, 5, 6)), (8, 8, 8))
    assert len(_device_distances._BORDER_CACHE) == 4


@pytest.mark.parametrize("scale_factor", [1.0, 7.5, 40.0])
def test_distance_mask_equals_numpy(scale_factor):
    labels = _labels((12, 11, 10), "blobs", 8)
    known = (np.random.default_rng(9).random(labels.shape) > 0.1).astype(np.float32)
    target = _distances.normalised(_distances.signed_distances(labels, (4, 4, 4)), scale_factor)
    unseen = _distances.unseen_distances(known, (4, 4, 4))
    expected = _distances.distance_mask(target, unseen, scale_factor)
    mask = distance_mask_torch(_torch(target), _torch(unseen), scale_factor)
    assert mask.dtype == torch.float32
    np.testing.assert_array_equal(mask.numpy(), expected)
    assert 0 < expected.mean() < 1  # both kinds of voxel occur


LABELS = torch.zeros((3, 4), dtype=torch.int64)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: boundary_distances_torch(LABELS.numpy(), (1, 1)),
         r"boundary_distances_torch: `labels` must be a torch.Tensor, got ndarray"),
        (lambda: boundary_distances_torch(LABELS, (4, 4, 4)),
         r"`voxel_size` \(4, 4, 4\) has 3 values, the tensor of shape \(3, 4\) has 2 spatial axes"),
        (lambda: boundary_distances_torch(LABELS, (4, 0)),
         r"`voxel_size` must be a non-empty list of finite numbers > 0, got \(4, 0\)"),
        (lambda: boundary_distances_torch(LABELS, None),
         r"`voxel_size` must be a non-empty list of finite numbers > 0, got None"),
        (lambda: signed_distances_torch(LABELS, (1,)),
         r"signed_distances_torch: `voxel_size` \(1,\) has 1 values"),
        (lambda: signed_distances_torch(LABELS, (1, float("nan"))),
         r"signed_distances_torch: `voxel_size` must be a non-empty list of finite"),
        (lambda: unseen_distances_torch(LABELS, (1, -2)),
         r"unseen_distances_torch: `voxel_size` must be .* > 0, got \(1, -2\)"),
        (lambda: unseen_distances_torch([[1, 0]], (1, 1)),
         r"unseen_distances_torch: `known` must be a torch.Tensor, got list"),
        (lambda: normalised_torch(torch.zeros(3), 0.0),
         r"normalised_torch: `scale_factor` must be a finite number > 0, got 0.0"),
        (lambda: normalised_torch([0.5], 1.0), r"`distances` must be a torch.Tensor, got list"),
        (lambda: distance_mask_torch(torch.zeros(2), torch.ones(2), float("inf")),
         r"distance_mask_torch: `scale_factor` must be a finite number > 0, got inf"),
        (lambda: distance_mask_torch(torch.zeros(2), np.ones(2), 1.0),
         r"distance_mask_torch: `unseen` must be a torch.Tensor, got ndarray"),
    ],
)
def test_bad_arguments_are_reported(call, match):
    with pytest.raises(ConfigError, match=match):
        call()


def test_voxel_sizes_may_be_any_sequence_of_numbers():
    labels = torch.tensor([[0, 1], [1, 1]])
    expected = boundary_distances_torch(labels, (4, 2))
    assert torch.equal(boundary_distances_torch(labels, np.array([4.0, 2.0])), expected)
    assert torch.equal(boundary_distances_torch(labels, [4, 2]), expected)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_distances_on_cuda_equal_numpy():
    labels = _labels((20, 18, 16), "instances", 10)
    known = (np.random.default_rng(11).random(labels.shape) > 0.2).astype(np.float32)
    gpu_labels, gpu_known = _torch(labels).cuda(), _torch(known).cuda()
    signed = signed_distances_torch(gpu_labels, (8, 2, 3))
    assert signed.device.type == "cuda"
    np.testing.assert_array_equal(
        signed.cpu().numpy(), _distances.signed_distances(labels, (8, 2, 3))
    )
    unseen = unseen_distances_torch(gpu_known, (8, 2, 3))
    expected_unseen = _distances.unseen_distances(known, (8, 2, 3))
    np.testing.assert_array_equal(unseen.cpu().numpy(), expected_unseen)
    np.testing.assert_array_equal(
        unseen_distances_torch(torch.ones_like(gpu_known), (8, 2, 3)).cpu().numpy(),
        _distances.unseen_distances(np.ones_like(known), (8, 2, 3)),
    )
    target = normalised_torch(signed, 20.0)
    np.testing.assert_allclose(
        target.cpu().numpy(), _distances.normalised(signed.cpu().numpy(), 20.0), rtol=1e-6
    )
    mask = distance_mask_torch(target, unseen, 20.0)
    expected_mask = _distances.distance_mask(target.cpu().numpy(), expected_unseen, 20.0)
    np.testing.assert_array_equal(mask.cpu().numpy(), expected_mask)


# -- the windowed min-plus pass ----------------------------------------------------


def _pass_inputs(seed):
    """Lines of squared distances with inf runs, whole lines of inf and zeros."""
    rng = np.random.default_rng(seed)
    lines = (rng.integers(0, 400, (40, 23)) / 4).astype(np.float32)
    lines[rng.random(lines.shape) < 0.6] = np.inf
    lines[3] = np.inf
    lines[5, :] = np.inf
    lines[5, -1] = 0.0  # a single finite value far from most voxels
    return torch.as_tensor(lines)


@pytest.mark.parametrize("window", [1, 2, 5, 22])
@pytest.mark.parametrize("size", [1.0, 3.0, 0.5])
def test_windowed_passes_equal_the_whole_pass(window, size):
    lines = _pass_inputs(window)
    whole = _device_distances._whole_lines(lines, size)
    for near in (_device_distances._shifted_minima, _device_distances._unfolded_minima):
        windowed = near(lines, size, window)
        _device_distances._search_far_lines(lines, windowed, size, window)
        assert torch.equal(windowed, whole), near.__name__


@pytest.mark.parametrize("window", [1, 3])
def test_small_windows_give_the_same_distances(monkeypatch, window):
    labels = _labels((12, 20, 17), "blobs", 8)
    expected = _distances.boundary_distances(labels, (4, 2, 3))
    monkeypatch.setattr(_device_distances, "WINDOW", window)
    np.testing.assert_array_equal(boundary_distances_torch(_torch(labels), (4, 2, 3)).numpy(),
                                  expected)


def test_batch_axes_are_transformed_each_volume_on_its_own():
    volumes = np.stack([_labels((9, 10, 11), "blobs", seed) for seed in (1, 2, 3)])
    volumes[1] = 0  # a volume without faces next to ones with
    batch = torch.as_tensor(volumes.reshape((3, 1) + volumes.shape[1:]))
    together = signed_distances_torch(batch, (4, 2, 3), batch_dims=2)
    for index, volume in enumerate(volumes):
        expected = _distances.signed_distances(volume, (4, 2, 3))
        np.testing.assert_array_equal(together[index, 0].numpy(), expected)


def test_voxel_sizes_for_the_axes_after_the_batch_axes():
    with pytest.raises(ConfigError, match=r"has 2 spatial axes after 1 batch axes"):
        boundary_distances_torch(torch.zeros((2, 3, 4)), (1, 1, 1), batch_dims=1)
