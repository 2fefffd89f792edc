"""Value checks shared by the trainer configs.

Each raises ``ConfigError`` naming the config, the field, the value received
and what is expected.
"""

from __future__ import annotations

import numbers
from typing import Any

from dacapo.errors import ConfigError


def owner(config: Any) -> str:
    """``"GunpowderTrainerConfig 'name'"`` for messages."""
    return f"{type(config).__name__} {getattr(config, 'name', None)!r}"


def check_int(config: Any, field: str, minimum: int, allow_none: bool = False) -> None:
    """``config.<field>`` is a whole number >= ``minimum`` (or None if allowed)."""
    value = getattr(config, field)
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        extra = " or None" if allow_none else ""
        raise ConfigError(
            f"{owner(config)}: `{field}` must be a whole number >= {minimum}{extra}, "
            f"got {value!r}"
        )


def check_fraction(config: Any, field: str) -> None:
    """``config.<field>`` is None or a number in [0, 1]."""
    value = getattr(config, field)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ConfigError(
            f"{owner(config)}: `{field}` must be a fraction in [0, 1] (or None), got {value!r}"
        )


def check_bool(config: Any, field: str) -> None:
    """``config.<field>`` is True or False."""
    value = getattr(config, field)
    if not isinstance(value, bool):
        raise ConfigError(f"{owner(config)}: `{field}` must be True or False, got {value!r}")


def check_optimisation(config: Any) -> None:
    """``batch_size`` >= 1 and ``learning_rate`` > 0."""
    check_int(config, "batch_size", 1)
    rate = config.learning_rate
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not rate > 0:
        raise ConfigError(
            f"{owner(config)}: `learning_rate` must be a number > 0 (e.g. 1e-4), got {rate!r}"
        )
