"""attrs validators shared by the compute contexts; each names the context,
the field, the value and what was expected (``dacapo._checks``)."""

from __future__ import annotations

import re
from typing import Callable, Optional

from dacapo._checks import check_bool, check_int, fail, owner_of

__all__ = ["boolean", "count", "matching", "WORD"]

#: a name given on a scheduler's command line (queue, partition, account)
WORD = re.compile(r"^\S+$")


def boolean(instance, attribute, value) -> None:
    """A ``bool`` (not 0 or 1)."""
    check_bool(owner_of(instance), attribute.name, value)


def count(minimum: int) -> Callable:
    """An ``int`` of at least ``minimum``."""
    def validate(instance, attribute, value) -> None:
        check_int(owner_of(instance), attribute.name, value, minimum)

    return validate


def matching(pattern: "re.Pattern[str]", expected: str, fix: str,
             optional: bool = True) -> Callable:
    """A string matching ``pattern`` (or None when ``optional``)."""
    def validate(instance, attribute, value: Optional[str]) -> None:
        if value is None and optional:
            return
        if not (isinstance(value, str) and pattern.match(value)):
            fail(owner_of(instance), attribute.name, value,
                 f"{expected} (or null)" if optional else expected, fix)

    return validate
