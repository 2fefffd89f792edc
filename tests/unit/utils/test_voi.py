"""Variation of information on hand-checked segmentations (entropies in bits)."""

import math

import numpy as np
import pytest

from dacapo.errors import ConfigError
from dacapo.utils.voi import (
    ContingencyTable,
    contingency_table,
    merge_contingency_tables,
    voi,
    voi_from_table,
)


def _entropy(*probabilities):
    return -sum(p * math.log2(p) for p in probabilities if p)


def test_identical_segmentations_have_no_split_and_no_merge():
    labels = np.array([[1, 1, 2], [2, 3, 3]])
    assert voi(labels, labels) == (0.0, 0.0)


def test_relabelled_segmentation_is_identical():
    # ids differ, partition is the same; 0 is an ordinary segment
    assert voi([0, 0, 1, 1], [5, 5, 7, 7]) == (0.0, 0.0)


def test_fully_merged_segmentation_has_merge_equal_to_truth_entropy():
    truth = np.array([1, 1, 2, 2, 3, 3, 3, 3])
    test = np.ones_like(truth)
    # truth fractions 1/4, 1/4, 1/2: H = 2 * (1/4 * 2) + 1/2 * 1 = 1.5 bits
    split, merge = voi(test, truth)
    assert split == 0.0
    assert merge == pytest.approx(1.5)


def test_fully_split_segmentation_has_split_equal_to_log_of_size():
    truth = np.zeros(4, dtype=np.uint8)
    test = np.arange(4)
    # every truth voxel in its own test segment: H(test | truth) = log2(4) = 2
    assert voi(test, truth) == pytest.approx((2.0, 0.0))


def test_partial_overlap_by_hand():
    test = [1, 1, 2, 2]
    truth = [1, 1, 1, 2]
    # split = H(test|truth): truth 1 (p 3/4) holds test 1, 1, 2 -> H(2/3, 1/3);
    #   truth 2 (p 1/4) holds only test 2 -> 0
    # merge = H(truth|test): test 1 (p 1/2) holds only truth 1 -> 0;
    #   test 2 (p 1/2) holds truth 1, 2 -> 1 bit
    split, merge = voi(test, truth)
    assert split == pytest.approx(0.75 * _entropy(2 / 3, 1 / 3))
    assert merge == pytest.approx(0.5)


def test_agrees_with_scikit_image():
    from skimage.metrics import variation_of_information

    rng = np.random.default_rng(1)
    truth = rng.integers(0, 5, (6, 7, 8))
    test = rng.integers(0, 4, (6, 7, 8))
    # skimage 0.26 (bits): variation_of_information(truth, test) = (split, merge)
    expected = variation_of_information(truth, test)
    assert voi(test, truth) == pytest.approx(tuple(expected))
    assert voi(test, truth)[0] != pytest.approx(voi(test, truth)[1])


def test_contingency_table_counts_pairs():
    table = contingency_table(np.array([1, 1, 2, 2, 2]), np.array([7, 7, 7, 0, 0]))
    pairs = {
        (int(a), int(b)): int(c)
        for a, b, c in zip(table.test_ids, table.truth_ids, table.counts)
    }
    assert pairs == {(1, 7): 2, (2, 7): 1, (2, 0): 2}
    assert table.total == 5
    ids, sizes = table.truth_sizes()
    assert ids.tolist() == [0, 7] and sizes.tolist() == [2, 3]


def test_large_uint64_ids_are_kept_exactly():
    big = np.uint64(2**64 - 1)
    table = contingency_table(np.array([big, big], dtype=np.uint64), np.array([3, 3]))
    assert table.test_ids.tolist() == [2**64 - 1]
    assert table.counts.tolist() == [2]


def test_merged_block_tables_equal_the_whole_table():
    rng = np.random.default_rng(2)
    test = rng.integers(0, 6, (10, 5))
    truth = rng.integers(0, 4, (10, 5))
    whole = voi(test, truth)
    blocks = [contingency_table(test[i : i + 3], truth[i : i + 3]) for i in range(0, 10, 3)]
    assert voi_from_table(merge_contingency_tables(blocks)) == pytest.approx(whole)


def test_without_drops_pairs_of_given_ids():
    table = contingency_table(np.array([0, 1, 1, 2]), np.array([0, 0, 5, 5]))
    kept = table.without(truth=[0])
    assert sorted(zip(kept.test_ids.tolist(), kept.truth_ids.tolist())) == [(1, 5), (2, 5)]
    assert table.without(test=[1, 2]).total == 1


def test_empty_input_scores_zero():
    assert voi(np.zeros(0), np.zeros(0)) == (0.0, 0.0)
    assert merge_contingency_tables([]).total == 0
    empty = ContingencyTable(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64))
    assert voi_from_table(empty) == (0.0, 0.0)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ConfigError, match=r"test has shape \(3,\) but truth has shape \(4,\)"):
        voi([1, 2, 3], [1, 2, 3, 4])
