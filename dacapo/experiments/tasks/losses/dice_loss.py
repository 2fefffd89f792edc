"""Soft Dice loss, an alternative to voxel-wise losses for unbalanced classes."""

from __future__ import annotations

from typing import Optional, Tuple

import torch

from dacapo.experiments.tasks._checks import check_choice, check_number

from .cross_entropy_loss import class_ids
from .loss import Loss

ACTIVATIONS = ("softmax", "sigmoid", "tanh")


class DiceLoss(Loss):
    """``1 - mean over channels of (2 Σ w·p·t + smooth) / (Σ w·p + Σ w·t + smooth)``,
    sums taken over the batch and all voxels of a channel.

    ``activation`` says how the raw model output becomes ``p`` in [0, 1] and
    what the target holds:

    - ``"softmax"``: logits, one channel per class; the target holds class
      ids (as ``CrossEntropyLoss``), compared as one-hot masks. One-hot tasks
      with ``loss="dice"``.
    - ``"sigmoid"``: logits; the target holds values in [0, 1].
    - ``"tanh"``: ``p = (tanh(x) + 1) / 2`` against ``(target + 1) / 2``, for
      targets in [-1, 1] such as normalised distances; distance tasks with
      ``loss="dice"`` (their model then applies ``tanh`` in eval mode).

    ``smooth`` keeps empty channels finite: a channel with no target and no
    prediction scores 1.
    """

    def __init__(self, activation: str = "sigmoid", smooth: float = 1.0):
        owner = type(self).__name__
        self.activation = check_choice(owner, "activation", activation, ACTIVATIONS)
        self.smooth = check_number(owner, "smooth", smooth)

    def compute(
        self,
        prediction: torch.Tensor,
        target: torch.Tensor,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        probabilities, expected = self._pair(prediction, target)
        if weight is None:
            weight = torch.ones_like(probabilities)
        elif weight.dim() < probabilities.dim():
            weight = weight.unsqueeze(1)
        weight = weight.to(probabilities.dtype).expand_as(probabilities)
        dims = [0] + list(range(2, probabilities.dim()))
        overlap = (weight * probabilities * expected).sum(dim=dims)
        total = (weight * probabilities).sum(dim=dims) + (weight * expected).sum(dim=dims)
        dice = (2 * overlap + self.smooth) / (total + self.smooth)
        return 1 - dice.mean()

    def _pair(
        self, prediction: torch.Tensor, target: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        if self.activation == "softmax":
            ids = class_ids(prediction, target)
            one_hot = torch.nn.functional.one_hot(ids, prediction.shape[1])
            return torch.softmax(prediction, dim=1), one_hot.movedim(-1, 1).to(prediction.dtype)
        target = target.to(prediction.dtype)
        if self.activation == "sigmoid":
            return torch.sigmoid(prediction), target
        return (torch.tanh(prediction) + 1) / 2, (target + 1) / 2
