"""Forwarding base for virtual arrays: declare only what changes."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo._build import build
from dacapo.errors import DacapoError

from .array import Array


class WrappedArray(Array):
    """A read-only view of ``source`` that forwards every property to it.

    Subclasses override ``_read`` (and the properties they change, often
    ``axes`` and ``dtype``).
    """

    def __init__(self, array_config, source: Array):
        self._config = array_config
        self._source_array = source

    @property
    def attrs(self) -> Dict[str, Any]:
        return self._source_array.attrs

    @property
    def axes(self) -> List[str]:
        return self._source_array.axes

    @property
    def voxel_size(self) -> Coordinate:
        return self._source_array.voxel_size

    @property
    def roi(self) -> Roi:
        return self._source_array.roi

    @property
    def dtype(self) -> Any:
        return self._source_array.dtype

    @property
    def writable(self) -> bool:
        return False

    @property
    def shape(self):
        spatial = tuple(self.roi.shape / self.voxel_size)
        channels = tuple(self._channel_shape())
        return channels + spatial

    def _channel_shape(self):
        source = self._source_array
        return source.shape[: len(source.shape) - source.dims]

    @property
    def data(self):
        raise DacapoError(
            f"array {self.name!r} ({type(self).__name__}) is computed on the fly and has "
            "no stored data; read it with array[roi]"
        )

    def _read(self, roi: Roi) -> np.ndarray:
        return self._source_array[roi]


def open_source(source_config) -> Array:
    """Opens the array a virtual array config wraps."""
    return build(source_config)
