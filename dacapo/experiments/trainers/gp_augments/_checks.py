"""Value checks shared by the augment configs and their gunpowder nodes.

Each raises ``ConfigError`` naming ``owner`` (e.g. ``"GammaAugmentConfig"``),
the field, the value received and what is expected.
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

from dacapo.errors import ConfigError


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_probability(owner: str, name: str, value: Any) -> None:
    """``value`` is a number in [0, 1]."""
    if not _is_number(value) or not 0 <= value <= 1:
        raise ConfigError(f"{owner}: `{name}` must be a probability in [0, 1], got {value!r}")


def check_interval(owner: str, name: str, value: Any, positive: bool = False) -> None:
    """``value`` is ``(min, max)`` with ``min <= max`` (and ``min > 0`` if ``positive``)."""
    ok = isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_number, value))
    if not ok or value[0] > value[1]:
        raise ConfigError(
            f"{owner}: `{name}` must be a pair (min, max) of numbers with min <= max, "
            f"got {value!r}"
        )
    if positive and value[0] <= 0:
        raise ConfigError(f"{owner}: `{name}` values must be > 0, got {value!r}")


def check_numbers(owner: str, name: str, values: Any, minimum: float, strict: bool) -> None:
    """``values`` is a non-empty list of numbers above ``minimum`` (``>`` if ``strict``)."""
    ok = isinstance(values, (tuple, list)) and len(values) > 0 and all(map(_is_number, values))
    if ok:
        ok = all(v > minimum if strict else v >= minimum for v in values)
    if not ok:
        relation = ">" if strict else ">="
        raise ConfigError(
            f"{owner}: `{name}` must be a non-empty list of numbers {relation} {minimum}, "
            f"one per spatial axis, got {values!r}"
        )


def check_same_length(owner: str, names: Sequence[str], *values: Sequence[Any]) -> None:
    """All ``values`` have the same length (one entry per spatial axis)."""
    if len({len(v) for v in values}) > 1:
        given = ", ".join(f"`{n}`={list(v)!r}" for n, v in zip(names, values))
        raise ConfigError(
            f"{owner}: {given} must have the same length (one value per spatial axis)"
        )


def check_int(owner: str, name: str, value: Any, minimum: int) -> None:
    """``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{owner}: `{name}` must be an integer >= {minimum}, got {value!r}")


def as_tuple(value: Any) -> Any:
    """Lists to tuples (attrs converter), so stored and read-back configs compare equal."""
    return tuple(value) if isinstance(value, list) else value


def as_list(value: Any) -> Any:
    """Tuples to lists (attrs converter), so stored and read-back configs compare equal."""
    return list(value) if isinstance(value, tuple) else value
