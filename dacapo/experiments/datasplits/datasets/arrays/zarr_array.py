"""A zarr or N5 dataset on disk (or at an fsspec URL) as a DaCapo ``Array``.

Dataset attributes read: ``resolution`` or ``voxel_size``, ``offset`` (world
units), ``axes`` or ``axis_names`` (a list, one string ``"czyx"`` or a
one-element list ``["czyx"]``; a trailing ``^`` as in ``"c^"`` is dropped),
``units`` or ``dimension_units``. N5 stores these lists in x, y, z order. When
the parent group has OME-NGFF ``multiscales``, the image listing the level named
by the last path component gives voxel size (``scale``), offset
(``translation``), axes and units. Lengths in a known unit (micrometer, um,
angstrom, ...) are converted exactly to nanometres, dacapo's world unit (see
``_length_units``). New datasets carry both conventions (see ``_ome_ngff``).

Opening checks the geometry (``_voxel_grid``): voxel sizes are positive
integers, one per spatial axis, and the offset is a multiple of the voxel
size. An offset off that grid (e.g. the half-voxel translation of a coarser
OME-NGFF pyramid level) is refused unless the config sets ``snap_to_grid``,
which moves the data to the nearest grid point (by less than a voxel) before
shrinking the ROI to the snapping grid. A container path that is a file, and
damaged metadata, are refused too, naming the container and dataset.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, RoiError
from dacapo.utils.roi_slices import roi_slices

from ._ome_ngff import write_array_metadata
from ._voxel_grid import valid_voxel_size
from ._zarr_containers import (  # noqa: F401 (container helpers re-exported)
    clean_dataset_path,
    container_exists,
    dataset_exists,
    is_n5,
    open_store,
    open_zarr,
)
from ._zarr_metadata import (
    NON_SPATIAL_AXES,
    attr_geometry,
    normalise_axes,
    ome_geometry,
    read_geometry,
    snap_roi,
)
from .array import Array

logger = logging.getLogger(__name__)

# default chunks: the largest power-of-two cube of at most this many bytes
DEFAULT_CHUNK_BYTES = 4 * 2**20


# --- the array --------------------------------------------------------------

class ZarrArray(Array):
    """A zarr or N5 dataset; reads and writes touch only the requested ROI."""

    def __init__(self, array_config):
        self._config = array_config
        self._container = array_config.file_name
        self._mode = array_config.mode
        where = f"ZarrArray {array_config.name!r}"
        self._zarr, self.dataset = open_zarr(
            self._container, array_config.dataset, self._mode, where
        )
        store = self._zarr.store
        where = f"{where} ({self._container}, dataset {self.dataset!r})"
        raw = ome_geometry(store, self.dataset, where) or attr_geometry(
            self._zarr.attrs.asdict(), is_n5(self._container)
        )
        self._geometry = read_geometry(raw, self._zarr.ndim, array_config.axes, where,
                                       regrid=array_config.snap_to_grid is not None)
        spatial_shape = Coordinate(self._zarr.shape[-self._geometry.voxel_size.dims:])
        self._data_roi = Roi(self._geometry.offset, spatial_shape * self._geometry.voxel_size)
        self._roi = self._data_roi
        if array_config.snap_to_grid is not None:
            self._roi = snap_roi(self._data_roi, self._geometry.voxel_size,
                                 array_config.snap_to_grid, where)

    @property
    def file_name(self) -> Path:
        """The container."""
        return self._container

    @property
    def attrs(self) -> Dict[str, Any]:
        return self._zarr.attrs.asdict()

    @property
    def axes(self) -> List[str]:
        return list(self._geometry.axes)

    @property
    def voxel_size(self) -> Coordinate:
        return self._geometry.voxel_size

    @property
    def units(self) -> List[str]:
        """Unit of each spatial axis (``""`` when unknown)."""
        return list(self._geometry.units)

    @property
    def channel_names(self) -> Optional[List[str]]:
        """The names of the channels, when stored (``channel_names`` attribute)."""
        names = self._zarr.attrs.get("channel_names")
        return [str(n) for n in names] if isinstance(names, list) else None

    @property
    def roi(self) -> Roi:
        return self._roi

    @property
    def writable(self) -> bool:
        return self._mode != "r"

    @property
    def dtype(self) -> Any:
        return self._zarr.dtype

    @property
    def data(self) -> zarr.Array:
        return self._zarr

    @property
    def shape(self) -> Tuple[int, ...]:
        leading = tuple(self._zarr.shape[: self._zarr.ndim - self.dims])
        return leading + tuple(self._roi.shape / self.voxel_size)

    def _slices(self, roi: Roi) -> Tuple[slice, ...]:
        # relative to the stored data, whose ROI may be larger than a snapped self.roi
        leading = (slice(None),) * (self._zarr.ndim - self.dims)
        return leading + roi_slices(roi, self._data_roi.begin, self.voxel_size)

    def _read(self, roi: Roi) -> np.ndarray:
        try:
            return np.asarray(self._zarr[self._slices(roi)])
        except (ValueError, RuntimeError, TypeError) as error:  # from the codecs
            raise ConfigError(
                f"ZarrArray {self.name!r} ({self._container}, dataset {self.dataset!r}): "
                f"its stored chunks cannot be read as its metadata describes them "
                f"(chunks {self._zarr.chunks}, dtype {self._zarr.dtype}, compressor "
                f"{self._zarr.compressor}): {type(error).__name__}: {error}; the metadata "
                "was probably changed after the data was written: restore it, or write "
                "the array again"
            ) from error

    def _write(self, roi: Roi, value: Any) -> None:
        slices = self._slices(roi)
        if np.ndim(value) > 0:  # numpy-style broadcasting, which zarr does not do
            leading = self._zarr.shape[: len(slices) - self.dims]
            value = np.broadcast_to(value, tuple(leading) + tuple(roi.shape / self.voxel_size))
        self._zarr[slices] = value

    def add_metadata(self, metadata: Dict[str, Any]) -> None:
        """Adds ``metadata`` to the dataset's attributes."""
        self._zarr.attrs.update(metadata)

    @classmethod
    def open_from_array_identifier(cls, array_identifier, name: str = "") -> "ZarrArray":
        """Opens ``array_identifier`` (container + dataset) for reading and writing."""
        from .zarr_array_config import ZarrArrayConfig

        return cls(ZarrArrayConfig(name=name or array_identifier.dataset,
                                   file_name=array_identifier.container,
                                   dataset=array_identifier.dataset))

    @classmethod
    def create_from_array_identifier(
        cls, array_identifier, axes: Sequence[str], roi: Roi, num_channels: Optional[int],
        voxel_size, dtype, mode: str = "a+", write_size=None, name: Optional[str] = None,
        overwrite: bool = False, *, channel_names: Optional[Sequence[str]] = None,
    ) -> "ZarrArray":
        """Creates (or reopens) a dataset covering ``roi`` and returns it.

        Chunks are ``write_size / voxel_size`` spatially (whole channel axis),
        or about 0.5-4 MB when ``write_size`` is None. Parent groups and the
        container are created as needed. An existing dataset with the same
        geometry is reopened unchanged (``channel_names``, when given, are
        updated); one with a different geometry is an error unless
        ``overwrite`` (or mode ``"w"``) replaces it. A new dataset carries
        dacapo's, funlib.persistence's and OME-NGFF 0.4 metadata (see
        ``_ome_ngff``); ``channel_names`` (one per channel) are stored too.
        """
        where = f"ZarrArray.create_from_array_identifier({array_identifier})"
        if mode == "r":
            raise ConfigError(f"{where}: cannot create a dataset in read-only mode 'r'; use 'a'")
        overwrite = overwrite or mode == "w"
        voxel_size = valid_voxel_size(voxel_size, where, "pass one positive integer per "
                                      "spatial axis (world units)")
        axes = _creation_axes(axes, num_channels, roi.dims, where)
        _check_creation_roi(roi, voxel_size, where)
        _check_channel_names(channel_names, num_channels, where)
        spatial = tuple(roi.shape / voxel_size)
        shape = ((num_channels,) if "c" in axes else ()) + spatial
        container = array_identifier.container
        dataset = clean_dataset_path(array_identifier.dataset)
        store = open_store(container, "a")
        exists = container_exists(container) and zarr.storage.contains_array(store, dataset)
        if exists and not overwrite:
            if mode == "w-":
                raise ConfigError(f"{where}: dataset exists and mode is 'w-'; use mode 'a'")
            existing = cls.open_from_array_identifier(array_identifier, name or "")
            _check_same_geometry(existing, axes, roi, voxel_size, shape, dtype, where)
            _update_channel_names(existing, channel_names)
            return existing
        chunks = _chunk_shape(spatial, shape[: len(shape) - len(spatial)],
                              np.dtype(dtype).itemsize, voxel_size, write_size, where)
        root = zarr.open_group(store, mode="a")
        try:
            root.create_dataset(dataset, shape=shape, chunks=chunks, dtype=dtype, fill_value=0,
                                overwrite=overwrite, **_compression(container))
        except zarr.errors.ContainsGroupError:
            raise ConfigError(f"{where}: a group exists at {dataset!r}; choose another "
                              "dataset name (or overwrite=True to replace the group)") from None
        write_array_metadata(store, dataset, axes, voxel_size, roi.offset, is_n5(container),
                             channel_names)
        return cls.open_from_array_identifier(array_identifier, name or "")


