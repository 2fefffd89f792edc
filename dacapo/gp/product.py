"""A gunpowder node multiplying two arrays voxel by voxel."""

from __future__ import annotations

import gunpowder as gp
import numpy as np

from ._requests import dependency_spec


class Product(gp.BatchFilter):
    """Provides ``y = x1 * x2`` (numpy broadcasting, e.g. a weight times a mask).

    ``y`` covers the requested ROI; ``x1`` and ``x2`` are requested over it
    and must share its voxel size. ``y_key`` may equal ``x1_key`` or
    ``x2_key`` to update that array in place.
    """

    def __init__(self, x1_key: gp.ArrayKey, x2_key: gp.ArrayKey, y_key: gp.ArrayKey):
        self.x1_key = x1_key
        self.x2_key = x2_key
        self.y_key = y_key

    def setup(self):
        self.enable_autoskip()
        x1_spec, x2_spec = self.spec[self.x1_key], self.spec[self.x2_key]
        spec = x1_spec.copy()
        if x1_spec.dtype is not None and x2_spec.dtype is not None:
            spec.dtype = np.result_type(x1_spec.dtype, x2_spec.dtype)
        if self.y_key in self.spec:
            self.updates(self.y_key, spec)
        else:
            self.provides(self.y_key, spec)

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        roi = request[self.y_key].roi
        deps = gp.BatchRequest()
        for key in (self.x1_key, self.x2_key):
            deps[key] = dependency_spec(request, key, roi)
        return deps

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        outputs = gp.Batch()
        if self.y_key not in request:  # requested as a placeholder only
            return outputs
        roi = request[self.y_key].roi
        # views: the product is a new array, so the inputs need no copies
        x1 = batch[self.x1_key].crop(roi, copy=False).data
        x2 = batch[self.x2_key].crop(roi, copy=False).data
        data = x1 * x2
        spec = self.spec[self.y_key].copy()
        spec.roi = roi
        spec.dtype = data.dtype
        outputs[self.y_key] = gp.Array(data, spec)
        return outputs
