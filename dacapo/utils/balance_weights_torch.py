"""Two-class balanced loss weights computed with torch, on the tensor's device.

The device counterpart of ``balance_weights.balance_weights`` for two classes
balanced per channel (``slab=(1, -1, ..., -1)``), for computing the weights
on the training device; it is checked against the numpy function value for
value, over several calls carrying moving counts.

Two facts let it run without a host synchronisation or a branch on the mask:

* with a mask of only 0 and 1 the numpy code counts voxels as integers and
  rounds the float64 class weights to float32 before multiplying by the mask;
  ``float32(w * m)`` is the same for ``m`` in {0, 1}, and float64 sums of 0/1
  values are exact integer counts, so one float64 path serves every mask;
* the per-class sums of other masks are computed in float64 in another order
  than numpy's sequential ``bincount``: they agree exactly whenever the
  float64 sums are exact, which holds for any float32 mask values that are
  multiples of ``2 ** -24`` (all float32 values in ``[2 ** -1, 1]``, and any
  ``k / 2 ** 24``) over fewer than ``2 ** 29`` voxels per channel.
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import torch

from dacapo._checks import check_clip
from dacapo.errors import ConfigError

_OWNER = "two_class_weights_torch"


def two_class_weights_torch(
    labels: torch.Tensor,
    mask: Optional[torch.Tensor],
    clipmin: float,
    clipmax: float,
    counts: Optional[torch.Tensor],
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Weights under which both classes of each channel contribute equally.

    A voxel of class ``c`` in channel ``k`` gets ``1 / (2 * f_kc)`` times its
    mask value, where ``f_kc`` is the mask-weighted fraction of class ``c`` in
    channel ``k`` over every batch seen so far, clipped to ``[clipmin,
    clipmax]`` (1, hence ``clipmax``, for a channel with nothing counted yet).

    Args:
        labels: bool ``(C, *spatial)`` classes (True is class 1).
        mask: ``(C, *spatial)`` mask (converted to float32, like the numpy
            code does), or ``None`` for all ones.
        clipmin: Smallest class fraction used, in ``(0, clipmax]``.
        clipmax: Largest class fraction used, in ``[clipmin, 1]``.
        counts: Running float64 ``(C, 3)`` counts of an earlier call:
            ``[mask sum over class 0, over class 1, total]`` per channel, or
            ``None`` on the first call.

    Returns:
        float32 weights of the labels' shape, and the updated counts (a new
        tensor), both on the labels' device.

    Raises:
        ConfigError: If the arguments do not fit the description above.
    """
    clipmin, clipmax = _check_inputs(labels, mask, clipmin, clipmax, counts)
    # one row per channel: sums over dim 1 also work without spatial axes
    flat = labels.reshape(labels.shape[0], math.prod(labels.shape[1:]))
    weight_map = None
    if mask is not None:
        weight_map = mask.to(torch.float32).to(torch.float64).reshape(flat.shape)
    batch = _batch_counts(flat, weight_map)
    updated = batch if counts is None else counts.to(labels.device) + batch
    class_weights = _class_weights(updated, clipmin, clipmax)
    weights = torch.where(flat, class_weights[:, 1:], class_weights[:, :1])
    if weight_map is not None:
        weights = weights * weight_map
    return weights.to(torch.float32).reshape(labels.shape), updated


def _batch_counts(flat: torch.Tensor, weight_map: Optional[torch.Tensor]) -> torch.Tensor:
    """float64 ``(C, 3)`` ``[class 0, class 1, their sum]`` mask sums of one
    batch of ``(C, voxels)`` labels (voxel counts without a mask)."""
    if weight_map is None:
        class_one = flat.sum(1, dtype=torch.float64)
        class_zero = torch.full_like(class_one, float(flat.shape[1])) - class_one
    else:
        class_one = (weight_map * flat).sum(1)
        class_zero = (weight_map * ~flat).sum(1)
    return torch.stack([class_zero, class_one, class_zero + class_one], dim=1)


def _class_weights(counts: torch.Tensor, clipmin: float, clipmax: float) -> torch.Tensor:
    """float64 ``(C, 2)`` class weights ``1 / (2 * clip(count / total))``,
    with a fraction of 1 where nothing has been counted."""
    totals = counts[:, 2:]
    safe = torch.where(totals > 0, totals, torch.ones_like(totals))
    fractions = torch.where(totals > 0, counts[:, :2] / safe, torch.ones_like(safe))
    return 1.0 / (2 * torch.clamp(fractions, clipmin, clipmax))


def _describe(value) -> str:
    """``"torch.float32 of shape (2, 3)"`` for a tensor, else the type's name."""
    if isinstance(value, torch.Tensor):
        return f"{value.dtype} of shape {tuple(value.shape)}"
    return type(value).__name__


def _check_inputs(labels, mask, clipmin, clipmax, counts) -> Tuple[float, float]:
    """The checked clip bounds; raises ``ConfigError`` for arguments
    ``two_class_weights_torch`` cannot use."""
    if not isinstance(labels, torch.Tensor) or labels.dtype != torch.bool or labels.ndim < 1:
        raise ConfigError(
            f"{_OWNER}: labels must be a bool tensor of shape (channels, *spatial), got "
            f"{_describe(labels)}; pass `labels != 0` (one channel per class)"
        )
    if mask is not None and (not isinstance(mask, torch.Tensor) or mask.shape != labels.shape):
        raise ConfigError(
            f"{_OWNER}: mask must be a tensor of the labels' shape {tuple(labels.shape)}, "
            f"got {_describe(mask)}; give one mask value per label voxel, or None"
        )
    if mask is not None and mask.device != labels.device:
        raise ConfigError(
            f"{_OWNER}: mask is on {mask.device}, labels on {labels.device}; "
            "move both to the same device"
        )
    expected = (labels.shape[0], 3)
    if counts is not None and (
        not isinstance(counts, torch.Tensor)
        or tuple(counts.shape) != expected
        or counts.dtype != torch.float64
    ):
        raise ConfigError(
            f"{_OWNER}: counts must be float64 of shape {expected} (one [class 0, "
            f"class 1, total] row per channel), got {_describe(counts)}; pass the counts "
            "this function returned for the same target, or None to start over"
        )
    return check_clip(_OWNER, ("clipmin", "clipmax"), (clipmin, clipmax))
