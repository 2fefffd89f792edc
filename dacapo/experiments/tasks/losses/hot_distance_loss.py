"""Loss of hot-distance predictions: binary masks and distances in one output."""

from __future__ import annotations

from typing import Optional

import torch

from .loss import Loss, weighted_mean


class HotDistanceLoss(Loss):
    """Splits the channels in half: weighted binary cross-entropy on the first
    half (mask logits) plus weighted squared error on the second (distances)."""

    def compute(
        self,
        prediction: torch.Tensor,
        target: torch.Tensor,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        n = prediction.shape[1] // 2
        target = target.to(prediction.dtype)
        hot = torch.nn.functional.binary_cross_entropy_with_logits(
            prediction[:, :n], target[:, :n], reduction="none"
        )
        distances = (prediction[:, n:] - target[:, n:]) ** 2
        if weight is None:
            return hot.mean() + distances.mean()
        return weighted_mean(hot, weight[:, :n]) + weighted_mean(distances, weight[:, n:])
