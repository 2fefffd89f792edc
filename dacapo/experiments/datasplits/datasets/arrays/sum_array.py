"""Voxelwise sum of several arrays, computed on read."""

from __future__ import annotations

import numpy as np
from funlib.geometry import Roi

from dacapo.errors import ConfigError

from ._combined import CombinedArray
from ._wrapped import open_source


class SumArray(CombinedArray):
    """The sum of its sources over the intersection of their ROIs, in the dtype
    numpy promotes their dtypes to."""

    def __init__(self, array_config):
        owner = f"SumArray {array_config.name!r}"
        sources = [open_source(c) for c in array_config.source_array_configs]
        super().__init__(array_config, sources, owner)
        _check_same_channels(self._sources, owner)

    @property
    def dtype(self):
        return np.result_type(*[np.dtype(s.dtype) for s in self._sources])

    def _read(self, roi: Roi) -> np.ndarray:
        total = np.array(self._sources[0][roi], dtype=self.dtype)
        for source in self._sources[1:]:
            total += source[roi]
        return total


def _check_same_channels(sources, owner: str) -> None:
    """All sources need the same axes and non-spatial shape to be added."""
    first = sources[0]
    leading = tuple(first.shape[: len(first.shape) - first.dims])
    for other in sources[1:]:
        other_leading = tuple(other.shape[: len(other.shape) - other.dims])
        if other.axes != first.axes or other_leading != leading:
            raise ConfigError(
                f"{owner}: sources {first.name!r} (axes {first.axes}, channels "
                f"{leading}) and {other.name!r} (axes {other.axes}, channels "
                f"{other_leading}) cannot be added voxel by voxel"
            )
