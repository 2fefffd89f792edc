"""Weighted mean squared error."""

from __future__ import annotations

from typing import Optional

import torch

from .loss import Loss, weighted_mean


class MSELoss(Loss):
    """``mean(weight * (prediction - target)**2)`` over every voxel and channel.

    The weight multiplies the squared error once (it is not squared itself),
    so a voxel of weight 2 counts as two voxels.
    """

    def compute(
        self,
        prediction: torch.Tensor,
        target: torch.Tensor,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        return weighted_mean((prediction - target.to(prediction.dtype)) ** 2, weight)
