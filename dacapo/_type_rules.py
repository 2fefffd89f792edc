"""Whether a value is of an annotated type, the way configs mean it.

The rules behind ``dacapo._checks.check_type`` and ``check_field_types``: an
``int`` is a ``float`` but a ``bool`` is neither, a ``Coordinate`` is a list of
integers, a ``Path`` may be given as text, ``Optional``/``Union``/``Literal``
and lists, tuples and mappings are checked item by item. ``Any``, type
variables and annotations that cannot be resolved are not checked.
"""

from __future__ import annotations

import collections.abc
import numbers
import types
import typing
from typing import Any, Dict, List, Optional, Sequence, Tuple

__all__ = ["field_types", "mismatch", "describe", "type_fix", "is_path"]

_SEQUENCE_ORIGINS = (
    list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.MutableSequence,
    collections.abc.Set, collections.abc.Collection, collections.abc.Iterable,
)
_MAPPING_ORIGINS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)
_FIELD_TYPES: Dict[type, List[Tuple[str, str, Any]]] = {}



def is_int(value: Any) -> bool:
    """Python or numpy integer, not ``bool``."""
    import numpy as np

    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_number(value: Any) -> bool:
    """Python or numpy real number, not ``bool``."""
    import numpy as np

    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))

def is_path(value: Any) -> bool:
    """A text, a local path or a ``UPath`` (``s3://``, ``memory://``, ...)."""
    import os
    from pathlib import PurePath

    from upath import UPath

    return isinstance(value, (str, os.PathLike, PurePath, UPath))


def field_types(cls: type) -> List[Tuple[str, str, Any]]:
    """``(attribute, public name, type)`` of each init field of the attrs class ``cls``."""
    if cls in _FIELD_TYPES:
        return _FIELD_TYPES[cls]
    import attr

    try:
        attr.resolve_types(cls)
        resolved = True
    except Exception:  # a name only type checkers see: check the resolvable fields
        resolved = False
    fields = [
        (f.name, f.alias or f.name, f.type)
        for f in attr.fields(cls)
        if f.init and f.type is not None and not isinstance(f.type, str)
    ]
    if resolved:
        _FIELD_TYPES[cls] = fields
    return fields


def mismatch(value: Any, tp: Any, where: str) -> Optional[Tuple[str, Any, Any]]:
    """``(where, item, expected type)`` of the first part of ``value`` not of type ``tp``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if any(mismatch(value, a, where) is None for a in args):
            return None
        members = [a for a in args if a is not type(None)]
        if value is not None and len(members) == 1:  # Optional[X]: report inside X
            return mismatch(value, members[0], where)
        return where, value, tp
    if origin is typing.Literal:
        return None if value in args else (where, value, tp)
    if origin in _SEQUENCE_ORIGINS:
        return _sequence_mismatch(value, tp, args, origin is tuple, where)
    if origin in _MAPPING_ORIGINS:
        if not isinstance(value, collections.abc.Mapping):
            return where, value, tp
        key_type, value_type = args if len(args) == 2 else (Any, Any)
        for key, item in value.items():
            found = mismatch(key, key_type, f"{where} key") or mismatch(
                item, value_type, f"{where}[{key!r}]"
            )
            if found:
                return found
        return None
    return None if _is_instance(value, tp) else (where, value, tp)


def _sequence_mismatch(
    value: Any, tp: Any, args: Tuple[Any, ...], fixed: bool, where: str
) -> Optional[Tuple[str, Any, Any]]:
    if not isinstance(value, (list, tuple)):
        return where, value, tp
    if fixed and args and args[-1] is not Ellipsis:
        if len(value) != len(args):
            return where, value, tp
        item_types: Sequence[Any] = args
    else:
        item_types = [args[0] if args else Any] * len(value)
    for index, (item, item_type) in enumerate(zip(value, item_types)):
        found = mismatch(item, item_type, f"{where}[{index}]")
        if found:
            return found
    return None


def _is_instance(value: Any, tp: Any) -> bool:
    """Whether ``value`` is a ``tp`` the way configs mean it (an int is a float, a
    bool is neither, a ``Coordinate`` is a list of integers)."""
    from pathlib import PurePath

    import numpy as np
    from funlib.geometry import Coordinate


    if tp is Any or not isinstance(tp, type):
        return True  # TypeVars, callables, forward references: not checked
    if tp is type(None):
        return value is None
    checks = {int: is_int, float: is_number, bool: lambda v: isinstance(v, (bool, np.bool_))}
    if tp in checks:
        return checks[tp](value)
    if issubclass(tp, Coordinate):
        return isinstance(value, (list, tuple)) and all(is_int(v) for v in value)
    if issubclass(tp, PurePath):
        return is_path(value)
    return isinstance(value, tp)


def describe(tp: Any) -> str:
    """How a message names the type ``tp``."""
    from funlib.geometry import Coordinate

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in args)
    if origin is typing.Literal:
        return f"one of {list(args)}"
    if origin in _SEQUENCE_ORIGINS:
        if origin is tuple and args and args[-1] is not Ellipsis:
            return f"a list of {len(args)} values ({', '.join(describe(a) for a in args)})"
        return f"a list, each item {describe(args[0])}" if args else "a list"
    if origin in _MAPPING_ORIGINS:
        return "a mapping"
    names = {int: "an integer", float: "a number", bool: "True or False", str: "a text",
             type(None): "None"}
    if tp in names:
        return names[tp]
    if isinstance(tp, type) and issubclass(tp, Coordinate):
        return "a list of integers (one per axis)"
    name = getattr(tp, "__name__", str(tp))
    return f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"


def type_fix(value: Any, tp: Any) -> Optional[str]:
    """A hint for the usual mistakes: numbers or booleans written as text, fractions for
    integers, a text where a list is expected."""
    union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    wanted = set(typing.get_args(tp)) if union else {tp}
    if isinstance(value, str) and wanted & {int, float}:
        try:
            float(value)
            return "write the number without quotes"
        except ValueError:
            return None
    if isinstance(value, str) and bool in wanted:
        return "write True or False without quotes"
    if isinstance(value, float) and int in wanted and value.is_integer():
        return f"write {int(value)} (a whole number)"
    if isinstance(value, str) and describe(tp).startswith("a list"):
        return "write a list, e.g. [1, 2, 3] or ['a', 'b'], not a text"
    return None
