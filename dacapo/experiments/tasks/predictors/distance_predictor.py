"""Predicts normalised signed distances to the boundaries of each class."""

from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence

import numpy as np
import torch
from funlib.geometry import Coordinate

from dacapo._checks import check_choice, check_clip, check_names, check_number
from dacapo.errors import ConfigError
from dacapo.experiments.arraytypes.arraytype import ArrayType
from dacapo.experiments.arraytypes.distances import DistanceArray
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.model import Model
from dacapo.utils.balance_weights import balance_weights

from ._common import grow_spec, gt_channels, make_head, mask_over, spatial_axes, wrap
from ._distances import (
    distance_mask,
    normalised,
    saturation_distance,
    signed_distances,
    unseen_distances,
)
from .predictor import Predictor


class DistancePredictor(Predictor):
    """Predicts, per class channel, ``tanh(d / scale_factor)`` where ``d`` is the
    signed world-unit distance of a voxel to the boundary of that class
    (positive inside, negative outside; ±1 in a patch without a boundary).

    Ground truth has one binary channel per class (non-zero = inside), or is a
    single label volume when there is one class. Weights balance inside and
    outside voxels per channel (running class fractions, clipped to
    ``[clipmin, clipmax]``), times the mask. With ``mask_distances``, voxels
    whose distance might be shortened by a boundary hidden outside the ground
    truth (or under the mask) get weight 0, and ``gt_region_for_roi`` asks for
    enough extra ground truth that this rarely happens.
    """

    gt_labels = "binary labels (non-zero = inside the class)"

    def __init__(
        self,
        channels: Sequence[str],
        scale_factor: float,
        mask_distances: bool,
        clipmin: float = 0.05,
        clipmax: float = 0.95,
        *,
        eval_activation: str = "clamp",
    ):
        owner = type(self).__name__
        self.eval_activation = check_choice(
            owner, "eval_activation", eval_activation, ("clamp", "tanh")
        )
        self.channels: List[str] = check_names(owner, "channels", channels)
        self.scale_factor = check_number(owner, "scale_factor", scale_factor, 0, strict=True)
        check_clip(owner, ("clipmin", "clipmax"), (clipmin, clipmax))
        self.mask_distances = bool(mask_distances)
        self.clipmin, self.clipmax = float(clipmin), float(clipmax)

    @property
    def num_channels(self) -> int:
        """Number of channels of the model output."""
        return len(self.channels)

    def create_model(self, architecture) -> Model:
        """The architecture, a 1x1 convolution to one channel per class, and
        (eval mode) a clamp to the target range [-1, 1], or a ``tanh`` with
        ``eval_activation="tanh"`` (for a model trained through ``tanh``, as
        by ``DiceLoss("tanh")``)."""
        head = make_head(architecture, self.num_channels)
        activation = torch.nn.Tanh() if self.eval_activation == "tanh" else torch.nn.Hardtanh()
        return Model(architecture, head, eval_activation=activation)

    def create_target(self, gt: Array) -> Array:
        """float32 ``(channels, *spatial)`` normalised distances over ``gt.roi``."""
        labels = gt_channels(gt, gt.roi, len(self.channels), type(self).__name__)
        target = _stack(
            [
                normalised(signed_distances(channel, gt.voxel_size), self.scale_factor)
                for channel in labels
            ]
        )
        return wrap(target, gt.roi, gt.voxel_size, ["c"] + spatial_axes(gt))

    def create_weight(
        self, gt: Array, target: Array, mask: Optional[Array], moving_class_counts: Any = None
    ):
        """Class-balanced float32 weights over ``target.roi`` and the updated
        per-channel class counts."""
        roi = target.roi
        labels = gt_channels(gt, roi, len(self.channels), type(self).__name__) != 0
        channels = len(self.channels)
        # without a mask, mask_over gives ones, which change no weight: leave them out
        masks = [] if mask is None else [mask_over(mask, roi, target.voxel_size, channels)]
        if self.mask_distances:
            # ones for every class reduce to one channel in _distance_mask anyway
            known = mask_over(mask, gt.roi, gt.voxel_size, 1 if mask is None else channels)
            masks.append(self._distance_mask(gt, target, known))
        return self._balanced_weights(labels, masks, gt, target, moving_class_counts)

    def _balanced_weights(self, labels, masks, gt: Array, target: Array, moving_class_counts):
        """``balance_weights`` of the 0/1 ``labels`` (one slab per channel) as an
        array over ``target.roi``, and the updated counts."""
        weights, moving_class_counts = balance_weights(
            np.asarray(labels, dtype=bool).view(np.uint8),  # 0/1 bytes, no copy
            2,
            masks=masks,
            slab=(1,) + (-1,) * gt.dims,
            clipmin=self.clipmin,
            clipmax=self.clipmax,
            moving_counts=moving_class_counts,
        )
        return wrap(weights, target.roi, target.voxel_size, list(target.axes)), moving_class_counts

    def _distance_mask(self, gt: Array, target: Array, known: np.ndarray) -> np.ndarray:
        """``distance_mask`` of ``target`` (one channel per class), with the
        unseen region measured over the whole ground truth.

        ``known`` is the mask over ``gt.roi`` with one channel per class (as
        ``mask_over`` gives it, so a mask with one channel per class, as
        ``DataSplitGenerator`` builds it, works): each class's distances are
        checked against its own mask channel.
        """
        if all(np.array_equal(known[0], other) for other in known[1:]):
            known = known[:1]  # one mask for every class: one distance transform
        unseen = _stack([unseen_distances(channel, gt.voxel_size) for channel in known])
        unseen_array = wrap(unseen, gt.roi, gt.voxel_size, ["c"] + spatial_axes(gt))
        return distance_mask(target[target.roi], unseen_array[target.roi], self.scale_factor)

    @property
    def supports_device_targets(self) -> bool:  # type: ignore[override]
        """True unless a subclass computes its target or weights differently."""
        cls = type(self)
        return (cls.create_target is DistancePredictor.create_target
                and cls.create_weight is DistancePredictor.create_weight)

    def device_targets(self, gt, mask, voxel_size, moving_class_counts=None):
        """``create_target`` and ``create_weight`` of a batch, computed with torch
        on ``gt``'s device (see ``Predictor.device_targets``): the same values,
        except that ``tanh`` may differ in the last bit. The distances of all
        samples and channels are transformed together; the weights sample
        after sample, the running class counts (a ``(channels, 3)`` float64
        tensor on the device) going on from one to the next."""
        from ._device_distances import normalised_torch, signed_distances_torch

        voxel_size = Coordinate(voxel_size)
        labels = _device_channels(gt, voxel_size.dims, len(self.channels), type(self).__name__)
        signed = signed_distances_torch(labels, voxel_size, batch_dims=2)
        target = normalised_torch(signed, self.scale_factor)
        masks = None if mask is None else _device_mask(mask, labels)
        weights = []
        for sample in range(labels.shape[0]):
            weight, moving_class_counts = self._device_weight(
                labels[sample], target[sample], None if masks is None else masks[sample],
                voxel_size, moving_class_counts,
            )
            weights.append(weight)
        crop = (slice(None), slice(None)) + tuple(
            slice(p // v, n - p // v)
            for p, v, n in zip(self.padding(voxel_size), voxel_size, labels.shape[2:])
        )
        return target[crop], torch.stack(weights)[crop], moving_class_counts

    def _device_weight(self, labels, target, mask, voxel_size, counts):
        """``create_weight`` of one sample on the device, and the updated counts."""
        from dacapo.utils.balance_weights_torch import two_class_weights_torch

        masks = [] if mask is None else [mask]
        if self.mask_distances:
            known = torch.ones_like(labels[:1], dtype=torch.float32) if mask is None else mask
            masks.append(self._device_distance_mask(target, known, voxel_size))
        product = masks[0] if masks else None
        for extra in masks[1:]:
            product = product * extra
        return two_class_weights_torch(labels != 0, product, self.clipmin, self.clipmax, counts)

    def device_gt(self, gt: np.ndarray) -> np.ndarray:
        """``gt`` renumbered 1..n (0 stays 0) in the smallest unsigned type that
        holds n: distances depend only on which voxels share an id and on
        which are 0, so the targets are the same (typically a byte a voxel
        instead of eight)."""
        import fastremap

        if gt.dtype == bool:
            return gt.view(np.uint8)
        renumbered, _ = fastremap.renumber(np.asarray(gt), preserve_zero=True)
        return renumbered

    def _device_distance_mask(self, target, known, voxel_size):
        """``_distance_mask`` on the device: one unseen-distance transform per
        distinct mask channel."""
        from ._device_distances import distance_mask_torch, unseen_distances_torch

        if all(torch.equal(known[0], other) for other in known[1:]):
            known = known[:1]
        unseen = torch.stack([unseen_distances_torch(k, voxel_size) for k in known])
        return distance_mask_torch(target, unseen, self.scale_factor).expand_as(target)

    @property
    def output_array_type(self) -> ArrayType:
        """``DistanceArray`` naming each channel's class (subclasses may
        predict other kinds of values)."""
        return DistanceArray(dict(enumerate(self.channels)))

    @property
    def context(self) -> float:
        """World units of extra ground truth used with ``mask_distances``: the
        distance at which the normalised target saturates."""
        return saturation_distance(self.scale_factor) if self.mask_distances else 0.0

    def gt_region_for_roi(self, target_spec):
        """``target_spec`` (a gunpowder ``ArraySpec`` or a ``Roi``) grown by
        ``context`` on every side, in whole voxels when the spec has a voxel
        size; unchanged without ``mask_distances``."""
        if not self.mask_distances:
            return target_spec
        voxel_size = getattr(target_spec, "voxel_size", None)
        if voxel_size is None:
            context = Coordinate((int(math.ceil(self.context)),) * _dims(target_spec))
            return grow_spec(target_spec, context)
        return grow_spec(target_spec, self.padding(voxel_size))

    def padding(self, gt_voxel_size: Coordinate) -> Coordinate:
        """``context`` rounded up to whole voxels of ``gt_voxel_size``, per side."""
        return Coordinate(int(math.ceil(self.context / v)) * v for v in gt_voxel_size)


def _stack(channels: List[np.ndarray]) -> np.ndarray:
    """``np.stack(channels)``; a single (fresh) channel gets a leading axis
    without a copy."""
    return channels[0][np.newaxis] if len(channels) == 1 else np.stack(channels)


def _dims(spec) -> int:
    return spec.dims if hasattr(spec, "dims") else spec.roi.dims


def _device_channels(gt, dims: int, channels: int, owner: str):
    """A batch's ``gt`` as ``(batch, channels, *spatial)`` (without a channel
    axis it serves one channel)."""
    labels = gt.reshape((gt.shape[0], -1) + tuple(gt.shape[gt.dim() - dims:]))
    if labels.shape[1] != channels:
        raise ConfigError(
            f"{owner}: the ground truth of a training batch (shape {tuple(gt.shape)}) has "
            f"{labels.shape[1]} channel(s) but {channels} are predicted; give one channel "
            "per predicted class (e.g. with a BinarizeArrayConfig), or a single label "
            "volume for a single channel"
        )
    return labels


def _device_mask(mask, labels):
    """A batch's ``mask`` as float32 ``labels``-shaped channels (one mask
    channel serves all)."""
    data = mask.to(torch.float32).reshape(
        (mask.shape[0], -1) + tuple(labels.shape[2:]))
    if data.shape[1] not in (1, labels.shape[1]):
        raise ConfigError(
            f"the mask of a training batch (shape {tuple(mask.shape)}) has "
            f"{data.shape[1]} channels; expected no channel axis, one channel, or one per "
            f"predicted channel ({labels.shape[1]})"
        )
    return data.expand_as(labels).contiguous()
