"""A mean absolute error, for tests and demos."""

from __future__ import annotations

from typing import Optional

import torch

from .loss import Loss, weighted_mean


class DummyLoss(Loss):
    """Mean absolute difference ``mean(weight * |prediction - target|)``."""

    def compute(
        self,
        prediction: torch.Tensor,
        target: torch.Tensor,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        return weighted_mean(torch.abs(prediction - target), weight)
