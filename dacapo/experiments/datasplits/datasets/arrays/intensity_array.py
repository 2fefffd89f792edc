"""Linear intensity normalisation of another array, computed on read."""

from __future__ import annotations

import numpy as np
from funlib.geometry import Roi

from ._wrapped import WrappedArray, open_source


class IntensitiesArray(WrappedArray):
    """``(source - min) / (max - min)`` as float32, without clipping."""

    def __init__(self, array_config):
        super().__init__(array_config, open_source(array_config.source_array_config))
        self._min = float(array_config.min)
        self._max = float(array_config.max)

    def affine_source(self):
        """``(source, min, max)``: this array is ``(source - min) / (max - min)``,
        so a reader may read the (often smaller) source and normalise later,
        e.g. the training device after the elastic augment."""
        return self._source_array, self._min, self._max

    @property
    def dtype(self):
        return np.dtype(np.float32)

    def _read(self, roi: Roi) -> np.ndarray:
        data = np.array(self._source_array[roi], dtype=np.float32)  # a copy of our own
        np.subtract(data, np.float32(self._min), out=data)  # in place: no temporaries
        return np.divide(data, np.float32(self._max - self._min), out=data)
