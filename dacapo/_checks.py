"""Value checks shared by every config and component: one signature, one wording.

Every check is ``check_<what>(owner, field, value, ...) -> value``: it returns
the value (converted where that helps, e.g. a numpy integer to ``int``) or
raises ``ConfigError`` worded ``"{owner}: `{field}` must be {expected}, got
{value!r}"``, followed by the fix where there is one. ``owner`` names who was
given the value: a config (``owner_of(config)``, e.g. ``"DistanceTaskConfig
'mito'"``) or a component (e.g. ``"DistancePredictor"``). Checks of several
fields together take a tuple of field names and a tuple of values.

numpy scalars count as what they hold (``np.int64`` is an integer,
``np.float32`` a number, ``np.bool_`` a boolean); ``bool`` is not an integer.
"""

from __future__ import annotations

import math
import re
from typing import Any, List, Literal, NoReturn, Optional, Sequence, Tuple, overload

import numpy as np

from dacapo._type_rules import (
    describe,
    field_types,
    is_int,
    is_number,
    is_path,
    mismatch,
    type_fix,
)
from dacapo.errors import ConfigError

__all__ = [
    "owner_of",
    "fail",
    "is_int",
    "is_number",
    "as_list",
    "as_tuple",
    "check_int",
    "check_number",
    "check_fraction",
    "check_bool",
    "check_choice",
    "check_names",
    "check_numbers",
    "check_interval",
    "check_same_length",
    "check_clip",
    "check_kernel_size",
    "check_neighborhood",
    "check_regex",
]


def owner_of(config: Any) -> str:
    """``"GunpowderTrainerConfig 'name'"`` (or the bare class name if unnamed)."""
    name = getattr(config, "name", None)
    kind = type(config).__name__
    return kind if name is None else f"{kind} {name!r}"


def fail(owner: str, field: str, value: Any, expected: str, fix: Optional[str] = None) -> NoReturn:
    """Raises the ``ConfigError`` every check raises."""
    message = f"{owner}: `{field}` must be {expected}, got {value!r}"
    raise ConfigError(f"{message}; {fix}" if fix else message)


def as_tuple(value: Any) -> Any:
    """Lists to tuples (attrs converter), so stored and read-back configs compare equal."""
    return tuple(value) if isinstance(value, list) else value


def as_list(value: Any) -> Any:
    """Tuples to lists (attrs converter), so stored and read-back configs compare equal."""
    return list(value) if isinstance(value, tuple) else value


def _bounds(minimum: Any, maximum: Any, strict: bool = False) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum}, {maximum}]"
    if minimum is not None:
        return f" {'>' if strict else '>='} {minimum}"
    return f" <= {maximum}" if maximum is not None else ""


def _none(allow_none: bool) -> str:
    return " (or None)" if allow_none else ""


@overload
def check_int(
    owner: str,
    field: str,
    value: Any,
    minimum: Optional[int] = None,
    maximum: Optional[int] = None,
    *,
    allow_none: Literal[False] = False,
) -> int: ...
@overload
def check_int(
    owner: str,
    field: str,
    value: Any,
    minimum: Optional[int] = None,
    maximum: Optional[int] = None,
    *,
    allow_none: bool,
) -> Optional[int]: ...
def check_int(
    owner: str,
    field: str,
    value: Any,
    minimum: Optional[int] = None,
    maximum: Optional[int] = None,
    *,
    allow_none: bool = False,
) -> Optional[int]:
    """An integer in ``[minimum, maximum]`` (either bound optional), as ``int``."""
    if value is None and allow_none:
        return None
    ok = is_int(value) and (minimum is None or value >= minimum)
    if not ok or (maximum is not None and value > maximum):
        expected = f"an integer{_bounds(minimum, maximum)}{_none(allow_none)}"
        fail(owner, field, value, expected)
    return int(value)


@overload
def check_number(
    owner: str,
    field: str,
    value: Any,
    minimum: Optional[float] = None,
    *,
    strict: bool = False,
    allow_none: Literal[False] = False,
) -> float: ...
@overload
def check_number(
    owner: str,
    field: str,
    value: Any,
    minimum: Optional[float] = None,
    *,
    strict: bool = False,
    allow_none: bool,
) -> Optional[float]: ...
def check_number(
    owner: str,
    field: str,
    value: Any,
    minimum: Optional[float] = None,
    *,
    strict: bool = False,
    allow_none: bool = False,
) -> Optional[float]:
    """A finite number at least ``minimum`` (above it if ``strict``), as ``float``."""
    if value is None and allow_none:
        return None
    ok = is_number(value) and math.isfinite(value)
    if ok and minimum is not None:
        ok = value > minimum if strict else value >= minimum
    if not ok:
        expected = f"a finite number{_bounds(minimum, None, strict)}{_none(allow_none)}"
        fail(owner, field, value, expected)
    return float(value)


