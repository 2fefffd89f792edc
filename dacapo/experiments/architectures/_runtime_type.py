"""Class attributes naming a runtime class that is imported on first use.

Configs name their runtime class (``architecture_type``) but must not import
torch when they are defined; this descriptor imports it when it is read.
"""

from __future__ import annotations

import importlib


class runtime_type:  # noqa: N801 - used like a value, not a class
    """``architecture_type = runtime_type("package.module.ClassName")``."""

    def __init__(self, path: str):
        self._module, _, self._name = path.rpartition(".")

    def __get__(self, instance, owner) -> type:
        return getattr(importlib.import_module(self._module), self._name)
