"""Segmentation metrics as pure functions over numpy arrays.

Binary metrics compare a predicted mask ``test`` with a ground-truth mask
``truth`` (any non-zero voxel is foreground). Distances are in world units:
``voxel_size`` gives the extent of a voxel along each axis.

Conventions for empty masks (so that no metric is ever NaN):

- A ratio whose denominator is zero takes the value of a perfect prediction:
  error rates are 0 (no error was possible and none was made), precision,
  recall, dice and jaccard are 1. So two empty masks score perfectly, and an
  empty prediction of a non-empty truth gets recall 0, precision 1, F1 and
  dice 0 (and the other way round).
- The distance from a voxel to an empty mask is the diagonal of the evaluated
  volume (``far_distance``): farther than any distance inside it. A mean
  over no voxels is 0.

Instance metrics take label arrays (0 = background) or a sparse contingency
table of them (``dacapo.utils.voi``), so that blocks can be counted one at a
time and scored at the end.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from dacapo.errors import ConfigError
from dacapo.utils.voi import ContingencyTable, contingency_table, voi_from_table

BINARY_METRICS: Tuple[str, ...] = (
    "dice",
    "jaccard",
    "hausdorff",
    "false_negative_rate",
    "false_negative_rate_with_tolerance",
    "false_positive_rate",
    "false_discovery_rate",
    "false_positive_rate_with_tolerance",
    "voi",
    "mean_false_distance",
    "mean_false_negative_distance",
    "mean_false_positive_distance",
    "mean_false_distance_clipped",
    "mean_false_negative_distance_clipped",
    "mean_false_positive_distance_clipped",
    "precision_with_tolerance",
    "recall_with_tolerance",
    "f1_score_with_tolerance",
    "precision",
    "recall",
    "f1_score",
)

INSTANCE_METRICS: Tuple[str, ...] = (
    "voi_split",
    "voi_merge",
    "adapted_rand_error",
    "instance_f1",
)


class OverlapCounts(NamedTuple):
    """Voxel counts of a binary prediction against a binary truth."""

    tp: int
    fp: int
    fn: int
    tn: int


def _ratio(numerator: float, denominator: float, if_empty: float) -> float:
    return float(numerator) / float(denominator) if denominator else float(if_empty)


def _harmonic_mean(a: float, b: float) -> float:
    return 2.0 * a * b / (a + b) if a + b else 0.0


def _masks(test: np.ndarray, truth: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    test, truth = np.asarray(test) != 0, np.asarray(truth) != 0
    if test.shape != truth.shape:
        raise ConfigError(
            f"binary metrics: prediction has shape {test.shape} but ground truth has "
            f"shape {truth.shape}; compare masks of the same shape"
        )
    return test, truth


# ---------------------------------------------------------------- overlap ---


def overlap_counts(test: np.ndarray, truth: np.ndarray) -> OverlapCounts:
    """True/false positives/negatives of ``test`` against ``truth``."""
    test, truth = _masks(test, truth)
    tp = int(np.count_nonzero(test & truth))
    fp = int(np.count_nonzero(test)) - tp
    fn = int(np.count_nonzero(truth)) - tp
    return OverlapCounts(tp, fp, fn, test.size - tp - fp - fn)


def count_metrics(counts: OverlapCounts) -> Dict[str, float]:
    """The metrics that only need voxel counts (dice, rates, precision, ...)."""
    tp, fp, fn, tn = counts
    precision = _ratio(tp, tp + fp, 1.0)
    recall = _ratio(tp, tp + fn, 1.0)
    return {
        "dice": _ratio(2 * tp, 2 * tp + fp + fn, 1.0),
        "jaccard": _ratio(tp, tp + fp + fn, 1.0),
        "false_negative_rate": _ratio(fn, tp + fn, 0.0),
        "false_positive_rate": _ratio(fp, fp + tn, 0.0),
        "false_discovery_rate": _ratio(fp, tp + fp, 0.0),
        "precision": precision,
        "recall": recall,
        "f1_score": _harmonic_mean(precision, recall),
        "voi": sum(voi_from_table(_binary_table(counts))),
    }


def _binary_table(counts: OverlapCounts) -> ContingencyTable:
    """The 2x2 contingency table (test id, truth id) of binary counts."""
    test_ids = np.array([1, 1, 0, 0])
    truth_ids = np.array([1, 0, 1, 0])
    values = np.array([counts.tp, counts.fp, counts.fn, counts.tn], dtype=np.int64)
    keep = values > 0
    return ContingencyTable(test_ids[keep], truth_ids[keep], values[keep])


def dice(test: np.ndarray, truth: np.ndarray) -> float:
    """2|T∩P| / (|T| + |P|); 1 when both are empty."""
    return count_metrics(overlap_counts(test, truth))["dice"]


def jaccard(test: np.ndarray, truth: np.ndarray) -> float:
    """|T∩P| / |T∪P|; 1 when both are empty."""
    return count_metrics(overlap_counts(test, truth))["jaccard"]


def precision(test: np.ndarray, truth: np.ndarray) -> float:
    """Fraction of predicted voxels that are in the truth; 1 for an empty prediction."""
    return count_metrics(overlap_counts(test, truth))["precision"]


def recall(test: np.ndarray, truth: np.ndarray) -> float:
    """Fraction of truth voxels that are predicted; 1 for an empty truth."""
    return count_metrics(overlap_counts(test, truth))["recall"]


def f1_score(test: np.ndarray, truth: np.ndarray) -> float:
    """Harmonic mean of precision and recall (equal to dice)."""
    return count_metrics(overlap_counts(test, truth))["f1_score"]


def false_positive_rate(test: np.ndarray, truth: np.ndarray) -> float:
    """FP / (FP + TN): fraction of truth background that is predicted."""
    return count_metrics(overlap_counts(test, truth))["false_positive_rate"]


def false_negative_rate(test: np.ndarray, truth: np.ndarray) -> float:
    """FN / (TP + FN): fraction of truth foreground that is missed."""
    return count_metrics(overlap_counts(test, truth))["false_negative_rate"]


def false_discovery_rate(test: np.ndarray, truth: np.ndarray) -> float:
    """FP / (TP + FP): fraction of the prediction outside the truth."""
    return count_metrics(overlap_counts(test, truth))["false_discovery_rate"]


def binary_voi(test: np.ndarray, truth: np.ndarray) -> float:
    """Variation of information (split + merge, bits) of two masks."""
    return count_metrics(overlap_counts(test, truth))["voi"]


# -------------------------------------------------------------- distances ---


def far_distance(shape: Sequence[int], voxel_size: Sequence[float]) -> float:
    """Diagonal of a volume of ``shape`` voxels: the distance to an empty mask."""
    extent = np.asarray(shape) * np.asarray(voxel_size, dtype=np.float64)
    return float(np.sqrt(np.sum(extent**2)))


def distance_to(mask: np.ndarray, voxel_size: Sequence[float]) -> np.ndarray:
    """World distance from each voxel to the nearest voxel of ``mask`` (0 inside it)."""
    mask = np.asarray(mask) != 0
    if len(voxel_size) != mask.ndim:
        raise ConfigError(
            f"distance_to: voxel size {tuple(voxel_size)} has {len(voxel_size)} values "
            f"for a {mask.ndim}-dimensional mask; give one value per axis"
        )
    if not mask.any():
        return np.full(mask.shape, far_distance(mask.shape, voxel_size), dtype=np.float32)
    if 1 <= mask.ndim <= 3:
        import edt

        sampling = tuple(float(v) for v in voxel_size)
        return edt.edt(
            np.ascontiguousarray(~mask),
            anisotropy=sampling[0] if mask.ndim == 1 else sampling,
            black_border=False,
        )
    from scipy.ndimage import distance_transform_edt

    return distance_transform_edt(~mask, sampling=voxel_size).astype(np.float32)


def false_distances(
    test: np.ndarray, truth: np.ndarray, voxel_size: Sequence[float]
) -> Tuple[np.ndarray, np.ndarray]:
    """``(fp, fn)``: distances of predicted voxels to the truth, and of truth voxels to
    the prediction."""
    test, truth = _masks(test, truth)
    fp = distance_to(truth, voxel_size)[test].astype(np.float64)
    fn = distance_to(test, voxel_size)[truth].astype(np.float64)
    return fp, fn


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else 0.0


def distance_metrics(
    fp: np.ndarray, fn: np.ndarray, clip_distance: Optional[float]
) -> Dict[str, float]:
    """Hausdorff and mean false distances from the output of ``false_distances``."""
    metrics = {"hausdorff": float(max(fp.max(initial=0.0), fn.max(initial=0.0)))}
    clip = np.inf if clip_distance is None else clip_distance
    for suffix, (p, n) in (
        ("", (fp, fn)),
        ("_clipped", (np.minimum(fp, clip), np.minimum(fn, clip))),
    ):
        metrics[f"mean_false_positive_distance{suffix}"] = _mean(p)
        metrics[f"mean_false_negative_distance{suffix}"] = _mean(n)
        metrics[f"mean_false_distance{suffix}"] = 0.5 * (_mean(p) + _mean(n))
    return metrics


def hausdorff(test: np.ndarray, truth: np.ndarray, voxel_size: Sequence[float]) -> float:
    """Largest distance from a voxel of either mask to the other; 0 when both are empty."""
    return distance_metrics(*false_distances(test, truth, voxel_size), None)["hausdorff"]


def tolerance_metrics(
    fp: np.ndarray, fn: np.ndarray, counts: OverlapCounts, tol_distance: float
) -> Dict[str, float]:
    """Rates counting a voxel wrong only when farther than ``tol_distance`` from the other mask."""
    far_fp = int(np.count_nonzero(fp > tol_distance))
    far_fn = int(np.count_nonzero(fn > tol_distance))
    positives, predicted = counts.tp + counts.fn, counts.tp + counts.fp
    precision = 1.0 - _ratio(far_fp, predicted, 0.0)
    recall = 1.0 - _ratio(far_fn, positives, 0.0)
    return {
        "false_positive_rate_with_tolerance": _ratio(far_fp, counts.fp + counts.tn, 0.0),
        "false_negative_rate_with_tolerance": _ratio(far_fn, positives, 0.0),
        "precision_with_tolerance": precision,
        "recall_with_tolerance": recall,
        "f1_score_with_tolerance": _harmonic_mean(precision, recall),
    }


def binary_metrics(
    test: np.ndarray,
    truth: np.ndarray,
    voxel_size: Sequence[float],
    clip_distance: Optional[float] = None,
    tol_distance: float = 0.0,
) -> Dict[str, float]:
    """All 21 binary metrics (``BINARY_METRICS``) of one mask pair."""
    test, truth = _masks(test, truth)
    counts = overlap_counts(test, truth)
    fp, fn = false_distances(test, truth, voxel_size)
    metrics = count_metrics(counts)
    metrics.update(distance_metrics(fp, fn, clip_distance))
    metrics.update(tolerance_metrics(fp, fn, counts, tol_distance))
    return {name: metrics[name] for name in BINARY_METRICS}


# -------------------------------------------------------------- instances ---


def adapted_rand_error_from_table(table: ContingencyTable) -> float:
    """1 - F-score of Rand precision and recall over voxel pairs inside truth objects.

    Voxels of truth id 0 are ignored; predicted id 0 is an ordinary segment.
    Pairs are pairs of distinct voxels. 0 when the truth has no objects.
    """
    inside = table.without(truth=[0])
    n = float(inside.total)
    if n == 0:
        return 0.0
    same_both = np.sum(inside.counts.astype(np.float64) ** 2) - n
    same_truth = np.sum(inside.truth_sizes()[1] ** 2) - n
    same_test = np.sum(inside.test_sizes()[1] ** 2) - n
    precision = _ratio(same_both, same_test, 1.0)
    recall = _ratio(same_both, same_truth, 1.0)
    return 1.0 - _harmonic_mean(precision, recall)


def instance_f1_from_table(table: ContingencyTable, iou_threshold: float = 0.5) -> float:
    """F1 of object detection: truth and test objects (ids != 0) match at IoU >= threshold.

    Each object matches at most once (highest IoU first). 1 when neither side has objects.
    """
    truth_ids, truth_sizes = table.without(truth=[0]).truth_sizes()
    test_ids, test_sizes = table.without(test=[0]).test_sizes()
    if len(truth_ids) + len(test_ids) == 0:
        return 1.0
    pairs = table.without(truth=[0], test=[0])
    union = (
        truth_sizes[np.searchsorted(truth_ids, pairs.truth_ids)]
        + test_sizes[np.searchsorted(test_ids, pairs.test_ids)]
        - pairs.counts
    )
    iou = pairs.counts / union
    candidates = np.flatnonzero(iou >= iou_threshold)
    order = candidates[np.argsort(-iou[candidates], kind="stable")]
    order = order[np.sort(np.unique(pairs.truth_ids[order], return_index=True)[1])]
    order = order[np.sort(np.unique(pairs.test_ids[order], return_index=True)[1])]
    return 2.0 * len(order) / (len(truth_ids) + len(test_ids))


def instance_metrics_from_table(table: ContingencyTable) -> Dict[str, float]:
    """VOI split/merge (0 is a segment), adapted Rand error and instance F1."""
    split, merge = voi_from_table(table)
    return {
        "voi_split": split,
        "voi_merge": merge,
        "adapted_rand_error": adapted_rand_error_from_table(table),
        "instance_f1": instance_f1_from_table(table),
    }


def adapted_rand_error(test: np.ndarray, truth: np.ndarray) -> float:
    """Adapted Rand error of two label arrays (see ``adapted_rand_error_from_table``)."""
    return adapted_rand_error_from_table(contingency_table(test, truth))


def instance_f1(test: np.ndarray, truth: np.ndarray, iou_threshold: float = 0.5) -> float:
    """Object F1 of two label arrays (see ``instance_f1_from_table``)."""
    return instance_f1_from_table(contingency_table(test, truth), iou_threshold)
