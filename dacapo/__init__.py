"""DaCapo: train and apply deep-learning models on large 3D microscopy volumes.

``import dacapo`` is light: the workflows below (and torch with them) load on
first use.
"""

from __future__ import annotations

import importlib

__version__ = "0.4.0.dev0"

_LAZY_ATTRS = {
    "Options": ("dacapo.options", "Options"),
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

__all__ = sorted(set(_LAZY_ATTRS) | set(_LAZY_MODULES))


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        return importlib.import_module(f"dacapo.{name}")
    if name in _LAZY_ATTRS:
        module, attribute = _LAZY_ATTRS[name]
        value = getattr(importlib.import_module(module), attribute)
        # importing dacapo.train bound the attribute to the module: rebind it
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dacapo' has no attribute {name!r}")
