"""A grayscale or label volume served by DVID, read through ``neuclease``."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.errors import ConfigError, DacapoError

from ._voxel_grid import valid_voxel_size
from .array import Array, StoredGeometry

# DVID instance type -> (neuclease.dvid reader, dtype)
_READERS = {
    "uint8blk": ("fetch_raw", np.uint8),
    "labelmap": ("fetch_labelmap_voxels", np.uint64),
    "labelarray": ("fetch_labelmap_voxels", np.uint64),
}


def import_neuclease_dvid(where: str):
    """``neuclease.dvid``, or a ``DacapoError`` saying how to get it."""
    try:
        from neuclease import dvid
    except ImportError as error:
        raise DacapoError(
            f"{where}: reading from DVID needs the optional package 'neuclease' "
            f"(conda install -c flyem-forge neuclease) and a reachable DVID server ({error})"
        ) from error
    return dvid


class DVIDArray(StoredGeometry, Array):
    """A DVID ``uint8blk`` (grayscale) or ``labelmap`` instance; read-only.

    DVID reports geometry in x, y, z order; it is reversed to z, y, x here.
    """

    def __init__(self, array_config):
        self._config = array_config
        self._server, self._uuid, self._instance = array_config.source
        self._where = f"DVIDArray {array_config.name!r} ({self._server}, {self._uuid}, " \
                      f"{self._instance})"
        self._dvid = import_neuclease_dvid(self._where)
        self._info = self._call("fetch_instance_info", self._server, self._uuid, self._instance)
        type_name = self._info["Base"]["TypeName"]
        if type_name not in _READERS:
            raise ConfigError(
                f"{self._where}: DVID instance type {type_name!r} is not supported; "
                f"supported: {sorted(_READERS)}"
            )
        self._reader, self._dtype = _READERS[type_name]
        extended = self._info["Extended"]
        voxel_size = [  # DVID stores floats such as 4.0
            int(v) if isinstance(v, float) and v.is_integer() else v
            for v in extended["VoxelSize"][::-1]
        ]
        self._voxel_size = valid_voxel_size(
            voxel_size, self._where, "fix the VoxelSize of the instance on the DVID server", 3
        )
        begin = Coordinate(extended["MinPoint"][::-1])
        end = Coordinate(extended["MaxPoint"][::-1]) + 1  # DVID's MaxPoint is inclusive
        self._roi = Roi(begin * self._voxel_size, (end - begin) * self._voxel_size)

    def _call(self, function: str, *args):
        try:
            return getattr(self._dvid, function)(*args)
        except Exception as error:
            raise DacapoError(
                f"{self._where}: {function} failed ({error}); check that the DVID server "
                "is reachable and that source = (server, uuid, instance) is right"
            ) from error

    @property
    def attrs(self) -> Dict[str, Any]:
        return dict(self._info)

    @property
    def axes(self) -> List[str]:
        return ["z", "y", "x"]

    @property
    def writable(self) -> bool:
        return False

    @property
    def dtype(self) -> Any:
        return np.dtype(self._dtype)

    @property
    def shape(self):
        return tuple(self._roi.shape / self._voxel_size)

    @property
    def data(self):
        raise DacapoError(f"{self._where}: DVID data has no local array; read array[roi]")

    def _read(self, roi: Roi) -> np.ndarray:
        box_zyx = [list(roi.begin / self._voxel_size), list(roi.end / self._voxel_size)]
        data = self._call(self._reader, self._server, self._uuid, self._instance, box_zyx)
        return np.asarray(data, dtype=self._dtype)