@overload
def check_fraction(
    owner: str, field: str, value: Any, *, allow_none: Literal[False] = False
) -> float: ...
@overload
def check_fraction(owner: str, field: str, value: Any, *, allow_none: bool) -> Optional[float]: ...
def check_fraction(
    owner: str, field: str, value: Any, *, allow_none: bool = False
) -> Optional[float]:
    """A fraction or probability: a number in [0, 1], as ``float``."""
    if value is None and allow_none:
        return None
    if not is_number(value) or not 0 <= value <= 1:
        fail(owner, field, value, f"a number in [0, 1]{_none(allow_none)}")
    return float(value)


def check_bool(owner: str, field: str, value: Any) -> bool:
    """``True`` or ``False`` (numpy booleans too), as ``bool``."""
    if not isinstance(value, (bool, np.bool_)):
        fail(owner, field, value, "True or False")
    return bool(value)


def check_choice(owner: str, field: str, value: Any, choices: Sequence[Any]) -> Any:
    """One of ``choices``."""
    if value not in choices:
        fail(owner, field, value, f"one of {list(choices)}")
    return value


def check_names(owner: str, field: str, value: Any) -> List[str]:
    """A non-empty list of unique, non-empty strings."""
    names = [] if isinstance(value, str) else list(value or [])
    if not names or not all(isinstance(n, str) and n for n in names):
        fail(owner, field, value, "a non-empty list of non-empty names", "e.g. ['mito']")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        fail(owner, field, value, "a list of unique names", f"{repeated} repeat a name")
    return names


def check_numbers(
    owner: str, field: str, value: Any, minimum: Optional[float] = None, *, strict: bool = False
) -> List[Any]:
    """A non-empty list of finite numbers at least ``minimum`` (above it if ``strict``)."""
    ok = isinstance(value, (tuple, list)) and len(value) > 0
    ok = ok and all(is_number(v) and math.isfinite(v) for v in value)
    if ok and minimum is not None:
        ok = all(v > minimum if strict else v >= minimum for v in value)
    if not ok:
        expected = f"a non-empty list of finite numbers{_bounds(minimum, None, strict)}"
        fail(owner, field, value, expected)
    return list(value)


def check_interval(
    owner: str, field: str, value: Any, *, positive: bool = False
) -> Tuple[float, float]:
    """A pair ``(min, max)`` of numbers with ``min <= max`` (and ``min > 0`` if ``positive``)."""
    ok = isinstance(value, (tuple, list)) and len(value) == 2 and all(map(is_number, value))
    ok = ok and value[0] <= value[1] and (not positive or value[0] > 0)
    if not ok:
        order = "0 < min <= max" if positive else "min <= max"
        fail(owner, field, value, f"a pair (min, max) of numbers with {order}")
    return float(value[0]), float(value[1])


def check_same_length(
    owner: str, field: Sequence[str], value: Sequence[Sequence[Any]]
) -> Sequence[Sequence[Any]]:
    """Sequences ``value`` (named by ``field``) of one length, one entry per spatial axis."""
    if len({len(v) for v in value}) > 1:
        names = ", ".join(f"`{f}`" for f in field)
        given = ", ".join(repr(list(v)) for v in value)
        raise ConfigError(
            f"{owner}: {names} must have the same length (one value per spatial axis), "
            f"got {given}"
        )
    return value


def check_clip(owner: str, field: Tuple[str, str], value: Tuple[Any, Any]) -> Tuple[float, float]:
    """Clipping bounds ``(low, high)`` named ``field`` with ``0 < low <= high <= 1``."""
    low = check_number(owner, field[0], value[0], 0, strict=True)
    high = check_number(owner, field[1], value[1], 0, strict=True)
    if not low <= high <= 1:
        raise ConfigError(
            f"{owner}: `{field[0]}`, `{field[1]}` must satisfy 0 < {field[0]} <= "
            f"{field[1]} <= 1, got {value[0]!r}, {value[1]!r}"
        )
    return low, high


def check_kernel_size(owner: str, field: str, value: Any) -> int:
    """A head's kernel size: ``None`` means 1; otherwise a positive odd integer."""
    if value is None:
        return 1
    size = check_int(owner, field, value, 1)
    if size % 2 == 0:
        fail(owner, field, value, "odd", "use e.g. 1 or 3, so the head keeps the output centred")
    return size


