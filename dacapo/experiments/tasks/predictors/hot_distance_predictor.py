"""Predicts binary ("hot") class channels together with normalised distances."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np
import torch

from dacapo._checks import check_kernel_size
from dacapo.experiments.arraytypes.probabilities import ProbabilityArray
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.model import Model

from ._common import gt_channels, make_head, mask_over, spatial_axes, wrap
from .distance_predictor import DistancePredictor


class HotDistanceActivation(torch.nn.Module):
    """Eval activation of hot-distance models: the first ``num_hot`` channels
    become ``2 * sigmoid(x) - 1`` (a probability ``p`` reads as ``2p - 1``), the
    distance channels are clamped to [-1, 1].

    Both halves then share the range [-1, 1] with the decision boundary at 0,
    so one threshold grid suits all channels: threshold ``t`` on a hot channel
    is probability ``(t + 1) / 2``.
    """

    def __init__(self, num_hot: int):
        super().__init__()
        self.num_hot = num_hot

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hot, distances = x[:, : self.num_hot], x[:, self.num_hot :]
        return torch.cat([2 * torch.sigmoid(hot) - 1, distances.clamp(-1, 1)], dim=1)


class HotDistancePredictor(DistancePredictor):
    """Predicts ``2 * len(channels)`` channels: first, per class, the binary
    mask (trained as logits with binary cross-entropy), then the class's
    normalised signed distance (as ``DistancePredictor``).

    Weights are balanced per channel, for the hot and the distance half alike;
    with ``mask_distances`` only the distance half is distance-masked. The
    moving class counts hold one entry per output channel.
    """

    def __init__(
        self,
        channels: Sequence[str],
        scale_factor: float,
        mask_distances: bool,
        kernel_size: Optional[int] = 1,
        *,
        clipmin: float = 0.05,
        clipmax: float = 0.95,
    ):
        super().__init__(channels, scale_factor, mask_distances, clipmin, clipmax)
        self.kernel_size = check_kernel_size(type(self).__name__, "kernel_size", kernel_size)

    @property
    def num_channels(self) -> int:
        """Hot channels plus distance channels."""
        return 2 * len(self.channels)

    @property
    def output_channels(self) -> List[str]:
        """Names of the output channels: the classes, then ``<class>_distance``."""
        return self.channels + [f"{name}_distance" for name in self.channels]

    def create_model(self, architecture) -> Model:
        """The architecture, a ``kernel_size`` convolution to both halves, and
        ``HotDistanceActivation`` in eval mode."""
        head = make_head(architecture, self.num_channels, self.kernel_size)
        return Model(architecture, head, eval_activation=HotDistanceActivation(len(self.channels)))

    def create_target(self, gt: Array) -> Array:
        """float32 binary masks stacked on the normalised distances, over ``gt.roi``."""
        hot = gt_channels(gt, gt.roi, len(self.channels), type(self).__name__) != 0
        distances = super().create_target(gt)
        target = np.concatenate([hot.astype(np.float32), distances.data])
        return wrap(target, gt.roi, gt.voxel_size, ["c"] + spatial_axes(gt))

    def create_weight(
        self, gt: Array, target: Array, mask: Optional[Array], moving_class_counts: Any = None
    ):
        """Per-channel balanced float32 weights over ``target.roi`` and the
        updated counts (one entry per output channel)."""
        roi, n = target.roi, len(self.channels)
        labels = gt_channels(gt, roi, n, type(self).__name__) != 0
        masks = [self._output_mask(mask, roi, target.voxel_size)]
        if self.mask_distances:
            distance_target = wrap(target[roi][n:], roi, target.voxel_size, list(target.axes))
            known = self._output_mask(mask, gt.roi, gt.voxel_size)[n:]
            trusted = self._distance_mask(gt, distance_target, known)
            masks.append(np.concatenate([np.ones_like(trusted), trusted]))
        labels = np.concatenate([labels, labels])
        return self._balanced_weights(labels, masks, gt, target, moving_class_counts)

    def _output_mask(self, mask: Optional[Array], roi, voxel_size) -> np.ndarray:
        """``mask`` over ``roi`` with one channel per output channel.

        A mask with one channel per class (as ``DataSplitGenerator`` builds it)
        serves both the class's hot and distance channel; a mask without a
        channel axis, with one channel, or with one per output channel is used
        as ``mask_over`` reads it.
        """
        n = len(self.channels)
        if mask is not None and "c" in mask.axes and mask.num_channels == n:
            per_class = mask_over(mask, roi, voxel_size, n)
            return np.concatenate([per_class, per_class])
        return mask_over(mask, roi, voxel_size, 2 * n)

    @property
    def output_array_type(self) -> ProbabilityArray:
        """``ProbabilityArray`` naming every output channel."""
        return ProbabilityArray(self.output_channels)
