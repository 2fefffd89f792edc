"""Voxelwise sum of several arrays, computed on read."""

from __future__ import annotations

import numpy as np
from funlib.geometry import Roi

from dacapo.errors import ConfigError

from ._combined import CombinedArray
from ._wrapped import open_source


class SumArray(CombinedArray):
    """The sum of its sources over the intersection of their ROIs.

    The output dtype (``sum_dtype``) is wide enough for the sum: integer (and
    boolean) sources are added in the smallest integer type that holds the sum
    of their largest (and smallest) values, so two uint8 sources give uint16
    and ``200 + 100`` is 300, not 44. Integers widen up to 64 bits (uint64 or
    int64), past which a sum can still wrap; with a float source the sum is in
    the float type numpy promotes the dtypes to.
    """

    def __init__(self, array_config):
        owner = f"SumArray {array_config.name!r}"
        sources = [open_source(c) for c in array_config.source_array_configs]
        super().__init__(array_config, sources, owner)
        _check_same_channels(self._sources, owner)

    @property
    def dtype(self):
        return sum_dtype([source.dtype for source in self._sources])

    def _read(self, roi: Roi) -> np.ndarray:
        total = np.array(self._sources[0][roi], dtype=self.dtype)
        for source in self._sources[1:]:
            total += source[roi]
        return total


_WIDTHS = (8, 16, 32, 64)


def sum_dtype(dtypes) -> np.dtype:
    """The dtype in which ``SumArray`` adds sources of ``dtypes``.

    Booleans count as 0/1 integers. For integers, the smallest unsigned (when
    no source is signed) or signed type of at least the promoted width that
    holds every possible sum, capped at 64 bits; otherwise numpy's promotion
    (a float type).
    """
    dtypes = [np.dtype(d) for d in dtypes]
    promoted = np.result_type(*dtypes)
    if promoted.kind == "b":
        promoted = np.dtype(np.uint8)
    if promoted.kind not in "iu":
        return promoted
    ranges = [(0, 1) if d.kind == "b" else (np.iinfo(d).min, np.iinfo(d).max) for d in dtypes]
    low, high = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
    kind = promoted.kind
    for width in _WIDTHS:
        candidate = np.dtype(f"{kind}{width // 8}")
        info = np.iinfo(candidate)
        if width >= promoted.itemsize * 8 and info.min <= low and high <= info.max:
            return candidate
    return np.dtype(f"{kind}8")


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
