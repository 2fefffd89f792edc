"""Class-balanced loss weights."""

from __future__ import annotations

import itertools
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from dacapo.errors import ConfigError

MovingCounts = List[Dict[int, Tuple[float, float]]]

# Slabs are visited one block at a time (views, no per-voxel bin index) up to
# this many; beyond it one flat ``slab * num_classes + class`` index is cheaper.
_MAX_BLOCKS = 64

# Either the blocks of every slab (in slab order) or the flat bin of every voxel.
Layout = Union[List[Tuple[slice, ...]], np.ndarray]


def _check_arguments(labels: np.ndarray, num_classes: int, clipmin: float, clipmax: float):
    if num_classes < 1:
        raise ConfigError(f"balance_weights: num_classes must be at least 1, got {num_classes}")
    if not 0 < clipmin <= clipmax <= 1:
        raise ConfigError(
            f"balance_weights: expected 0 < clipmin <= clipmax <= 1, got "
            f"clipmin={clipmin}, clipmax={clipmax}"
        )
    if labels.size and (
        (labels.dtype.kind not in "ub" and labels.min() < 0)
        or labels.max() >= num_classes
        or (labels.dtype.kind == "f" and not np.array_equal(labels, np.round(labels)))
    ):
        raise ConfigError(
            f"balance_weights: labels must be integers in [0, {num_classes}), got "
            f"values in [{labels.min()}, {labels.max()}]; pass the right num_classes "
            "or map the labels to class indices first"
        )


def _class_indices(labels: np.ndarray) -> np.ndarray:
    """Checked ``labels`` as an integer array usable as indices (no copy when
    they already are integers)."""
    if labels.dtype == np.bool_:
        return labels.view(np.uint8)
    if labels.dtype.kind in "iu" and np.can_cast(labels.dtype, np.intp):
        return labels
    return labels.astype(np.intp)


