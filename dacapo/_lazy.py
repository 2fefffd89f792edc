"""Package attributes that import their module on first use.

Runtime classes import torch or gunpowder; their packages export them through
a module ``__getattr__`` so that importing the package (and its configs)
stays light.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(
    package_name: str, exports: dict[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for a package whose ``exports`` map a name to
    the submodule (relative to the package) that defines it."""

    def __getattr__(name: str):
        if name in exports:
            module = importlib.import_module(f"{package_name}.{exports[name]}")
            return getattr(module, name)
        raise AttributeError(f"module {package_name!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        package = importlib.import_module(package_name)
        return sorted(set(vars(package)) | set(exports))

    return __getattr__, __dir__
