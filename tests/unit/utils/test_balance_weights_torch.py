"""``two_class_weights_torch`` gives the weights and moving counts of
``balance_weights`` (two classes, one slab per channel) bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dacapo.errors import ConfigError
from dacapo.utils.balance_weights import balance_weights
from dacapo.utils.balance_weights_torch import two_class_weights_torch


def _numpy_weights(labels, mask, clipmin, clipmax, moving_counts):
    slab = (1,) + (-1,) * (labels.ndim - 1)
    masks = [] if mask is None else [mask]
    return balance_weights(labels.view(np.uint8), 2, masks=masks, slab=slab, clipmin=clipmin,
                           clipmax=clipmax, moving_counts=moving_counts)


def _as_rows(moving_counts):
    """numpy moving counts as the torch function's ``(C, 3)`` rows."""
    return np.array([[m[0][0], m[1][0], m[0][1]] for m in moving_counts])


def _mask(rng, shape, kind):
    if kind == "none":
        return None
    if kind == "binary":
        return (rng.random(shape) > 0.3).astype(np.float32)
    if kind == "quarters":
        return rng.integers(0, 5, size=shape).astype(np.float32) / 4
    return rng.random(shape, dtype=np.float32)  # fractional, multiples of 2**-24


def _check_sequence(shapes, mask_kind, clip=(0.05, 0.95), seed=0, labels_kind="random"):
    rng = np.random.default_rng(seed)
    moving, counts = None, None
    for shape in shapes:
        labels = rng.random(shape) < rng.random()
        if labels_kind != "random":
            labels[...] = labels_kind == "ones"
        mask = _mask(rng, shape, mask_kind)
        expected, moving = _numpy_weights(labels, mask, *clip, moving)
        weights, counts = two_class_weights_torch(
            torch.from_numpy(labels), None if mask is None else torch.from_numpy(mask), *clip,
            counts,
        )
        assert weights.dtype == torch.float32 and weights.shape == labels.shape
        assert counts.dtype == torch.float64 and counts.shape == (shape[0], 3)
        np.testing.assert_array_equal(weights.numpy(), expected)
        np.testing.assert_array_equal(counts.numpy(), _as_rows(moving))
    return weights, counts


@pytest.mark.parametrize("mask_kind", ["none", "binary", "quarters", "fractional"])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_weights_and_counts_equal_numpy_over_several_calls(mask_kind, channels, seed):
    shapes = [(channels, 6, 7, 8), (channels, 6, 7, 8), (channels, 5, 9, 4), (channels, 3, 3, 3)]
    _check_sequence(shapes, mask_kind, seed=seed)


@pytest.mark.parametrize("clip", [(0.2, 0.8), (0.01, 0.99), (0.5, 0.5), (1e-3, 1.0)])
def test_other_clip_bounds_equal_numpy(clip):
    _check_sequence([(2, 9, 10), (2, 9, 10)], "fractional", clip=clip, seed=3)


@pytest.mark.parametrize("labels_kind", ["zeros", "ones"])
@pytest.mark.parametrize("mask_kind", ["none", "binary", "fractional"])
def test_a_single_class_equals_numpy(labels_kind, mask_kind):
    weights, _ = _check_sequence([(2, 4, 5), (2, 4, 5)], mask_kind, labels_kind=labels_kind)
    if mask_kind == "none":  # the present class's fraction is clipped to clipmax
        np.testing.assert_array_equal(weights.numpy(), np.float32(1 / 1.9))


@pytest.mark.parametrize("mask_kind", ["none", "binary", "fractional"])
def test_empty_batches_equal_numpy_and_count_nothing(mask_kind):
    shapes = [(2, 0, 4), (2, 3, 4), (2, 3, 0), (2,), (2, 1)]
    _check_sequence(shapes, mask_kind, seed=4)
    weights, counts = two_class_weights_torch(torch.zeros((1, 0), dtype=torch.bool), None,
                                              0.05, 0.95, None)
    assert weights.shape == (1, 0) and counts.tolist() == [[0.0, 0.0, 0.0]]


