"""A TIFF stack (one file, or a folder of files) with user-given geometry as a
read-only DaCapo ``Array``."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ArrayNotFoundError, ConfigError
from dacapo.utils.roi_slices import roi_slices

from ._voxel_grid import valid_offset, valid_voxel_size
from .array import Array, StoredGeometry

logger = logging.getLogger(__name__)

NON_SPATIAL_AXES = ("c", "b")


def validate_tiff_geometry(config, shape: Sequence[int], where: str) -> List[str]:
    """Checks ``config``'s axis names, offset, voxel size and units against
    ``shape``: one entry per spatial axis, positive voxel sizes, the offset on
    the voxel grid.

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
    valid_voxel_size(config.voxel_size, where, "fix voxel_size in the TiffArrayConfig")
    valid_offset(config.offset, config.voxel_size, where, "fix offset in the TiffArrayConfig")
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


TIFF_SUFFIXES = (".tif", ".tiff")


def _natural_key(path: Path) -> List[Any]:
    """Sort key comparing the digit runs of a name as numbers (``img2 < img10``)."""
    parts = re.split(r"(\d+)", path.name)
    return [int(part) if part.isdigit() else part.lower() for part in parts]


def tiff_files(folder: Path) -> List[Path]:
    """The ``.tif`` / ``.tiff`` files of ``folder`` (hidden ones skipped) in
    name order, digit runs compared as numbers (``img2`` before ``img10``;
    zero-padded names sort as plain names)."""
    files = [
        p
        for p in Path(folder).iterdir()
        if p.suffix.lower() in TIFF_SUFFIXES and not p.name.startswith(".") and p.is_file()
    ]
    return sorted(files, key=_natural_key)


def _folder_files(folder: Path, where: str) -> List[Path]:
    """``tiff_files(folder)``; raises ``ConfigError`` when there are none."""
    files = tiff_files(folder)
    if not files:
        raise ConfigError(
            f"{where}: folder {folder} holds no .tif / .tiff files; give a TIFF file or "
            "a folder of TIFF files (one slice each) as file_name"
        )
    return files


def tiff_shape(path: Path, where: str) -> Tuple[int, ...]:
    """Shape of the TIFF file ``path``, or of the stack a folder of TIFF files
    makes (reads headers only: the first file's for a folder)."""
    import tifffile

    files = _folder_files(path, where) if path.is_dir() else [path]
    try:
        with tifffile.TiffFile(str(files[0])) as tiff:
            shape = tuple(tiff.series[0].shape)
    except Exception as error:
        raise ConfigError(f"{where}: {files[0]} is not a readable TIFF ({error})") from None
    return (len(files),) + shape if path.is_dir() else shape


class TiffSequence:
    """The TIFF files of a folder (e.g. one 2D slice each) as one array,
    stacked along a new first axis in ``tiff_files`` order.

    Nothing is read up front but the first file's header; indexing opens only
    the files its first index selects, each through ``open_tiff`` (so only the
    rows or tiles needed are read). Every file must have the first file's
    shape and dtype (``ConfigError`` naming the file otherwise).
    """

    def __init__(self, files: Sequence[Path], where: str):
        import tifffile

        self.files, self._where = list(files), where
        with tifffile.TiffFile(str(self.files[0])) as tiff:
            series = tiff.series[0]
            self._plane_shape, self.dtype = tuple(series.shape), np.dtype(series.dtype)
        self.shape = (len(self.files),) + self._plane_shape
        self.ndim = len(self.shape)

    def __getitem__(self, index: Any) -> np.ndarray:
        index = index if isinstance(index, tuple) else (index,)
        first, rest = (index[0] if index else slice(None)), index[1:]
        if isinstance(first, (int, np.integer)):
            return self._plane(self.files[first], rest)
        planes = [self._plane(path, rest) for path in self.files[first]]
        if planes:
            return np.stack(planes)
        return np.empty((0,) + self.shape[1:], dtype=self.dtype)[(slice(None),) + rest]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        data = self[:]
        return data if dtype is None else data.astype(dtype)

    def _plane(self, path: Path, index: Tuple[Any, ...]) -> np.ndarray:
        """``index`` of the file ``path``, checked against the first file."""
        try:
            data, handle = open_tiff(path)
        except Exception as error:
            raise ConfigError(f"{self._where}: {path} is not a readable TIFF ({error})") from None
        try:
            if tuple(data.shape) != self._plane_shape or np.dtype(data.dtype) != self.dtype:
                raise ConfigError(
                    f"{self._where}: {path} holds {data.dtype} data of shape "
                    f"{tuple(data.shape)} but {self.files[0]} holds {self.dtype} data of "
                    f"shape {self._plane_shape}; every TIFF file of a folder must have the "
                    "same shape and dtype"
                )
            return np.asarray(data[index])
        finally:
            if handle is not None:
                handle.close()


class TiffArray(StoredGeometry, Array):
    """A TIFF stack (read-only); reads load only the pages and tiles a ROI needs.

    ``file_name`` is one (multi-page) TIFF file, or a folder of TIFF files
    (e.g. one 2D slice each) read as a stack along the first axis, in name
    order (``tiff_files``); reads then open only the files a ROI needs.
    Non-spatial axes (``c``, ``b``) are moved to the front if the file stores
    them elsewhere (e.g. ``z, y, x, c`` reads as ``c, z, y, x``).
    """

    def __init__(self, array_config):
        self._config = array_config
        where = f"TiffArray {array_config.name!r}"
        path = Path(array_config.file_name)
        if path.is_dir():
            self._file_data, self._handle = TiffSequence(_folder_files(path, where), where), None
        elif path.is_file():
            self._file_data, self._handle = open_tiff(path)
        else:
            raise ArrayNotFoundError(
                f"{where}: TIFF file or folder {path} does not exist; check file_name"
            )
        file_axes = validate_tiff_geometry(array_config, self._file_data.shape, where)
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
        index: List[slice] = [slice(None)] * len(self._order)
        for axis, spatial in zip(self._spatial,
                                 roi_slices(roi, self._roi.begin, self._voxel_size)):
            index[axis] = spatial
        return np.transpose(np.asarray(self._file_data[tuple(index)]), self._order)

    def close(self) -> None:
        """Closes the file (only open for compressed stacks)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
