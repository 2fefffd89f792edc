"""A gunpowder node giving the ground truth the form the training device reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gunpowder as gp

if TYPE_CHECKING:
    from dacapo.experiments.tasks.predictors.predictor import Predictor


class DeviceGroundTruth(gp.BatchFilter):
    """Replaces ``gt_key``'s data with ``predictor.device_gt(data)``, for
    trainers whose targets are computed on the training device: e.g. instance
    ids renumbered into the smallest integer type, so that data workers hand
    over, and the host copies to the device, a fraction of the bytes.

    The type can differ from sample to sample (one with more ids needs a
    wider one), so the array's spec leaves ``dtype`` open: ``gp.Stack`` then
    stacks the samples of a batch in their common type instead of failing on
    the first sample's."""

    def __init__(self, predictor: "Predictor", gt_key: gp.ArrayKey):
        self.predictor = predictor
        self.gt_key = gt_key

    def setup(self):
        self.enable_autoskip()
        spec = self.spec[self.gt_key].copy()
        spec.dtype = None  # the predictor picks it
        self.updates(self.gt_key, spec)

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        deps = gp.BatchRequest()
        deps[self.gt_key] = request[self.gt_key].copy()
        return deps

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        array = batch[self.gt_key]
        data = self.predictor.device_gt(array.data)
        spec = array.spec.copy()
        spec.dtype = None  # varies between samples, see the class docstring
        outputs = gp.Batch()
        outputs[self.gt_key] = gp.Array(data, spec)
        return outputs
