"""Weighted cross-entropy for one-class-per-voxel predictions."""

from __future__ import annotations

from typing import Optional

import torch

from .loss import Loss, weighted_mean


def class_ids(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``target`` as int64 class ids of shape ``(b, *spatial)`` (a singleton
    channel axis is dropped)."""
    if target.dim() == prediction.dim() and target.shape[1] == 1:
        target = target[:, 0]
    return target.long()


class CrossEntropyLoss(Loss):
    """``mean(weight * CE(prediction, target))``: ``prediction`` holds one logit
    channel per class ``(b, classes, *spatial)``, ``target`` the class id of
    each voxel ``(b, *spatial)`` and ``weight`` one value per voxel."""

    def compute(
        self,
        prediction: torch.Tensor,
        target: torch.Tensor,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        losses = torch.nn.functional.cross_entropy(
            prediction, class_ids(prediction, target), reduction="none"
        )
        if weight is not None and weight.dim() == prediction.dim() and weight.shape[1] == 1:
            weight = weight[:, 0]
        return weighted_mean(losses, weight)
