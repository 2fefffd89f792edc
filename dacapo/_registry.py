"""Registries of config classes, keyed by class name.

Each config base (``ArrayConfig``, ``TaskConfig``, ...) is declared with
``class ArrayConfig(RegisteredConfig, registry_root=True)``; every subclass
defined afterwards registers itself under its class name, which is also the
``__type__`` tag stored with serialised configs. Two different classes with
the same name under one base fail at definition time; an unknown name fails
with the list of known names and the closest match.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from typing import ClassVar, Dict, Iterator, List, Tuple

from dacapo.errors import ConfigError, DacapoError, UnknownTypeError

# Packages whose import defines the built-in subclasses of each base. They are
# imported on the first lookup so that ``import dacapo`` stays light.
_BUILTIN_PACKAGES: Tuple[str, ...] = (
    "dacapo.experiments.datasplits.datasets.arrays",
    "dacapo.experiments.datasplits.datasets",
    "dacapo.experiments.datasplits",
    "dacapo.experiments.architectures",
    "dacapo.experiments.tasks",
    "dacapo.experiments.tasks.post_processors",
    "dacapo.experiments.tasks.evaluators",
    "dacapo.experiments.trainers",
    "dacapo.experiments.trainers.gp_augments",
    "dacapo.experiments.starts",
    "dacapo.experiments.run_config",
)

_REGISTRIES: Dict[str, "Registry"] = {}


def load_builtin_configs() -> None:
    """Import every built-in config package (idempotent)."""
    for package in _BUILTIN_PACKAGES:
        try:
            importlib.import_module(package)
        except ModuleNotFoundError as error:
            # a package that does not exist (yet) holds no configs; any other
            # missing module is a real failure and propagates
            if error.name is None or not package.startswith(error.name):
                raise


class Registry:
    """Name -> class mapping for the subclasses of one base class."""

    def __init__(self, base: type, runtime_attribute: str | None = None):
        self.base = base
        # the config class attribute naming the runtime class (``array_type``)
        self.runtime_attribute = runtime_attribute
        self._classes: Dict[str, type] = {}

    def add(self, cls: type) -> None:
        """Registers ``cls``; a different class of the same name is an error."""
        name = cls.__name__
        known = self._classes.get(name)
        same_definition = known is not None and (
            known.__module__ == cls.__module__
            and known.__qualname__ == cls.__qualname__
        )
        if known is not None and not same_definition:
            raise ConfigError(
                f"{self.base.__name__}: a class named {name!r} is already registered "
                f"(from {known.__module__}); rename {cls.__module__}.{name}, "
                f"since the class name is the stored __type__ tag"
            )
        # the same definition again is attrs rebuilding a slotted class, or a
        # module reload: the newer class object replaces the older one
        self._classes[name] = cls

    def get(self, name: str) -> type:
        """The class registered as ``name``."""
        if name not in self._classes:
            load_builtin_configs()
        if name not in self._classes:
            raise UnknownTypeError(self._unknown_message(name))
        return self._classes[name]

    def names(self) -> List[str]:
        """Sorted names of every registered class (built-ins loaded)."""
        load_builtin_configs()
        return sorted(self._classes)

    def concrete(self) -> Iterator[type]:
        """Registered classes that are not abstract, sorted by name."""
        for name in self.names():
            cls = self._classes[name]
            if not inspect.isabstract(cls) and not cls.__dict__.get("_abstract_config"):
                yield cls

    def _unknown_message(self, name: str) -> str:
        close = difflib.get_close_matches(str(name), sorted(self._classes), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = sorted(
            n for n, c in self._classes.items() if not c.__dict__.get("_abstract_config")
        )
        return (
            f"unknown {self.base.__name__} type {name!r}{hint} "
            f"Known: {', '.join(known) or '(none)'}"
        )


def registry_for(base_name: str) -> Registry:
    """The registry of the base class called ``base_name``."""
    if base_name not in _REGISTRIES:
        load_builtin_configs()
    try:
        return _REGISTRIES[base_name]
    except KeyError:
        raise UnknownTypeError(
            f"no config base named {base_name!r}; known: {', '.join(sorted(_REGISTRIES))}"
        ) from None


def all_registries() -> Dict[str, Registry]:
    """Every registry by base name, built-ins loaded."""
    load_builtin_configs()
    return dict(_REGISTRIES)


class RegisteredConfig:
    """Mixin for config classes: registration and ``verify``.

    A base declares ``registry_root=True`` (and ``runtime="<kind>_type"``, the
    attribute naming the runtime class that ``dacapo.build`` constructs); it
    and its subclasses register automatically. Bases and helper classes that
    users never instantiate pass ``abstract=True`` so that contract suites skip
    them. Subclasses override ``validate`` to raise ``ConfigError``; ``verify``
    turns that into the ``(ok, reason)`` pair the public API uses.
    """

    _registry: ClassVar[Registry]
    _abstract_config: ClassVar[bool]

    def __init_subclass__(
        cls,
        registry_root: bool = False,
        abstract: bool = False,
        runtime: str | None = None,
        **kwargs,
    ):
        super().__init_subclass__(**kwargs)
        if "_registry" in cls.__dict__:
            # attrs rebuilt a slotted root class: it keeps the root's registry
            cls._registry.base = cls
        elif registry_root:
            cls._registry = Registry(cls, runtime)
            _REGISTRIES[cls.__name__] = cls._registry
        if "_abstract_config" not in cls.__dict__:
            cls._abstract_config = abstract
        cls._registry.add(cls)

    @classmethod
    def registry(cls) -> Registry:
        """The registry this class belongs to."""
        return cls._registry

    def validate(self) -> None:
        """Raises ``ConfigError`` when the config cannot be used."""

    def verify(self) -> Tuple[bool, str]:
        """Checks the config: ``(True, "No validation for this config")`` or ``(False, reason)``."""
        try:
            self.validate()
        except DacapoError as error:  # e.g. ArrayNotFoundError for a missing file
            return False, str(error)
        return True, "No validation for this config"
