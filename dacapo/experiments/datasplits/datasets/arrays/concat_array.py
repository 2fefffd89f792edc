"""Channel-wise concatenation of single-channel arrays, computed on read."""

from __future__ import annotations

from typing import Dict, List, Optional

import numpy as np
from funlib.geometry import Roi

from dacapo.errors import ConfigError

from ._combined import CombinedArray, spatial_axes
from ._wrapped import open_source
from .array import Array


class ConcatArray(CombinedArray):
    """One channel per name in ``channels``: its source, the default, or zeros."""

    def __init__(self, array_config):
        owner = f"ConcatArray {array_config.name!r}"
        self._channels = list(array_config.channels)
        sources = {
            name: open_source(config)
            for name, config in array_config.source_array_configs.items()
        }
        default = (
            open_source(array_config.default_config)
            if array_config.default_config is not None
            else None
        )
        # per output channel: the array to read, or None for zeros
        self._per_channel: List[Optional[Array]] = [
            sources.get(name, default) for name in self._channels
        ]
        arrays = list(sources.values()) + ([default] if default is not None else [])
        for array in arrays:
            _check_single_channel(array, owner)
        super().__init__(array_config, arrays, owner)

    @property
    def axes(self) -> List[str]:
        return ["c"] + spatial_axes(self._source_array)

    @property
    def dtype(self):
        return np.result_type(*[np.dtype(a.dtype) for a in self._sources])

    @property
    def channels(self) -> List[str]:
        """The channel names, in output order."""
        return list(self._channels)

    def _channel_shape(self):
        return (len(self._channels),)

    def _read(self, roi: Roi) -> np.ndarray:
        spatial = tuple(roi.shape / self.voxel_size)
        out = np.zeros((len(self._channels),) + spatial, dtype=self.dtype)
        cache: Dict[int, np.ndarray] = {}
        for channel, array in enumerate(self._per_channel):
            if array is None:
                continue
            if id(array) not in cache:
                cache[id(array)] = array[roi].reshape(spatial)
            out[channel] = cache[id(array)]
        return out


def _check_single_channel(array: Array, owner: str) -> None:
    channel_axes = [axis for axis in array.axes if axis in ("c", "b")]
    if channel_axes and not (channel_axes == ["c"] and array.num_channels == 1):
        raise ConfigError(
            f"{owner}: source {array.name!r} has axes {array.axes} with shape "
            f"{array.shape}; each source must be a single channel (no channel axis, "
            "or a channel axis of size 1). Split multi-channel sources first."
        )
