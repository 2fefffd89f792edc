"""One way from a config to its runtime object: :func:`build`.

Every config base names the class attribute that links a config to its
runtime class (``ArrayConfig`` -> ``array_type``, ``TaskConfig`` ->
``task_type``, ...). ``build(config)`` validates the config, then constructs
that class with it. ``config.<kind>_type(config)``, the spelling upstream
users write, goes through the same path: read from an instance, the
attribute is a constructor that validates first; read from the class, it is
the runtime class itself.
"""

from __future__ import annotations

import importlib
from typing import Any, Union

from dacapo.errors import ConfigError

__all__ = ["build", "runtime_class", "runtime_type"]


def runtime_class(config: Any) -> type:
    """The runtime class ``config`` builds (not yet constructed)."""
    from dacapo._registry import RegisteredConfig

    if not isinstance(config, RegisteredConfig):
        raise ConfigError(
            f"build: expected a dacapo config (e.g. a ZarrArrayConfig), got "
            f"{type(config).__name__} {config!r}"
        )
    attribute = config.registry().runtime_attribute
    cls = getattr(type(config), attribute, None) if attribute else None
    if not isinstance(cls, type):
        raise ConfigError(
            f"{type(config).__name__} has no runtime class to build: set its class "
            f"attribute {attribute or '<kind>_type'!r} to the class it describes"
        )
    return cls


def build(config: Any, *args: Any, **kwargs: Any) -> Any:
    """Validates ``config`` and constructs its runtime object.

    Extra arguments go to the runtime class after the config.
    """
    cls = runtime_class(config)
    _validate(config)
    return cls(config, *args, **kwargs)


def _validate(config: Any) -> None:
    # ``Dummy*`` fixtures are never valid (as upstream says), yet they build
    if not getattr(type(config), "_fixture", False):
        config.validate()


class _ValidatingConstructor:
    """A runtime class bound to config access: calling it validates the config
    first. Otherwise it stands for the class (``isinstance``, attributes)."""

    def __init__(self, cls: type):
        self.__wrapped__ = cls

    def __call__(self, config: Any, *args: Any, **kwargs: Any) -> Any:
        _validate(config)
        return self.__wrapped__(config, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__wrapped__, name)

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self.__wrapped__)

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, self.__wrapped__)

    def __eq__(self, other: Any) -> bool:
        other = getattr(other, "__wrapped__", other)
        return other is self.__wrapped__

    def __hash__(self) -> int:
        return hash(self.__wrapped__)

    def __repr__(self) -> str:
        return repr(self.__wrapped__)


class runtime_type:  # noqa: N801 - used like a value, not a class
    """A config's link to its runtime class: ``task_type = runtime_type(
    ".distance_task.DistanceTask")`` (a module relative to the config's
    package, or absolute; imported when first read, so configs stay
    importable without torch) or ``runtime_type(ClassName)``."""

    def __init__(self, target: Union[str, type]):
        self._target = target
        self._package: str | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self._package = owner.__module__.rpartition(".")[0]

    def _resolve(self) -> type:
        if isinstance(self._target, str):
            module, _, name = self._target.rpartition(".")
            imported = importlib.import_module(module, package=self._package)
            resolved: type = getattr(imported, name)
            self._target = resolved
            return resolved
        return self._target

    def __get__(self, instance: Any, owner: type) -> Any:
        cls = self._resolve()
        return cls if instance is None else _ValidatingConstructor(cls)
