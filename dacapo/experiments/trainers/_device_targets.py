"""Training targets computed on the training device, from a batch's ground truth."""

from __future__ import annotations

from typing import Any, Dict

import torch
from funlib.geometry import Coordinate

Tensors = Dict[str, torch.Tensor]


class DeviceTargets:
    """Turns a batch's ``raw``, ``gt`` and ``mask`` tensors (on the training
    device) into ``raw``, ``target`` and ``weight`` with the predictor's
    ``device_targets``, carrying the predictor's running class counts from
    batch to batch (and inside a batch from sample to sample) as the CPU
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
        target, weight, self._counts = self.predictor.device_targets(
            tensors["gt"], tensors.get("mask"), self.voxel_size, self._counts
        )
        return {"raw": tensors["raw"], "target": target, "weight": weight}
