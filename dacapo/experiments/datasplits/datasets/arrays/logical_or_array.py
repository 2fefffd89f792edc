"""The union of a multi-channel array's channels, computed on read."""

from __future__ import annotations

from typing import List

import numpy as np
from funlib.geometry import Roi

from dacapo.errors import ConfigError

from ._wrapped import WrappedArray, open_source


class LogicalOrArray(WrappedArray):
    """The source with its ``"c"`` axis reduced by ``max`` and removed."""

    def __init__(self, array_config):
        super().__init__(array_config, open_source(array_config.source_array_config))
        source = self._source_array
        if "c" not in source.axes:
            raise ConfigError(
                f"LogicalOrArray {self.name!r}: source {source.name!r} has no channel "
                f"axis (axes {source.axes}); the union is taken over channels, so use a "
                "multi-channel source such as a BinarizeArrayConfig"
            )

    @property
    def axes(self) -> List[str]:
        return [axis for axis in self._source_array.axes if axis != "c"]

    def _channel_axis(self) -> int:
        """Index of ``"c"`` in the source's data (axes align from the right)."""
        source = self._source_array
        return len(source.shape) - (len(source.axes) - source.axes.index("c"))

    def _channel_shape(self):
        shape = list(super()._channel_shape())
        del shape[self._channel_axis()]
        return tuple(shape)

    def _read(self, roi: Roi) -> np.ndarray:
        return np.max(self._source_array[roi], axis=self._channel_axis())
