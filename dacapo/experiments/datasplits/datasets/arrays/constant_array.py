"""An array filled with one value, shaped like its source."""

from __future__ import annotations

import numpy as np
from funlib.geometry import Roi

from ._wrapped import WrappedArray, open_source


class ConstantArray(WrappedArray):
    """The source's geometry with every voxel set to one integer."""

    def __init__(self, array_config):
        super().__init__(array_config, open_source(array_config.source_array_config))
        self._constant = int(array_config.constant)

    @property
    def dtype(self):
        return np.min_scalar_type(self._constant)

    def _read(self, roi: Roi) -> np.ndarray:
        shape = tuple(self._channel_shape()) + tuple(roi.shape / self.voxel_size)
        return np.full(shape, self._constant, dtype=self.dtype)
