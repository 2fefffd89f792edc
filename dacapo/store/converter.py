"""Structuring and unstructuring configs to plain data (YAML/JSON/BSON).

Every registered config is written as a dict of its fields plus a
``__type__`` tag holding its class name; reading a dict back looks that name
up in the registry of the expected base class, so a stored ``ArrayConfig``
may be any registered array config. ``Path`` is stored as a string,
``Coordinate`` as a list, ``Roi`` as ``[offset, shape]`` (as upstream DaCapo
does; a ``{"offset": .., "shape": ..}`` mapping is read too).
"""

from __future__ import annotations

import collections.abc
import functools
import typing
from pathlib import Path, PurePath
from typing import Any, Dict, Type

import attr
import cattrs
from funlib.geometry import Coordinate, Roi

from dacapo._paths import as_path
from dacapo._registry import RegisteredConfig
from dacapo.errors import ConfigError, DacapoError

__all__ = ["converter", "DacapoConverter", "to_plain"]

TYPE_KEY = "__type__"


def to_plain(value: Any) -> Any:
    """Tuples to lists and paths to strings, recursively (YAML/BSON-safe)."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return value.item()  # numpy scalars
    return value


def _is_config(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, RegisteredConfig)


@functools.lru_cache(maxsize=None)
def _init_fields(cls: type) -> Dict[str, attr.Attribute]:
    """Init-able attrs fields of ``cls`` by stored name, types resolved."""
    attr.resolve_types(cls)
    return {f.name: f for f in attr.fields(cls) if f.init}


class DacapoConverter(cattrs.Converter):
    """A cattrs converter that knows configs, geometry and paths."""

    def __init__(self):
        # without detailed validation, errors inside lists and dicts propagate
        # as raised (ours name the culprit) instead of as exception groups
        super().__init__(detailed_validation=False)
        self._register_geometry()
        self._register_strict_primitives()
        self.register_unstructure_hook_func(_is_config, self._unstructure_config)
        self.register_structure_hook_func(_is_config, self._structure_config)

    def unstructure(self, obj: Any, unstructure_as: Any = None) -> Any:
        return to_plain(super().unstructure(obj, unstructure_as))

    def _register_geometry(self) -> None:
        self.register_unstructure_hook(Coordinate, lambda c: [int(v) for v in c])
        self.register_structure_hook(Coordinate, lambda v, _: _coordinate(v))
        self.register_unstructure_hook(
            Roi, lambda r: [[int(v) for v in r.offset], [int(v) for v in r.shape]]
        )
        self.register_structure_hook(Roi, lambda v, _: _roi(v))
        for path_type in (Path, PurePath):
            self.register_unstructure_hook(path_type, str)
            self.register_structure_hook(path_type, lambda v, t: _path(v))
        try:  # UPath lets runs and containers live on s3:// and friends
            from upath import UPath

            self.register_unstructure_hook(UPath, str)
            self.register_structure_hook(UPath, lambda v, _: UPath(_path_str(v)))
        except ImportError:  # pragma: no cover - upath is a dependency
            pass

    def _register_strict_primitives(self) -> None:
        self.register_structure_hook(str, _strict(str, (str,)))
        self.register_structure_hook(bool, _strict(bool, (bool,)))
        self.register_structure_hook(int, _strict_int)
        self.register_structure_hook(float, _strict(float, (int, float), exclude=bool))

    def _unstructure_config(self, obj: Any) -> Dict[str, Any]:
        cls: type = type(obj)
        data: Dict[str, Any] = {TYPE_KEY: cls.__name__}
        for name, field in _init_fields(cls).items():
            data[field.alias if field.alias else name] = self.unstructure(
                getattr(obj, name)
            )
        return data

    def _structure_config(self, obj: Any, expected: Type[RegisteredConfig]) -> Any:
        if isinstance(obj, expected):
            return obj
        if not isinstance(obj, dict):
            raise ConfigError(
                f"expected a mapping describing a {expected.__name__}, got "
                f"{type(obj).__name__} {obj!r}"
            )
        cls = self._resolve_type(obj, expected)
        obj = _upgraded(cls, obj)
        fields = _init_fields(cls)
        by_alias = {(f.alias or n): f for n, f in fields.items()}
        unknown = sorted(set(obj) - set(by_alias) - set(fields) - {TYPE_KEY}, key=str)
        if unknown:
            raise ConfigError(
                f"{cls.__name__}: unknown field(s) {unknown}; known fields: "
                f"{sorted(by_alias)}"
            )
        kwargs = {}
        for key, value in obj.items():
            if key == TYPE_KEY:
                continue
            field = by_alias.get(key) or fields[key]
            kwargs[field.alias or field.name] = self._structure_field(
                cls, obj, field, value
            )
        try:
            return cls(**kwargs)
        except DacapoError:
            raise  # ours name the config already
        except (TypeError, ValueError) as error:
            raise ConfigError(
                f"{cls.__name__} {obj.get('name', '')!r}: {error}"
            ) from error

    def _resolve_type(self, obj: Dict[str, Any], expected: Type[RegisteredConfig]) -> type:
        type_name = obj.get(TYPE_KEY)
        if type_name is None:
            if expected.__dict__.get("_abstract_config"):
                raise ConfigError(
                    f"a stored {expected.__name__} has no {TYPE_KEY!r} key naming its "
                    f"class (one of {expected.registry().names()}); add it"
                )
            return expected
        if not isinstance(type_name, str):
            raise ConfigError(
                f"{TYPE_KEY} of a stored {expected.__name__} must be a class name (one of "
                f"{expected.registry().names()}), got {type(type_name).__name__} {type_name!r}"
            )
        cls = expected.registry().get(type_name)
        if not issubclass(cls, expected):
            raise ConfigError(
                f"{TYPE_KEY} {type_name!r} is not a {expected.__name__}"
            )
        return cls

    def _structure_field(self, cls, obj, field, value):
        named = f" {obj['name']!r}" if "name" in obj else ""  # contexts have no name
        where = f"{cls.__name__}{named}, field {(field.alias or field.name)!r}"
        if isinstance(value, (str, bytes)) and _is_collection_type(field.type):
            raise ConfigError(  # cattrs would split the text into characters
                f"{where}: expected a list, got the text {value!r}; write a list, e.g. "
                f"[{value!r}]"
            )
        try:
            return self.structure(value, field.type)
        except DacapoError as error:
            error.with_context(where)
            raise
        except Exception as error:  # cattrs raises many kinds on bad input
            raise ConfigError(
                f"{where}: cannot read {value!r} as {_type_name(field.type)} ({error})"
            ) from error


def _upgraded(cls: type, obj: Dict[str, Any]) -> Dict[str, Any]:
    """``obj`` in ``cls``'s current stored form: a class that reads an older
    (e.g. upstream DaCapo's) form converts it in ``upgrade_stored(data)``."""
    upgrade = getattr(cls, "upgrade_stored", None)
    return obj if upgrade is None else upgrade(obj)


#: the origins of the types that hold several values (never a text)
_COLLECTIONS = (list, tuple, set, frozenset, collections.abc.Sequence,
                collections.abc.MutableSequence, collections.abc.Set,
                collections.abc.Collection, collections.abc.Iterable)


def _is_collection_type(tp: Any) -> bool:
    """Whether ``tp`` (or every non-None member of a ``Union``) is a list-like type."""
    if typing.get_origin(tp) is typing.Union:
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        return bool(members) and all(_is_collection_type(a) for a in members)
    return typing.get_origin(tp) in _COLLECTIONS or tp in (list, tuple, set, frozenset)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _strict(target, accepted, exclude=None):
    def structure(value, _):
        if isinstance(value, accepted) and not (exclude and isinstance(value, exclude)):
            return target(value)
        raise ConfigError(f"expected {target.__name__}, got {type(value).__name__} {value!r}")

    return structure


def _strict_int(value, _):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"expected int, got {type(value).__name__} {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise ConfigError(f"expected int, got non-integral float {value!r}")
    return int(value)


def _coordinate(value: Any) -> Coordinate:
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"expected a list of integers for a Coordinate, got {value!r}")
    # no None entries: they cannot be written back (and mean nothing in a config)
    return Coordinate([_strict_int(v, None) for v in value])


def _roi(value: Any) -> Roi:
    if isinstance(value, dict) and set(value) == {"offset", "shape"}:
        offset, shape = value["offset"], value["shape"]
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        offset, shape = value
    else:
        raise ConfigError(
            f"expected a Roi as [offset, shape] or {{offset: .., shape: ..}}, got {value!r}"
        )
    return Roi(_coordinate(offset), _coordinate(shape))


def _path_str(value: Any) -> str:
    if isinstance(value, (str, PurePath)):
        return str(value)
    raise ConfigError(f"expected a path string, got {type(value).__name__} {value!r}")


def _path(value: Any) -> Path:
    return as_path(_path_str(value))  # a URL (s3://, memory://) keeps its protocol


converter = DacapoConverter()
