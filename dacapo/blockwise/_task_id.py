"""Deterministic task ids: the same job gets the same id in every run, so a
rerun finds the blocks its previous run finished."""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath
from typing import Any, Mapping, Sequence

import numpy as np

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def stable_repr(value: Any) -> str:
    """A text for ``value`` that is the same in every process and run.

    Mappings are sorted by key, arrays are hashed, functions and classes are
    named by module and qualified name, and memory addresses are dropped from
    any other ``repr``.
    """
    if isinstance(value, Mapping):
        items = sorted((str(k), stable_repr(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return type(value).__name__ + "(" + ", ".join(stable_repr(v) for v in value) + ")"
    if isinstance(value, np.ndarray):
        digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()[:16]
        return f"ndarray({value.dtype}, {value.shape}, {digest})"
    if isinstance(value, PurePath):
        return f"path({value})"
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    return _ADDRESS.sub("", repr(value))


def make_task_id(name: str, identity: str, rois: Sequence[Any], args: Sequence[Any],
                 kwargs: Mapping[str, Any]) -> str:
    """``<name>_<12 hex digits>``: the digits hash the worker's identity, the
    ROIs and the arguments; the name is made safe for a directory name."""
    text = "|".join([identity, stable_repr(list(rois)), stable_repr(list(args)),
                     stable_repr(dict(kwargs))])
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    safe = _UNSAFE.sub("_", name).strip("_") or "task"
    return f"{safe}_{digest}"