def test_fully_masked_voxels_weigh_zero_and_the_inputs_stay_unchanged():
    labels = torch.tensor([[False, False, True, True]])
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    counts = torch.tensor([[1.0, 1.0, 2.0]], dtype=torch.float64)
    weights, updated = two_class_weights_torch(labels, mask, 0.05, 0.95, counts)
    # running: class 0 has 1 + 2, class 1 has 1 + 1 of 5 -> 1 / (2 * 3/5), 1 / (2 * 2/5)
    np.testing.assert_allclose(weights.numpy(), [[5 / 6, 5 / 6, 1.25, 0.0]], rtol=1e-6)
    assert updated.tolist() == [[3.0, 2.0, 5.0]]
    assert counts.tolist() == [[1.0, 1.0, 2.0]] and mask.tolist() == [[1.0, 1.0, 1.0, 0.0]]


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        (torch.zeros((2, 3), dtype=torch.int64), r"labels must be a bool tensor .* got torch.int64"),
        (torch.zeros((2, 3)), r"labels must be a bool tensor .* got torch.float32"),
        (torch.tensor(True), r"labels must be a bool tensor of shape \(channels, \*spatial\), "
                             r"got torch.bool of shape \(\)"),
        (np.zeros((2, 3), dtype=bool), r"labels must be a bool tensor .* got ndarray"),
    ],
)
def test_labels_must_be_a_bool_tensor_with_channels(labels, match):
    with pytest.raises(ConfigError, match=match):
        two_class_weights_torch(labels, None, 0.05, 0.95, None)


@pytest.mark.parametrize(
    ("mask", "match"),
    [
        (torch.ones((2, 4)), r"mask must be a tensor of the labels' shape \(2, 3\), got "
                             r"torch.float32 of shape \(2, 4\)"),
        (torch.ones((3,)), r"labels' shape \(2, 3\), got torch.float32 of shape \(3,\)"),
        (np.ones((2, 3)), r"mask must be a tensor of the labels' shape \(2, 3\), got ndarray"),
        (torch.ones((2, 3), device="meta"), r"mask is on meta, labels on cpu"),
    ],
)
def test_the_mask_must_match_the_labels(mask, match):
    labels = torch.zeros((2, 3), dtype=torch.bool)
    with pytest.raises(ConfigError, match=match):
        two_class_weights_torch(labels, mask, 0.05, 0.95, None)


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        (torch.zeros((1, 3), dtype=torch.float64), r"counts must be float64 of shape \(2, 3\)"),
        (torch.zeros((2, 2), dtype=torch.float64), r"got torch.float64 of shape \(2, 2\)"),
        (torch.zeros((2, 3)), r"got torch.float32 of shape \(2, 3\)"),
        ([[0, 0, 0], [0, 0, 0]], r"counts must be float64 .* got list"),
    ],
)
def test_counts_must_come_from_the_same_target(counts, match):
    labels = torch.zeros((2, 3), dtype=torch.bool)
    with pytest.raises(ConfigError, match=match):
        two_class_weights_torch(labels, None, 0.05, 0.95, counts)


@pytest.mark.parametrize(
    ("clipmin", "clipmax", "match"),
    [
        (0.0, 0.9, r"`clipmin` must be a finite number > 0, got 0.0"),
        (0.6, 0.4, r"must satisfy 0 < clipmin <= clipmax <= 1, got 0.6, 0.4"),
        (0.1, 1.5, r"must satisfy 0 < clipmin <= clipmax <= 1, got 0.1, 1.5"),
        ("low", 0.9, r"`clipmin` must be a finite number > 0, got .low."),
        (float("nan"), 0.9, r"`clipmin` must be a finite number > 0, got nan"),
    ],
)
def test_clip_bounds_are_checked(clipmin, clipmax, match):
    labels = torch.zeros((2, 3), dtype=torch.bool)
    with pytest.raises(ConfigError, match=match):
        two_class_weights_torch(labels, None, clipmin, clipmax, None)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_weights_on_cuda_equal_numpy():
    rng = np.random.default_rng(5)
    moving, counts = None, None
    for _ in range(3):
        labels = rng.random((2, 10, 9, 8)) < 0.3
        mask = rng.random(labels.shape, dtype=np.float32)
        expected, moving = _numpy_weights(labels, mask, 0.05, 0.95, moving)
        weights, counts = two_class_weights_torch(
            torch.from_numpy(labels).cuda(), torch.from_numpy(mask).cuda(), 0.05, 0.95, counts
        )
        assert weights.device.type == "cuda" and counts.device.type == "cuda"
        np.testing.assert_array_equal(weights.cpu().numpy(), expected)
        np.testing.assert_array_equal(counts.cpu().numpy(), _as_rows(moving))
