"""click parameter types of the ``dacapo`` commands: ROIs, shapes, dtypes,
containers and run names, each failing with the value given and the form
expected. Nothing heavy is imported until a value is converted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Tuple

import click

__all__ = ["Bounds", "ROI_WORLD", "ROI_VOXELS", "SHAPE", "DTYPE", "CONTAINER", "RUN_NAME",
           "RoiText", "ShapeText", "DtypeText", "Container", "RunName", "is_url"]

#: ``((begin, end), ...)`` per axis, as a ROI option gives it
Bounds = Tuple[Tuple[int, int], ...]

_INT = r"\s*(-?\d+)\s*"
_AXIS = re.compile(rf"^{_INT}:{_INT}$")
_SIZE = re.compile(r"^\s*(\d+)\s*$")


def is_url(path: Any) -> bool:
    """Whether ``path`` is a URL (``s3://...``), which is not checked locally."""
    return "://" in str(path)


def _bracketed(text: str) -> Optional[list]:
    stripped = text.strip()
    if stripped[:1] != "[" or stripped[-1:] != "]":
        return None
    return stripped[1:-1].split(",")


class RoiText(click.ParamType):
    """``"[z0:z1,y0:y1,x0:x1]"``: begin:end per axis, as ``Bounds``."""

    name = "roi"

    def __init__(self, unit: str):
        self.unit = unit

    def get_metavar(self, param: Any = None, ctx: Any = None) -> str:
        return "[Z0:Z1,Y0:Y1,X0:X1]"

    def convert(self, value: Any, param: Any, ctx: Any) -> Bounds:
        if isinstance(value, tuple):
            return value
        parts = _bracketed(str(value)) or []
        matches = [_AXIS.match(part) for part in parts]
        if not parts or not all(matches):
            self.fail(f"{value!r} is not a ROI; expected '[z0:z1,y0:y1,x0:x1]' in {self.unit} "
                      "(begin:end per axis, e.g. '[0:64,0:64,0:64]'; quote it in the shell)",
                      param, ctx)
        bounds = tuple((int(m.group(1)), int(m.group(2))) for m in matches if m is not None)
        if any(end <= begin for begin, end in bounds):
            self.fail(f"{value!r} has an axis whose end is not after its begin; expected "
                      f"'[z0:z1,y0:y1,x0:x1]' in {self.unit} with z0 < z1, y0 < y1, x0 < x1",
                      param, ctx)
        return bounds


class ShapeText(click.ParamType):
    """``"[z,y,x]"``: a size per axis (each > 0, or >= 0 with ``allow_zero``)."""

    name = "shape"

    def __init__(self, unit: str, allow_zero: bool = False):
        self.unit, self.allow_zero = unit, allow_zero

    def get_metavar(self, param: Any = None, ctx: Any = None) -> str:
        return "[Z,Y,X]"

    def convert(self, value: Any, param: Any, ctx: Any) -> Tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        parts = _bracketed(str(value)) or []
        matches = [_SIZE.match(part) for part in parts]
        sizes = tuple(int(m.group(1)) for m in matches if m is not None)
        smallest = 0 if self.allow_zero else 1
        if not parts or len(sizes) != len(parts) or min(sizes) < smallest:
            self.fail(f"{value!r} is not a size; expected '[z,y,x]' in {self.unit}, whole "
                      f"numbers >= {smallest} (e.g. '[64,64,64]')", param, ctx)
        return sizes


class DtypeText(click.ParamType):
    """A numpy dtype name (``uint8``, ``float32``, ...), checked with numpy."""

    name = "dtype"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        import numpy as np

        try:
            return np.dtype(str(value)).name
        except TypeError:
            self.fail(f"{value!r} is not a numpy dtype; expected a name such as uint8, "
                      "uint64 or float32", param, ctx)


class Container(click.ParamType):
    """An existing zarr or N5 container (a local path; URLs are not checked)."""

    name = "container"

    def get_metavar(self, param: Any = None, ctx: Any = None) -> str:
        return "PATH"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        text = str(value)
        if not is_url(text) and not Path(text).expanduser().exists():
            self.fail(f"container {text!r} does not exist; give the path of an existing zarr "
                      "or N5 container (a directory such as data.zarr)", param, ctx)
        return text if is_url(text) else str(Path(text).expanduser())


class RunName(click.ParamType):
    """The name of a run whose config is in the config store."""

    name = "run"

    def get_metavar(self, param: Any = None, ctx: Any = None) -> str:
        return "NAME"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from dacapo.store.create_store import create_config_store

        store = create_config_store()
        names = store.retrieve_run_config_names()
        if value not in names:
            self.fail(f"run {value!r} is not in the config store {store!r}; stored runs: "
                      f"{few(names)}; check the name (and the options file: runs_base_dir, "
                      "type) or store the run's config first", param, ctx)
        return str(value)


def few(names: list, limit: int = 5) -> str:
    """Up to ``limit`` names for a message."""
    if not names:
        return "(none)"
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(repr(name) for name in names[:limit]) + more


ROI_WORLD = RoiText("world units")
ROI_VOXELS = RoiText("voxels")
SHAPE = ShapeText("voxels")
DTYPE = DtypeText()
CONTAINER = Container()
RUN_NAME = RunName()
