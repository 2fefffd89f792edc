"""Per-group binarisation of a label array, computed on read."""

from __future__ import annotations

from typing import List

import numpy as np
from funlib.geometry import Roi

from dacapo.errors import ConfigError

from ._wrapped import WrappedArray, open_source
from .array import Array


def validate_label_source(source: Array, owner: str) -> None:
    """Raises ``ConfigError`` unless ``source`` holds integer labels without channels."""
    if "c" in source.axes:
        raise ConfigError(
            f"{owner}: source array {source.name!r} has a channel axis (axes "
            f"{source.axes}); expected a label array with spatial axes only"
        )
    if not np.issubdtype(np.dtype(source.dtype), np.integer):
        raise ConfigError(
            f"{owner}: source array {source.name!r} has dtype {np.dtype(source.dtype)}; "
            "expected integer label ids"
        )


class GroupChannelsArray(WrappedArray):
    """A label source (``config.source_array_config``) seen with a leading ``"c"``
    axis: one uint8 channel per group of ``config.groupings``."""

    def __init__(self, array_config):
        super().__init__(array_config, open_source(array_config.source_array_config))
        self._groupings = [(name, list(ids)) for name, ids in array_config.groupings]
        validate_label_source(self._source_array, f"{type(self).__name__} {self.name!r}")

    @property
    def axes(self) -> List[str]:
        return ["c"] + list(self._source_array.axes)

    @property
    def dtype(self):
        return np.dtype(np.uint8)

    def _channel_shape(self):
        return (len(self._groupings),)


class BinarizeArray(GroupChannelsArray):
    """A leading ``"c"`` axis with one uint8 channel per group of ids."""

    def __init__(self, array_config):
        super().__init__(array_config)
        self._background = array_config.background

    @property
    def channels(self) -> List[str]:
        """The group names, one per output channel."""
        return [name for name, _ in self._groupings]

    def _read(self, roi: Roi) -> np.ndarray:
        labels = self._source_array[roi]
        out = np.empty((len(self._groupings),) + labels.shape, dtype=np.uint8)
        for channel, (_, ids) in enumerate(self._groupings):
            if ids:
                out[channel] = np.isin(labels, ids)
            else:
                out[channel] = labels != self._background
        return out
