"""Predicts, inside each object, the normalised distance to its own boundary."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np
import torch

from dacapo._checks import check_names, check_number
from dacapo.experiments.arraytypes.distances import DistanceArray
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.model import Model
from dacapo.utils.balance_weights import balance_weights

from ._common import gt_channels, make_head, mask_over, spatial_axes, wrap
from ._distances import boundary_distances, normalised
from .predictor import Predictor


class InnerDistancePredictor(Predictor):
    """Predicts ``tanh(d / scale_factor)`` inside objects and 0 outside, where
    ``d`` is the world-unit distance to the nearest face with a different label
    (background or a touching object), so touching instances stay apart.

    Ground truth: instance labels, one channel per class (or a single label
    volume for one class). Weights balance object and background voxels per
    channel, times the mask. The target is computed from the ground truth as
    given, without extra context and without masking distances near its border.
    """

    gt_labels = "instance ids (0 = background)"

    def __init__(self, channels: Sequence[str], scale_factor: float):
        owner = type(self).__name__
        self.channels: List[str] = check_names(owner, "channels", channels)
        self.scale_factor = check_number(owner, "scale_factor", scale_factor, 0, strict=True)

    @property
    def num_channels(self) -> int:
        """Number of channels of the model output."""
        return len(self.channels)

    def create_model(self, architecture) -> Model:
        """The architecture, a 1x1 convolution to one channel per class, and
        (eval mode) a clamp to the target range [0, 1]."""
        head = make_head(architecture, self.num_channels)
        return Model(architecture, head, eval_activation=torch.nn.Hardtanh(0.0, 1.0))

    def create_target(self, gt: Array) -> Array:
        """float32 ``(channels, *spatial)`` inner distances over ``gt.roi``."""
        labels = gt_channels(gt, gt.roi, self.num_channels, type(self).__name__)
        target = np.stack(
            [
                np.where(
                    channel != 0,
                    normalised(boundary_distances(channel, gt.voxel_size), self.scale_factor),
                    0,
                )
                for channel in labels
            ]
        ).astype(np.float32)
        return wrap(target, gt.roi, gt.voxel_size, ["c"] + spatial_axes(gt))

    def create_weight(
        self, gt: Array, target: Array, mask: Optional[Array], moving_class_counts: Any = None
    ):
        """Object/background-balanced float32 weights over ``target.roi`` and
        the updated per-channel class counts."""
        roi = target.roi
        labels = gt_channels(gt, roi, self.num_channels, type(self).__name__) != 0
        weights, moving_class_counts = balance_weights(
            labels.astype(np.uint8),
            2,
            masks=[mask_over(mask, roi, target.voxel_size, self.num_channels)],
            slab=(1,) + (-1,) * gt.dims,
            moving_counts=moving_class_counts,
        )
        return wrap(weights, roi, target.voxel_size, list(target.axes)), moving_class_counts

    @property
    def output_array_type(self) -> DistanceArray:
        """``DistanceArray`` naming each channel's class."""
        return DistanceArray(dict(enumerate(self.channels)))
