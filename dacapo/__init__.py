"""DaCapo: train and apply deep-learning models on large 3D microscopy volumes.

``import dacapo`` is light: the workflows below (and torch with them) load on
first use.
"""

from __future__ import annotations

import importlib
import importlib.util

__version__ = "0.4.0.dev0"

_LAZY_ATTRS = {
    "Options": ("dacapo.options", "Options"),
    "build": ("dacapo._build", "build"),
    "train": ("dacapo.train", "train"),
    "validate": ("dacapo.validate", "validate"),
    "validate_run": ("dacapo.validate", "validate_run"),
    "predict": ("dacapo.predict", "predict"),
    "predict_local": ("dacapo.predict_local", "predict"),
    "apply": ("dacapo.apply", "apply"),
    "run_blockwise": ("dacapo.blockwise", "run_blockwise"),
    "segment_blockwise": ("dacapo.blockwise", "segment_blockwise"),
}
_LAZY_MODULES = ("experiments", "utils", "store", "blockwise", "compute_context", "gp")


def _exists(module: str) -> bool:
    """Whether ``module`` is part of this installation (found, not imported)."""
    return importlib.util.find_spec(module) is not None


# only what this installation has: a name whose module is not built yet is absent
__all__ = sorted(
    [name for name, (module, _) in _LAZY_ATTRS.items() if _exists(module)]
    + [name for name in _LAZY_MODULES if _exists(f"dacapo.{name}")]
)


def __getattr__(name: str):
    if name in _LAZY_MODULES and _exists(f"dacapo.{name}"):
        return importlib.import_module(f"dacapo.{name}")
    if name in _LAZY_ATTRS and _exists(_LAZY_ATTRS[name][0]):
        module, attribute = _LAZY_ATTRS[name]
        value = getattr(importlib.import_module(module), attribute)
        # importing dacapo.train bound the attribute to the module: rebind it
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dacapo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