def _creation_axes(axes, num_channels, dims: int, where: str) -> List[str]:
    axes = normalise_axes(list(axes), len(axes)) or []
    if num_channels is not None and "c" not in axes:
        axes = ["c"] + axes
    if num_channels is None and "c" in axes:
        raise ConfigError(f"{where}: axes {axes} have a channel axis but num_channels is None")
    extra = [a for a in axes if a in NON_SPATIAL_AXES]
    if extra not in ([], ["c"]) or (extra and axes[0] != "c"):
        raise ConfigError(
            f"{where}: axes {axes} are not supported for new datasets; use an optional "
            "leading 'c' followed by spatial axes"
        )
    if len(axes) - ("c" in axes) != dims:
        raise ConfigError(f"{where}: axes {axes} do not have {dims} spatial axes like the ROI")
    return axes


def _check_creation_roi(roi: Roi, voxel_size: Coordinate, where: str) -> None:
    off_grid = any(c % v for c, v in zip((*roi.offset, *roi.shape), (*voxel_size,) * 2))
    if roi.dims != voxel_size.dims or off_grid:
        raise RoiError(
            f"{where}: ROI {roi} is not a whole number of voxels of size "
            f"{tuple(voxel_size)} starting on their grid (offset and shape must be "
            "multiples of the voxel size); snap it with roi.snap_to_grid(voxel_size)"
        )


