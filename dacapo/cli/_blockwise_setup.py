"""What ``run-blockwise`` and ``segment-blockwise`` do before running: read
the extra ``--name value`` parameters, load and check the worker, turn the
voxel sizes into ROIs, and create the output array."""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import attr
import click

from ._errors import bad_parameter
from ._types import Bounds

__all__ = ["BlockGeometry", "block_geometry", "require_known_parameters", "create_output",
           "extra_parameters", "load_worker", "load_segment_function"]

_INT = re.compile(r"^[+-]?\d+$")


def extra_parameters(args: Sequence[str]) -> Dict[str, Any]:
    """``--name value`` (or ``--name=value``) pairs as ``{name: value}``:
    hyphens in names become underscores, numbers become int or float."""
    parameters: Dict[str, Any] = {}
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, equals, value = arg[2:].partition("=")
        if not arg.startswith("--") or not name:
            raise click.UsageError(f"unexpected argument {arg!r}; give a worker's parameters "
                                   "as --name value pairs (e.g. --threshold 0.5)")
        if not equals:
            if not rest:
                raise click.UsageError(f"parameter {arg} has no value; give it as {arg} VALUE")
            value = rest.pop(0)
        parameters[name.replace("-", "_")] = _number_or_text(value)
    return parameters


def _number_or_text(value: str) -> Any:
    if _INT.match(value.strip()):
        return int(value)
    try:
        return float(value)
    except ValueError:
        return value


def load_worker(ctx: click.Context, value: str) -> Any:
    """The worker module of ``-w``: a worker file, or a module's dotted name."""
    from dacapo.blockwise._worker_spec import load_worker_file

    if Path(value).is_file():
        return load_worker_file(Path(value))
    if not re.match(r"^[A-Za-z_][\w.]*$", value) or value.endswith(".py"):
        bad_parameter(ctx, "worker_file", f"worker file {value!r} does not exist; give the "
                      "path of a Python file defining read_write_conflict, fit and "
                      "spawn_worker (or a module name such as dacapo.blockwise.threshold_worker)")
    try:
        return importlib.import_module(value)
    except ImportError as error:
        bad_parameter(ctx, "worker_file", f"{value!r} is neither a file nor an importable "
                      f"module ({error}); give the path of a worker file")


def load_segment_function(ctx: click.Context, value: str) -> Tuple[Callable, Dict[str, Any]]:
    """``(segment_function, default_parameters)`` of ``-sf``."""
    from dacapo.blockwise.segment_worker import load_segment_function as load
    from dacapo.errors import ConfigError

    if ":" not in value and not Path(value).is_file():
        bad_parameter(ctx, "segment_function_file", f"file {value!r} does not exist; give the "
                      "path of a Python file defining segment_function(input_array, block, "
                      "**parameters), or module:name")
    try:
        return load(value)
    except (ConfigError, ImportError, AttributeError) as error:
        bad_parameter(ctx, "segment_function_file", f"{value!r}: {error}")


def require_known_parameters(ctx: click.Context, function: Callable, parameters: Iterable[str],
                             reserved: Iterable[str], what: str) -> None:
    """Fails for a parameter ``function`` does not take (a mistyped option lands here)."""
    signature = inspect.signature(function)
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return
    accepted = [name for name, p in signature.parameters.items()
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                and name not in set(reserved)]
    unknown = [name for name in parameters if name not in accepted]
    if not unknown:
        return
    spelled = [f"--{name.replace('_', '-')}" for name in accepted]
    options = [o for p in ctx.command.params for o in getattr(p, "opts", ()) if o[:2] == "--"]
    wrong = f"--{unknown[0].replace('_', '-')}"
    close = difflib.get_close_matches(wrong, spelled + options, n=1)
    raise click.UsageError(
        f"no such option: {wrong} (neither an option of {ctx.command_path} nor a parameter of "
        f"{what}, whose parameters are {', '.join(spelled) or 'none'})"
        + (f"; did you mean {close[0]}?" if close else ""), ctx=ctx,
    )


@attr.s(frozen=True, auto_attribs=True)
class BlockGeometry:
    """The ROIs of a blockwise job, in world units."""

    total_roi: Any
    read_roi: Any
    write_roi: Any
    context: Any


def block_geometry(ctx: click.Context, array: Any, total: Optional[Bounds],
                   read_size: Tuple[int, ...], write_size: Tuple[int, ...],
                   context: Optional[Tuple[int, ...]] = None) -> BlockGeometry:
    """The ROIs of the voxel options: blocks read ``read_size`` and write
    ``write_size`` centred in it (``context`` on every side)."""
    from funlib.geometry import Coordinate, Roi

    from ._common import roi_of

    _check_dims(ctx, array, total_roi=total, read_roi_size=read_size,
                write_roi_size=write_size, context=context)
    read, write = Coordinate(read_size), Coordinate(write_size)
    if context is None:
        if any((r - w) % 2 or r < w for r, w in zip(read, write)):
            bad_parameter(ctx, "read_roi_size", (
                f"{list(read)} minus the write size {list(write)} must be even and >= 0 on "
                "every axis (the context read around a block, on both sides)"))
        context = tuple((read - write) // 2)
    elif read != write + Coordinate(context) * 2:
        bad_parameter(ctx, "context", (
            f"{list(context)}: the read size {list(read)} must be the write size "
            f"{list(write)} plus twice the context on every axis"))
    voxel_size = array.voxel_size
    context_world = Coordinate(context) * voxel_size
    total_roi = roi_of(total, voxel_size) if total is not None else array.roi
    return BlockGeometry(total_roi, Roi((0,) * len(read), read * voxel_size),
                         Roi(context_world, write * voxel_size), context_world)


def _check_dims(ctx: click.Context, array: Any, **values: Any) -> None:
    dims = array.voxel_size.dims
    for name, value in values.items():
        if value is not None and len(value) != dims:
            bad_parameter(ctx, name, f"{_text(value)} has {len(value)} axes but the input "
                          f"array has {dims} (axes {array.axes}); give one value per axis")


def _text(value: Sequence[Any]) -> str:
    parts = [f"{v[0]}:{v[1]}" if isinstance(v, tuple) else str(v) for v in value]
    return "[" + ",".join(parts) + "]"


def create_output(identifier: Any, array: Any, roi: Any, channels: Optional[int], dtype: Any,
                  write_roi: Any, overwrite: bool) -> Any:
    """Creates the output dataset over ``roi`` with the input's voxel size and
    chunks of one write block (so workers never share a chunk)."""
    from dacapo.experiments.datasplits.datasets.arrays.zarr_array import ZarrArray

    spatial: List[str] = [axis for axis in array.axes if axis not in ("b", "c")]
    axes = (["c"] if channels is not None else []) + spatial
    return ZarrArray.create_from_array_identifier(
        identifier, axes, roi, channels, array.voxel_size, dtype,
        write_size=write_roi.shape, overwrite=overwrite,
    )
