"""Variation of information between two segmentations, from sparse contingency tables.

A contingency table counts, for every pair ``(test id, truth id)`` that occurs,
the voxels carrying both ids. It is kept sparse (three aligned 1-D arrays), so
it is as large as the number of overlapping segment pairs, never as large as
the volume, and tables of separate blocks of a volume can be summed with
``merge_contingency_tables`` before any score is computed.

Every id is a segment, including 0: callers that want background ignored drop
its rows first (``ContingencyTable.without``). Entropies are in bits.
"""

from __future__ import annotations

from typing import Iterable, Optional, Tuple

import attr
import numpy as np

from dacapo.errors import ConfigError

__all__ = [
    "ContingencyTable",
    "contingency_table",
    "merge_contingency_tables",
    "voi",
    "voi_from_table",
]


@attr.s(frozen=True, eq=False)
class ContingencyTable:
    """Sparse overlap counts: ``counts[k]`` voxels carry ``test_ids[k]`` and ``truth_ids[k]``."""

    test_ids: np.ndarray = attr.ib()
    truth_ids: np.ndarray = attr.ib()
    counts: np.ndarray = attr.ib()

    @property
    def total(self) -> int:
        """Number of voxels counted."""
        return int(self.counts.sum())

    def without(
        self, truth: Iterable[int] = (), test: Iterable[int] = ()
    ) -> "ContingencyTable":
        """The table with every pair involving the given truth or test ids dropped."""
        keep = ~np.isin(self.truth_ids, list(truth)) & ~np.isin(self.test_ids, list(test))
        return ContingencyTable(self.test_ids[keep], self.truth_ids[keep], self.counts[keep])

    def test_sizes(self) -> Tuple[np.ndarray, np.ndarray]:
        """Unique test ids and the number of voxels of each."""
        return _marginal(self.test_ids, self.counts)

    def truth_sizes(self) -> Tuple[np.ndarray, np.ndarray]:
        """Unique truth ids and the number of voxels of each."""
        return _marginal(self.truth_ids, self.counts)


def _marginal(ids: np.ndarray, counts: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    unique, inverse = np.unique(ids, return_inverse=True)
    return unique, np.bincount(inverse.ravel(), weights=counts, minlength=len(unique))


def _group_pairs(
    test_ids: np.ndarray, truth_ids: np.ndarray, weights: Optional[np.ndarray]
) -> ContingencyTable:
    """Sums ``weights`` (1 each when ``None``) over equal ``(test, truth)`` pairs."""
    test_unique, test_inverse = np.unique(test_ids, return_inverse=True)
    truth_unique, truth_inverse = np.unique(truth_ids, return_inverse=True)
    keys = test_inverse.ravel().astype(np.int64) * len(truth_unique) + truth_inverse.ravel()
    if weights is None:
        pair_keys, counts = np.unique(keys, return_counts=True)
    else:
        pair_keys, inverse = np.unique(keys, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=weights, minlength=len(pair_keys))
    return ContingencyTable(
        test_unique[pair_keys // max(len(truth_unique), 1)],
        truth_unique[pair_keys % max(len(truth_unique), 1)],
        counts.astype(np.int64),
    )


def contingency_table(test: np.ndarray, truth: np.ndarray) -> ContingencyTable:
    """Overlap counts of two label arrays of the same shape."""
    test = np.asarray(test)
    truth = np.asarray(truth)
    if test.shape != truth.shape:
        raise ConfigError(
            f"contingency_table: test has shape {test.shape} but truth has shape "
            f"{truth.shape}; pass two label arrays of the same shape"
        )
    return _group_pairs(test.ravel(), truth.ravel(), None)


def merge_contingency_tables(tables: Iterable[ContingencyTable]) -> ContingencyTable:
    """One table counting every voxel of ``tables`` (e.g. the blocks of a volume)."""
    tables = list(tables)
    if not tables:
        empty = np.zeros(0, dtype=np.int64)
        return ContingencyTable(empty, empty, empty)
    return _group_pairs(
        np.concatenate([t.test_ids for t in tables]),
        np.concatenate([t.truth_ids for t in tables]),
        np.concatenate([t.counts for t in tables]).astype(np.float64),
    )


def _conditional_entropy(table: ContingencyTable, given_truth: bool) -> float:
    """H(other | given) in bits, as -sum p_ij log2(p_ij / p_given)."""
    total = table.total
    if total == 0:
        return 0.0
    given = table.truth_ids if given_truth else table.test_ids
    unique, inverse = np.unique(given, return_inverse=True)
    given_counts = np.bincount(inverse.ravel(), weights=table.counts, minlength=len(unique))
    joint = table.counts.astype(np.float64)
    ratio = joint / given_counts[inverse.ravel()]
    return float(max(0.0, -np.sum(joint / total * np.log2(ratio))))


def voi_from_table(table: ContingencyTable) -> Tuple[float, float]:
    """``(split, merge)`` of a contingency table, in bits.

    ``split`` is H(test | truth): how much the truth segments are cut into
    several test segments (over-segmentation). ``merge`` is H(truth | test):
    how much test segments join several truth segments (under-segmentation).
    Their sum is the variation of information. An empty table scores (0, 0).
    """
    return _conditional_entropy(table, given_truth=True), _conditional_entropy(
        table, given_truth=False
    )


def voi(test: np.ndarray, truth: np.ndarray) -> Tuple[float, float]:
    """``(split, merge)`` variation of information of ``test`` against ``truth``, in bits.

    Every id, 0 included, is a segment.

    >>> voi([1, 1, 2, 2], [1, 1, 2, 2])
    (0.0, 0.0)
    >>> voi([1, 1, 1, 1], [1, 1, 2, 2])
    (0.0, 1.0)
    """
    return voi_from_table(contingency_table(test, truth))
