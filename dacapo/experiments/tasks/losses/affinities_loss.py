"""Loss of affinity predictions, with optional auxiliary (LSD) channels."""

from __future__ import annotations

from typing import Optional

import torch

from dacapo._checks import check_int, check_number

from .loss import Loss, weighted_mean


class AffinitiesLoss(Loss):
    """Weighted binary cross-entropy on the first ``num_affinities`` channels
    (logits), plus ``lsds_to_affs_weight_ratio`` times the weighted squared
    error between ``sigmoid`` of the remaining (LSD) channels and their target.

    Both terms use the weights, with or without LSD channels, so the class
    balancing of the affinities always takes effect.
    """

    def __init__(self, num_affinities: int, lsds_to_affs_weight_ratio: float = 1.0):
        owner = type(self).__name__
        self.num_affinities = check_int(owner, "num_affinities", num_affinities, 1)
        self.lsds_to_affs_weight_ratio = check_number(
            owner, "lsds_to_affs_weight_ratio", lsds_to_affs_weight_ratio, 0
        )

    def compute(
        self,
        prediction: torch.Tensor,
        target: torch.Tensor,
        weight: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        n = self.num_affinities
        target = target.to(prediction.dtype)
        affs = torch.nn.functional.binary_cross_entropy_with_logits(
            prediction[:, :n], target[:, :n], reduction="none"
        )
        loss = weighted_mean(affs, None if weight is None else weight[:, :n])
        if prediction.shape[1] > n:
            lsds = (torch.sigmoid(prediction[:, n:]) - target[:, n:]) ** 2
            lsd_loss = weighted_mean(lsds, None if weight is None else weight[:, n:])
            loss = loss + self.lsds_to_affs_weight_ratio * lsd_loss
        return loss
