"""An in-memory numpy array with the ``Array`` interface."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Sequence

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError

from ._voxel_grid import valid_voxel_size
from .array import SPATIAL_AXES, Array, StoredGeometry

logger = logging.getLogger(__name__)


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
        """Wraps ``array`` covering ``roi`` with ``voxel_size`` and ``axes``.

        ``ConfigError`` when they disagree: ``axes`` name every axis of
        ``array`` once, non-spatial ones (``"b"``, ``"c"``) first;
        ``voxel_size`` holds one positive integer per spatial axis; ``roi``
        is the spatial shape of ``array`` times ``voxel_size`` (its offset may
        lie off the voxel grid, as a resampled array's may). Upstream's
        documented loose form, with leading non-spatial axes that ``array``
        lacks (axes align from the right), is accepted with a warning; a ROI
        that then disagrees is only logged.
        """
        data = array if hasattr(array, "shape") and hasattr(array, "ndim") else np.asarray(array)
        roi = _as_roi(roi)
        axes = _checked_axes(axes, data.ndim)
        dims = sum(a not in NON_SPATIAL_AXES for a in axes)
        voxel_size = valid_voxel_size(voxel_size, _WHERE, "pass one positive integer per "
                                      f"spatial axis of {axes}", dims)
        if roi.dims != dims:
            raise ConfigError(
                f"{_WHERE}: roi {roi} has {roi.dims} dimensions but axes {axes} name {dims} "
                "spatial axes; give a roi with one entry per spatial axis"
            )
        _check_shape(data.shape, roi, voxel_size, axes)
        instance = cls.__new__(cls)
        instance._data = data
        instance._roi = roi
        instance._voxel_size = voxel_size
        instance._axes = axes
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


_WHERE = "NumpyArray.from_np_array"
NON_SPATIAL_AXES = ("b", "c")


def _as_roi(roi: Any) -> Roi:
    if isinstance(roi, Roi):
        return Roi(roi.offset, roi.shape)
    try:
        return Roi(*roi)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{_WHERE}: roi must be a funlib Roi (or (offset, shape)), got {roi!r}"
        ) from None


def _checked_axes(axes: Any, ndim: int) -> List[str]:
    """``axes`` as a list; ``ConfigError`` unless they name the data's axes."""
    names = list(axes) if isinstance(axes, (str, list, tuple)) else None
    if not names or not all(isinstance(a, str) and a for a in names):
        raise ConfigError(
            f"{_WHERE}: axes must be a list of axis names such as ['c', 'z', 'y', 'x'], "
            f"got {axes!r}"
        )
    leading = [a in NON_SPATIAL_AXES for a in names]
    if len(set(names)) != len(names) or leading != sorted(leading, reverse=True):
        raise ConfigError(
            f"{_WHERE}: axes {names} must name each axis once, the non-spatial axes "
            "('b', 'c') first, e.g. ['c', 'z', 'y', 'x']"
        )
    missing = len(names) - ndim  # leading axes the data lacks: upstream's loose form
    if missing < 0 or not all(leading[:missing]):
        raise ConfigError(
            f"{_WHERE}: axes {names} name {len(names)} axes but the data has {ndim}; "
            "give one name per axis of the data"
        )
    if missing:
        logger.warning("%s: axes %s name %d axes but the data has %d; the leading %s "
                       "count as size 1", _WHERE, names, len(names), ndim, names[:missing])
    return names


def _check_shape(shape: Sequence[int], roi: Roi, voxel_size: Coordinate, axes: List[str]) -> None:
    """``ConfigError`` unless ``roi`` is the data's spatial shape times ``voxel_size``."""
    spatial = Coordinate(shape[len(shape) - roi.dims:])
    if roi.shape == spatial * voxel_size:
        return
    message = (
        f"{_WHERE}: data of shape {tuple(shape)} (axes {axes}) covers "
        f"{tuple(spatial * voxel_size)} world units at voxel size {tuple(voxel_size)}, "
        f"but roi {roi} has shape {tuple(roi.shape)}; give roi = Roi(offset, "
        "spatial shape * voxel_size)"
    )
    if len(axes) > len(shape):  # upstream's documented loose form: kept, but logged
        logger.warning("%s", message)
        return
    raise ConfigError(message)
