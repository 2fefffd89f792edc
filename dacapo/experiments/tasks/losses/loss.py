"""The ``Loss`` interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Optional

import torch


class Loss(ABC):
    """Compares a model's prediction with a target, voxel by voxel."""

    @abstractmethod
    def compute(
        self,
        prediction: torch.Tensor,
        target: torch.Tensor,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """A scalar loss; ``weight`` (same shape as ``target``, ``None`` = ones)
        scales each voxel's contribution."""


def weighted_mean(values: torch.Tensor, weight: Optional[torch.Tensor]) -> torch.Tensor:
    """``mean(weight * values)`` (plain mean without a weight)."""
    if weight is None:
        return values.mean()
    return (values * weight.to(values.dtype)).mean()
