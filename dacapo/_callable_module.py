"""Workflow modules that can be called like their main function.

``dacapo.train`` is both a module (``from dacapo.train import train_run``)
and, as in upstream DaCapo, a function (``dacapo.train("my_run")``). Once the
module is imported, Python binds the package attribute to the module, so the
module itself forwards calls to the function of the same name.
"""

from __future__ import annotations

import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        function = getattr(self, self.__name__.rsplit(".", 1)[-1])
        return function(*args, **kwargs)


def make_module_callable(module_name: str) -> None:
    """Lets ``module(...)`` call the module's function named like the module."""
    sys.modules[module_name].__class__ = _CallableModule
