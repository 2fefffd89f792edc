"""The fast distance code gives, bit for bit, what the straightforward one gave:
one distance transform over a grid of twice the resolution on every axis
(``_reference_*`` below, the earlier implementation), and the unseen-region
distances of a fully known mask without any distance transform."""

from __future__ import annotations

import edt
import gunpowder as gp
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from scipy import ndimage

from dacapo.experiments.datasplits.datasets.arrays.numpy_array import NumpyArray
from dacapo.experiments.tasks.predictors import DistancePredictor, _distances


def _reference_boundary_distances(labels, voxel_size):
    ndim = labels.ndim
    grid = np.zeros(tuple(2 * n - 1 for n in labels.shape), dtype=bool)
    for axis in range(ndim):
        lower = tuple(slice(None, -1) if a == axis else slice(None) for a in range(ndim))
        upper = tuple(slice(1, None) if a == axis else slice(None) for a in range(ndim))
        faces = tuple(slice(1, None, 2) if a == axis else slice(None, None, 2) for a in range(ndim))
        grid[faces] = labels[lower] != labels[upper]
    if not grid.any():
        return np.full(labels.shape, np.inf, dtype=np.float32)
    half = tuple(float(v) / 2 for v in voxel_size)
    distances = edt.edt(
        np.ascontiguousarray(~grid), anisotropy=half[0] if ndim == 1 else half, black_border=False
    )
    return np.ascontiguousarray(distances[(slice(None, None, 2),) * ndim], dtype=np.float32)


def _reference_unseen_distances(known, voxel_size):
    padded = np.pad(np.asarray(known) != 0, 1, constant_values=False)
    distances = _reference_boundary_distances(padded, voxel_size)
    signed = np.where(padded, distances, -distances).astype(np.float32)
    return np.maximum(signed[(slice(1, -1),) * known.ndim], 0).astype(np.float32)


def _labels(rng, shape, kind):
    if kind == "binary":
        return rng.integers(0, 2, size=shape).astype(np.uint8)
    if kind == "instances":
        return rng.integers(0, 6, size=shape).astype(np.uint64)
    smooth = ndimage.gaussian_filter(rng.normal(size=shape), 1.5)
    return (smooth > 0.05).astype(np.uint8)  # blobs


CASES = [
    ((17,), (3,)),
    ((1,), (2,)),
    ((9, 14), (1, 1)),
    ((13, 6), (7, 2)),
    ((1, 8), (4, 4)),
    ((8, 9, 10), (1, 1, 1)),
    ((7, 11, 9), (40, 8, 8)),
    ((10, 5, 12), (3, 5, 7)),
    ((6, 6, 6), (4096, 1, 333)),
    ((9, 7, 8), (0.5, 1.25, 2.0)),  # fractional spacing, as the function allows
]


@pytest.mark.parametrize(("shape", "voxel_size"), CASES)
@pytest.mark.parametrize("kind", ["binary", "instances", "blobs"])
def test_boundary_distances_equal_the_full_grid_transform(shape, voxel_size, kind):
    rng = np.random.default_rng(len(shape) * 100 + sum(shape))
    labels = _labels(rng, shape, kind)
    fast = _distances.boundary_distances(labels, voxel_size)
    assert fast.dtype == np.float32 and fast.shape == labels.shape
    np.testing.assert_array_equal(fast, _reference_boundary_distances(labels, voxel_size))


@pytest.mark.parametrize("shape", [(5,), (4, 6), (3, 5, 4)])
def test_no_boundary_gives_inf_and_signed_distances_keep_their_sign(shape):
    labels = np.ones(shape, dtype=np.uint8)
    assert np.all(_distances.boundary_distances(labels, (2,) * len(shape)) == np.inf)
    signed = _distances.signed_distances(np.zeros(shape, dtype=np.uint8), (2,) * len(shape))
    assert signed.dtype == np.float32 and np.all(signed == -np.inf)


@pytest.mark.parametrize(("shape", "voxel_size"), CASES)
def test_signed_and_normalised_distances_equal_the_earlier_formulas(shape, voxel_size):
    labels = _labels(np.random.default_rng(3), shape, "blobs")
    reference = _reference_boundary_distances(labels, voxel_size)
    expected = np.where(labels != 0, reference, -reference).astype(np.float32)
    signed = _distances.signed_distances(labels, voxel_size)
    np.testing.assert_array_equal(signed, expected)
    expected_tanh = np.tanh(expected / np.float32(7.5)).astype(np.float32)
    normalised = _distances.normalised(signed, 7.5)
    assert normalised.dtype == np.float32
    np.testing.assert_array_equal(normalised, expected_tanh)


@pytest.mark.parametrize(("shape", "voxel_size"), CASES)
def test_unseen_distances_of_a_known_mask_equal_the_transform(shape, voxel_size):
    known = np.ones(shape, dtype=np.float32)
    np.testing.assert_array_equal(
        _distances.unseen_distances(known, voxel_size),
        _reference_unseen_distances(known, voxel_size),
    )


