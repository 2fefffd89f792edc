"""What a worker given to ``run_blockwise`` is: a worker file, a module (or
any object with the worker attributes), or a plain Python callable."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import types
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import attr

from dacapo.errors import ConfigError

FITS = ("valid", "overhang", "shrink")

#: defaults for a plain callable: neighbouring blocks never run at the same
#: time, and edge blocks are clipped, so every voxel of the ROI is processed
CALLABLE_DEFAULTS = {"read_write_conflict": True, "fit": "shrink", "check_function": None}


@attr.s(frozen=True)
class WorkerSpec:
    """A resolved worker: its name, its identity and how to make its process
    function."""

    name: str = attr.ib()
    #: what distinguishes this worker from others of the same name (hashed
    #: into the task id)
    identity: str = attr.ib()
    read_write_conflict: bool = attr.ib()
    fit: str = attr.ib()
    check_function: Optional[Callable] = attr.ib()
    #: ``spawn(compute_context)`` returns the process function
    spawn: Callable[[Any], Callable] = attr.ib()


def resolve_worker(worker: Any, args: tuple, kwargs: Dict[str, Any]) -> WorkerSpec:
    """The ``WorkerSpec`` of ``worker`` called with ``args`` and ``kwargs``.

    A callable takes ``read_write_conflict``, ``fit`` and ``check_function``
    out of ``kwargs`` and is bound to the rest.
    """
    if isinstance(worker, (str, Path)):
        worker = load_worker_file(Path(worker))
    if _is_worker_module(worker):
        return _module_spec(worker, args, kwargs)
    if callable(worker):
        return _callable_spec(worker, args, kwargs)
    raise ConfigError(
        f"run_blockwise: worker {worker!r} is neither a worker file, a module with "
        "read_write_conflict, fit and spawn_worker, nor a callable process(block); "
        "give one of those"
    )


def _is_worker_module(worker: Any) -> bool:
    return isinstance(worker, types.ModuleType) or hasattr(worker, "spawn_worker")


def _module_spec(module: Any, args: tuple, kwargs: Dict[str, Any]) -> WorkerSpec:
    name = getattr(module, "__name__", type(module).__name__)
    short = Path(module.__file__).stem if getattr(module, "__file__", None) else name
    missing = [a for a in ("read_write_conflict", "fit", "spawn_worker") if not hasattr(module, a)]
    if missing:
        raise ConfigError(
            f"run_blockwise: worker {name!r} lacks {', '.join(missing)}; a worker module "
            "defines read_write_conflict (bool), fit (str) and spawn_worker(*args, **kwargs) "
            "returning its process function"
        )
    fit = _check_fit(module.fit, name)

    def spawn(compute_context: Any) -> Callable:
        call_kwargs = dict(kwargs)
        if "compute_context" in inspect.signature(module.spawn_worker).parameters:
            call_kwargs["compute_context"] = compute_context
        return module.spawn_worker(*args, **call_kwargs)

    return WorkerSpec(
        name=short.rsplit(".", 1)[-1], identity=_module_identity(module, name),
        read_write_conflict=bool(module.read_write_conflict), fit=fit,
        check_function=getattr(module, "check_function", None), spawn=spawn,
    )


def _module_identity(module: Any, name: str) -> str:
    """The worker's file, however it was imported (or its name, without one)."""
    path = getattr(module, "__file__", None)
    return f"file {Path(path).resolve()}" if path else f"module {name}"


def _callable_spec(function: Callable, args: tuple, kwargs: Dict[str, Any]) -> WorkerSpec:
    options = {key: kwargs.pop(key, default) for key, default in CALLABLE_DEFAULTS.items()}
    name = str(getattr(function, "__name__", None) or getattr(
        getattr(function, "func", None), "__name__", type(function).__name__
    ))
    bound: Callable = function
    if args or kwargs:
        if positional_arity(function) == 0:
            raise ConfigError(
                f"run_blockwise: worker function {name!r} takes no block argument, so it "
                f"cannot take the extra arguments {args!r} {sorted(kwargs)}; bind them "
                "with functools.partial"
            )
        bound = _BoundBlockFunction(function, args, kwargs)
    return WorkerSpec(
        name=name, identity=f"callable {getattr(function, '__module__', '')}.{name}",
        read_write_conflict=bool(options["read_write_conflict"]),
        fit=_check_fit(options["fit"], name), check_function=options["check_function"],
        spawn=lambda compute_context: bound,
    )


def positional_arity(function: Callable) -> int:
    """How many positional arguments daisy sees: 0 for a worker function that
    runs its own loop, otherwise a block function (daisy's own rule)."""
    try:
        names = inspect.getfullargspec(function).args
    except TypeError:
        return 0
    return len([n for n in names if n != "self"])


class _BoundBlockFunction:
    """``function(block, *args, **kwargs)`` as a picklable block function."""

    def __init__(self, function: Callable, args: tuple, kwargs: Dict[str, Any]):
        self.function, self.args, self.kwargs = function, args, kwargs

    def __call__(self, block) -> Any:
        return self.function(block, *self.args, **self.kwargs)


def _check_fit(fit: Any, name: str) -> str:
    if fit not in FITS:
        raise ConfigError(
            f"run_blockwise: worker {name!r} has fit {fit!r}; expected one of {FITS}"
        )
    return fit


def load_worker_file(path: Path) -> types.ModuleType:
    """Imports the worker file ``path``, under its package name when it lies in
    an importable package (so worker processes import it the same way), else
    as a standalone module that is pickled by value."""
    if not path.is_file():
        raise ConfigError(
            f"run_blockwise: worker file {str(path)!r} does not exist; give the path of "
            "a Python file defining read_write_conflict, fit and spawn_worker"
        )
    name = _importable_name(path.resolve())
    if name is not None:
        return importlib.import_module(name)
    return _load_standalone(path.resolve())


def _importable_name(path: Path) -> Optional[str]:
    """The dotted name of ``path`` inside its packages, when importing that
    name gives this very file."""
    parts = [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    name = ".".join(parts)
    if not all(p.isidentifier() for p in parts):
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is not None and spec.origin and Path(spec.origin).resolve() == path:
        return name
    return None


def _load_standalone(path: Path) -> types.ModuleType:
    import hashlib

    import cloudpickle

    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    name = f"_dacapo_worker_{path.stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None  # a .py file was checked above
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    # worker processes cannot import it by this name: send its code along
    cloudpickle.register_pickle_by_value(module)
    return module
