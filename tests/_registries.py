"""Keeping config classes that tests define out of dacapo's registries.

Defining a subclass of a config base registers it (``RegisteredConfig``), so
a test module that defines one at import time would leave it in the
production registry for the whole session: it would show up in
``registry().names()``, in "Known: ..." error messages and in the store's
``__type__`` lookups of unrelated tests. Test modules therefore call
``unregister(...)`` right after their definitions, and put the classes back
only while their tests run, with ``registered(...)`` or a fixture made by
``registered_fixture(...)``. The root ``conftest.py`` also removes every
class or registry a test defines in its body, and ``leaked()`` lists what
is left (a test asserts it is empty).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterator, List, Tuple

import pytest

from dacapo import _registry

# (registry root name -> registry, (root name, class name) -> class)
Snapshot = Tuple[Dict[str, object], Dict[Tuple[str, str], type]]


def _is_package_class(cls: type) -> bool:
    return cls.__module__ == "dacapo" or cls.__module__.startswith("dacapo.")


def _remove(cls: type) -> None:
    registry = cls.registry()
    if registry.base is cls:  # a registry root: drop the whole registry
        if _registry._REGISTRIES.get(cls.__name__) is registry:
            del _registry._REGISTRIES[cls.__name__]
    elif registry._classes.get(cls.__name__) is cls:
        del registry._classes[cls.__name__]


def _add(cls: type) -> bool:
    """Registers ``cls`` again; False if it already was."""
    registry = cls.registry()
    if registry.base is cls:
        if _registry._REGISTRIES.get(cls.__name__) is registry:
            return False
        _registry._REGISTRIES[cls.__name__] = registry
        return True
    if registry._classes.get(cls.__name__) is cls:
        return False
    registry.add(cls)
    return True


def unregister(*classes: type) -> None:
    """Removes test-only config classes from the registries they joined when defined."""
    for cls in classes:
        _remove(cls)


@contextmanager
def registered(*classes: type) -> Iterator[None]:
    """Registers test-only config classes for the duration of the block."""
    added = [cls for cls in classes if _add(cls)]
    try:
        yield
    finally:
        for cls in reversed(added):
            _remove(cls)


def registered_fixture(*classes: type, scope: str = "module", autouse: bool = True):
    """A pytest fixture that keeps ``classes`` registered while it is active."""

    @pytest.fixture(scope=scope, autouse=autouse)
    def _registered_test_configs():
        with registered(*classes):
            yield

    return _registered_test_configs


def snapshot() -> Snapshot:
    """The registries and registered classes now (built-ins not loaded)."""
    registries = dict(_registry._REGISTRIES)
    classes = {
        (root, name): cls
        for root, registry in registries.items()
        for name, cls in registry._classes.items()
    }
    return registries, classes


def remove_added_since(before: Snapshot) -> None:
    """Unregisters the classes and registries added since ``before`` that are not
    part of the dacapo package (a package class imported meanwhile stays)."""
    registries, classes = snapshot()
    for root, registry in registries.items():
        if root not in before[0] and not _is_package_class(registry.base):
            del _registry._REGISTRIES[root]
    for key, cls in classes.items():
        if key not in before[1] and not _is_package_class(cls):
            _remove(cls)


def leaked() -> List[str]:
    """``module.Class (in <registry>)`` of every registered class or registry root
    that is not defined in the dacapo package."""
    found = []
    for root, registry in _registry._REGISTRIES.items():
        if not _is_package_class(registry.base):
            found.append(f"{registry.base.__module__}.{root} (a registry root)")
        for cls in registry._classes.values():
            if not _is_package_class(cls):
                found.append(f"{cls.__module__}.{cls.__qualname__} (in {root})")
    return sorted(found)