@pytest.mark.parametrize(("shape", "voxel_size"), CASES)
def test_unseen_distances_of_a_partial_mask_equal_the_transform(shape, voxel_size):
    known = (np.random.default_rng(5).random(shape) > 0.2).astype(np.float32)
    known.flat[0] = 0  # at least one unknown voxel
    np.testing.assert_array_equal(
        _distances.unseen_distances(known, voxel_size),
        _reference_unseen_distances(known, voxel_size),
    )


def test_a_fully_known_mask_needs_no_distance_transform(monkeypatch):
    calls = []

    class Counting:
        @staticmethod
        def edt(*args, **kwargs):
            calls.append(1)
            return edt.edt(*args, **kwargs)

        @staticmethod
        def edtsq(*args, **kwargs):
            calls.append(1)
            return edt.edtsq(*args, **kwargs)

    monkeypatch.setattr(_distances, "edt", Counting)
    unseen = _distances.unseen_distances(np.ones((5, 5, 6), dtype=np.float32), (8, 8, 8))
    assert not calls
    assert unseen[0, 0, 0] == 4.0 and unseen[2, 2, 2] == 20.0  # (k + 1/2) voxels to the border
    _distances.unseen_distances(np.eye(5, dtype=np.float32), (8, 8))
    assert calls  # a partial mask still needs the transform


def _blob_labels(shape, seed):
    smooth = ndimage.gaussian_filter(np.random.default_rng(seed).normal(size=shape), 2.0)
    return (smooth > 0).astype(np.uint8)


def _weights(predictor, labels, mask, target_roi, voxel_size, counts=None):
    """Target and weights over the ground truth the predictor asks for around
    ``target_roi``, as DaCapoTargetFilter computes them, cropped to ``target_roi``."""
    spec = gp.ArraySpec(roi=target_roi, voxel_size=voxel_size)
    gt_roi = predictor.gt_region_for_roi(spec).roi
    assert Coordinate(labels.shape[-3:]) * voxel_size == gt_roi.shape
    gt = NumpyArray.from_np_array(labels, gt_roi, voxel_size, ["c", "z", "y", "x"])
    if mask is not None:
        axes = ["c", "z", "y", "x"][-mask.ndim :]
        mask = NumpyArray.from_np_array(mask, gt_roi, voxel_size, axes)
    target = predictor.create_target(gt)
    weight, counts = predictor.create_weight(gt, target, mask, counts)
    return weight[target_roi], counts


@pytest.mark.parametrize(
    ("voxel_size", "scale_factor"),
    [
        ((8, 8, 8), 20.0),  # growth 36.6 -> 5 voxels of 8 (rounded up)
        ((3, 7, 10), 4.0),  # growth 7.3 -> 3, 2, 1 voxels: anisotropic rounding
        ((5, 5, 5), 5.0 / np.arctanh(0.95) * 2),  # growth of exactly 2 voxels
    ],
)
@pytest.mark.parametrize("mask_kind", ["none", "ones", "partial", "per_class"])
def test_weights_are_identical_with_and_without_the_known_mask_shortcut(
    monkeypatch, voxel_size, scale_factor, mask_kind
):
    voxel_size = Coordinate(voxel_size)
    predictor = DistancePredictor(["a", "b"], scale_factor, mask_distances=True)
    padding = predictor.padding(voxel_size)
    target_roi = Roi(voxel_size * 4, voxel_size * 6)
    shape = tuple((target_roi.shape + padding * 2) / voxel_size)
    labels = np.stack([_blob_labels(shape, 1), _blob_labels(shape, 2)])
    mask = {
        "none": None,
        "ones": np.ones(shape, dtype=np.uint8),
        "partial": (np.random.default_rng(4).random(shape) > 0.05).astype(np.uint8),
        "per_class": np.stack([np.ones(shape, np.uint8), np.ones(shape, np.uint8)]),
    }[mask_kind]
    if mask_kind == "per_class":
        mask[1, 0, 0, 0] = 0
    fast = [_weights(predictor, labels, mask, target_roi, voxel_size)]
    fast.append(_weights(predictor, labels, mask, target_roi, voxel_size, fast[0][1]))
    monkeypatch.setattr(_distances, "_whole_voxels", lambda voxel_size: False)  # no shortcut
    slow = [_weights(predictor, labels, mask, target_roi, voxel_size)]
    slow.append(_weights(predictor, labels, mask, target_roi, voxel_size, slow[0][1]))
    for (fast_weight, fast_counts), (slow_weight, slow_counts) in zip(fast, slow):
        assert fast_weight.dtype == np.float32
        np.testing.assert_array_equal(fast_weight, slow_weight)
        assert fast_counts == slow_counts
    if mask_kind != "partial":
        assert np.all(fast[0][0] > 0)  # the target region is fully weighted
