"""Training targets computed on the training device, from a batch's ground truth."""

from __future__ import annotations

from typing import Any, Dict

import torch
from funlib.geometry import Coordinate

Tensors = Dict[str, torch.Tensor]


class DeviceTargets:
    """Turns a batch's ``raw``, ``gt`` and ``mask`` tensors (on the training
    device) into ``raw``, ``target`` and ``weight`` with the predictor's
    ``device_targets``, sample by sample in batch order, carrying the
    predictor's running class counts from sample to sample as the CPU
    pipeline's target filter does.

    ``gt`` and ``mask`` cover the network output grown by ``padding`` (world
    units, the predictor's context) on each side; target and weight cover the
    output.
    """

    def __init__(self, predictor: Any, voxel_size: Coordinate):
        self.predictor = predictor
        self.voxel_size = Coordinate(voxel_size)
        self.padding = Coordinate(predictor.padding(self.voxel_size))
        self._counts: Any = None

    def __call__(self, tensors: Tensors) -> Tensors:
        gt, mask = tensors["gt"], tensors.get("mask")
        targets, weights = [], []
        for sample in range(gt.shape[0]):
            target, weight, self._counts = self.predictor.device_targets(
                gt[sample], None if mask is None else mask[sample], self.voxel_size,
                self._counts,
            )
            targets.append(target)
            weights.append(weight)
        return {"raw": tensors["raw"], "target": torch.stack(targets),
                "weight": torch.stack(weights)}
