"""The checks every array applies to its geometry when it is opened.

A voxel size is one positive integer (world units, nm) per spatial axis; an
offset is one integer per spatial axis and lies on the voxel grid (a multiple
of the voxel size), so that the ROIs of raw, ground truth and mask line up::

    voxel size 4:   |---|---|---|       offset 8: on the grid
                    0   4   8   12      offset 6: refused (nearest: 4 or 8)

Messages name the array (``where``) and end with ``fix``, which says what to
correct (a metadata attribute, a config field, an argument).
"""

from __future__ import annotations

from typing import Any, Sequence

from funlib.geometry import Coordinate

from dacapo._checks import is_int
from dacapo.errors import ConfigError

__all__ = ["valid_voxel_size", "valid_offset", "nearest_on_grid"]


def _entries(value: Any, what: str, where: str, fix: str) -> list:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ConfigError(
            f"{where}: {what} {value!r} is not a list of numbers (one per spatial axis); {fix}"
        )
    return list(value)


def valid_voxel_size(voxel_size: Any, where: str, fix: str, dims: int = 0) -> Coordinate:
    """``voxel_size`` as a ``Coordinate`` of positive integers (``dims`` of them,
    when given); ``ConfigError`` otherwise."""
    values = _entries(voxel_size, "voxel size", where, fix)
    if not values or not all(is_int(v) and v > 0 for v in values):
        raise ConfigError(
            f"{where}: voxel size {tuple(values)} must be positive integers (world units, "
            f"e.g. nm), one per spatial axis; {fix}"
        )
    if dims and len(values) != dims:
        raise ConfigError(
            f"{where}: voxel size {tuple(values)} has {len(values)} entries but the data "
            f"has {dims} spatial axes; {fix}"
        )
    return Coordinate(int(v) for v in values)


def valid_offset(offset: Any, voxel_size: Sequence[int], where: str, fix: str) -> Coordinate:
    """``offset`` as a ``Coordinate`` of integers on the grid of ``voxel_size``;
    ``ConfigError`` otherwise (suggesting the nearest offset on the grid)."""
    values = _entries(offset, "offset", where, fix)
    if len(values) != len(voxel_size) or not all(is_int(v) for v in values):
        raise ConfigError(
            f"{where}: offset {tuple(values)} must be {len(voxel_size)} integers (world "
            f"units, one per spatial axis, like the voxel size {tuple(voxel_size)}); {fix}"
        )
    offset = Coordinate(int(v) for v in values)
    if any(o % v for o, v in zip(offset, voxel_size)):
        raise ConfigError(
            f"{where}: offset {tuple(offset)} is not on the voxel grid: it must be a "
            f"multiple of the voxel size {tuple(voxel_size)} (the nearest is "
            f"{tuple(nearest_on_grid(offset, voxel_size))}); {fix}"
        )
    return offset


def nearest_on_grid(offset: Sequence[int], voxel_size: Sequence[int]) -> Coordinate:
    """The multiple of ``voxel_size`` nearest to ``offset`` (halves round up)."""
    return Coordinate((2 * o + v) // (2 * v) * v for o, v in zip(offset, voxel_size))
