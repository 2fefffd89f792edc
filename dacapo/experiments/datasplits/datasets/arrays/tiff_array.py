"""A TIFF stack with user-given geometry as a read-only DaCapo ``Array``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ArrayNotFoundError, ConfigError

from .array import Array, StoredGeometry

logger = logging.getLogger(__name__)

NON_SPATIAL_AXES = ("c", "b")


def check_tiff_geometry(config, shape: Sequence[int], where: str) -> List[str]:
    """Checks ``config``'s axis names, offset, voxel size and units against ``shape``.

    Returns the axis names without channel markers (``"c^"`` -> ``"c"``).
    """
    axes = [str(a).rstrip("^") for a in config.axis_names]
    if len(axes) != len(shape):
        raise ConfigError(
            f"{where}: axis_names {list(config.axis_names)} name {len(axes)} axes but "
            f"{config.file_name} holds data of shape {tuple(shape)} ({len(shape)} axes); "
            "give one name per axis, e.g. ['z', 'y', 'x'] or ['c', 'z', 'y', 'x']"
        )
    dims = sum(a not in NON_SPATIAL_AXES for a in axes)
    for what, value in (("offset", config.offset), ("voxel_size", config.voxel_size)):
        if len(value) != dims:
            raise ConfigError(
                f"{where}: {what} {tuple(value)} has {len(value)} entries but axis_names "
                f"{axes} have {dims} spatial axes; give one entry per spatial axis"
            )
    if config.units and len(config.units) != dims:
        raise ConfigError(
            f"{where}: units {list(config.units)} should have one entry per spatial axis "
            f"({dims}) or be empty"
        )
    return axes


def open_tiff(path: Path) -> Tuple[Any, Any]:
    """The pixels of ``path`` without reading them all: ``(array_like, handle)``.

    Uncompressed stacks are memory-mapped; others are read through
    ``TiffFile.aszarr`` (page by page); ``imread`` is the last resort.
    """
    import tifffile

    try:
        return tifffile.memmap(str(path), mode="r"), None
    except ValueError:  # compressed or not contiguous
        pass
    try:
        import zarr

        handle = tifffile.TiffFile(str(path))
        data = zarr.open(handle.aszarr(), mode="r")
        if isinstance(data, zarr.Group):  # pyramidal file: level 0
            data = data["0"]
        return data, handle
    except Exception as error:  # tifffile cannot tile this file: load it whole
        logger.warning("%s: reading the whole file into memory (%s)", path, error)
        return tifffile.imread(str(path)), None


class TiffArray(StoredGeometry, Array):
    """A TIFF stack (read-only); reads load only the pages and tiles a ROI needs.

    Non-spatial axes (``c``, ``b``) are moved to the front if the file stores
    them elsewhere (e.g. ``z, y, x, c`` reads as ``c, z, y, x``).
    """

    def __init__(self, array_config):
        self._config = array_config
        where = f"TiffArray {array_config.name!r}"
        path = Path(array_config.file_name)
        if not path.is_file():
            raise ArrayNotFoundError(
                f"{where}: TIFF file {path} does not exist; check file_name"
            )
        self._file_data, self._handle = open_tiff(path)
        file_axes = check_tiff_geometry(array_config, self._file_data.shape, where)
        spatial = [i for i, a in enumerate(file_axes) if a not in NON_SPATIAL_AXES]
        self._spatial = spatial
        self._order = [i for i in range(len(file_axes)) if i not in spatial] + spatial
        self._axes = [file_axes[i] for i in self._order]
        self._voxel_size = Coordinate(array_config.voxel_size)
        self._units = list(array_config.units) or [""] * len(spatial)
        spatial_shape = Coordinate(self._file_data.shape[i] for i in spatial)
        self._roi = Roi(Coordinate(array_config.offset), spatial_shape * self._voxel_size)

    @property
    def attrs(self) -> Dict[str, Any]:
        return {}

    @property
    def axes(self) -> List[str]:
        return list(self._axes)

    @property
    def units(self) -> List[str]:
        """Unit of each spatial axis (``""`` when not given)."""
        return list(self._units)

    @property
    def writable(self) -> bool:
        return False

    @property
    def dtype(self) -> Any:
        return self._file_data.dtype

    @property
    def data(self) -> Any:
        """The pixels in the file's own axis order (``config.axis_names``)."""
        return self._file_data

    @property
    def shape(self) -> Tuple[int, ...]:
        return tuple(int(self._file_data.shape[i]) for i in self._order)

    def _read(self, roi: Roi) -> np.ndarray:
        begin = (roi.begin - self._roi.begin) / self._voxel_size
        end = begin + roi.shape / self._voxel_size
        index: List[slice] = [slice(None)] * len(self._order)
        for axis, b, e in zip(self._spatial, begin, end):
            index[axis] = slice(int(b), int(e))
        return np.transpose(np.asarray(self._file_data[tuple(index)]), self._order)

    def close(self) -> None:
        """Closes the file (only open for compressed stacks)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
