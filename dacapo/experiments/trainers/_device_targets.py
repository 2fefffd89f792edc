"""Training targets computed on the training device, from a batch's ground truth."""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import torch
from funlib.geometry import Coordinate

from ._batch_feeder import widened

Tensors = Dict[str, torch.Tensor]


class DeviceTargets:
    """Turns a batch's ``raw``, ``gt`` and ``mask`` tensors (on the training
    device) into ``raw``, ``target`` and ``weight`` with the predictor's
    ``device_targets``, carrying the predictor's running class counts from
    batch to batch (and inside a batch from sample to sample) as the CPU
    pipeline's target filter does.

    ``gt`` and ``mask`` cover the network output grown by ``padding`` (world
    units, the predictor's context) on each side; target and weight cover the
    output. With ``augments``, those run first, and the deformed ``gt`` and
    ``mask`` are kept in the result.
    """

    def __init__(self, predictor: Any, voxel_size: Coordinate,
                 augments: Optional[Callable[[Tensors], Tensors]] = None):
        self.predictor = predictor
        self.voxel_size = Coordinate(voxel_size)
        self.padding = Coordinate(predictor.padding(self.voxel_size))
        #: applied first: the augments that run on the device (``DeviceAugments``)
        self.augments = augments
        self._counts: Any = None

    def __call__(self, tensors: Tensors) -> Tensors:
        tensors = {name: widened(tensor) for name, tensor in tensors.items()}
        if self.augments is not None:
            tensors = self.augments(tensors)
        target, weight, self._counts = self.predictor.device_targets(
            tensors["gt"], tensors.get("mask"), self.voxel_size, self._counts
        )
        made = {"raw": tensors["raw"], "target": target, "weight": weight}
        if self.augments is not None:  # deformed here: kept for snapshots
            made.update((name, tensors[name]) for name in ("gt", "mask") if name in tensors)
        return made
