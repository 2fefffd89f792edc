import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.utils.balance_weights import balance_weights


def test_each_class_contributes_equally():
    labels = np.array([0] * 9 + [1])
    weights, counts = balance_weights(labels, 2)
    # fractions 0.9 and 0.1 -> 1 / (2 * 0.9) and 1 / (2 * 0.1)
    np.testing.assert_allclose(weights, [1 / 1.8] * 9 + [5.0], rtol=1e-6)
    assert weights.dtype == np.float32
    assert weights[labels == 0].sum() == pytest.approx(weights[labels == 1].sum())
    assert counts == [{0: (9.0, 10.0), 1: (1.0, 10.0)}]


def test_class_fractions_are_clipped():
    labels = np.array([0] * 39 + [1])  # fractions 0.975 and 0.025
    weights, _ = balance_weights(labels, 2, clipmin=0.05, clipmax=0.95)
    np.testing.assert_allclose(weights[0], 1 / 1.9, rtol=1e-6)
    np.testing.assert_allclose(weights[-1], 10.0, rtol=1e-6)


def test_an_absent_class_leaves_the_present_one_at_clipmax():
    weights, _ = balance_weights(np.zeros(4, dtype=np.uint8), 2)
    np.testing.assert_allclose(weights, 1 / 1.9, rtol=1e-6)


def test_masked_voxels_weigh_zero_and_are_not_counted():
    labels = np.array([0, 0, 1, 1])
    weights, counts = balance_weights(
        labels, 2, masks=[np.array([1, 1, 1, 1]), np.array([1, 1, 1, 0])]
    )
    # unmasked: two of class 0, one of class 1 -> fractions 2/3, 1/3
    np.testing.assert_allclose(weights, [0.75, 0.75, 1.5, 0.0], rtol=1e-6)
    assert counts == [{0: (2.0, 3.0), 1: (1.0, 3.0)}]


def test_a_fully_masked_batch_gives_zero_weights():
    weights, _ = balance_weights(np.array([0, 1]), 2, masks=[np.zeros(2)])
    np.testing.assert_array_equal(weights, [0, 0])


def test_slabs_are_balanced_independently():
    labels = np.array([[0, 0, 0, 1], [1, 1, 1, 0]])
    weights, counts = balance_weights(labels, 2, slab=(1, -1))
    np.testing.assert_allclose(
        weights, [[2 / 3, 2 / 3, 2 / 3, 2.0], [2 / 3, 2 / 3, 2 / 3, 2.0]], rtol=1e-6
    )
    assert len(counts) == 2


def test_partial_slabs_at_the_end():
    labels = np.array([0, 1, 0, 0, 1])  # slabs [0, 1, 0] and [0, 1]
    weights, counts = balance_weights(labels, 2, slab=(3,), clipmin=0.01, clipmax=0.99)
    np.testing.assert_allclose(weights, [0.75, 1.5, 0.75, 1.0, 1.0], rtol=1e-6)
    assert counts[1] == {0: (1.0, 2.0), 1: (1.0, 2.0)}


def test_moving_counts_accumulate_across_batches():
    _, counts = balance_weights(np.array([0, 0, 0, 1]), 2)
    weights, counts = balance_weights(np.array([0, 1, 1, 1]), 2, moving_counts=counts)
    # four of each class over both batches -> both fractions 0.5
    np.testing.assert_allclose(weights, [1.0, 1.0, 1.0, 1.0])
    assert counts == [{0: (4.0, 8.0), 1: (4.0, 8.0)}]


def test_float_labels_holding_integers_are_accepted():
    weights, _ = balance_weights(np.array([0.0, 1.0]), 2)
    np.testing.assert_allclose(weights, [1.0, 1.0])


@pytest.mark.parametrize(
    "labels, num_classes",
    [(np.array([0, 2]), 2), (np.array([-1, 0]), 2), (np.array([0.5, 1.0]), 2)],
)
def test_labels_must_be_class_indices(labels, num_classes):
    with pytest.raises(ConfigError, match=r"labels must be integers in \[0, 2\)"):
        balance_weights(labels, num_classes)


def test_num_classes_must_be_positive():
    with pytest.raises(ConfigError, match="num_classes must be at least 1"):
        balance_weights(np.zeros(2), 0)


@pytest.mark.parametrize("clipmin, clipmax", [(0.0, 0.9), (0.6, 0.4), (0.1, 1.5)])
def test_clip_bounds_are_checked(clipmin, clipmax):
    with pytest.raises(ConfigError, match="expected 0 < clipmin <= clipmax <= 1"):
        balance_weights(np.zeros(2), 2, clipmin=clipmin, clipmax=clipmax)


@pytest.mark.parametrize("slab", [(1,), (0, -1), (-2, 1)])
def test_slab_must_fit_the_labels(slab):
    with pytest.raises(ConfigError, match="does not fit labels of shape"):
        balance_weights(np.zeros((2, 2)), 2, slab=slab)


def test_masks_must_match_the_labels():
    with pytest.raises(ConfigError, match=r"mask of shape \(3,\) does not match"):
        balance_weights(np.zeros(2), 2, masks=[np.ones(3)])


def test_moving_counts_must_have_one_entry_per_slab():
    _, counts = balance_weights(np.zeros(4), 2)
    with pytest.raises(ConfigError, match="moving_counts holds 1 slabs, these labels have 2"):
        balance_weights(np.zeros((2, 2)), 2, slab=(1, -1), moving_counts=counts)


@pytest.mark.parametrize("shape, slab", [((0, 4, 4), None), ((2, 0, 4), (1, -1, -1)),
                                         ((0,), (3,))])
def test_empty_labels_give_empty_weights_and_keep_the_slab_counts(shape, slab):
    weights, counts = balance_weights(np.zeros(shape, dtype=np.uint8), 2, slab=slab)
    assert weights.shape == shape and weights.dtype == np.float32
    full = tuple(max(n, 1) for n in shape)  # the same layout with voxels in it
    _, full_counts = balance_weights(np.zeros(full, dtype=np.uint8), 2, slab=slab)
    assert len(counts) == len(full_counts)
    # an empty batch adds nothing to the counts a later batch is balanced with
    weights, after = balance_weights(np.array(np.zeros(full), dtype=np.uint8), 2, slab=slab,
                                     moving_counts=counts)
    assert after == full_counts
