"""Predicts one class per voxel (semantic segmentation)."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np
import torch

from dacapo._checks import check_kernel_size, check_names
from dacapo.errors import ConfigError
from dacapo.experiments.arraytypes.probabilities import ProbabilityArray
from dacapo.experiments.datasplits.datasets.arrays.array import Array
from dacapo.experiments.model import Model
from dacapo.utils.balance_weights import balance_weights

from ._common import make_head, mask_over, single_labels, spatial_axes, wrap
from .predictor import Predictor


class OneHotPredictor(Predictor):
    """Predicts one logit channel per class; label id ``i`` of the ground truth
    is ``classes[i]``.

    The target is the ground-truth class id of each voxel (int64, no channel
    axis), as a cross-entropy loss expects; the weights balance the classes
    (running class fractions clipped to [0.05, 0.95]) times the mask. In eval
    mode the model returns softmax probabilities.
    """

    gt_labels = "class ids (0 to number of classes - 1)"

    def __init__(self, classes: Sequence[str], kernel_size: Optional[int] = 1):
        owner = type(self).__name__
        self.classes: List[str] = check_names(owner, "classes", classes)
        self.kernel_size = check_kernel_size(owner, "kernel_size", kernel_size)

    @property
    def num_channels(self) -> int:
        """Number of channels of the model output (one per class)."""
        return len(self.classes)

    def create_model(self, architecture) -> Model:
        """The architecture, a ``kernel_size`` convolution to one channel per
        class, and a softmax over the channels in eval mode."""
        head = make_head(architecture, self.num_channels, self.kernel_size)
        return Model(architecture, head, eval_activation=torch.nn.Softmax(dim=1))

    def create_target(self, gt: Array) -> Array:
        """int64 class ids over ``gt.roi`` (spatial axes only)."""
        return wrap(self._class_ids(gt, gt.roi), gt.roi, gt.voxel_size, spatial_axes(gt))

    def _class_ids(self, gt: Array, roi) -> np.ndarray:
        labels = single_labels(gt, roi, type(self).__name__)
        if labels.dtype.kind not in "biu":
            raise ConfigError(
                f"OneHotPredictor: ground truth {gt.name!r} has dtype {labels.dtype}; "
                "expected integer class ids"
            )
        unknown = np.unique(labels[(labels < 0) | (labels >= self.num_channels)])
        if unknown.size:
            raise ConfigError(
                f"OneHotPredictor: ground truth {gt.name!r} holds ids {unknown[:10].tolist()} "
                f"outside [0, {self.num_channels}) for the classes {self.classes}; add a "
                "class per id, or map the labels to class ids first"
            )
        return labels.astype(np.int64)

    def create_weight(
        self, gt: Array, target: Array, mask: Optional[Array], moving_class_counts: Any = None
    ):
        """Class-balanced float32 weights over ``target.roi`` (spatial) and the
        updated class counts."""
        roi = target.roi
        weights, moving_class_counts = balance_weights(
            self._class_ids(gt, roi),
            self.num_channels,
            masks=[mask_over(mask, roi, target.voxel_size, 1)[0]],
            moving_counts=moving_class_counts,
        )
        return wrap(weights, roi, target.voxel_size, list(target.axes)), moving_class_counts

    @property
    def output_array_type(self) -> ProbabilityArray:
        """``ProbabilityArray`` of the classes."""
        return ProbabilityArray(list(self.classes))
