"""A gunpowder node duplicating an array under another key."""

from __future__ import annotations

import gunpowder as gp

from ._requests import dependency_spec


class CopyMask(gp.BatchFilter):
    """Provides a copy of ``array_key`` under ``copy_key``.

    With ``drop_channels`` the non-spatial (channel) axes are reduced with a
    maximum, so a multi-channel mask becomes one spatial mask that is on
    wherever any channel is on, e.g. for ``gp.Reject``.
    """

    def __init__(
        self, array_key: gp.ArrayKey, copy_key: gp.ArrayKey, drop_channels: bool = False
    ):
        self.array_key = array_key
        self.copy_key = copy_key
        self.drop_channels = drop_channels

    def setup(self):
        self.enable_autoskip()
        self.provides(self.copy_key, self.spec[self.array_key].copy())

    def prepare(self, request: gp.BatchRequest) -> gp.BatchRequest:
        deps = gp.BatchRequest()
        roi = request[self.copy_key].roi
        deps[self.array_key] = dependency_spec(request, self.array_key, roi)
        return deps

    def process(self, batch: gp.Batch, request: gp.BatchRequest) -> gp.Batch:
        outputs = gp.Batch()
        if self.copy_key not in request:  # requested as a placeholder only
            return outputs
        roi = request[self.copy_key].roi
        source = batch[self.array_key].crop(roi)  # crop copies the data
        data = source.data
        channel_axes = tuple(range(data.ndim - roi.dims))
        if self.drop_channels and channel_axes:
            data = data.max(axis=channel_axes)
        outputs[self.copy_key] = gp.Array(data, source.spec.copy())
        return outputs
