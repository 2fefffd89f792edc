"""Class-balanced loss weights."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from dacapo.errors import ConfigError

MovingCounts = List[Dict[int, Tuple[float, float]]]


def _check_arguments(labels: np.ndarray, num_classes: int, clipmin: float, clipmax: float):
    if num_classes < 1:
        raise ConfigError(f"balance_weights: num_classes must be at least 1, got {num_classes}")
    if not 0 < clipmin <= clipmax <= 1:
        raise ConfigError(
            f"balance_weights: expected 0 < clipmin <= clipmax <= 1, got "
            f"clipmin={clipmin}, clipmax={clipmax}"
        )
    if labels.size and (
        labels.min() < 0
        or labels.max() >= num_classes
        or (labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)))
    ):
        raise ConfigError(
            f"balance_weights: labels must be integers in [0, {num_classes}), got "
            f"values in [{labels.min()}, {labels.max()}]; pass the right num_classes "
            "or map the labels to class indices first"
        )


def _slab_ids(shape: Tuple[int, ...], slab: Optional[Sequence[int]]) -> Tuple[np.ndarray, int]:
    """Index of the slab each voxel belongs to, and the number of slabs."""
    if slab is None:
        slab = (-1,) * len(shape)
    if len(slab) != len(shape) or any(s == 0 or s < -1 for s in slab):
        raise ConfigError(
            f"balance_weights: slab {tuple(slab)} does not fit labels of shape {shape}: "
            "expected one positive size (or -1 for the full extent) per axis"
        )
    sizes = [n if s == -1 else s for n, s in zip(shape, slab)]
    grid = tuple(-(-n // s) for n, s in zip(shape, sizes))
    per_axis = np.meshgrid(
        *[np.arange(n) // s for n, s in zip(shape, sizes)], indexing="ij", sparse=True
    )
    ids = np.ravel_multi_index(tuple(per_axis), grid) if shape else np.zeros((), int)
    return np.broadcast_to(ids, shape), int(np.prod(grid))


def _accumulate(
    counts: np.ndarray, totals: np.ndarray, moving_counts: Optional[MovingCounts]
) -> MovingCounts:
    """Adds this batch's counts to the running ``{class: (count, total)}`` per slab."""
    num_slabs, num_classes = counts.shape
    if moving_counts is None:
        moving_counts = [{} for _ in range(num_slabs)]
    if len(moving_counts) != num_slabs:
        raise ConfigError(
            f"balance_weights: moving_counts holds {len(moving_counts)} slabs, these "
            f"labels have {num_slabs}; keep one moving_counts per target and slab layout"
        )
    updated = []
    for slab_counts, slab_total, previous in zip(counts, totals, moving_counts):
        entry = {}
        for c in range(num_classes):
            count, total = previous.get(c, (0.0, 0.0))
            entry[c] = (float(count + slab_counts[c]), float(total + slab_total))
        updated.append(entry)
    return updated


def balance_weights(
    label_data: np.ndarray,
    num_classes: int,
    masks: Sequence[np.ndarray] = (),
    slab: Optional[Sequence[int]] = None,
    clipmin: float = 0.05,
    clipmax: float = 0.95,
    moving_counts: Optional[MovingCounts] = None,
) -> Tuple[np.ndarray, MovingCounts]:
    """Weights under which every class present contributes equally to a loss.

    Within each slab, a voxel of class ``c`` gets ``1 / (num_classes * f_c)``,
    where ``f_c`` is the fraction of unmasked voxels of class ``c`` clipped to
    ``[clipmin, clipmax]``; with two classes at 10% and 90%, the rare class
    weighs 5 and the common one 0.56, so both sum to half of the voxels.

    Args:
        label_data: Class index of every voxel, in ``[0, num_classes)``.
        masks: Arrays of the labels' shape, multiplied together; voxels where
            the product is 0 get weight 0 and are not counted.
        slab: Shape of the blocks balanced independently, -1 meaning the full
            extent of an axis (``(1, -1, -1, -1)`` balances each channel on
            its own); ``None`` balances the whole array at once.
        moving_counts: Class counts returned by a previous call; the fractions
            are then taken over every batch seen so far.

    Returns:
        float32 weights of the labels' shape, and the updated moving counts:
        one ``{class: (count, total)}`` dict per slab.
    """
    labels = np.asarray(label_data)
    _check_arguments(labels, num_classes, clipmin, clipmax)
    mask = np.ones(labels.shape, dtype=np.float32)
    for extra in masks:
        if np.shape(extra) != labels.shape:
            raise ConfigError(
                f"balance_weights: mask of shape {np.shape(extra)} does not match "
                f"labels of shape {labels.shape}"
            )
        mask = mask * np.asarray(extra, dtype=np.float32)
    slab_ids, num_slabs = _slab_ids(labels.shape, slab)
    classes = labels.astype(np.int64)
    bins = (slab_ids * num_classes + classes).ravel()
    counts = np.bincount(bins, weights=mask.ravel(), minlength=num_slabs * num_classes)
    counts = counts.reshape(num_slabs, num_classes)
    moving_counts = _accumulate(counts, counts.sum(axis=1), moving_counts)
    running = np.array([[m[c][0] for c in range(num_classes)] for m in moving_counts])
    totals = np.array([m[0][1] for m in moving_counts])[:, None]
    fractions = np.divide(running, totals, out=np.ones_like(running), where=totals > 0)
    class_weights = 1.0 / (num_classes * np.clip(fractions, clipmin, clipmax))
    weights = class_weights.ravel()[bins].reshape(labels.shape) * mask
    return weights.astype(np.float32), moving_counts