def _slab_grid(shape: Tuple[int, ...], slab: Optional[Sequence[int]]):
    """Slab size per axis and number of slabs per axis."""
    if slab is None:
        slab = (-1,) * len(shape)
    if len(slab) != len(shape) or any(s == 0 or s < -1 for s in slab):
        raise ConfigError(
            f"balance_weights: slab {tuple(slab)} does not fit labels of shape {shape}: "
            "expected one positive size (or -1 for the full extent) per axis"
        )
    # an axis of length 0 still has one (empty) slab: slab counts stay the same
    sizes = [max(n, 1) if s == -1 else s for n, s in zip(shape, slab)]
    grid = tuple(max(1, -(-n // s)) for n, s in zip(shape, sizes))
    return sizes, grid


def _layout(shape: Tuple[int, ...], slab: Optional[Sequence[int]], num_classes: int):
    """The slabs' layout (see ``Layout``) and the number of slabs.

    Blocks are listed in C order of the slab grid, which is the order of the
    flat slab index, so both layouts number the slabs the same way.
    """
    sizes, grid = _slab_grid(shape, slab)
    num_slabs = int(np.prod(grid))
    if num_slabs <= _MAX_BLOCKS:
        starts = [range(0, g * s, s) for g, s in zip(grid, sizes)]
        blocks = [  # the trailing Ellipsis keeps 0-d blocks views
            tuple(slice(b, b + s) for b, s in zip(corner, sizes)) + (Ellipsis,)
            for corner in itertools.product(*starts)
        ]
        return blocks, num_slabs
    per_axis = np.meshgrid(
        *[np.arange(n) // s for n, s in zip(shape, sizes)], indexing="ij", sparse=True
    )
    ids = np.ravel_multi_index(tuple(per_axis), grid) * num_classes
    return ids, num_slabs


def _mask_product(shape: Tuple[int, ...], masks: Sequence[np.ndarray]) -> Optional[np.ndarray]:
    """float32 product of ``masks`` (``None`` without masks), computed as
    ``1 * m0 * m1 * ...`` in float32; the inputs are never modified."""
    product: Optional[np.ndarray] = None
    owned = False
    for extra in masks:
        if np.shape(extra) != shape:
            raise ConfigError(
                f"balance_weights: mask of shape {np.shape(extra)} does not match "
                f"labels of shape {shape}"
            )
        extra = np.asarray(extra, dtype=np.float32)
        if product is None:
            product = extra
        elif not owned:
            product, owned = np.multiply(product, extra), True
        else:
            np.multiply(product, extra, out=product)
    return product


def _binary_support(mask: Optional[np.ndarray]) -> Optional[np.ndarray]:
    """Where ``mask`` is non-zero (boolean) when every value is 0 or 1, else
    ``None``. With such a mask, ``f32(w * m)`` equals ``f32(w) * m`` and the
    weighted class counts are exact integer counts."""
    if mask is None:
        return None
    kept = mask != 0
    return kept if np.count_nonzero(kept) == np.count_nonzero(mask == 1) else None


def _block_counts(labels, kept, num_classes: int) -> np.ndarray:
    """Number of voxels of each class in ``labels`` where ``kept`` (a boolean
    array, or ``None`` for all)."""
    if kept is None:
        total = labels.size
        if num_classes == 2:
            ones = np.count_nonzero(labels)
            return np.array([total - ones, ones], dtype=np.float64)
        return np.bincount(labels.ravel(), minlength=num_classes).astype(np.float64)
    if num_classes == 2:
        total = np.count_nonzero(kept)
        ones = np.count_nonzero(np.logical_and(labels, kept))
        return np.array([total - ones, ones], dtype=np.float64)
    return np.bincount(labels[kept], minlength=num_classes).astype(np.float64)


def _class_counts(labels, mask, kept, layout: Layout, num_slabs: int, num_classes: int):
    """``(num_slabs, num_classes)`` float64 sums of ``mask`` per slab and class.

    Binary masks (``kept`` given) are counted exactly with integers; other
    masks are summed in float64 in C order (``np.bincount``), as one pass over
    the whole array would.
    """
    if isinstance(layout, np.ndarray):
        bins = (layout + labels).ravel()
        weights = None if mask is None else mask.ravel()
        counts = np.bincount(bins, weights=weights, minlength=num_slabs * num_classes)
        return counts.astype(np.float64).reshape(num_slabs, num_classes)
    counts = np.empty((num_slabs, num_classes), dtype=np.float64)
    for s, block in enumerate(layout):
        if kept is not None:
            counts[s] = _block_counts(labels[block], kept[block], num_classes)
        elif mask is None:
            counts[s] = _block_counts(labels[block], None, num_classes)
        else:
            counts[s] = np.bincount(labels[block].ravel(), weights=mask[block].ravel(),
                                    minlength=num_classes)
    return counts


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


def _class_weights(moving_counts: MovingCounts, num_classes: int, clipmin, clipmax) -> np.ndarray:
    """float64 ``(num_slabs, num_classes)`` weights from the running counts."""
    running = np.array([[m[c][0] for c in range(num_classes)] for m in moving_counts])
    totals = np.array([m[0][1] for m in moving_counts])[:, None]
    fractions = np.divide(running, totals, out=np.ones_like(running), where=totals > 0)
    return 1.0 / (num_classes * np.clip(fractions, clipmin, clipmax))


def _voxel_weights(labels, mask, binary: bool, layout: Layout, class_weights) -> np.ndarray:
    """float32 ``class_weights[slab, label] * mask`` for every voxel, rounded
    once from float64 (with a binary mask, rounding first is the same)."""
    table = class_weights.astype(np.float32) if binary else class_weights
    if isinstance(layout, np.ndarray):
        weights = table.ravel()[layout + labels]
    else:
        weights = np.empty(labels.shape, dtype=table.dtype)
        for s, block in enumerate(layout):
            _look_up(table[s], labels[block], weights[block])
    if mask is not None:
        np.multiply(weights, mask, out=weights)
    return weights.astype(np.float32, copy=False)


def _look_up(row: np.ndarray, labels: np.ndarray, out: np.ndarray) -> None:
    """``out[...] = row[labels]`` for labels in ``[0, len(row))``; two classes
    are two masked copies (a few times faster than a general look-up)."""
    if len(row) == 2:
        np.copyto(out, row[0])
        np.copyto(out, row[1], where=labels != 0)
    else:
        np.take(row, labels, out=out, mode="clip")


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
    labels = _class_indices(labels)
    mask = _mask_product(labels.shape, masks)
    layout, num_slabs = _layout(labels.shape, slab, num_classes)
    kept = _binary_support(mask)
    counts = _class_counts(labels, mask, kept, layout, num_slabs, num_classes)
    moving_counts = _accumulate(counts, counts.sum(axis=1), moving_counts)
    class_weights = _class_weights(moving_counts, num_classes, clipmin, clipmax)
    binary = mask is None or kept is not None
    weights = _voxel_weights(labels, mask, binary, layout, class_weights)
    return weights, moving_counts