def _chunk_shape(spatial, leading, itemsize: int, voxel_size: Coordinate, write_size,
                 where: str) -> Tuple[int, ...]:
    """``write_size / voxel_size`` (+ whole leading axes), or a ~0.5-4 MB cube."""
    if write_size is not None:
        write_size = Coordinate(write_size)
        if any(w % v for w, v in zip(write_size, voxel_size)) or write_size.dims != len(spatial):
            raise ConfigError(
                f"{where}: write_size {tuple(write_size)} is not a multiple of the voxel "
                f"size {tuple(voxel_size)}"
            )
        return tuple(leading) + tuple(write_size / voxel_size)
    per_voxel = itemsize * int(np.prod(leading, dtype=np.int64))
    edge = 1
    while (2 * edge) ** len(spatial) * per_voxel <= DEFAULT_CHUNK_BYTES:
        edge *= 2
    return tuple(leading) + tuple(min(edge, int(s)) or 1 for s in spatial)


def _compression(container) -> Dict[str, Any]:
    if is_n5(container):  # gzip: readable by every N5 implementation
        from numcodecs import GZip

        return {"compressor": GZip(level=5)}
    return {}


def _update_channel_names(array: ZarrArray, channel_names) -> None:
    if channel_names is not None and array.channel_names != list(channel_names):
        array.add_metadata({"channel_names": [str(n) for n in channel_names]})


def _check_channel_names(channel_names, num_channels: Optional[int], where: str) -> None:
    if channel_names is None:
        return
    if isinstance(channel_names, str) or not all(isinstance(n, str) for n in channel_names):
        raise ConfigError(f"{where}: channel_names must be a list of strings, got "
                          f"{channel_names!r}")
    if num_channels is None or len(channel_names) != num_channels:
        raise ConfigError(
            f"{where}: {len(channel_names)} channel_names {list(channel_names)} for "
            f"num_channels={num_channels}; give one name per channel (or none)"
        )


def _check_same_geometry(existing: ZarrArray, axes, roi, voxel_size, shape, dtype,
                         where: str) -> None:
    found = (existing.axes, existing.roi, existing.voxel_size, tuple(existing.data.shape),
             np.dtype(existing.dtype))
    wanted = (list(axes), roi, voxel_size, tuple(shape), np.dtype(dtype))
    if found != wanted:
        names = "axes, roi, voxel_size, shape, dtype"
        raise ConfigError(
            f"{where}: the dataset exists with a different geometry: existing ({names}) = "
            f"{found}, requested = {wanted}; pass overwrite=True to replace it or choose "
            "another dataset"
        )
