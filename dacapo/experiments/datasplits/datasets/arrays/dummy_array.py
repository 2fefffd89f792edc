"""A small array of zeros for tests."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from funlib.geometry import Coordinate, Roi

from .array import Array


class DummyArray(Array):
    """Zeros of shape (100, 50, 50), voxel size 1, axes z, y, x."""

    def __init__(self, array_config):
        self._config = array_config
        self._data = np.zeros((100, 50, 50))

    @property
    def attrs(self) -> Dict[str, Any]:
        return {}

    @property
    def axes(self) -> List[str]:
        return ["z", "y", "x"]

    @property
    def voxel_size(self) -> Coordinate:
        return Coordinate(1, 1, 1)

    @property
    def roi(self) -> Roi:
        return Roi((0, 0, 0), (100, 50, 50))

    @property
    def writable(self) -> bool:
        return True

    @property
    def data(self) -> np.ndarray:
        return self._data

    @property
    def dtype(self) -> Any:
        return self._data.dtype