def check_neighborhood(owner: str, field: str, value: Any) -> List[tuple]:
    """A non-empty list of distinct, non-zero 2D or 3D integer offsets."""
    try:
        offsets = [tuple(int(v) for v in offset) for offset in value]
    except (TypeError, ValueError):
        offsets = []
    dims = {len(o) for o in offsets}
    if not offsets or len(dims) != 1 or dims.pop() not in (2, 3):
        fail(
            owner, field, value, "a non-empty list of 2D or 3D offsets, all of one "
            "dimensionality", "e.g. [(1, 0, 0), (0, 1, 0), (0, 0, 1)]"
        )
    if any(not any(o) for o in offsets) or len(set(offsets)) != len(offsets):
        fail(
            owner, field, value, "a list of distinct, non-zero offsets",
            "remove the zero or repeated offset; each must point to another voxel",
        )
    return offsets


def check_regex(owner: str, field: str, value: Any, *, allow_none: bool = False) -> Optional[str]:
    """A valid regular expression, returned unchanged."""
    if value is None and allow_none:
        return None
    try:
        re.compile(value)
        return value
    except (re.error, TypeError) as error:
        reason = str(error)
    fail(owner, field, value, f"a valid regular expression{_none(allow_none)}", reason)


# --- field types: every config field holds a value of its annotated type -----

__all__ += [
    "check_name",
    "check_count",
    "check_type",
    "check_field_types",
    "to_coordinate",
    "to_coordinates",
    "to_int",
    "to_path",
]

def check_name(owner: str, field: str, value: Any) -> str:
    """A name that can become a file name: non-empty text without ``/``, ``\\``,
    ``..`` or control characters."""
    if not isinstance(value, str) or not value:
        fail(owner, field, value, "a non-empty text", "e.g. 'mito_run_1'")
    bad = [c for c in ("/", "\\", "..") if c in value]
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        bad.append("control characters")
    if bad:
        fail(
            owner, field, value, f"a name without {', '.join(bad)}",
            "names become file names: use letters, digits, '-', '_' and single '.'",
        )
    return value


def check_count(
    owner: str, field: str, value: Any, minimum: int = 1, *, example: int = 1000
) -> int:
    """A whole number of things at least ``minimum``: not a text, a float or a bool."""
    if is_int(value) and value >= minimum:
        return int(value)
    if isinstance(value, str):
        fix = f"write the number without quotes, e.g. {field}={example}"
    elif isinstance(value, float) and value.is_integer() and value >= minimum:
        fix = f"write {int(value)} (a whole number, not {value!r})"
    else:
        fix = f"e.g. {field}={example}"
    fail(owner, field, value, f"an integer >= {minimum}", fix)


def to_coordinate(value: Any) -> Any:
    """attrs converter: a list, tuple or 1-D array of whole numbers as a ``Coordinate``.

    Anything else (a text, fractions, a number) is returned unchanged, so the
    type check of the field (``check_field_types``) refuses it by name instead of
    ``Coordinate`` splitting ``"44"`` into ``(4, 4)`` or truncating ``4.5``.
    """
    from funlib.geometry import Coordinate

    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, Coordinate) or not isinstance(value, (list, tuple)):
        return value
    if all(_is_whole(v) for v in value):
        return Coordinate([int(v) for v in value])
    return value


def _is_whole(value: Any) -> bool:
    """An integer, or a float without a fraction (``4.0``, as JSON metadata may hold)."""
    return is_int(value) or (is_number(value) and float(value).is_integer())


def to_int(value: Any) -> Any:
    """attrs converter: a numpy integer as ``int``; anything else unchanged (for the
    field's check to refuse)."""
    return int(value) if is_int(value) else value


def to_coordinates(value: Any) -> Any:
    """attrs converter: a list of ``to_coordinate`` items (None and other values kept)."""
    if isinstance(value, (list, tuple)):
        return [to_coordinate(v) for v in value]
    return value


def to_path(value: Any) -> Any:
    """attrs converter: a text or path-like as ``Path`` (a URL keeps its protocol);
    anything else unchanged, for the type check to refuse."""
    from dacapo._paths import as_path

    return as_path(value) if is_path(value) else value


def check_type(owner: str, field: str, value: Any, tp: Any) -> Any:
    """``value`` if it is of the annotated type ``tp`` (items of lists and
    mappings included); otherwise ``ConfigError`` naming the item that is not."""
    found = mismatch(value, tp, field)
    if found is not None:
        where, item, expected = found
        fail(owner, where, item, describe(expected), type_fix(item, expected))
    return value


def check_field_types(config: Any) -> None:
    """Every init field of the attrs instance ``config`` holds a value of its
    annotated type (``check_type``); ``Any`` and unresolvable annotations pass."""
    owner = owner_of(config)
    for attribute, public, tp in field_types(type(config)):
        check_type(owner, public, getattr(config, attribute), tp)
