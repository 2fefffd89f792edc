"""What a neuroglancer layer serves: array data with its world geometry, read
lazily, with the axes and dtype neuroglancer can show.

A volume is either array-like data (numpy, zarr) with a voxel size, offset and
axes given, or a DaCapo ``Array`` (anything with ``roi``, ``voxel_size``,
``axes`` and ``array[roi]``), which brings its own. Nothing is read until
neuroglancer asks for a chunk.
"""

from __future__ import annotations

from typing import Any, Callable, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from dacapo.errors import ConfigError

__all__ = ["Volume", "as_volume", "ServedData", "full_shape", "served_data", "is_array"]

#: axes that are not spatial (DaCapo's convention: channels and batch)
NON_SPATIAL = ("c", "b")


class Volume(NamedTuple):
    """Data with its geometry: ``voxel_size`` and ``offset`` in world units (nm)
    per spatial axis, ``axes`` one name per data axis (``"c"`` for channels)."""

    name: str
    data: Any
    voxel_size: Tuple[int, ...]
    offset: Tuple[int, ...]
    axes: Tuple[str, ...]

    @property
    def spatial_axes(self) -> List[str]:
        return [axis for axis in self.axes if axis not in NON_SPATIAL]

    @property
    def spatial_shape(self) -> Tuple[int, ...]:
        if is_array(self.data):
            return tuple(int(s) for s in self.data.roi.shape / self.data.voxel_size)
        return tuple(int(s) for s in self.data.shape[-len(self.voxel_size):])


def is_array(data: Any) -> bool:
    """Whether ``data`` is a DaCapo ``Array`` (it knows its ROI and voxel size)."""
    return all(hasattr(data, name) for name in ("roi", "voxel_size", "axes", "dtype"))


def as_volume(name: str, data: Any, voxel_size: Optional[Sequence[int]] = None,
              offset: Optional[Sequence[int]] = None,
              axes: Optional[Sequence[str]] = None) -> Volume:
    """``data`` with its geometry; arguments that are given override a DaCapo
    ``Array``'s own, and for array-like data ``voxel_size`` is required (offset
    defaults to 0, axes to ``c`` for each leading axis, then ``z, y, x``)."""
    if is_array(data):
        voxel_size = data.voxel_size if voxel_size is None else voxel_size
        offset = data.roi.offset if offset is None else offset
        axes = data.axes if axes is None else axes
    elif voxel_size is None:
        raise ConfigError(
            f"viewer layer {name!r}: voxel_size is needed for {type(data).__name__} data "
            "(world units per voxel, one per spatial axis, e.g. (8, 8, 8)); pass it, or "
            "pass a DaCapo Array, which knows its own"
        )
    voxel_size = tuple(int(v) for v in voxel_size)
    ndim = _ndim(data)
    if axes is None:
        axes = ["c"] * (ndim - len(voxel_size)) + _spatial_names(len(voxel_size))
    offset = (0,) * len(voxel_size) if offset is None else offset
    volume = Volume(name, data, voxel_size, tuple(int(o) for o in offset),
                    tuple(str(a) for a in axes))
    _check(volume, ndim)
    return volume


def _ndim(data: Any) -> int:
    if is_array(data):
        return len(data.axes)
    return len(data.shape)


def _spatial_names(dims: int) -> List[str]:
    return list("zyx"[-dims:]) if dims <= 3 else [f"d{i}" for i in range(dims)]


def _check(volume: Volume, ndim: int) -> None:
    where = f"viewer layer {volume.name!r}"
    if len(volume.axes) != ndim:
        raise ConfigError(f"{where}: axes {list(volume.axes)} name {len(volume.axes)} axes, "
                          f"the data has {ndim}; give one name per data axis")
    dims = len(volume.spatial_axes)
    if len(volume.voxel_size) != dims or len(volume.offset) != dims:
        raise ConfigError(
            f"{where}: voxel_size {volume.voxel_size} and offset {volume.offset} need one "
            f"value per spatial axis ({volume.spatial_axes}); axes {list(volume.axes)}"
        )
    if min(volume.voxel_size, default=1) <= 0:
        raise ConfigError(f"{where}: voxel_size {volume.voxel_size} must be positive")
    if [a for a in volume.axes if a not in NON_SPATIAL] != list(volume.axes[-dims:]):
        raise ConfigError(f"{where}: axes {list(volume.axes)}: the channel axes (c, b) "
                          "must come before the spatial ones")


class ServedData:
    """The array neuroglancer reads: the spatial axes and the non-spatial axes
    longer than 1 (axes of length 1 are dropped), cast to ``dtype``."""

    def __init__(self, read: Callable[[tuple], np.ndarray], full_shape: Sequence[int],
                 dtype: Any, spatial_dims: int):
        self._read = read
        leading = len(full_shape) - spatial_dims
        self._kept = [i for i in range(len(full_shape)) if i >= leading or full_shape[i] > 1]
        self._full_ndim = len(full_shape)
        self.shape = tuple(int(full_shape[i]) for i in self._kept)
        self.dtype = np.dtype(dtype)
        self.ndim = len(self.shape)

    def __getitem__(self, item: Any) -> np.ndarray:
        item = item if isinstance(item, tuple) else (item,)
        item = item + (slice(None),) * (self.ndim - len(item))
        full: List[Any] = [0] * self._full_ndim
        for axis, index in zip(self._kept, item):
            full[axis] = index
        return np.asarray(self._read(tuple(full))).astype(self.dtype, copy=False)


def full_shape(volume: Volume) -> Tuple[int, ...]:
    """The shape of ``volume``'s data (for a DaCapo array, of ``array[array.roi]``)."""
    if not is_array(volume.data):
        return tuple(int(s) for s in volume.data.shape)
    array = volume.data
    return _leading_shape(array, len(volume.voxel_size)) + volume.spatial_shape


def served_data(volume: Volume, dtype: Any,
                shape: Optional[Sequence[int]] = None) -> ServedData:
    """``volume``'s data as neuroglancer reads it, cast to ``dtype``; ``shape``
    is its :func:`full_shape` when known."""
    dims = len(volume.voxel_size)
    shape = full_shape(volume) if shape is None else shape
    data = volume.data
    if not is_array(data):
        return ServedData(lambda index: data[index], shape, dtype, dims)
    return ServedData(lambda index: _read_roi(data, index, dims), shape, dtype, dims)


def _leading_shape(array: Any, dims: int) -> Tuple[int, ...]:
    """The non-spatial shape of a DaCapo array, read from one voxel (virtual
    arrays have no ``data`` to ask)."""
    from funlib.geometry import Roi

    voxel = np.asarray(array[Roi(array.roi.offset, array.voxel_size)])
    return tuple(int(s) for s in voxel.shape[: voxel.ndim - dims])


def _read_roi(array: Any, index: tuple, dims: int) -> np.ndarray:
    """``array`` read at a numpy index whose spatial part is slices (in voxels
    from the start of the array's ROI)."""
    from funlib.geometry import Coordinate, Roi

    spatial = index[len(index) - dims:]
    shape = array.roi.shape / array.voxel_size
    bounds = [s.indices(int(n))[:2] for s, n in zip(spatial, shape)]
    begin = Coordinate(b for b, _ in bounds) * array.voxel_size + array.roi.offset
    size = Coordinate(max(e - b, 0) for b, e in bounds) * array.voxel_size
    data = np.asarray(array[Roi(begin, size)])
    return data[index[: len(index) - dims] + (Ellipsis,)]
