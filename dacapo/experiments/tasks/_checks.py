"""Argument checks shared by task configs and the predictors and losses they build.

Each check raises ``ConfigError`` with ``owner`` (e.g. ``"DistanceTaskConfig
'mito'"`` or ``"DistancePredictor"``) at the start of the message, so the
same rule reads well whether a config or a component was given bad input.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, List, Optional, Sequence

from dacapo.errors import ConfigError


def check_names(owner: str, field: str, names: Any) -> List[str]:
    """A non-empty list of unique, non-empty strings."""
    values = [] if isinstance(names, str) else list(names or [])
    if not values or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(
            f"{owner}: {field} must be a non-empty list of non-empty names "
            f"(e.g. ['mito']), got {names!r}"
        )
    if len(set(values)) != len(values):
        raise ConfigError(f"{owner}: {field} {values} repeat a name; each must be unique")
    return values


def check_number(
    owner: str, field: str, value: Any, minimum: float = 0.0, inclusive: bool = False
) -> float:
    """A finite real number above ``minimum`` (or equal to it with ``inclusive``)."""
    ok = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value >= minimum if inclusive else value > minimum)
    )
    if not ok:
        relation = ">=" if inclusive else ">"
        raise ConfigError(
            f"{owner}: {field} must be a finite number {relation} {minimum}, got {value!r}"
        )
    return float(value)


def check_int(owner: str, field: str, value: Any, minimum: int) -> int:
    """An integer of at least ``minimum``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"{owner}: {field} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_clip(owner: str, prefix: str, clipmin: Any, clipmax: Any) -> None:
    """Class-fraction clipping bounds with ``0 < clipmin <= clipmax <= 1``."""
    low = check_number(owner, f"{prefix}clipmin", clipmin)
    high = check_number(owner, f"{prefix}clipmax", clipmax)
    if not low <= high <= 1:
        raise ConfigError(
            f"{owner}: expected 0 < {prefix}clipmin <= {prefix}clipmax <= 1, got "
            f"{prefix}clipmin={clipmin}, {prefix}clipmax={clipmax}"
        )


def check_kernel_size(owner: str, kernel_size: Optional[int]) -> int:
    """The head's kernel size: ``None`` means 1; otherwise a positive odd integer."""
    if kernel_size is None:
        return 1
    size = check_int(owner, "kernel_size", kernel_size, 1)
    if size % 2 == 0:
        raise ConfigError(
            f"{owner}: kernel_size must be odd so the head keeps the output centred, "
            f"got {kernel_size}"
        )
    return size


def check_choice(owner: str, field: str, value: Any, choices: Sequence[str]) -> str:
    """One of ``choices``."""
    if value not in choices:
        raise ConfigError(f"{owner}: {field} must be one of {list(choices)}, got {value!r}")
    return value


def check_neighborhood(owner: str, neighborhood: Any) -> List[tuple]:
    """A non-empty list of distinct, non-zero 2D or 3D integer offsets."""
    try:
        offsets = [tuple(int(v) for v in offset) for offset in neighborhood]
    except TypeError:
        offsets = []
    dims = {len(o) for o in offsets}
    if not offsets or len(dims) != 1 or dims.pop() not in (2, 3):
        raise ConfigError(
            f"{owner}: neighborhood must be a non-empty list of 2D or 3D offsets, all of "
            f"one dimensionality, e.g. [(1, 0, 0), (0, 1, 0), (0, 0, 1)]; got {neighborhood!r}"
        )
    if any(not any(o) for o in offsets) or len(set(offsets)) != len(offsets):
        raise ConfigError(
            f"{owner}: neighborhood {offsets} holds a zero or repeated offset; each "
            "offset must be distinct and point to another voxel"
        )
    return offsets
