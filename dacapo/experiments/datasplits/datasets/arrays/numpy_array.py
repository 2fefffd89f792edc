"""An in-memory numpy array with the ``Array`` interface."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError

from .array import SPATIAL_AXES, Array, StoredGeometry


class NumpyArray(StoredGeometry, Array):
    """Wraps a numpy array (e.g. a training batch) as a DaCapo ``Array``.

    Build it with ``from_np_array`` or ``from_gp_array``; there is no config.
    """

    _data: np.ndarray
    _axes: List[str]

    def __init__(self, array_config):
        raise ConfigError(
            "NumpyArray wraps in-memory data and has no config: build it with "
            "NumpyArray.from_np_array(data, roi, voxel_size, axes) or "
            "NumpyArray.from_gp_array(gp_array)"
        )

    @classmethod
    def from_np_array(cls, array: np.ndarray, roi: Roi, voxel_size, axes: Sequence[str]):
        """Wraps ``array`` covering ``roi`` with ``voxel_size`` and ``axes``."""
        instance = cls.__new__(cls)
        instance._data = array
        instance._roi = Roi(roi.offset, roi.shape) if isinstance(roi, Roi) else Roi(*roi)
        instance._voxel_size = Coordinate(voxel_size)
        instance._axes = list(axes)
        return instance

    @classmethod
    def from_gp_array(cls, array):
        """Wraps a gunpowder ``Array``; leading non-spatial axes become ``c`` (or ``b, c``)."""
        spec = array.spec
        dims = spec.roi.dims
        extra = array.data.ndim - dims
        if extra > 2:
            raise ConfigError(
                f"gunpowder array with shape {array.data.shape} has {extra} non-spatial "
                f"axes for a {dims}D ROI; at most two (batch, channel) are supported"
            )
        spatial = list(SPATIAL_AXES[-dims:]) if dims <= 3 else [f"d{i}" for i in range(dims)]
        axes = ["b", "c"][2 - extra :] + spatial
        return cls.from_np_array(array.data, spec.roi, spec.voxel_size, axes)

    @property
    def attrs(self) -> Dict[str, Any]:
        return {}

    @property
    def axes(self) -> List[str]:
        return self._axes

    @property
    def num_channels(self) -> int:
        """Size of the ``"c"`` axis; ``ValueError`` when there is none.

        Unlike the other arrays (which return ``None``), as documented for
        in-memory batches: a batch without channels is a caller's mistake.
        """
        channels = super().num_channels  # None exactly when there is no "c" axis
        if channels is None:
            raise ValueError("Array does not have a channel dimension.")
        return channels

    @property
    def writable(self) -> bool:
        return True

    @property
    def data(self) -> np.ndarray:
        return self._data

    @property
    def dtype(self):
        return self._data.dtype

