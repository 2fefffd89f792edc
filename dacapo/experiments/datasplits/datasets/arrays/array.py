"""The ``Array`` interface: numpy data addressed by world-unit ROIs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import DacapoError, RoiError
from dacapo.utils.roi_slices import roi_slices

SPATIAL_AXES = ("z", "y", "x")


class Array(ABC):
    """An n-dimensional array with a voxel size and a world-unit ROI.

    Axes named ``"c"`` (channels) and ``"b"`` (batch) are non-spatial and are
    always read whole; every other axis is spatial. ``array[roi]`` reads the
    voxels inside ``roi``, which must lie inside ``array.roi`` and on the voxel
    grid::

        world:   0    4    8    12   16   (voxel size 4)
        array:   |====|====|====|====|    roi = [0, 16)
        read:         |====|====|         roi = [4, 12) -> 2 voxels
    """

    @property
    @abstractmethod
    def attrs(self) -> Dict[str, Any]:
        """Metadata of the underlying dataset (``{}`` when there is none)."""

    @property
    @abstractmethod
    def axes(self) -> List[str]:
        """Axis names, e.g. ``["c", "z", "y", "x"]``."""

    @property
    def dims(self) -> int:
        """Number of spatial dimensions."""
        return self.voxel_size.dims

    @property
    @abstractmethod
    def voxel_size(self) -> Coordinate:
        """World units per voxel along each spatial axis."""

    @property
    @abstractmethod
    def roi(self) -> Roi:
        """World-unit region the array covers."""

    @property
    @abstractmethod
    def writable(self) -> bool:
        """Whether ``array[roi] = values`` is allowed."""

    @property
    @abstractmethod
    def dtype(self) -> Any:
        """The numpy dtype of values read from the array."""

    @property
    def name(self) -> str:
        """A name for messages: the config's name, or the class name."""
        config = getattr(self, "_config", None)
        return getattr(config, "name", None) or type(self).__name__

    @property
    def num_channels(self) -> Optional[int]:
        """Size of the ``"c"`` axis, or ``None`` when the array has none.

        ``None`` matches upstream DaCapo, whose users test
        ``if array.num_channels is not None``. The one exception is
        ``NumpyArray`` (in-memory batches), which raises ``ValueError`` without
        a channel axis, as its documented examples show; test
        ``"c" in array.axes`` to handle every array the same way.
        """
        if "c" not in self.axes:
            return None
        shape = self.shape
        # axes are aligned to the data from the right: a leading axis the data
        # lacks (e.g. an absent batch axis) counts as size 1
        index = len(shape) - (len(self.axes) - self.axes.index("c"))
        return int(shape[index]) if index >= 0 else 1

    @property
    def channel_dims(self) -> int:
        """Number of non-spatial axes."""
        return len(self.axes) - self.dims

    @property
    def shape(self) -> Tuple[int, ...]:
        """Shape of ``self[self.roi]``."""
        return tuple(self.data.shape)

    @property
    @abstractmethod
    def data(self) -> Any:
        """The backing array-like (numpy, zarr); virtual arrays raise."""

    def __getitem__(self, roi: Roi) -> np.ndarray:
        self.check_roi(roi)
        return self._read(roi)

    def __setitem__(self, roi: Roi, value: Any) -> None:
        if not self.writable:
            raise DacapoError(
                f"array {self.name!r} ({type(self).__name__}) is read-only; write to a "
                "ZarrArray or NumpyArray instead"
            )
        self.check_roi(roi)
        self._write(roi, value)

    def _read(self, roi: Roi) -> np.ndarray:
        return np.asarray(self.data[self._slices(roi)])

    def _write(self, roi: Roi, value: Any) -> None:
        self.data[self._slices(roi)] = value

    def check_roi(self, roi: Roi) -> None:
        """Raises ``RoiError`` unless ``roi`` is inside the array and on its grid."""
        if not isinstance(roi, Roi):
            raise RoiError(f"array {self.name!r}: expected a funlib Roi, got {roi!r}")
        if roi.dims != self.dims:
            raise RoiError(
                f"array {self.name!r}: ROI {roi} has {roi.dims} dimensions, the array "
                f"has {self.dims} spatial dimensions (axes {self.axes})"
            )
        if not self.roi.contains(roi):
            raise RoiError(
                f"array {self.name!r}: requested ROI {roi} is not inside the array's "
                f"ROI {self.roi} (voxel size {self.voxel_size}); intersect it first, "
                "e.g. roi.intersect(array.roi)"
            )
        if not roi.empty and not (
            (roi.offset - self.roi.offset) % self.voxel_size == Coordinate((0,) * self.dims)
            and roi.shape % self.voxel_size == Coordinate((0,) * self.dims)
        ):
            raise RoiError(
                f"array {self.name!r}: requested ROI {roi} is not aligned to the voxel "
                f"size {self.voxel_size} of the array's ROI {self.roi}; snap it with "
                "roi.snap_to_grid(voxel_size)"
            )

    def _slices(self, roi: Roi) -> Tuple[slice, ...]:
        """Index into ``data`` for ``roi``: non-spatial axes whole."""
        spatial = roi_slices(roi, self.roi.begin, self.voxel_size)
        return (slice(None),) * (len(self.shape) - self.dims) + spatial

    def to_ndarray(self, roi: Roi, fill_value: Any = 0) -> np.ndarray:
        """Reads ``roi``, filling the part outside the array with ``fill_value``."""
        inside = roi.intersect(self.roi)
        leading = len(self.shape) - self.dims
        shape = tuple(self.shape[:leading]) + tuple(roi.shape / self.voxel_size)
        out = np.full(shape, fill_value, dtype=self.dtype)
        if not inside.empty:
            target = Roi(inside.offset - roi.offset, inside.shape)
            begin = target.begin / self.voxel_size
            end = target.end / self.voxel_size
            index = (slice(None),) * leading + tuple(
                slice(int(b), int(e)) for b, e in zip(begin, end)
            )
            out[index] = self[inside]
        return out

    def _can_neuroglance(self) -> bool:
        return False

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, roi={self.roi}, "
            f"voxel_size={self.voxel_size}, axes={self.axes}, dtype={np.dtype(self.dtype)})"
        )


class StoredGeometry:
    """Mixin (listed before the ``Array`` base) whose ``voxel_size`` and ``roi``
    return ``self._voxel_size`` and ``self._roi``, set by the constructor."""

    _voxel_size: Coordinate
    _roi: Roi

    @property
    def voxel_size(self) -> Coordinate:
        return self._voxel_size

    @property
    def roi(self) -> Roi:
        return self._roi
